"""Curation through the API: keys, every status a write can answer, history, as_of, the
YAML round trip after a write, hostile text, and many writers at once against a server."""

from __future__ import annotations

import difflib
import io
import itertools
import json
import re
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from app.db import make_engine
from app.seed.export import export_database
from app.seed.sync import seed_database
from app.services.curation import merge_patch
from app.services.keys import revoke_key
from tests.support.curation import Curated, make_database, problem, whole_dataset_agrees
from tests.support.seed import SEED_DIR, SOURCE_CODE
from tests.support.server import Served

GDP = "/v1/observations/gdp-2024"


def test_curation_names_a_record_by_its_singular(client: TestClient) -> None:
    # From a table (entities → entity), not by cutting the plural ("createEntitie").
    spec = client.get("/openapi.json").json()
    operations = [
        operation
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    ids = {operation["operationId"] for operation in operations}
    assert {
        "createEntity", "updateEntity", "retireEntity", "getEntityRecord", "listEntityHistory",
        "createQuote", "getSourceRecord", "listObservationHistory", "retireIndicator",
    } <= ids  # fmt: skip
    texts = [
        str(operation.get(key, ""))
        for operation in operations
        for key in ("operationId", "summary", "description")
    ]
    # "listEntities" is right; "Entitie" alone is a plural cut short.
    assert [text for text in texts if re.search("entitie(?!s)", text, re.IGNORECASE)] == []
    singular = {
        "sources": "source", "indicators": "indicator", "observations": "observation",
        "events": "event", "entities": "entity", "quotes": "quote",
    }  # fmt: skip
    for resource, name in singular.items():
        missing = problem(client.get(f"/v1/{resource}/no-such-code/record"), 404)
        assert missing["detail"] == f"No {name} with code 'no-such-code'."
    assert client.get("/openapi.json").json()["paths"]["/v1/entities"]["post"]["summary"] == (
        "Create an entity from its seed_data/ form"
    )


def test_correct_a_figure_read_its_history_and_the_past(curated: Curated) -> None:
    before = datetime.now(UTC)
    time.sleep(0.01)
    changed = curated.patch(GDP, {"note": "Checked against the printed page."}, reason="check")
    assert changed.status_code == 200, changed.text
    assert changed.json()["note"] == "Checked against the printed page."
    assert changed.headers["etag"] == curated.etag(GDP)  # the new version's tag
    # The public record changed at once (the data version moved, caches included).
    assert curated.client.get(GDP).json()["note"] == "Checked against the printed page."
    history = curated.client.get(f"{GDP}/history").json()
    assert history["total"] == 2  # the seed's version, then this write's
    entry = history["items"][0]
    assert (entry["key"], entry["action"], entry["reason"]) == ("alice", "update", "check")
    assert (entry["origin"], entry["version"], entry["changed"]) == ("api", 2, ["note"])
    assert entry["before"] == {"note": None}
    assert entry["after"]["note"] == "Checked against the printed page."
    seeded = history["items"][1]
    assert (seeded["origin"], seeded["action"], seeded["key"]) == ("seed", "create", None)
    assert seeded["known_until"] == entry["at"]
    # The seed's version is known from the report's publication (2025-10-24, Beijing time).
    assert seeded["at"] == "2025-10-23T16:00:00.000000+00:00"
    # As it stood before the change: no note.
    past = curated.client.get(GDP, params={"as_of": before.isoformat()}).json()
    assert past["note"] is None
    listed = curated.client.get(
        "/v1/observations",
        # gdp-2024 is a witness of the bulletin's figure: asked for with the witnesses.
        params={"as_of": before.isoformat(), "indicator": "gdp", "witnesses": "true"},
    ).json()
    assert [item["note"] for item in listed["items"] if item["code"] == "gdp-2024"] == [None]


def test_create_then_retire(curated: Curated) -> None:
    body = {
        "code": "gdp-2024-copy",
        "indicator": "gdp",
        "regions": ["140700"],
        "period": "2023",
        "value": 2458.8,
        "value_as_published": "2458.8",
        "qualifier": "exact",
        "source": "jzrb-2025-10-24-p03",
        "quote": "2024年,全市完成地区生产总值2458.8亿元",
        "note": "A test record.",
    }
    created = curated.client.post("/v1/observations", json=body, headers=curated.auth())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/observations/gdp-2024-copy/record"
    assert curated.client.get("/v1/observations/gdp-2024-copy").status_code == 200
    again = curated.client.post("/v1/observations", json=body, headers=curated.auth())
    assert problem(again, 409)["detail"] == (
        "There is an observation with code 'gdp-2024-copy' already."
    )
    path = "/v1/observations/gdp-2024-copy"
    no_reason = curated.client.delete(path, headers={**curated.auth(), "If-Match": "*"})
    assert problem(no_reason, 422)["errors"][0]["name"] == "reason"  # type: ignore[index]
    retired = curated.client.delete(
        path, headers={**curated.auth(), "If-Match": created.headers["etag"]},
        params={"reason": "a test"},
    )  # fmt: skip
    assert retired.status_code == 204
    problem(curated.client.get(path), 404)
    history = curated.client.get(f"{path}/history").json()["items"]
    assert [h["action"] for h in history] == ["retire", "create"]
    assert history[0]["after"] is None
    assert history[0]["reason"] == "a test"


def test_the_seeders_validation_applies(curated: Curated) -> None:
    wrong = curated.patch(GDP, {"value": 2458.9})
    errors = problem(wrong, 422)["errors"]
    assert errors == [
        {"location": "body", "name": "value", "message": "2458.9 is not the figure printed "
         "('2458.8' = 2458.8)"},
        # The bulletin's figure for the same point heads it: 2458.9 would conflict with it.
        {"location": "body", "name": "value", "message": "conflicts with "
         "'jinzhong-bulletin-2024-gdp-140700-2024', another source's figure for gdp in "
         "140700, 2024: keep it only with a conflict_note saying why"},
    ]  # fmt: skip
    unknown = curated.patch(GDP, {"regions": ["999999"]})
    assert problem(unknown, 422)["errors"][0]["name"] == "regions[0]"  # type: ignore[index]
    not_verbatim = curated.patch(GDP, {"quote": "2024年全市GDP为2458.8亿元"})
    assert problem(not_verbatim, 422)["errors"][0]["name"] == "quote"  # type: ignore[index]
    # Retiring what others point at would leave them dangling: refused, naming them.
    entity = "/v1/entities/zuoquan-walnut"
    dangling = curated.client.delete(
        entity, headers={**curated.auth(), "If-Match": "*"}, params={"reason": "x"}
    )
    assert "unknown entity 'zuoquan-walnut'" in str(problem(dangling, 422)["detail"])
    # Nothing of all that was stored.
    assert curated.client.get(f"{GDP}/history").json()["total"] == 1  # the seed's only
    assert curated.client.get(GDP).json()["value"] == 2458.8


def test_no_lost_updates(curated: Curated) -> None:
    stale = curated.etag(GDP)
    assert curated.patch(GDP, {"note": "first"}).status_code == 200
    headers = {**curated.auth(), "Content-Type": "application/json"}
    missing = curated.client.patch(GDP, content='{"note": "second"}', headers=headers)
    assert "If-Match" in str(problem(missing, 428)["detail"])
    late = curated.client.patch(
        GDP, content='{"note": "second"}', headers={**headers, "If-Match": stale}
    )
    problem(late, 412)
    # The current tag, but weak: If-Match compares strongly, so it never matches.
    weak = curated.client.patch(
        GDP,
        content='{"note": "second"}',
        headers={**headers, "If-Match": f"W/{curated.etag(GDP)}"},
    )
    problem(weak, 412)
    assert curated.client.get(GDP).json()["note"] == "first"


def test_keys_and_their_statuses(curated: Curated, new_database: Callable[[str], str]) -> None:
    body = {"note": "x"}
    missing = problem(curated.client.patch(GDP, json=body), 401)
    assert "Bearer" in str(missing["detail"])
    bad = curated.client.patch(GDP, json=body, headers=curated.auth("jzk_nope_nope"))
    problem(bad, 401)
    assert bad.headers["www-authenticate"] == 'Bearer realm="jinzhong", error="invalid_token"'
    assert curated.client.patch(GDP, json=body).headers["www-authenticate"] == (
        'Bearer realm="jinzhong"'
    )
    problem(curated.client.get("/v1/keys", headers=curated.auth()), 403)
    listed = curated.client.get("/v1/keys", headers=curated.auth(curated.admin_key)).json()
    assert [k["name"] for k in listed["items"]] == ["alice", "root"]
    assert curated.write_key not in json.dumps(listed)
    engine = make_engine(curated.url)
    with Session(engine) as session, session.begin():
        revoke_key(session, "alice")
    engine.dispose()
    revoked = curated.client.patch(GDP, json=body, headers=curated.auth())
    problem(revoked, 401)


def test_repeated_failures_are_throttled(curated: Curated) -> None:
    bad = curated.auth("jzk_0000_wrong")
    statuses = [curated.client.patch(GDP, json={}, headers=bad).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    throttled = curated.client.patch(GDP, json={}, headers=bad)
    assert int(problem(throttled, 429)["status"]) == 429  # type: ignore[call-overload]
    assert int(throttled.headers["retry-after"]) > 0
    # A good key from the same address still works: no one can lock a curator out.
    good = curated.client.patch(GDP, json={}, headers=curated.auth())
    problem(good, 428)  # authenticated; it only lacks If-Match


def test_bodies_that_are_refused(curated: Curated) -> None:
    headers = {**curated.auth(), "If-Match": curated.etag(GDP)}
    as_text = curated.client.patch(
        GDP, content="note=x", headers={**headers, "Content-Type": "text/plain"}
    )
    problem(as_text, 415)
    huge = json.dumps({"note": "x" * 2_000_000})
    too_large = curated.client.patch(
        GDP, content=huge, headers={**headers, "Content-Type": "application/json"}
    )
    problem(too_large, 413)
    broken = curated.client.patch(
        GDP, content="{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert problem(broken, 422)["errors"][0]["name"] == "body"  # type: ignore[index]
    nul = curated.client.patch(GDP, json={"note": "a\x00b"}, headers=headers)
    assert problem(nul, 422)["errors"][0]["name"] == "note"  # type: ignore[index]
    unknown_key = curated.client.patch(GDP, json={"colour": "red"}, headers=headers)
    problem(unknown_key, 422)
    problem(curated.client.patch("/v1/observations/nope", json={}, headers=curated.auth()), 404)


def test_hostile_text_is_stored_and_returned_as_plain_text(curated: Curated) -> None:
    hostile = "<script>alert(1)</script> '; DROP TABLE observation; -- \x07\x1b[31m 引号\"'"
    figures = curated.client.get("/v1/observations").json()["total"]
    stored = curated.patch(GDP, {"note": hostile})
    assert stored.status_code == 200, stored.text
    assert curated.client.get(GDP).json()["note"] == hostile
    assert curated.client.get(f"{GDP}/record").json()["note"] == hostile
    assert curated.client.get("/v1/observations").json()["total"] == figures  # the table is there


def test_a_write_reaches_search_and_the_yaml_as_a_small_diff(
    curated: Curated, tmp_path: Path
) -> None:
    engine = make_engine(curated.url)
    export_database(engine, tmp_path / "before")
    assert curated.client.get("/v1/search", params={"q": "xylophone"}).json()["total"] == 0
    assert (
        curated.patch(
            "/v1/entities/zuoquan-walnut", {"name_en": "Zuoquan walnuts (xylophone)"}
        ).status_code
        == 200
    )
    assert curated.client.get("/v1/search", params={"q": "xylophone"}).json()["total"] == 1
    export_database(engine, tmp_path / "after")
    engine.dispose()
    old = (tmp_path / "before" / "entities.yaml").read_text().splitlines()
    new = (tmp_path / "after" / "entities.yaml").read_text().splitlines()
    changed = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-  name_en: Zuoquan walnuts",
        "+  name_en: Zuoquan walnuts (xylophone)",
    ]


def test_an_indicators_aliases_are_curated_and_reach_its_figures_in_search(
    curated: Curated, tmp_path: Path
) -> None:
    path = "/v1/indicators/gdp"
    assert curated.client.get(f"{path}/record").json()["aliases_en"] == [
        "GDP", "GRP",
    ]  # fmt: skip
    assert curated.client.get("/v1/search", params={"q": "xylophone"}).json()["total"] == 0
    aliases = ["GDP", "GRP", "xylophone output"]
    assert curated.patch(path, {"aliases_en": aliases}).status_code == 200
    assert curated.client.get(path, params={"lang": "en"}).json()["aliases"] == aliases
    found = curated.client.get("/v1/search", params={"q": "xylophone", "limit": 100}).json()
    assert {"gdp", "gdp-2024"} <= {hit["id"] for hit in found["items"]}
    whole_dataset_agrees(curated, tmp_path)
    # Without aliases, the key is not in the editable form at all, as in seed_data/.
    assert curated.patch(path, {"aliases_zh": None, "aliases_en": None}).status_code == 200
    record = curated.client.get(f"{path}/record").json()
    assert "aliases_zh" not in record
    assert "aliases_en" not in record
    assert curated.client.get("/v1/search", params={"q": "xylophone"}).json()["total"] == 0
    problem(curated.patch(path, {"aliases_en": ["GDP", "GDP"]}), 422)


def test_many_writers_lose_nothing(seeded_database: Callable[[str], str]) -> None:
    # Eight writers against a real server, each adding its own line to one note many times,
    # reading the ETag, retrying on 412. Every acknowledged write must be in the history, in
    # a chain where each change starts from the one before: no write silently lost.
    url, write_key, _ = make_database(seeded_database)
    server = Served({"DATABASE_URL": url, "LOG_LEVEL": "info", "DATA_VERSION_TTL": "0"})
    acknowledged: list[str] = []
    failures: list[str] = []

    def writer(n: int) -> None:
        with httpx.Client(base_url=server.base, timeout=60) as http:
            for i in range(4):
                mark = f"w{n}-{i}"
                while True:
                    record = http.get(f"{GDP}/record")
                    note = record.json().get("note") or ""
                    response = http.patch(
                        GDP,
                        json={"note": f"{note} {mark}".strip()},
                        headers={
                            "Authorization": f"Bearer {write_key}",
                            "If-Match": record.headers["etag"],
                        },
                    )
                    if response.status_code == 200:
                        acknowledged.append(mark)
                        break
                    if response.status_code != 412:
                        failures.append(f"{response.status_code} {response.text}")
                        return

    try:
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert failures == []
        assert len(acknowledged) == 32
        history = httpx.get(f"{server.base}{GDP}/history", params={"limit": 100}).json()
        versions = history["items"][::-1]
        assert len(versions) == 33  # the seed's, then the 32 writes
        for earlier, later in itertools.pairwise(versions):
            # A chain: each saw the last (what it changed was as the one before left it).
            assert later["version"] == earlier["version"] + 1
            assert later["before"] == {
                name: earlier["after"].get(name) for name in later["changed"]
            }
        final = httpx.get(f"{server.base}{GDP}").json()["note"].split()
        assert sorted(final) == sorted(acknowledged)  # every acknowledged write is there
    finally:
        logged = server.stop()
    assert '"route":"/v1/observations/{code}","path":"/v1/observations/gdp-2024","status":200' in (
        logged
    )
    assert write_key not in logged  # a key is never written to the log
    assert write_key.split("_", 2)[2] not in logged  # nor its secret alone


def test_sources_are_curated_with_their_text(curated: Curated) -> None:
    path = "/v1/sources/jzrb-2025-10-24-p03"
    record = curated.client.get(f"{path}/record")
    assert record.status_code == 200
    assert record.json()["published_date"] == "2025-10-24"
    assert "阳涉铁路" in record.json()["text"]
    better = curated.patch(path, {"subtitle_en": "Shouldering the mission (revised)"})
    assert better.status_code == 200, better.text
    assert curated.client.get(path).json()["subtitle_en"] == "Shouldering the mission (revised)"
    not_text = curated.patch(path, {"text": 42})
    assert problem(not_text, 422)["errors"][0]["name"] == "text"  # type: ignore[index]


def test_a_code_cannot_name_a_file_elsewhere(curated: Curated, tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    escape = f"../../../../../../..{target}"
    body = {"code": escape, "text": "owned", "title": "x"}
    created = curated.client.post("/v1/sources", json=body, headers=curated.auth())
    assert problem(created, 422)["errors"][0]["name"] == "code"  # type: ignore[index]
    assert not target.with_suffix(".md").exists()


def test_as_of_reads_any_time_zone(curated: Curated) -> None:
    before = datetime.now(UTC)
    time.sleep(0.01)
    assert curated.patch(GDP, {"note": "later"}).status_code == 200
    in_beijing = before.astimezone(timezone(timedelta(hours=8))).isoformat()
    assert "+08:00" in in_beijing
    assert curated.client.get(GDP, params={"as_of": in_beijing}).json()["note"] is None


def test_merge_patch_and_no_op_writes(curated: Curated) -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": None, "e": 3}, "d": [2]}) == {
        "a": {"c": 2, "e": 3},
        "d": [2],
    }
    etag = curated.etag(GDP)
    same = curated.patch(GDP, {"value": 2458.8})
    assert same.status_code == 200
    assert same.headers["etag"] == etag  # nothing changed: same version, no history entry
    assert curated.client.get(f"{GDP}/history").json()["total"] == 1  # the seed's only


def test_deeply_nested_bodies_are_refused(curated: Curated) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    response = curated.client.patch(
        GDP,
        content=deep,
        headers={**curated.auth(), "If-Match": "*", "Content-Type": "application/json"},
    )
    assert problem(response, 422)["errors"][0]["name"] == "body"  # type: ignore[index]


def test_a_reseed_keeps_what_curators_wrote(curated: Curated) -> None:
    assert curated.patch(GDP, {"note": "kept"}).status_code == 200
    engine = make_engine(curated.url)
    kept = seed_database(engine, SEED_DIR)  # what a container does at every start
    assert kept.kept_api_changes
    assert curated.client.get(GDP).json()["note"] == "kept"
    forced = seed_database(engine, SEED_DIR, force=True)  # after exporting into seed_data/
    assert forced.changed
    engine.dispose()
    assert curated.client.get(GDP).json()["note"] is None
    assert not seed_database(make_engine(curated.url), SEED_DIR).kept_api_changes


def test_downloads_carry_neither_keys_nor_history(curated: Curated, tmp_path: Path) -> None:
    assert curated.patch(GDP, {"note": "written"}).status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(curated.client.get("/v1/downloads/dataset.zip").content))
    names = archive.namelist()
    private = ("api_key.csv", "record_version.csv", "observation_vintage.csv")
    assert not [n for n in names if n.endswith(private)]
    copy = tmp_path / "copy.db"
    copy.write_bytes(archive.read(next(n for n in names if n.endswith("jinzhong.db"))))
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT count(*) FROM api_key").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM record_version").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM observation_vintage").fetchone() == (0,)
        note = connection.execute("SELECT note FROM observation WHERE code = 'gdp-2024'")
        assert note.fetchone() == ("written",)  # the data itself is there


