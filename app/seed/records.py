"""One record, both ways: its seed_data/ form to table rows, and table rows back to that form.

The seeder turns every record of seed_data/ into rows with these functions, `jinzhong export`
turns every row back, and the write API does either for the one record it touches. Fields a
record shares with its table (`app/models/fields.py`) are copied by name; what is written here
is only what changes shape on the way (references, periods, numbers, links).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from app.models import (
    DataCheck,
    DataCheckLink,
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
    RegionBoundary,
    Source,
    Topic,
    Unit,
)
from app.models.fields import (
    EntityFields,
    EventFields,
    IndicatorFields,
    ObservationFields,
    PersonFields,
    QuotationFields,
    RegionFields,
    SourceFields,
    TopicFields,
    UnitFields,
)
from app.rules.checks import Check, CheckKind
from app.rules.periods import parse_period
from app.rules.units import normalize
from app.seed.schema import (
    BoundarySeed,
    EntitySeed,
    EventSeed,
    IndicatorSeed,
    ObservationSeed,
    PersonSeed,
    QuoteSeed,
    RegionSeed,
    SourceSeed,
    TopicSeed,
    UnitSeed,
)
from app.store.rows import grouped_rows

SOURCES_DIR = "sources"
# A source's text travels in its record under this key (in seed_data/ it is a file).
TEXT_KEY = "text"
Record = dict[str, Any]


def shared(item: Any, fields: type[SQLModel]) -> dict[str, Any]:
    """The values of `fields` (a `XFields` class) on a seed record or a row, by name."""
    return {name: getattr(item, name) for name in fields.model_fields}


def number(value: float) -> int | float:
    """A stored float as the shortest number that reads back to it (2458.8, 1000, -0.17)."""
    exact = Decimal(repr(value))
    return int(exact) if exact == exact.to_integral_value() else float(value)


def without_empty(record: Record) -> Record:
    """Drop keys whose value is None or an empty list: the seed's defaults."""
    return {k: v for k, v in record.items() if v is not None and v != []}


def text_file(code: str) -> str:
    """Where a source's text lives in a seed folder."""
    return f"{SOURCES_DIR}/{code}.md"


# --- Links: the rows of a link table that belong to one record ---------------------------


@dataclass(frozen=True)
class Link:
    """A link table of a resource: its owner column and the order its rows keep."""

    table: type[SQLModel]
    owner: str
    order: tuple[str, ...]


LINKS: dict[str, dict[str, Link]] = {
    "sources": {"errata": Link(Erratum, "source_code", ("seq",))},
    "observations": {
        "regions": Link(ObservationRegion, "observation_code", ("position",)),
        "entities": Link(ObservationEntity, "observation_code", ("entity_code",)),
        "inputs": Link(DerivationInput, "observation_code", ("name",)),
    },
    "entities": {
        "people": Link(Person, "entity_code", ("code",)),
        "regions": Link(EntityRegion, "entity_code", ("position",)),
        "topics": Link(EntityTopic, "entity_code", ("topic_code",)),
        "related": Link(EntityRelation, "entity_code", ("related_code", "relation")),
    },
    "events": {
        "regions": Link(EventRegion, "event_code", ("position",)),
        "topics": Link(EventTopic, "event_code", ("topic_code",)),
        "entities": Link(EventEntity, "event_code", ("entity_code",)),
        "indicators": Link(EventIndicator, "event_code", ("indicator_code",)),
    },
    "quotes": {"regions": Link(QuotationRegion, "quotation_code", ("position",))},
}
Links = dict[str, list[Any]]


def links_of(session: Session, resource: str, codes: Sequence[str] | None = None) -> Any:
    """Every link table of `resource`, grouped: {owner code: {link name: rows}}."""
    grouped = {
        name: grouped_rows(session, link.table, link.owner, *link.order, codes=codes)
        for name, link in LINKS.get(resource, {}).items()
    }
    return _ByOwner(grouped)


class _ByOwner:
    """Link rows looked up by owner: `links[code]` is {link name: that record's rows}."""

    def __init__(self, grouped: dict[str, dict[str, list[Any]]]) -> None:
        self._grouped = grouped

    def __getitem__(self, code: str) -> Links:
        return {name: rows.get(code, []) for name, rows in self._grouped.items()}


# --- Seed form to rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFactor:
    """What an observation's rows need of its unit."""

    code: str
    factor: Decimal


