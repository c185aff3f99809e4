"""Whole-object examples for the OpenAPI document, copied from the API's real responses.

tests/test_openapi.py checks that each still equals what the API returns for the same record.
"""

from typing import Any

OBSERVATION: dict[str, Any] = {
    "code": "gdp-2024",
    "indicator": "gdp",
    "indicator_name": "地区生产总值",
    "indicator_name_zh": "地区生产总值",
    "indicator_name_en": "Gross regional product",
    "region": "140700",
    "region_name": "晋中市",
    "region_name_zh": "晋中市",
    "region_name_en": "Jinzhong",
    "regions": ["140700"],
    "period": "2024",
    "period_start": "2024-01-01",
    "period_end": "2024-12-31",
    "period_precision": "year",
    "value": 2458.8,
    "value_max": None,
    "unit": "亿元",
    "unit_code": "cny_100m",
    "unit_name": "亿元",
    "unit_name_zh": "亿元",
    "unit_name_en": "100 million yuan",
    "value_as_published": "2458.8",
    "normalized_value": 245880000000.0,
    "normalized_value_max": None,
    "normalized_unit": "CNY",
    "qualifier": "exact",
    "derived": False,
    "derivation": None,
    "entities": [],
    "note": None,
    "source": "jzrb-2025-10-24-p03",
    "quote": "2024年,全市完成地区生产总值2458.8亿元",
    "conflict_note": None,
    "locator": None,
    "witness_of": "jinzhong-bulletin-2024-gdp-140700-2024",
    "agreement": "equal",
    "witnesses_url": (
        "http://127.0.0.1:8000/v1/observations?indicator=gdp&region=140700&start=2024"
        "&end=2024&witnesses=true"
    ),
    "url": "http://127.0.0.1:8000/v1/observations/gdp-2024",
    "topic": "economy",
}

INDICATOR: dict[str, Any] = {
    "code": "gdp",
    "name": "地区生产总值",
    "name_zh": "地区生产总值",
    "name_en": "Gross regional product",
    "aliases": ["GDP"],
    "aliases_zh": ["GDP"],
    "aliases_en": ["GDP", "GRP"],
    "definition": "一个地区(省、市或县区)全年的地区生产总值,按各来源所载。",
    "definition_zh": "一个地区(省、市或县区)全年的地区生产总值,按各来源所载。",
    "definition_en": (
        "Gross regional product (地区生产总值) of a region (province, city or district) "
        "for a year, as its sources report it."
    ),
    "topic": "economy",
    "unit": "亿元",
    "unit_code": "cny_100m",
    "unit_name": "亿元",
    "unit_name_zh": "亿元",
    "unit_name_en": "100 million yuan",
    "normalized_unit": "CNY",
    "observation_count": 19,
    "sources": [
        "shanxi-cities-gdp-2021",
        "jinzhong-bulletin-2024",
        "jinzhong-gdp-aggregator",
        "jzrb-2025-10-24-p03",
        "shanxi-bulletin-2022-opening",
        "taigu-bulletin-2023",
        "taigu-encyclopedia-entry",
    ],
    "publishers": [
        {
            "name": 'guzhangting.com(页面来源仅标注"互联网")',
            "name_zh": 'guzhangting.com(页面来源仅标注"互联网")',
            "name_en": 'guzhangting.com, a web compilation site (the page credits its source only as "the internet")',
            "sources": ["shanxi-cities-gdp-2021"],
        },
        {
            "name": "95408.com（百科栏目，条目未署名）",
            "name_zh": "95408.com（百科栏目，条目未署名）",
            "name_en": "95408.com (encyclopedia-style section; the entry names no author)",
            "sources": ["taigu-encyclopedia-entry"],
        },
        {
            "name": "晋中日报社",
            "name_zh": "晋中日报社",
            "name_en": "Jinzhong Daily",
            "sources": ["jzrb-2025-10-24-p03"],
        },
        {
            "name": "晋中市统计局、国家统计局晋中调查队",
            "name_zh": "晋中市统计局、国家统计局晋中调查队",
            "name_en": "Jinzhong Municipal Bureau of Statistics and the NBS Jinzhong Survey Team",
            "sources": ["jinzhong-bulletin-2024"],
        },
        {
            "name": "晋中市太谷区统计局、国家统计局太谷调查队",
            "name_zh": "晋中市太谷区统计局、国家统计局太谷调查队",
            "name_en": "Taigu District Statistics Bureau of Jinzhong and the NBS Taigu Survey Team",
            "sources": ["taigu-bulletin-2023"],
        },
    ],
    "licence_notes": [
        "Facts and figures only are taken; the text is not reproduced.",
        "Kept here in full, with errata, so that every figure can be checked against its "
        "sentence; the text remains the newspaper's.",
    ],
    "frequency": "annual",
    "last_updated_at": "2026-11-30T16:00:00Z",
    "url": "http://127.0.0.1:8000/v1/indicators/gdp",
    "observations_url": "http://127.0.0.1:8000/v1/indicators/gdp/observations",
}