@pytest.mark.parametrize(
    ("resource", "code", "field"),
    [
        ("indicators", "gdp", "definition_en"),
        ("events", "yangshe-railway-opens", "description_en"),
        ("entities", "zuoquan-walnut", "description_en"),
        ("quotes", "old-miner-white-shirt", "gloss_en"),
    ],
)
def test_every_resource_takes_a_correction(
    curated: Curated, resource: str, code: str, field: str
) -> None:
    # Improving an English text: the kind of correction the issue starts from.
    path = f"/v1/{resource}/{code}"
    current = curated.client.get(f"{path}/record").json()[field]
    changed = curated.patch(path, {field: current + " (revised)"}, reason="translation")
    assert changed.status_code == 200, changed.text
    assert curated.client.get(path, params={"lang": "en"}).json()[field] == current + " (revised)"
    entry = curated.client.get(f"{path}/history").json()["items"][0]
    assert (entry["before"][field], entry["after"][field]) == (current, current + " (revised)")


def test_as_of_knows_nothing_before_its_source_was_published(curated: Curated) -> None:
    # The report was published on 2025-10-24: before that, none of its figures was known.
    early = curated.client.get("/v1/observations", params={"as_of": "2020-01-01"}).json()
    assert early["total"] == 0
    problem(curated.client.get(GDP, params={"as_of": "2025-10-23T12:00:00+08:00"}), 404)
    # From the first moment of that day in Beijing, it was.
    day = curated.client.get(GDP, params={"as_of": "2025-10-24T00:00:00+08:00"})
    assert day.status_code == 200
    assert day.json()["value"] == 2458.8

    def total(**params: str) -> int:
        found = curated.client.get("/v1/observations", params={"limit": "0", **params})
        return int(found.json()["total"])

    # Every figure of the report was known from that day; all of them are known now.
    assert total(source=SOURCE_CODE, as_of="2025-10-24") == total(source=SOURCE_CODE)
    assert total(as_of=datetime.now(UTC).isoformat()) == total()
    # An undated document's figures are known from the day its copy was read, not before.
    assert total(source="jinzhong-gdp-aggregator", as_of="2025-10-24") == 0
    assert total(source="jinzhong-gdp-aggregator") > 0


