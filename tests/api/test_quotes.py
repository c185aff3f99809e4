"""GET /v1/quotes and /v1/quotes/{code}: testimony verbatim, glossed, with its speaker."""

from __future__ import annotations

from fastapi.testclient import TestClient

BASE = "http://testserver"


def test_get_quote_contract(client: TestClient) -> None:
    assert client.get("/v1/quotes/old-miner-white-shirt", params={"lang": "en"}).json() == {
        "code": "old-miner-white-shirt",
        "text": "过去下井要踩着黑水,现在穿着白衬衫就能采煤。",
        "gloss_en": "In the past, going down the pit meant wading through black water; now you can mine coal in a white shirt.",
        "speaker": "An old miner",
        "speaker_zh": "一位老矿工",
        "speaker_en": "An old miner",
        "role": "Miner",
        "role_zh": "矿工",
        "role_en": "Miner",
        "person": None,
        "entity": None,
        "regions": [],
        "topic": "energy",
        "source": "jzrb-2025-10-24-p03",
        "url": f"{BASE}/v1/quotes/old-miner-white-shirt",
    }


def test_quote_by_a_named_person_takes_their_name_and_role(client: TestClient) -> None:
    body = client.get("/v1/quotes/wei-hongzhou-five-years").json()
    assert (body["person"], body["speaker"], body["role"]) == (
        "wei-hongzhou", "魏红州", "市能源局党组书记、局长",
    )  # fmt: skip
    assert "20万户农户得到了实惠" in body["text"]


def test_list_quotes_filters(client: TestClient) -> None:
    def codes(**params: str) -> list[str]:
        return [q["code"] for q in client.get("/v1/quotes", params=params).json()["items"]]

    assert len(codes()) == 6
    assert codes(topic="energy") == [
        "cbm-technician-ct-scan", "old-miner-white-shirt", "wei-hongzhou-five-years",
    ]  # fmt: skip
    assert codes(region="140429") == ["cbm-technician-ct-scan"]
    assert codes(entity="winning-bid-loan") == ["entrepreneur-loan-like-an-obstacle-course"]
    assert codes(speaker="wei-hongzhou") == ["wei-hongzhou-five-years"]
    assert client.get("/v1/quotes", params={"topic": "sport"}).status_code == 422
    unknown = client.get("/v1/quotes", params={"speaker": "nobody"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["name"] == "speaker"


def test_quotes_are_verbatim_in_their_source(client: TestClient) -> None:
    text = "".join(client.get("/v1/sources/jzrb-2025-10-24-p03/text").text.split())
    for quote in client.get("/v1/quotes").json()["items"]:
        assert "".join(quote["text"].split()) in text
        assert quote["gloss_en"]


def test_get_quote_unknown_is_404(client: TestClient) -> None:
    assert client.get("/v1/quotes/nope").status_code == 404
