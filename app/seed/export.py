"""The database written back in the seed_data/ format: the seeder's inverse.

`jinzhong export DIR` writes one YAML file per kind (the names and keys of seed_data/) and
each source's text as received. Seeding that folder gives back the same rows, and exporting
again gives the same bytes: seed → export → seed → export is a fixed point. Lists come out
in a fixed order (by code, or by the position a link was given), numbers in their shortest
decimal form, and optional keys only when they hold something, so that a change made in
the database shows in the files as a small diff.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import (
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
from app.rules.regions import LEVEL_RANK, RegionLevel
from app.seed.loader import SEED_FILES
from app.store.rows import grouped_rows

SOURCES_DIR = "sources"
HEADER = "# Exported by `jinzhong export` from the database; the seed_data/ format.\n"


def _number(value: float) -> int | float:
    """A stored float as the shortest number that reads back to it (2458.8, 1000, -0.17)."""
    exact = Decimal(repr(value))
    return int(exact) if exact == exact.to_integral_value() else float(value)


def _without_empty(record: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None or an empty list: the seed's defaults."""
    return {k: v for k, v in record.items() if v is not None and v != []}


def export_documents(session: Session) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Every seed file's records, by file name, and each source's text, by its file path."""
    texts: dict[str, str] = {}
    errata = grouped_rows(session, Erratum, "source_code", "seq")
    sources = []
    for s in session.exec(select(Source).order_by(col(Source.code))):
        text_file = f"{SOURCES_DIR}/{s.code}.md"
        texts[text_file] = s.text_original
        fields = s.model_dump(exclude={"text", "text_original"})
        record = _without_empty({**fields, "text_file": text_file})
        record["errata"] = [
            {
                "original": e.original,
                "corrected": e.corrected,
                "reason": e.reason,
                **({"occurrences": e.occurrences} if e.occurrences != 1 else {}),
            }
            for e in errata[s.code]
        ]
        sources.append(_without_empty(record))

    regions = sorted(
        session.exec(select(Region)), key=lambda r: (LEVEL_RANK[RegionLevel(r.level)], r.code)
    )
    units = list(session.exec(select(Unit).order_by(col(Unit.code))))
    indicators = list(session.exec(select(Indicator).order_by(col(Indicator.code))))
    indicator_units = {i.code: i.unit_code for i in indicators}

    obs_regions = grouped_rows(session, ObservationRegion, "observation_code", "position")
    obs_entities = grouped_rows(session, ObservationEntity, "observation_code", "entity_code")
    obs_inputs = grouped_rows(session, DerivationInput, "observation_code", "name")
    observations = []
    for o in session.exec(select(Observation).order_by(col(Observation.code))):
        derivation = None
        if o.derived:
            inputs = {i.name: i.input_code for i in obs_inputs[o.code]}
            derivation = {"formula": o.formula, "inputs": inputs}
        observations.append(
            _without_empty(
                {
                    "code": o.code,
                    "indicator": o.indicator_code,
                    "regions": [link.region_code for link in obs_regions[o.code]],
                    "period": o.period,
                    "value": _number(o.value),
                    "value_max": None if o.value_max is None else _number(o.value_max),
                    "value_as_published": o.value_as_published,
                    # Only when it is not the indicator's own unit, as curators write it.
                    "unit": o.unit_code
                    if o.unit_code != indicator_units[o.indicator_code]
                    else None,
                    "qualifier": o.qualifier,
                    "source": o.source_code,
                    "quote": o.quote,
                    "derivation": derivation,
                    "entities": [tie.entity_code for tie in obs_entities[o.code]],
                    "note": o.note,
                }
            )
        )

    people = grouped_rows(session, Person, "entity_code", "code")
    entity_regions = grouped_rows(session, EntityRegion, "entity_code", "position")
    entity_topics = grouped_rows(session, EntityTopic, "entity_code", "topic_code")
    relations = grouped_rows(session, EntityRelation, "entity_code", "related_code", "relation")
    entities = [
        _without_empty(
            {
                "code": e.code,
                "kind": e.kind,
                "name_zh": e.name_zh,
                "name_en": e.name_en,
                "description_zh": e.description_zh,
                "description_en": e.description_en,
                "source": e.source_code,
                "quote": e.quote,
                "topics": [t.topic_code for t in entity_topics[e.code]],
                "regions": [
                    {"region": link.region_code, "quote": link.quote}
                    for link in entity_regions[e.code]
                ],
                "related": [
                    {"entity": r.related_code, "relation": r.relation, "quote": r.quote}
                    for r in relations[e.code]
                ],
                "people": [
                    {
                        "code": p.code,
                        "name_zh": p.name_zh,
                        "name_en": p.name_en,
                        "role_zh": p.role_zh,
                        "role_en": p.role_en,
                        "quote": p.quote,
                    }
                    for p in people[e.code]
                ],
            }
        )
        for e in session.exec(select(Entity).order_by(col(Entity.code)))
    ]

    event_links = {
        "regions": (grouped_rows(session, EventRegion, "event_code", "position"), "region_code"),
        "topics": (grouped_rows(session, EventTopic, "event_code", "topic_code"), "topic_code"),
        "entities": (
            grouped_rows(session, EventEntity, "event_code", "entity_code"),
            "entity_code",
        ),
        "indicators": (
            grouped_rows(session, EventIndicator, "event_code", "indicator_code"),
            "indicator_code",
        ),
    }
    events = []
    for e in session.exec(select(Event).order_by(col(Event.code))):
        event: dict[str, Any] = {
            "code": e.code,
            "period": e.period,
            "title_zh": e.title_zh,
            "title_en": e.title_en,
            "description_zh": e.description_zh,
            "description_en": e.description_en,
        }
        for name, (links, column) in event_links.items():
            event[name] = [getattr(link, column) for link in links[e.code]]
        event.update(source=e.source_code, quote=e.quote)
        events.append(_without_empty(event))

    quote_regions = grouped_rows(session, QuotationRegion, "quotation_code", "position")
    quotes = []
    for q in session.exec(select(Quotation).order_by(col(Quotation.code))):
        # A named speaker's name and role live in the person's record; a described one's here.
        described = q.person_code is None
        quotes.append(
            _without_empty(
                {
                    "code": q.code,
                    "text": q.text,
                    "gloss_en": q.gloss_en,
                    "speaker": q.person_code,
                    "speaker_zh": q.speaker_zh if described else None,
                    "speaker_en": q.speaker_en if described else None,
                    "role_zh": q.role_zh if described else None,
                    "role_en": q.role_en if described else None,
                    "entity": q.entity_code,
                    "regions": [link.region_code for link in quote_regions[q.code]],
                    "topic": q.topic_code,
                    "source": q.source_code,
                }
            )
        )

    documents = {
        "sources": sources,
        "regions": [
            {
                "code": r.code,
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "level": r.level,
                "parent": r.parent_code,
            }
            for r in regions
        ],
        "topics": [t.model_dump() for t in session.exec(select(Topic).order_by(col(Topic.code)))],
        "units": [{**u.model_dump(), "factor": _number(u.factor)} for u in units],
        "indicators": [
            {
                **i.model_dump(exclude={"topic_code", "unit_code"}),
                "topic": i.topic_code,
                "unit": i.unit_code,
            }
            for i in indicators
        ],
        "observations": observations,
        "entities": entities,
        "events": events,
        "quotes": quotes,
    }
    return {
        SEED_FILES[kind][0]: [_in_seed_order(record, SEED_FILES[kind][1]) for record in records]
        for kind, records in documents.items()
    }, texts


def _in_seed_order(record: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The record's keys in the order its seed model declares them (as curators write)."""
    return {name: record[name] for name in model.model_fields if name in record}


class _Dumper(yaml.SafeDumper):
    """YAML's dumper, writing text with YAML line-break characters (NEL, U+2028, U+2029)
    double-quoted and escaped: in other styles they would read back as spaces."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(char in value for char in "\x85\u2028\u2029"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(str, _text)


def dump_yaml(records: list[dict[str, Any]]) -> str:
    """Records as YAML the way curators write it: block style, Chinese as is, key order kept."""
    return HEADER + yaml.dump(
        records,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


def write_documents(
    documents: dict[str, list[dict[str, Any]]], texts: dict[str, str], target: Path
) -> list[Path]:
    """Write seed files (as `export_documents` gives them) and source texts into `target`, a
    seed_data/ folder the loader reads; return the files written. A text whose path would
    leave `target` is refused (ValueError): source codes come from clients too."""
    root = target.resolve()
    written = []
    for name, records in documents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(records), encoding="utf-8")
        written.append(path)
    for relative, text in texts.items():
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"{relative!r} is not a file name inside {target}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def export_database(engine: Engine, target: Path) -> list[Path]:
    """Write the database into `target` in the seed_data/ format; return the files written."""
    with Session(engine) as session:
        documents, texts = export_documents(session)
    return write_documents(documents, texts, target)