def test_as_of_shows_a_retired_figure_until_its_retirement(curated: Curated) -> None:
    record = curated.client.get(f"{GDP}/record").json()
    copy = {**record, "code": "gdp-2023-copy", "period": "2023"}
    created = curated.client.post("/v1/observations", json=copy, headers=curated.auth())
    assert created.status_code == 201, created.text
    path = "/v1/observations/gdp-2023-copy"
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    retired = curated.client.delete(
        path, headers={**curated.auth(), "If-Match": created.headers["etag"]},
        params={"reason": "a test"},
    )  # fmt: skip
    assert retired.status_code == 204
    problem(curated.client.get(path), 404)
    problem(curated.client.get(f"{path}/record"), 404)
    past = curated.client.get(path, params={"as_of": between.isoformat()})
    assert past.status_code == 200
    assert (past.json()["period"], past.json()["regions"]) == ("2023", ["140700"])
    listed = curated.client.get(
        "/v1/observations",
        params={"as_of": between.isoformat(), "indicator": "gdp", "region": "140700"},
    ).json()
    assert "gdp-2023-copy" in [item["code"] for item in listed["items"]]
    latest = curated.client.get(
        "/v1/observations",
        params={
            "as_of": between.isoformat(),
            "indicator": "gdp",
            "region": "140700",
            "latest": "true",
        },
    ).json()
    # The 2024 figure the series shows: the bulletin's, which heads the point.
    assert [item["code"] for item in latest["items"]] == ["jinzhong-bulletin-2024-gdp-140700-2024"]


