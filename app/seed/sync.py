"""Bring the database's rows in line with a validated bundle, in one transaction.

Rows are matched by their natural keys and only changed rows are written, so seeding twice
leaves the database untouched and codes never change meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.db import exclusive
from app.models import (
    DataCheck,
    DataCheckLink,
    DatasetMeta,
    Observation,
    RecordVersion,
    Region,
    RegionBoundary,
)
from app.rules import moments
from app.rules.moments import first_public
from app.rules.regions import LEVEL_RANK
from app.seed.loader import SeedBundle, content_hash, load_bundle
from app.seed.records import (
    LINKS,
    TABLES,
    UnitFactor,
    boundary_rows,
    check_rows,
    entity_rows,
    event_rows,
    indicator_rows,
    observation_rows,
    quote_rows,
    region_rows,
    source_rows,
    topic_rows,
    unit_rows,
)
from app.seed.versions import keep_seed_versions
from app.store.dataset import API_CHANGES_KEY, CHANGED_AT_KEY, SEED_HASH_KEY
from app.store.search_index import rebuild_search_index


class DatabaseNotReadyError(Exception):
    """The database has no schema yet: `jinzhong migrate` has to run first."""


@dataclass
class SyncReport:
    """What a seed run did, table by table."""

    skipped: bool = False
    content_hash: str = ""
    kept_api_changes: bool = False  # skipped so as not to undo writes made through the API
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True if any row was written."""
        return (
            any(self.inserted.values()) or any(self.updated.values()) or any(self.deleted.values())
        )


def bundle_rows(bundle: SeedBundle) -> list[tuple[type[SQLModel], list[SQLModel]]]:
    """Turn the bundle into rows, table by table, parents before children."""
    units = {u.code: UnitFactor(u.code, u.factor) for u in bundle.units}
    indicator_units = {i.code: i.unit for i in bundle.indicators}
    people = {p.code: p for e in bundle.entities for p in e.people}
    # A figure new to the database is known from its source's publication (versions.py).
    published = {s.code: first_public(s.published_date, s.read_on) for s in bundle.sources}
    rows: list[SQLModel] = []
    for s in bundle.sources:
        text = bundle.texts[s.code]
        rows += source_rows(s, text.original, text.corrected)
    for r in sorted(bundle.regions, key=lambda r: LEVEL_RANK[r.level]):
        rows += region_rows(r)
    for t in bundle.topics:
        rows += topic_rows(t)
    for u in bundle.units:
        rows += unit_rows(u)
    for i in bundle.indicators:
        rows += indicator_rows(i)
    for e in bundle.entities:
        rows += entity_rows(e)
    for o in bundle.observations:
        unit = units[o.unit or indicator_units[o.indicator]]
        figure = observation_rows(o, unit, min(published[o.source], moments.now()))
        headline, agreement = bundle.ranks.get(o.code, (None, None))
        figure[0].witness_of, figure[0].agreement = headline, agreement
        rows += figure
    for ev in bundle.events:
        rows += event_rows(ev)
    for q in bundle.quotes:
        rows += quote_rows(q, people.get(q.speaker) if q.speaker else None)
    for check in bundle.checks:
        rows += check_rows(check)
    for b in bundle.boundaries:
        rows += boundary_rows(b)
    by_table: dict[type[SQLModel], list[SQLModel]] = {model: [] for model in seeded_tables()}
    for row in rows:
        by_table[type(row)].append(row)
    return list(by_table.items())


def seeded_tables() -> list[type[SQLModel]]:
    """Every table seed_data/ fills, parents before children: each resource (in an order
    where references point back) followed by its link tables, then the checks and the
    regions' outlines (which no API write touches, so they are no resource of `TABLES`)."""
    order = ["sources", "regions", "topics", "units", "indicators", "entities"]
    order += ["observations", "events", "quotes"]
    resources = [
        model
        for resource in order
        for model in [TABLES[resource], *(link.table for link in LINKS.get(resource, {}).values())]
    ]
    # The checks are derived from the figures and events, like the search index, but are
    # rows like any other: a reseed that changes nothing writes none.
    return [*resources, DataCheck, DataCheckLink, RegionBoundary]


def _table(model: type[SQLModel]) -> str:
    return str(model.__tablename__)


def _key(model: type[SQLModel], row: SQLModel) -> tuple[Any, ...]:
    return tuple(getattr(row, column.name) for column in model.__table__.primary_key.columns)  # type: ignore[attr-defined]


def _upsert(
    session: Session, model: type[SQLModel], desired: Sequence[SQLModel], report: SyncReport
) -> list[SQLModel]:
    """Insert and update rows of one table; return the rows that are no longer wanted."""
    inserted, updated, stale = upsert_rows(session, model, desired, session.exec(select(model)))
    report.inserted[_table(model)], report.updated[_table(model)] = inserted, updated
    return stale


def upsert_rows(
    session: Session, model: type[SQLModel], desired: Sequence[SQLModel], existing: Iterable[Any]
) -> tuple[int, int, list[SQLModel]]:
    """Make `existing` rows of one table match `desired` by primary key: insert what is new,
    update what differs; return (inserted, updated, the existing rows no longer wanted)."""
    # When a row's version became known is the versions' business (versions.py), not a
    # difference between the seed and the database.
    columns = [
        column.name
        for column in model.__table__.columns  # type: ignore[attr-defined]
        if column.name != "known_from"
    ]
    by_key = {_key(model, row): row for row in existing}
    inserted = updated = 0
    for row in desired:
        current = by_key.pop(_key(model, row), None)
        if current is None:
            session.add(row)
            inserted += 1
            continue
        changed = False
        for column in columns:
            if getattr(current, column) != getattr(row, column):
                setattr(current, column, getattr(row, column))
                changed = True
        updated += changed
    session.flush()
    return inserted, updated, list(by_key.values())


