"""Seeding: one transaction (a failure leaves the database exactly as it was), idempotent,
codes stable across reseeds, and a change in the YAML reaches exactly the rows it touches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine
from app.models import DatasetMeta, Observation
from app.seed import sync
from app.seed.loader import SeedError
from app.seed.sync import DatabaseNotReadyError, seed_database
from tests.support.databases import dump
from tests.support.seed import SEED_DIR, edit


def test_seed_database_fills_every_table(migrated_engine: Engine) -> None:
    report = seed_database(migrated_engine, SEED_DIR)
    tables = dump(migrated_engine)
    for table in ["source", "erratum", "region", "topic", "unit", "indicator", "observation"]:
        assert tables[table], table
    assert report.inserted["observation"] == len(tables["observation"])


def test_seed_database_twice_is_a_no_op(migrated_engine: Engine) -> None:
    seed_database(migrated_engine, SEED_DIR)
    before = dump(migrated_engine)
    assert seed_database(migrated_engine, SEED_DIR).skipped
    forced = seed_database(migrated_engine, SEED_DIR, force=True)
    assert not forced.skipped
    assert not forced.changed
    assert dump(migrated_engine) == before


def test_seed_database_holding_this_seed_reads_no_yaml(
    migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = seed_database(migrated_engine, SEED_DIR)

    def refuse(folder: Path) -> None:
        raise AssertionError(f"{folder} was parsed although the database holds it")

    monkeypatch.setattr(sync, "load_bundle", refuse)
    again = seed_database(migrated_engine, SEED_DIR)
    assert (again.skipped, again.kept_api_changes) == (True, False)
    assert again.content_hash == first.content_hash


def test_seed_database_broken_yaml_leaves_database_unchanged(
    migrated_engine: Engine, seed_copy: Path
) -> None:
    seed_database(migrated_engine, SEED_DIR)
    before = dump(migrated_engine)
    edit(seed_copy, "observations.yaml", "value: 2458.8", "value: 9999")
    edit(seed_copy, "topics.yaml", "name_en: Energy", "name_en: Power")
    with pytest.raises(SeedError, match=r"observations.yaml:\d+: observations\[0\].value"):
        seed_database(migrated_engine, seed_copy)
    assert dump(migrated_engine) == before


def test_seed_database_failure_mid_write_rolls_back(
    migrated_engine: Engine, seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_database(migrated_engine, SEED_DIR)
    before = dump(migrated_engine)
    edit(seed_copy, "topics.yaml", "name_en: Energy", "name_en: Power")
    real_upsert = sync._upsert

    def failing_upsert(session, model, rows, report):  # type: ignore[no-untyped-def]
        if model is Observation:
            raise RuntimeError("disk full")
        return real_upsert(session, model, rows, report)

    monkeypatch.setattr(sync, "_upsert", failing_upsert)
    with pytest.raises(RuntimeError, match="disk full"):
        seed_database(migrated_engine, seed_copy)
    assert dump(migrated_engine) == before


def test_seed_database_applies_edits_and_deletions_by_code(
    migrated_engine: Engine, seed_copy: Path
) -> None:
    seed_database(migrated_engine, SEED_DIR)
    edit(seed_copy, "topics.yaml", "name_en: Energy", "name_en: Energy supply")
    path = seed_copy / "observations.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- code: foreign-trade-enterprises-2021-2025")
    end = text.index("\n- code:", start) + 1  # the record after it
    path.write_text(text[:start] + text[end:], encoding="utf-8")

    report = seed_database(migrated_engine, seed_copy)

    assert report.updated["topic"] == 1
    assert report.deleted["observation"] == 1
    assert report.inserted["observation"] == 0
    with Session(migrated_engine) as session:
        assert session.get(Observation, "foreign-trade-enterprises-2021-2025") is None
        assert session.get(Observation, "gdp-2024") is not None
        assert session.get(DatasetMeta, sync.SEED_HASH_KEY).value == report.content_hash  # type: ignore[union-attr]


def test_seed_database_codes_survive_a_reseed_from_scratch(
    new_database: Callable[[str], str], migrated_engine: Engine
) -> None:
    from app.migrate import upgrade

    seed_database(migrated_engine, SEED_DIR)
    other_url = new_database("other")
    upgrade(other_url)
    other = make_engine(other_url)
    seed_database(other, SEED_DIR)
    first, second = dump(migrated_engine), dump(other)
    other.dispose()
    first.pop("dataset_meta"), second.pop("dataset_meta")  # holds the time of seeding
    # Versions of records with no source (regions, units...) are known from the seeding.
    versions = first.pop("record_version"), second.pop("record_version")
    assert versions[0]
    assert len(versions[0]) == len(versions[1])
    assert first == second


def test_seed_database_without_migrations_says_so(new_database: Callable[[str], str]) -> None:
    engine = make_engine(new_database("bare"))
    with pytest.raises(DatabaseNotReadyError, match="jinzhong migrate"):
        seed_database(engine, SEED_DIR)
    engine.dispose()


def test_seed_database_keeps_the_search_index_in_step(
    migrated_engine: Engine, seed_copy: Path
) -> None:
    from app.services.search import search

    def found(q: str) -> set[str]:
        with Session(migrated_engine) as session:
            hits, _ = search(session, q, types=[], topic=None, region=None, limit=100, offset=0)
        return {h.document.code for h in hits}

    seed_database(migrated_engine, SEED_DIR)
    assert "zuoquan-walnut" in found("walnuts")
    edit(seed_copy, "entities.yaml", "name_en: Zuoquan walnuts", "name_en: Zuoquan hickory nuts")
    seed_database(migrated_engine, seed_copy)
    assert "zuoquan-walnut" in found("hickory")
    assert "zuoquan-walnut" not in found("Zuoquan walnuts")


def test_seed_database_deletions_leave_the_search_index(
    migrated_engine: Engine, seed_copy: Path
) -> None:
    from app.services.search import search

    seed_database(migrated_engine, SEED_DIR)
    path = seed_copy / "quotes.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("- code: business-bureau-principle")], encoding="utf-8")
    report = seed_database(migrated_engine, seed_copy)
    assert report.deleted["quotation"] == 1
    with Session(migrated_engine) as session:
        hits, _ = search(
            session, "把方便留给企业", types=[], topic=None, region=None, limit=10, offset=0
        )
    assert "business-bureau-principle" not in {h.document.code for h in hits}