def test_history_pages_in_the_list_envelope(curated: Curated) -> None:
    for n in range(3):
        assert curated.patch(GDP, {"note": f"pass {n}"}).status_code == 200
    first = curated.client.get(f"{GDP}/history", params={"limit": 1})
    assert first.status_code == 200
    page = first.json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 1, 0)
    assert [item["version"] for item in page["items"]] == [4]
    assert page["items"][0]["before"] == {"note": "pass 1"}
    assert page["links"]["next"] is not None
    assert 'rel="next"' in first.headers["link"]
    last = curated.client.get(f"{GDP}/history", params={"limit": 2, "offset": 2}).json()
    assert [item["version"] for item in last["items"]] == [2, 1]
    assert last["items"][1]["before"] is None  # the first version had nothing before it
    assert last["links"]["next"] is None
    problem(curated.client.get(f"{GDP}/history", params={"limit": -1}), 422)


def test_observation_writes_agree_with_the_whole_dataset_check(
    curated: Curated, tmp_path: Path
) -> None:
    # Every kind of write to an observation, each followed by the seeder's own check.
    body = {
        **curated.client.get(f"{GDP}/record").json(),
        "code": "gdp-2023-test",
        "period": "2023",
        "regions": ["140700", "140702"],
        "entities": ["yangshe-railway"],
    }
    created = curated.client.post("/v1/observations", json=body, headers=curated.auth())
    assert created.status_code == 201, created.text
    whole_dataset_agrees(curated, tmp_path / "created")
    found = curated.client.get("/v1/search", params={"q": "2458.8", "region": "140702"}).json()
    assert "gdp-2023-test" in [hit["id"] for hit in found["items"]]
    path = "/v1/observations/gdp-2023-test"
    changed = curated.patch(path, {"regions": ["140700"], "entities": None, "note": "moved"})
    assert changed.status_code == 200, changed.text
    whole_dataset_agrees(curated, tmp_path / "updated")
    retired = curated.client.delete(
        path, headers={**curated.auth(), "If-Match": curated.etag(path)}, params={"reason": "x"}
    )
    assert retired.status_code == 204
    whole_dataset_agrees(curated, tmp_path / "retired")
    assert curated.client.get(path).status_code == 404