EVENT: dict[str, Any] = {
    "code": "yangshe-railway-opens",
    "period": "2025-01-27",
    "period_start": "2025-01-27",
    "period_end": "2025-01-27",
    "period_precision": "day",
    "title": "阳涉铁路正式通车",
    "title_zh": "阳涉铁路正式通车",
    "title_en": "Yangshe Railway opens",
    "description": "老区群众期盼了75年的阳涉铁路正式通车,昔阳、和顺、左权从此告别无铁路客运历史。",
    "description_zh": "老区群众期盼了75年的阳涉铁路正式通车,昔阳、和顺、左权从此告别无铁路客运历史。",
    "description_en": "The Yangshe railway, awaited for 75 years by the people of the old base area, opens; Xiyang, Heshun and Zuoquan leave their history without passenger rail behind.",
    "regions": ["140724", "140723", "140722"],
    "topics": ["transport"],
    "entities": ["yangshe-railway"],
    "indicators": ["passenger_rail_wait_years"],
    "source": "jzrb-2025-10-24-p03",
    "quote": "这是一条老区群众期盼了75年的铁路,今年1月27日,阳涉铁路正式通车,铁路客运梦终于照进现实",
    "locator": None,
    "status": "happened",
    "note": None,
    "account_of": None,
    "conflict_note": None,
    "url": "http://127.0.0.1:8000/v1/events/yangshe-railway-opens",
}

QUOTE: dict[str, Any] = {
    "code": "old-miner-white-shirt",
    "text": "过去下井要踩着黑水,现在穿着白衬衫就能采煤。",
    "gloss_en": "In the past, going down the pit meant wading through black water; now you can mine coal in a white shirt.",
    "speaker": "一位老矿工",
    "speaker_zh": "一位老矿工",
    "speaker_en": "An old miner",
    "role": "矿工",
    "role_zh": "矿工",
    "role_en": "Miner",
    "person": None,
    "entity": None,
    "regions": [],
    "topic": "energy",
    "source": "jzrb-2025-10-24-p03",
    "url": "http://127.0.0.1:8000/v1/quotes/old-miner-white-shirt",
}

REGION: dict[str, Any] = {
    "code": "140429",
    "name": "武乡县",
    "name_zh": "武乡县",
    "name_en": "Wuxiang County",
    "level": "county",
    "parent": "140400",
    "url": "http://127.0.0.1:8000/v1/regions/140429",
}

TOPIC: dict[str, Any] = {
    "code": "energy",
    "name": "能源",
    "name_zh": "能源",
    "name_en": "Energy",
    "description": "煤炭开采、煤层气、取暖与能源转型。",
    "description_zh": "煤炭开采、煤层气、取暖与能源转型。",
    "description_en": "Coal mining, coalbed methane, heating and the energy transition.",
    "indicator_count": 5,
    "url": "http://127.0.0.1:8000/v1/topics/energy",
    "indicators_url": "http://127.0.0.1:8000/v1/indicators?topic=energy",
}

ENTITY: dict[str, Any] = {
    "code": "zuoquan-walnut",
    "kind": "product",
    "name": "左权核桃",
    "name_zh": "左权核桃",
    "name_en": "Zuoquan walnuts",
    "url": "http://127.0.0.1:8000/v1/entities/zuoquan-walnut",
    "description": "可借阳涉铁路外运的特产。",
    "description_zh": "可借阳涉铁路外运的特产。",
    "description_en": "A local speciality that can now leave by the Yangshe railway.",
    "source": "jzrb-2025-10-24-p03",
    "quote": "左权核桃、和顺肉牛等特产可借铁路外运",
}

SEARCH_HIT: dict[str, Any] = {
    "type": "entity",
    "id": "hotline-12345",
    "title": '"12345"热线',
    "title_zh": '"12345"热线',
    "title_en": "12345 hotline",
    "snippet": "&quot;<mark>12345</mark>&quot;热线成为全国典范,一个号码解决万千诉求。 The <mark>12345</mark> hotline, held up as a …",
    "url": "http://127.0.0.1:8000/v1/entities/hotline-12345",
}