def sync_bundle(session: Session, bundle: SeedBundle) -> SyncReport:
    """Make the rows match the bundle; the caller owns the transaction."""
    report = SyncReport(content_hash=bundle.content_hash)
    stale: list[tuple[type[SQLModel], list[SQLModel]]] = []
    for model, rows in bundle_rows(bundle):
        stale.append((model, _upsert(session, model, rows, report)))
    # Children go before their parents, and counties before the prefectures above them.
    for model, rows in reversed(stale):
        if model is Region:
            rows.sort(key=lambda r: -LEVEL_RANK[r.level])  # type: ignore[attr-defined]
        for row in rows:
            session.delete(row)
            session.flush()
        report.deleted[_table(model)] = len(rows)
    return report


def _unversioned(session: Session) -> bool:
    return session.exec(select(RecordVersion.id).limit(1)).first() is None


def _meta(session: Session, key: str) -> str | None:
    row = session.get(DatasetMeta, key)
    return row.value if row else None


def _set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(DatasetMeta, key)
    if row is None:
        session.add(DatasetMeta(key=key, value=value))
    else:
        row.value = value


def seed_database(engine: Engine, seed_dir: Path, *, force: bool = False) -> SyncReport:
    """Validate seed_dir and sync it into the database in one transaction (all or nothing).

    Skips the work when the database already holds exactly this seed (same content hash),
    unless `force` is set. Raises SeedError on invalid data, before anything is written.
    """
    if not force:
        # A restart finds the seed already there: hashing the files and one look at the
        # database say so, where parsing and validating the YAML would take most of a second.
        held = _already_held(engine, seed_dir)
        if held is not None:
            return held
    bundle = load_bundle(seed_dir)
    if not inspect(engine).has_table(Observation.__tablename__):
        raise DatabaseNotReadyError("the database has no tables yet; run `jinzhong migrate`")
    # One seeder at a time: a second one waits, then finds this seed already there.
    with exclusive(engine, "seed"), Session(engine) as session, session.begin():
        if not force and _meta(session, API_CHANGES_KEY):
            # Curators have written through the API since the last seed: reseeding would
            # undo their work (as a container's start would, at every restart). Export it
            # into seed_data/ first, then seed with force.
            return SyncReport(skipped=True, content_hash=bundle.content_hash, kept_api_changes=True)
        same = _meta(session, SEED_HASH_KEY) == bundle.content_hash
        if not force and same and not _unversioned(session):
            return SyncReport(skipped=True, content_hash=bundle.content_hash)
        _set_meta(session, API_CHANGES_KEY, "")
        return apply_bundle(session, bundle, force=force)


def _already_held(engine: Engine, seed_dir: Path) -> SyncReport | None:
    """The skip report seed_database would give, decided before reading the seed's YAML
    (from its files' content hash alone); None when the seed has to be loaded after all."""
    if not seed_dir.is_dir() or not inspect(engine).has_table(DatasetMeta.__tablename__):
        return None  # load_bundle and seed_database say what is wrong
    digest = content_hash(seed_dir)
    with Session(engine) as session:
        if _meta(session, API_CHANGES_KEY):
            return SyncReport(skipped=True, content_hash=digest, kept_api_changes=True)
        if _meta(session, SEED_HASH_KEY) == digest and not _unversioned(session):
            return SyncReport(skipped=True, content_hash=digest)
    return None


def mark_data_version(session: Session, version: str, *, changed: bool, by_api: bool) -> None:
    """Record the data's new version and, if it `changed`, when; `by_api`: the change came
    through the write API, so a plain reseed keeps away (see seed_database)."""
    if by_api:
        _set_meta(session, API_CHANGES_KEY, datetime.now(UTC).isoformat())
    _set_meta(session, SEED_HASH_KEY, version)
    previous = _meta(session, CHANGED_AT_KEY)
    if changed or previous is None:
        # HTTP dates have whole seconds: a change must get a later second than the last
        # one, or If-Modified-Since would call new data unmodified.
        now = datetime.now(UTC).replace(microsecond=0)
        if previous is not None:
            now = max(now, datetime.fromisoformat(previous) + timedelta(seconds=1))
        _set_meta(session, CHANGED_AT_KEY, now.isoformat())


def current_data_version(session: Session) -> str:
    """The data version as stored (the last seed's content hash, or what a write made it)."""
    return _meta(session, SEED_HASH_KEY) or ""


def apply_bundle(session: Session, bundle: SeedBundle, *, force: bool = False) -> SyncReport:
    """Make the database hold `bundle`, in the session's transaction: rows, versions,
    search index, statistics and data version. (API writes touch one record instead:
    app/seed/writes.py.)"""
    report = sync_bundle(session, bundle)
    if report.changed or force or _unversioned(session):
        # A seed keeps one version per record it changed (and, once, one per record of a
        # database from before versions).
        keep_seed_versions(session, moments.now())
    if report.changed or force:
        rebuild_search_index(session)
        # Fresh statistics let the query planner pick the right index as data grows.
        session.exec(text("ANALYZE"))  # type: ignore[call-overload]
    mark_data_version(session, bundle.content_hash, changed=report.changed, by_api=False)
    return report