def test_an_observation_write_is_checked_against_the_records_it_touches(
    curated: Curated,
) -> None:
    ratio = "/v1/observations/urban-rural-income-ratio-2024"
    # The 2020 ratio is derived from this one: a new value must still give the 2020 figure.
    moved = curated.patch(ratio, {"value": 2.16, "value_as_published": "2.16"})
    names = [e["name"] for e in problem(moved, 422)["errors"]]  # type: ignore[union-attr]
    assert "value_as_published" in names  # 2.16 is not printed in the quote
    retire = curated.client.delete(
        ratio, headers={**curated.auth(), "If-Match": "*"}, params={"reason": "x"}
    )
    errors = problem(retire, 422)["errors"]
    assert errors == [
        {"location": "body", "name": "observations[urban-rural-income-ratio-2020].derivation",
         "message": "input 'ratio_2024' names no other observation ('urban-rural-income-ratio-2024')"}
    ]  # fmt: skip
    duplicate = curated.patch("/v1/observations/urban-rural-income-ratio-2020", {"period": "2024"})
    assert "period" in [e["name"] for e in problem(duplicate, 422)["errors"]]  # type: ignore[union-attr]
    unknown = curated.patch(GDP, {"entities": ["no-such-entity"]})
    assert problem(unknown, 422)["errors"] == [
        {"location": "body", "name": "entities", "message": "unknown entity 'no-such-entity'"}
    ]
    # Nothing of all that was stored.
    assert curated.client.get(f"{ratio}/history").json()["total"] == 1
    assert curated.client.get(ratio).json()["value"] == 2.15


