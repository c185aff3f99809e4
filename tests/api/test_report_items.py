"""Every thing and moment the report names (the list in the brief for this capability) is
reachable by its code, linked to something, and found by search in Chinese and in English."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

# (type, code, a Chinese query, an English query)
ITEMS = [
    ("event", "yangshe-railway-opens", "阳涉铁路正式通车", "Yangshe Railway opens"),
    ("entity", "yangshe-railway", "K4588", "Zuoquan at 7:00"),
    ("event", "sanjiang-coal-shed-relocated", "三江煤棚", "Sanjiang coal shed"),
    ("entity", "sanjiang-coal-shed", "三江煤棚", "coal shed"),
    ("event", "level-crossings-surveyed", "平交道口", "level crossings"),
    ("event", "cbm-network-joins-national-trunk", "国家主干管网", "national trunk"),
    ("event", "jishan-pumped-storage-national", "箕山抽水蓄能", "Jishan"),
    ("entity", "charging-network", "充电网络", "charging network"),
    ("entity", "winning-bid-loan", "中标即授信", "winning-bid loan"),
    ("entity", "full-agency-service", "全代办", "full agency"),
    ("entity", "enterprise-inspection-measures", "涉企行政检查办法", "administrative inspections"),
    ("entity", "hotline-12345", "12345", "hotline"),
    ("entity", "one-stop-window", "无差别综合窗口", "all-in-one window"),
    ("entity", "old-and-young-together", "长幼同园", "old and young"),
    ("entity", "weekend-property-registration", "周末不打烊", "weekends"),
    ("entity", "business-environment-innovation-city", "营商环境创新示范城市", "demonstration city"),
    ("entity", "taiyuan-jinzhong-six-integrations", "六个一体化", "six integrations"),
    ("entity", "fifteen-minute-traffic-circle", "15分钟交通圈", "15-minute travel zone"),
    ("entity", "industry-education-consortia", "产教联合体", "industry-education consortia"),
    ("entity", "rail-culture-tourism", "铁路+文旅", "culture and tourism"),
    ("entity", "zuoquan-walnut", "左权核桃", "walnuts"),
    ("entity", "heshun-beef-cattle", "和顺肉牛", "beef cattle"),
    ("entity", "eighth-route-army-hq-site", "八路军总部旧址", "Eighth Route Army headquarters"),
    ("entity", "shiguai-meeting-memorial", "石拐会议纪念馆", "Shiguai"),
    ("entity", "xinyi-wangling-control-centre", "智能化控制中心", "control centre"),
    ("entity", "yushe-wuxiang-cbm-block", "榆社-武乡区块", "Yushe Wuxiang"),
    ("entity", "jinzhong-ndrc", "发改委", "Development and Reform"),
    ("entity", "jinzhong-ndrc", "韩亮", "Han Liang"),
    ("entity", "jinzhong-ndrc", "王静", "Wang Jing"),
    ("entity", "jinzhong-energy-bureau", "魏红州", "Wei Hongzhou"),
    ("entity", "jinzhong-business-environment-bureau", "赵献春", "Zhao Xianchun"),
    ("entity", "pbc-jinzhong-branch", "人民银行", "People's Bank"),
    ("entity", "zhongzheng-receivables-platform", "中征", "Zhongzheng"),
    ("entity", "xingze-road-bridge", "星泽", "Xingze"),
    ("entity", "xinyi-wangling-coal", "昕益旺岭", "Xinyi Wangling"),
    ("quote", "old-miner-white-shirt", "白衬衫", "white shirt"),
    ("quote", "entrepreneur-loan-like-an-obstacle-course", "跑贷款像闯关", "obstacle course"),
    ("entity", "daily-reporting-system", "日报告制度", "daily reporting"),
    ("entity", "jinzhong-gas", "晋中气", "Jinzhong gas"),
    ("event", "winning-bid-loan-platform-launched", "率先在全省地级市推行", "prefecture-level cities"),
    ("event", "hotline-12345-national-model", "全国典范", "national model"),
]  # fmt: skip
PATHS = {"event": "/v1/events/", "entity": "/v1/entities/", "quote": "/v1/quotes/"}


def found(client: TestClient, q: str) -> set[tuple[str, str]]:
    body = client.get("/v1/search", params={"q": q, "limit": 1000}).json()
    return {(h["type"], h["id"]) for h in body["items"]}


@pytest.mark.parametrize(("kind", "code", "zh", "en"), ITEMS, ids=[f"{i[1]}:{i[2]}" for i in ITEMS])
def test_report_item_reachable_linked_and_searchable(
    client: TestClient, kind: str, code: str, zh: str, en: str
) -> None:
    response = client.get(PATHS[kind] + code)
    assert response.status_code == 200
    body = response.json()
    if kind == "entity":
        links = (
            body["regions"]
            + body["related"]
            + body["events"]
            + body["observations"]
            + body["quotes"]
        )
    elif kind == "event":
        links = body["entities"] + body["regions"]
    else:
        links = [body["entity"], *body["regions"], body["topic"]]
    assert any(links), f"{code} is linked to nothing"
    assert (kind, code) in found(client, zh), zh
    assert (kind, code) in found(client, en), en