def source_rows(s: SourceSeed, original: str | None, corrected: str | None) -> list[SQLModel]:
    """A source (with its text, None where it keeps none) and its errata."""
    rows: list[SQLModel] = [
        Source(code=s.code, **shared(s, SourceFields), text_original=original, text=corrected)
    ]
    rows.extend(
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
    return rows


def region_rows(r: RegionSeed) -> list[SQLModel]:
    """A region."""
    return [Region(code=r.code, **shared(r, RegionFields), parent_code=r.parent)]


def geometry_text(geometry: dict[str, Any]) -> str:
    """A geometry as stored and served: compact JSON, numbers as Python writes them."""
    return json.dumps(geometry, separators=(",", ":"))


def boundary_rows(b: BoundarySeed) -> list[SQLModel]:
    """A region's outline."""
    return [
        RegionBoundary(region_code=b.code, geometry=geometry_text(b.geometry), source_code=b.source)
    ]


def topic_rows(t: TopicSeed) -> list[SQLModel]:
    """A topic."""
    return [Topic(code=t.code, **shared(t, TopicFields))]


def unit_rows(u: UnitSeed) -> list[SQLModel]:
    """A unit."""
    return [Unit(code=u.code, **shared(u, UnitFields), factor=float(u.factor))]


def indicator_rows(i: IndicatorSeed) -> list[SQLModel]:
    """An indicator."""
    return [
        Indicator(code=i.code, **shared(i, IndicatorFields), topic_code=i.topic, unit_code=i.unit)
    ]


def observation_row(o: ObservationSeed, unit: UnitFactor, known_from: str) -> Observation:
    """An observation's own row, in `unit` (its own, or else its indicator's), as known from
    `known_from`."""
    period = parse_period(o.period)
    return Observation(
        code=o.code,
        **shared(o, ObservationFields),
        indicator_code=o.indicator,
        region_code=o.regions[0],
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        period_precision=period.precision.value,
        value=float(o.value),
        value_max=None if o.value_max is None else float(o.value_max),
        unit_code=unit.code,
        normalized_value=float(normalize(o.value, unit.factor)),
        normalized_value_max=(
            None if o.value_max is None else float(normalize(o.value_max, unit.factor))
        ),
        derived=o.derivation is not None,
        formula=o.derivation.formula if o.derivation else None,
        source_code=o.source,
        known_from=known_from,
    )


def observation_rows(o: ObservationSeed, unit: UnitFactor, known_from: str) -> list[SQLModel]:
    """An observation and its links: regions, entities, derivation inputs."""
    rows: list[SQLModel] = [observation_row(o, unit, known_from)]
    rows.extend(
        ObservationRegion(observation_code=o.code, region_code=code, position=position)
        for position, code in enumerate(o.regions)
    )
    rows.extend(ObservationEntity(observation_code=o.code, entity_code=c) for c in o.entities)
    if o.derivation:
        rows.extend(
            DerivationInput(observation_code=o.code, name=name, input_code=code)
            for name, code in sorted(o.derivation.inputs.items())
        )
    return rows


def person_row(p: PersonSeed, entity_code: str) -> Person:
    """A person, under the organisation that lists them."""
    return Person(code=p.code, **shared(p, PersonFields), entity_code=entity_code)


def entity_rows(e: EntitySeed) -> list[SQLModel]:
    """An entity, its people and its links to regions, topics and other entities."""
    rows: list[SQLModel] = [Entity(code=e.code, **shared(e, EntityFields), source_code=e.source)]
    rows.extend(person_row(p, e.code) for p in e.people)
    rows.extend(
        EntityRegion(entity_code=e.code, region_code=link.region, position=n, quote=link.quote)
        for n, link in enumerate(e.regions)
    )
    rows.extend(EntityTopic(entity_code=e.code, topic_code=t) for t in e.topics)
    rows.extend(
        EntityRelation(
            entity_code=e.code, related_code=r.entity, relation=r.relation.value, quote=r.quote
        )
        for r in e.related
    )
    return rows


def event_rows(e: EventSeed) -> list[SQLModel]:
    """An event and its links to regions, topics, entities and indicators."""
    period = parse_period(e.period)
    rows: list[SQLModel] = [
        Event(
            code=e.code,
            **shared(e, EventFields),
            period=period.label,
            period_start=period.start,
            period_end=period.end,
            period_precision=period.precision.value,
            source_code=e.source,
        )
    ]
    rows.extend(
        EventRegion(event_code=e.code, region_code=c, position=n) for n, c in enumerate(e.regions)
    )
    rows.extend(EventTopic(event_code=e.code, topic_code=c) for c in e.topics)
    rows.extend(EventEntity(event_code=e.code, entity_code=c) for c in e.entities)
    rows.extend(EventIndicator(event_code=e.code, indicator_code=c) for c in e.indicators)
    return rows


def quote_rows(q: QuoteSeed, speaker: Person | PersonSeed | None) -> list[SQLModel]:
    """A quotation and its regions; a named speaker's name and role come from their record."""
    speaker_zh, speaker_en, role_zh, role_en = (
        (speaker.name_zh, speaker.name_en, speaker.role_zh, speaker.role_en)
        if speaker is not None
        else q.described_speaker()
    )
    rows: list[SQLModel] = [
        Quotation(
            code=q.code,
            **shared(q, QuotationFields),
            person_code=q.speaker,
            speaker_zh=speaker_zh,
            speaker_en=speaker_en,
            role_zh=role_zh,
            role_en=role_en,
            entity_code=q.entity,
            topic_code=q.topic,
            source_code=q.source,
        )
    ]
    rows.extend(
        QuotationRegion(quotation_code=q.code, region_code=c, position=n)
        for n, c in enumerate(q.regions)
    )
    return rows


# --- Rows to seed form ---------------------------------------------------------------------


def source_record(s: Source, links: Links) -> Record:
    """A source in its seed form (its text stays in its file)."""
    stored = s.text_original is not None
    record = without_empty(
        {
            "code": s.code,
            **shared(s, SourceFields),
            "text_file": text_file(s.code) if stored else None,
        }
    )
    record["errata"] = [
        {
            "original": e.original,
            "corrected": e.corrected,
            "reason": e.reason,
            **({"occurrences": e.occurrences} if e.occurrences != 1 else {}),
        }
        for e in links["errata"]
    ]
    return without_empty(record)


def region_record(r: Region) -> Record:
    """A region in its seed form."""
    return {"code": r.code, **shared(r, RegionFields), "parent": r.parent_code}


def boundary_record(b: RegionBoundary) -> Record:
    """A region's outline in its seed form: a GeoJSON Feature of boundaries.geojson."""
    return {
        "type": "Feature",
        "id": b.region_code,
        "properties": {"source": b.source_code},
        "geometry": json.loads(b.geometry),
    }


def topic_record(t: Topic) -> Record:
    """A topic in its seed form."""
    return {"code": t.code, **shared(t, TopicFields)}


def unit_record(u: Unit) -> Record:
    """A unit in its seed form."""
    return {"code": u.code, **shared(u, UnitFields), "factor": number(u.factor)}


def indicator_record(i: Indicator) -> Record:
    """An indicator in its seed form; aliases only where it has some."""
    return without_empty(
        {
            "code": i.code,
            **shared(i, IndicatorFields),
            "topic": i.topic_code,
            "unit": i.unit_code,
        }
    )


def observation_record(o: Observation, links: Links, indicator_unit: str) -> Record:
    """An observation in its seed form; its unit only if it is not its indicator's."""
    derivation = None
    if o.derived:
        derivation = {
            "formula": o.formula,
            "inputs": {i.name: i.input_code for i in links["inputs"]},
        }
    return without_empty(
        {
            "code": o.code,
            **shared(o, ObservationFields),
            "indicator": o.indicator_code,
            "regions": [link.region_code for link in links["regions"]],
            "period": o.period,
            "value": number(o.value),
            "value_max": None if o.value_max is None else number(o.value_max),
            "unit": o.unit_code if o.unit_code != indicator_unit else None,
            "source": o.source_code,
            "derivation": derivation,
            "entities": [tie.entity_code for tie in links["entities"]],
        }
    )


def entity_record(e: Entity, links: Links) -> Record:
    """An entity in its seed form, with its people and links."""
    return without_empty(
        {
            "code": e.code,
            **shared(e, EntityFields),
            "source": e.source_code,
            "topics": [t.topic_code for t in links["topics"]],
            "regions": [{"region": r.region_code, "quote": r.quote} for r in links["regions"]],
            "related": [
                {"entity": r.related_code, "relation": r.relation, "quote": r.quote}
                for r in links["related"]
            ],
            "people": [{"code": p.code, **shared(p, PersonFields)} for p in links["people"]],
        }
    )


def event_record(e: Event, links: Links) -> Record:
    """An event in its seed form."""
    return without_empty(
        {
            "code": e.code,
            **shared(e, EventFields),
            "period": e.period,
            "regions": [link.region_code for link in links["regions"]],
            "topics": [link.topic_code for link in links["topics"]],
            "entities": [link.entity_code for link in links["entities"]],
            "indicators": [link.indicator_code for link in links["indicators"]],
            "source": e.source_code,
        }
    )


def quote_record(q: Quotation, links: Links) -> Record:
    """A quotation in its seed form: a named speaker by code, a described one in full."""
    described = q.person_code is None
    return without_empty(
        {
            "code": q.code,
            **shared(q, QuotationFields),
            "speaker": q.person_code,
            "speaker_zh": q.speaker_zh if described else None,
            "speaker_en": q.speaker_en if described else None,
            "role_zh": q.role_zh if described else None,
            "role_en": q.role_en if described else None,
            "entity": q.entity_code,
            "regions": [link.region_code for link in links["regions"]],
            "topic": q.topic_code,
            "source": q.source_code,
        }
    )


# --- Reading records from the database ----------------------------------------------------

TABLES: dict[str, type[SQLModel]] = {
    "sources": Source,
    "regions": Region,
    "topics": Topic,
    "units": Unit,
    "indicators": Indicator,
    "observations": Observation,
    "entities": Entity,
    "events": Event,
    "quotes": Quotation,
}


def read_records(
    session: Session, resource: str, codes: Sequence[str] | None = None, *, with_text: bool = False
) -> list[Record]:
    """Records of one kind in their seed form, by code: all of them, or those of `codes`.

    `with_text`: a source carries its text (as received) under `text`, as the write API
    takes and gives it; in a seed folder the text is a file of its own."""
    table = TABLES[resource]
    key = col(table.code)  # type: ignore[attr-defined]
    query = select(table).order_by(key)
    if codes is not None:
        query = query.where(key.in_(list(codes)))
    rows: list[Any] = list(session.exec(query))
    links = links_of(session, resource, codes)
    if resource == "observations":
        # Its unit is written only when it is not its indicator's.
        units = _indicator_units(session, {o.indicator_code for o in rows}, codes is None)
        return [observation_record(o, links[o.code], units[o.indicator_code]) for o in rows]
    if resource in _LINKLESS:
        return [_LINKLESS[resource](row) for row in rows]
    records = [_LINKED[resource](row, links[row.code]) for row in rows]
    if resource == "sources" and with_text:
        texts = {row.code: row.text_original for row in rows if row.text_original is not None}
        records = [
            {**record, TEXT_KEY: texts[record["code"]]} if record["code"] in texts else record
            for record in records
        ]
    return records


_LINKLESS: dict[str, Callable[[Any], Record]] = {
    "regions": region_record,
    "topics": topic_record,
    "units": unit_record,
    "indicators": indicator_record,
}
_LINKED: dict[str, Callable[[Any, Links], Record]] = {
    "sources": source_record,
    "entities": entity_record,
    "events": event_record,
    "quotes": quote_record,
}


def _indicator_units(session: Session, indicators: set[str], every: bool) -> dict[str, str]:
    query = select(Indicator.code, Indicator.unit_code)
    if not every:
        query = query.where(col(Indicator.code).in_(sorted(indicators)))
    return dict(session.exec(query).all())


def check_rows(check: Check) -> list[SQLModel]:
    """A check as its row and the rows that let it be filtered."""
    detail = {
        "inputs": [{"name": i.name, "code": i.code} for i in check.inputs],
        "expected": check.expected_code,
    }
    row = DataCheck(
        code=check.code,
        kind=check.kind.value,
        verdict=check.verdict.value,
        region_code=check.region,
        title_zh=check.title_zh,
        title_en=check.title_en,
        sentence_zh=check.sentence_zh,
        sentence_en=check.sentence_en,
        formula=check.formula,
        expected=check.expected,
        actual=check.actual,
        tolerance=check.tolerance,
        unit_code=check.unit,
        detail=json.dumps(detail, ensure_ascii=False),
        conflict_note=check.conflict_note,
    )
    record = "event" if check.kind is CheckKind.same_moment else "observation"
    links = {("region", code) for code in check.regions if code} | {
        ("indicator", code) for code in check.indicators
    }
    links |= {("source", code) for code in check.sources}
    links |= {(record, code) for code in check.records}
    return [row] + [
        DataCheckLink(check_code=check.code, dimension=dimension, code=code)
        for dimension, code in sorted(links)
    ]