def test_record_is_its_current_version_or_else_its_rows(curated: Curated) -> None:
    from_version = curated.client.get(f"{GDP}/record")
    engine = make_engine(curated.url)
    with engine.begin() as connection:
        # As for rows `jinzhong synth` writes: no version at all.
        connection.execute(text("DELETE FROM record_version WHERE code = 'gdp-2024'"))
    engine.dispose()
    from_rows = curated.client.get(f"{GDP}/record")
    assert from_rows.status_code == 200
    assert from_rows.json() == from_version.json()
    assert from_rows.headers["etag"] == from_version.headers["etag"]
    # Its first write gives it the version it lacked, known from the report's publication
    # (the start of 2025-10-24 in Beijing): the write is an update, and as_of still sees it.
    assert curated.patch(GDP, {"note": "adopted"}).status_code == 200
    history = curated.client.get(f"{GDP}/history").json()["items"]
    assert [(h["action"], h["origin"]) for h in history] == [("update", "api"), ("create", "seed")]
    assert history[1]["at"] == "2025-10-23T16:00:00.000000+00:00"
    assert history[1]["after"] == from_version.json()
    past = curated.client.get("/v1/observations/gdp-2024", params={"as_of": "2025-11-01"})
    assert past.status_code == 200
    assert past.json()["note"] != "adopted"
