"""Bring the database's rows in line with a validated bundle, in one transaction.

Rows are matched by their natural keys and only changed rows are written, so seeding twice
leaves the database untouched and codes never change meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.db import exclusive
from app.models import (
    DatasetMeta,
    DerivationInput,
    Entity,
    EntityRegion,
    EntityRelation,
    EntityTopic,
    Erratum,
    Event,
    EventEntity,
    EventIndicator,
    EventRegion,
    EventTopic,
    Indicator,
    Observation,
    ObservationEntity,
    ObservationRegion,
    Person,
    Quotation,
    QuotationRegion,
    Region,
    Source,
    Topic,
    Unit,
)
from app.rules.periods import parse_period
from app.rules.regions import LEVEL_RANK
from app.rules.units import normalize
from app.seed.loader import SeedBundle, load_bundle
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
    units = {u.code: u for u in bundle.units}
    indicator_units = {i.code: i.unit for i in bundle.indicators}
    sources: list[SQLModel] = []
    errata: list[SQLModel] = []
    for s in bundle.sources:
        text = bundle.texts[s.code]
        # The YAML keys and the columns share names; only the text is read from a file.
        fields = s.model_dump(exclude={"errata", "text_file"})
        sources.append(Source(**fields, text_original=text.original, text=text.corrected))
        errata.extend(
            Erratum(
                source_code=s.code,
                seq=seq,
                original=e.original,
                corrected=e.corrected,
                reason=e.reason,
                occurrences=e.occurrences,
            )
            for seq, e in enumerate(s.errata, start=1)
        )
    regions: list[SQLModel] = [
        Region(
            code=r.code,
            name_zh=r.name_zh,
            name_en=r.name_en,
            level=r.level.value,
            parent_code=r.parent,
        )
        for r in sorted(bundle.regions, key=lambda r: LEVEL_RANK[r.level])
    ]
    observations: list[SQLModel] = []
    links: list[SQLModel] = []
    inputs: list[SQLModel] = []
    for o in bundle.observations:
        unit = units[o.unit or indicator_units[o.indicator]]
        period = parse_period(o.period)
        observations.append(
            Observation(
                code=o.code,
                indicator_code=o.indicator,
                region_code=o.regions[0],
                period=period.label,
                period_start=period.start,
                period_end=period.end,
                period_precision=period.precision.value,
                value=float(o.value),
                value_max=None if o.value_max is None else float(o.value_max),
                value_as_published=o.value_as_published,
                unit_code=unit.code,
                normalized_value=float(normalize(o.value, unit.factor)),
                normalized_value_max=(
                    None if o.value_max is None else float(normalize(o.value_max, unit.factor))
                ),
                qualifier=o.qualifier.value,
                derived=o.derivation is not None,
                formula=o.derivation.formula if o.derivation else None,
                note=o.note,
                source_code=o.source,
                quote=o.quote,
            )
        )
        links.extend(
            ObservationRegion(observation_code=o.code, region_code=code, position=position)
            for position, code in enumerate(o.regions)
        )
        if o.derivation:
            inputs.extend(
                DerivationInput(observation_code=o.code, name=name, input_code=code)
                for name, code in sorted(o.derivation.inputs.items())
            )
    return [
        (Source, sources),
        (Erratum, errata),
        (Region, regions),
        (Topic, [Topic(**t.model_dump()) for t in bundle.topics]),
        (Unit, [Unit(**{**u.model_dump(), "factor": float(u.factor)}) for u in bundle.units]),
        (
            Indicator,
            [
                Indicator(
                    **i.model_dump(exclude={"topic", "unit"}), topic_code=i.topic, unit_code=i.unit
                )
                for i in bundle.indicators
            ],
        ),
        *_entity_rows(bundle),
        (Observation, observations),
        (ObservationRegion, links),
        (
            ObservationEntity,
            [
                ObservationEntity(observation_code=o.code, entity_code=code)
                for o in bundle.observations
                for code in o.entities
            ],
        ),
        (DerivationInput, inputs),
        *_event_rows(bundle),
        *_quote_rows(bundle),
    ]


def _entity_rows(bundle: SeedBundle) -> list[tuple[type[SQLModel], list[SQLModel]]]:
    entities: list[SQLModel] = []
    people: list[SQLModel] = []
    regions: list[SQLModel] = []
    topics: list[SQLModel] = []
    relations: list[SQLModel] = []
    for e in bundle.entities:
        entities.append(
            Entity(
                code=e.code,
                kind=e.kind.value,
                name_zh=e.name_zh,
                name_en=e.name_en,
                description_zh=e.description_zh,
                description_en=e.description_en,
                source_code=e.source,
                quote=e.quote,
            )
        )
        people.extend(Person(**p.model_dump(), entity_code=e.code) for p in e.people)
        regions.extend(
            EntityRegion(
                entity_code=e.code, region_code=link.region, position=position, quote=link.quote
            )
            for position, link in enumerate(e.regions)
        )
        topics.extend(EntityTopic(entity_code=e.code, topic_code=t) for t in e.topics)
        relations.extend(
            EntityRelation(
                entity_code=e.code, related_code=r.entity, relation=r.relation.value, quote=r.quote
            )
            for r in e.related
        )
    return [
        (Entity, entities),
        (Person, people),
        (EntityRegion, regions),
        (EntityTopic, topics),
        (EntityRelation, relations),
    ]


def _event_rows(bundle: SeedBundle) -> list[tuple[type[SQLModel], list[SQLModel]]]:
    events: list[SQLModel] = []
    for e in bundle.events:
        period = parse_period(e.period)
        events.append(
            Event(
                code=e.code,
                period=period.label,
                period_start=period.start,
                period_end=period.end,
                period_precision=period.precision.value,
                title_zh=e.title_zh,
                title_en=e.title_en,
                description_zh=e.description_zh,
                description_en=e.description_en,
                source_code=e.source,
                quote=e.quote,
            )
        )
    return [
        (Event, events),
        (
            EventRegion,
            [
                EventRegion(event_code=e.code, region_code=code, position=position)
                for e in bundle.events
                for position, code in enumerate(e.regions)
            ],
        ),
        (
            EventTopic,
            [
                EventTopic(event_code=e.code, topic_code=code)
                for e in bundle.events
                for code in e.topics
            ],
        ),
        (
            EventEntity,
            [
                EventEntity(event_code=e.code, entity_code=code)
                for e in bundle.events
                for code in e.entities
            ],
        ),
        (
            EventIndicator,
            [
                EventIndicator(event_code=e.code, indicator_code=code)
                for e in bundle.events
                for code in e.indicators
            ],
        ),
    ]


def _quote_rows(bundle: SeedBundle) -> list[tuple[type[SQLModel], list[SQLModel]]]:
    people = {p.code: p for e in bundle.entities for p in e.people}
    quotations: list[SQLModel] = []
    for q in bundle.quotes:
        # A named speaker's name and role come from their one record in entities.yaml.
        person = people.get(q.speaker) if q.speaker else None
        speaker_zh, speaker_en, role_zh, role_en = (
            (person.name_zh, person.name_en, person.role_zh, person.role_en)
            if person
            else q.described_speaker()
        )
        quotations.append(
            Quotation(
                code=q.code,
                text=q.text,
                gloss_en=q.gloss_en,
                person_code=q.speaker,
                speaker_zh=speaker_zh,
                speaker_en=speaker_en,
                role_zh=role_zh,
                role_en=role_en,
                entity_code=q.entity,
                topic_code=q.topic,
                source_code=q.source,
            )
        )
    return [
        (Quotation, quotations),
        (
            QuotationRegion,
            [
                QuotationRegion(quotation_code=q.code, region_code=code, position=position)
                for q in bundle.quotes
                for position, code in enumerate(q.regions)
            ],
        ),
    ]


def _table(model: type[SQLModel]) -> str:
    return str(model.__tablename__)


def _key(model: type[SQLModel], row: SQLModel) -> tuple[Any, ...]:
    return tuple(getattr(row, column.name) for column in model.__table__.primary_key.columns)  # type: ignore[attr-defined]


def _upsert(
    session: Session, model: type[SQLModel], desired: Sequence[SQLModel], report: SyncReport
) -> list[SQLModel]:
    """Insert and update rows of one table; return the rows that are no longer wanted."""
    columns = [column.name for column in model.__table__.columns]  # type: ignore[attr-defined]
    existing = {_key(model, row): row for row in session.exec(select(model))}
    name = _table(model)
    inserted = updated = 0
    for row in desired:
        current = existing.pop(_key(model, row), None)
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
    report.inserted[name], report.updated[name] = inserted, updated
    return list(existing.values())


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
        if not force and _meta(session, SEED_HASH_KEY) == bundle.content_hash:
            return SyncReport(skipped=True, content_hash=bundle.content_hash)
        _set_meta(session, API_CHANGES_KEY, "")
        return apply_bundle(session, bundle, force=force)


def apply_bundle(
    session: Session, bundle: SeedBundle, *, force: bool = False, by_api: bool = False
) -> SyncReport:
    """Make the database hold `bundle`, in the session's transaction: rows, search index,
    statistics and data version. The seeder and the write API both go through here."""
    report = sync_bundle(session, bundle)
    if by_api and report.changed:
        _set_meta(session, API_CHANGES_KEY, datetime.now(UTC).isoformat())
    if report.changed or force:
        rebuild_search_index(session)
        # Fresh statistics let the query planner pick the right index as data grows.
        session.exec(text("ANALYZE"))  # type: ignore[call-overload]
    _set_meta(session, SEED_HASH_KEY, bundle.content_hash)
    previous = _meta(session, CHANGED_AT_KEY)
    if report.changed or previous is None:
        # HTTP dates have whole seconds: a change must get a later second than the last
        # one, or If-Modified-Since would call new data unmodified.
        now = datetime.now(UTC).replace(microsecond=0)
        if previous is not None:
            now = max(now, datetime.fromisoformat(previous) + timedelta(seconds=1))
        _set_meta(session, CHANGED_AT_KEY, now.isoformat())
    return report
