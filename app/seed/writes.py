"""One record written through the API, at the cost of that record and what it touches.

A record is checked by the seeder's own per-record rules (`check_observation`,
`check_entity`...) against only the records it refers to, read by key; the records that
refer to it are checked again with its new version (or without it, when it is retired);
then its rows, the rows that copy from it and their search documents are replaced. The
whole-dataset check stays for seeding, and a test runs it on the data after every kind of
write, so the two cannot drift.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, tuple_
from sqlmodel import Session, SQLModel, col, or_, select

from app.models import (
    DataCheck,
    DataCheckLink,
    DerivationInput,
    Entity,
    EntityRelation,
    Event,
    EventEntity,
    EventIndicator,
    Indicator,
    Observation,
    ObservationEntity,
    Person,
    Quotation,
    Region,
    RegionBoundary,
    Source,
    Topic,
    Unit,
)
from app.rules.checks import CHECKED_INDICATORS, Check, CheckKind
from app.rules.search import DocType
from app.rules.witnesses import Figure, rank_point
from app.seed.checks import Catalogue, acknowledge, catalogue, checks_of
from app.seed.loader import (
    SEED_FILES,
    Known,
    Report,
    SourceText,
    check_derivation,
    check_entity,
    check_event,
    check_indicator,
    check_observation,
    check_point,
    check_quote,
    figure_of,
    point_of,
    source_text,
)
from app.seed.records import (
    LINKS,
    TABLES,
    TEXT_KEY,
    UnitFactor,
    check_rows,
    entity_rows,
    event_rows,
    indicator_rows,
    observation_rows,
    quote_rows,
    read_records,
    source_rows,
    text_file,
)
from app.seed.schema import (
    EntitySeed,
    EventSeed,
    IndicatorSeed,
    ObservationSeed,
    QuoteSeed,
    RegionSeed,
    SourceSeed,
    UnitSeed,
)
from app.seed.sync import upsert_rows
from app.store.search_index import refresh_documents

# Records that refer to a written one are named by code; past this many of a kind, the
# rest are counted (a source a million figures cite is not a million problems).
_NAMED = 10


class RecordError(Exception):
    """What is wrong with a write: (field, message) pairs. A field of another record that
    the write would break is named `<resource>[<code>].<field>`."""

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.problems))


def dotted(location: Sequence[int | str]) -> str:
    """A pydantic error location as the seed's field names have it: regions[0], value."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"  # a rule about the record as a whole


@dataclass
class _Write:
    """One write as it is checked: its problems, the rows it stores, and what else it
    touches (rows that copy from it, search documents)."""

    session: Session
    code: str
    problems: list[tuple[str, str]] = field(default_factory=list)
    rows: list[SQLModel] | None = None  # None: the record is retired
    documents: dict[DocType, set[str]] = field(default_factory=lambda: defaultdict(set))
    follow_ups: list[Callable[[], None]] = field(default_factory=list)

    def problem(self, name: str, message: str) -> None:
        self.problems.append((name, message))

    def theirs(self, resource: str, code: str) -> Report:
        """`problem` for another record this write would break."""
        return lambda name, message: self.problem(f"{resource}[{code}].{name}", message)


def write_record(session: Session, resource: str, code: str, record: dict[str, Any] | None) -> None:
    """Make the database hold `record` as `resource` `code` (None: retire it), or raise
    RecordError naming every rule it breaks. Its own rules are checked before anything is
    written; the checks its rows touch (a unit's, a standing's) run once they are written,
    in the caller's transaction, which a RecordError then rolls back."""
    write = _Write(session, code)
    seed = None if record is None else _parse(resource, code, record)
    _RULES[resource](write, seed, record)
    if write.problems:
        raise RecordError(write.problems)
    _replace_rows(session, resource, code, write.rows)
    for follow_up in write.follow_ups:
        follow_up()
    if write.problems:
        raise RecordError(write.problems)
    session.flush()
    refresh_documents(session, write.documents)


def _parse(resource: str, code: str, record: dict[str, Any]) -> Any:
    model = SEED_FILES[resource][1]
    if resource == "sources":
        # In seed_data/ a source's text is a file of its own; here it travels in the record.
        text_given = record.get(TEXT_KEY) is not None
        record = {k: v for k, v in record.items() if k != TEXT_KEY}
        record["text_file"] = text_file(code) if text_given else None
    try:
        return model.model_validate(record)
    except ValidationError as exc:
        raise RecordError([(dotted(e["loc"]), e["msg"]) for e in exc.errors()]) from None


def _replace_rows(session: Session, resource: str, code: str, rows: list[SQLModel] | None) -> None:
    """The record's own row and link rows made to be `rows`: changed rows updated in place
    (rows elsewhere point at them), new ones added, the rest deleted, links first."""
    owned = [(TABLES[resource], "code")]
    owned += [(link.table, link.owner) for link in LINKS.get(resource, {}).values()]
    stale: list[SQLModel] = []
    for model, owner in owned:
        existing = session.exec(select(model).where(col(getattr(model, owner)) == code))
        desired = [row for row in rows or [] if type(row) is model]
        stale += upsert_rows(session, model, desired, existing)[2]
    for row in reversed(stale):
        session.delete(row)
        session.flush()


def _existing(session: Session, model: Any, codes: set[str]) -> set[str]:
    if not codes:
        return set()
    return set(session.exec(select(model.code).where(col(model.code).in_(sorted(codes)))))


def _texts(session: Session, codes: set[str]) -> dict[str, SourceText]:
    if not codes:
        return {}
    rows = session.exec(select(Source).where(col(Source.code).in_(sorted(codes))))
    return {s.code: SourceText(s.text_original, s.text) for s in rows}


def _known(
    session: Session, seeds: Sequence[BaseModel], texts: dict[str, SourceText] | None = None
) -> Known:
    """What `seeds` refer to, as far as it exists: the seeder's Known, cut to their codes.
    `texts` stands in for the stored text of the sources it names."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for seed in seeds:
        for kind, codes in _references(seed).items():
            wanted[kind].update(code for code in codes if code)
    stored = _texts(session, wanted["sources"] - set(texts or {}))
    return Known(
        regions=_existing(session, Region, wanted["regions"]),
        topics=_existing(session, Topic, wanted["topics"]),
        indicators=_existing(session, Indicator, wanted["indicators"]),
        entities=_existing(session, Entity, wanted["entities"]),
        people=_existing(session, Person, wanted["people"]),
        texts={**stored, **(texts or {})},
        events=_existing(session, Event, wanted["events"]),
    )


def _references(seed: BaseModel) -> dict[str, Sequence[str | None]]:
    if isinstance(seed, EntitySeed):
        return {
            "sources": [seed.source],
            "topics": seed.topics,
            "regions": [link.region for link in seed.regions],
            "entities": [tie.entity for tie in seed.related],
        }
    if isinstance(seed, EventSeed):
        return {
            "sources": [seed.source],
            "regions": seed.regions,
            "topics": seed.topics,
            "entities": seed.entities,
            "indicators": seed.indicators,
            "events": [seed.account_of],
        }
    if isinstance(seed, QuoteSeed):
        return {
            "sources": [seed.source],
            "people": [seed.speaker],
            "entities": [seed.entity],
            "regions": seed.regions,
            "topics": [seed.topic],
        }
    raise TypeError(f"no references known for {type(seed).__name__}")


def _cited_by(write: _Write, resource: str, query: Any, name: str, message: str) -> None:
    """A problem for each record `query` finds (codes, the first `_NAMED` of them): a record
    that the write would leave pointing at nothing."""
    key = query.selected_columns[0]
    codes = list(write.session.exec(query.distinct().order_by(key).limit(_NAMED + 1)))
    for code in codes[:_NAMED]:
        write.theirs(resource, code)(name, message)
    if len(codes) > _NAMED:
        write.problem(resource, f"more {resource} than these {_NAMED} refer to {write.code!r}")


# --- Each resource's rules: its own, and those of the records that refer to it ----------


def _source(write: _Write, seed: SourceSeed | None, record: dict[str, Any] | None) -> None:
    session, code = write.session, write.code
    current = session.get(Source, code)
    if seed is None:
        message = f"unknown source {code!r}"
        for resource in ("observations", "entities", "events", "quotes"):
            table: Any = TABLES[resource]
            query = select(table.code).where(table.source_code == code)
            _cited_by(write, resource, query, "source", message)
        # Region outlines are seed_data/ only (boundaries.geojson), but cite sources too.
        outlines = select(RegionBoundary.region_code).where(RegionBoundary.source_code == code)
        _cited_by(write, "boundaries", outlines, "properties.source", message)
        return
    assert record is not None
    text = record.get(TEXT_KEY)  # None: a source whose text is not ours to keep
    if text is not None and not isinstance(text, str):
        write.problem(TEXT_KEY, "a source's text is a string")
        return
    new = SourceText(None, None) if text is None else source_text(seed, text, write.problem)
    write.rows = source_rows(seed, new.original, new.corrected)
    standing = (seed.reliability, seed.published_date)
    if current is not None and _source_names(current) != _source_names(seed):
        # The sentences of the checks that read it name it.
        write.follow_ups.append(partial(_refresh_checks_about, write, "source"))
    if current is not None and (current.reliability, current.published_date) != standing:
        # Which figure heads a point shared with other sources may change; a witness that
        # would then conflict with its new headline needs its note, as on a seed.
        point = (Observation.indicator_code, Observation.region_code, Observation.period)
        given = select(*point).where(Observation.source_code == code).distinct()
        points = set(session.exec(given))
        shared = select(*point).where(tuple_(*point).in_(given)).group_by(*point)
        for indicator, region, period in session.exec(shared.having(func.count() > 1)):
            seeds = _at_point(session, (indicator, region, period))
            figures = _figures(session, seeds, sources={code: seed})
            check_point(seeds, figures, lambda other: write.theirs("observations", other))
        write.follow_ups.append(partial(refresh_points, session, points, report=_reports(write)))
    if current is None or current.text == new.corrected:
        return
    # Its text changed: every quote taken from it must still be there.
    texts = {code: new}
    known = Known(set(), set(), set(), set(), set(), texts)
    quotes = (
        select(Observation.quote, func.min(Observation.code))
        .where(Observation.source_code == code, col(Observation.quote).is_not(None))
        .group_by(col(Observation.quote))
    )
    for quote, observation in session.exec(quotes):
        assert quote is not None
        known.quote(write.theirs("observations", observation), "quote", code, quote)
    entities = [EntitySeed.model_validate(r) for r in _citing(session, "entities", code)]
    events = [EventSeed.model_validate(r) for r in _citing(session, "events", code)]
    quoted = [QuoteSeed.model_validate(r) for r in _citing(session, "quotes", code)]
    known = _known(session, [*entities, *events, *quoted], texts)
    for entity in entities:
        check_entity(entity, known, {}, write.theirs("entities", entity.code))
    for event in events:
        check_event(event, known, write.theirs("events", event.code))
    for quotation in quoted:
        check_quote(quotation, known, write.theirs("quotes", quotation.code))


def _source_names(source: Source | SourceSeed) -> tuple[str | None, ...]:
    # What a check's sentence may call a source (app/seed/checks.py).
    return (
        source.publication_zh,
        source.publication_en,
        source.publisher_zh,
        source.publisher_en,
        source.title,
        source.title_en,
    )


def _citing(session: Session, resource: str, source: str) -> list[dict[str, Any]]:
    table: Any = TABLES[resource]
    codes = session.exec(select(table.code).where(table.source_code == source)).all()
    return read_records(session, resource, codes)


def _indicator(write: _Write, seed: IndicatorSeed | None, record: Any) -> None:
    session, code = write.session, write.code
    current = session.get(Indicator, code)
    write.documents[DocType.indicator].add(code)
    if seed is None:
        message = f"unknown indicator {code!r}"
        of_it = select(Observation.code).where(Observation.indicator_code == code)
        _cited_by(write, "observations", of_it, "indicator", message)
        events = select(EventIndicator.event_code).where(EventIndicator.indicator_code == code)
        _cited_by(write, "events", events, "indicators", message)
        return
    topics = _existing(session, Topic, {seed.topic})
    check_indicator(seed, topics, _existing(session, Unit, {seed.unit}), write.problem)
    write.rows = indicator_rows(seed)
    if current is None:
        return
    # Its figures' documents carry its names and topic.
    names = (current.name_zh, current.name_en, current.topic_code) != (
        seed.name_zh,
        seed.name_en,
        seed.topic,
    )
    aliases = (current.aliases_zh, current.aliases_en) != (seed.aliases_zh, seed.aliases_en)
    if current.unit_code != seed.unit:
        _reunit(write, seed, current.unit_code)
    if names or aliases or current.unit_code != seed.unit:
        # Its figures' documents carry its names, other names and their printed unit.
        figures = select(Observation.code).where(Observation.indicator_code == code)
        write.documents[DocType.observation].update(session.exec(figures))
    if names:
        # So do the sentences of the checks that read it.
        write.follow_ups.append(partial(_refresh_checks_about, write, "indicator"))


def _reunit(write: _Write, indicator: IndicatorSeed, old_unit: str) -> None:
    """A new unit for an indicator: its figures given in the old one (their seed form names
    no unit) are now in the new one, and are checked and stored so, as a reseed would; the
    others must still normalize as it does."""
    session = write.session
    of_it = select(Observation.code).where(Observation.indicator_code == indicator.code)
    following = session.exec(of_it.where(Observation.unit_code == old_unit)).all()
    for record in read_records(session, "observations", following):
        record.pop("unit", None)
        seed = ObservationSeed.model_validate(record)
        unit = _check_observation(
            session, seed, write.theirs("observations", seed.code), _theirs(write), indicator
        )
        if unit is not None:
            write.follow_ups.append(partial(_restore, session, seed, unit))
    of_its = select(Observation.indicator_code, Observation.region_code, Observation.period)
    points = set(session.exec(of_its.where(Observation.indicator_code == indicator.code)))
    write.follow_ups.append(partial(refresh_points, session, points, report=_reports(write)))
    new = session.get(Unit, indicator.unit)
    if new is None:
        return  # check_indicator has said so
    others = (
        select(Observation.unit_code, func.min(Observation.code))
        .where(Observation.indicator_code == indicator.code, Observation.unit_code != old_unit)
        .group_by(col(Observation.unit_code))
    )
    for unit_code, observation in session.exec(others):
        given = session.get(Unit, unit_code)
        if given is not None and given.normalized_unit != new.normalized_unit:
            write.theirs("observations", observation)(
                "unit",
                f"normalizes to {given.normalized_unit!r} but the indicator's unit "
                f"normalizes to {new.normalized_unit!r}",
            )


def _restore(session: Session, seed: ObservationSeed, unit: UnitFactor) -> None:
    _replace_rows(session, "observations", seed.code, observation_rows(seed, unit, ""))


def _entity(write: _Write, seed: EntitySeed | None, record: Any) -> None:
    session, code = write.session, write.code
    current = session.get(Entity, code)
    people_before = set(session.exec(select(Person.code).where(Person.entity_code == code)))
    people_after = {person.code for person in seed.people} if seed else set()
    write.documents[DocType.entity].add(code)
    for person in sorted(people_before - people_after):
        speakers = select(Quotation.code).where(Quotation.person_code == person)
        _cited_by(write, "quotes", speakers, "speaker", f"unknown person {person!r}")
    if seed is None:
        message = f"unknown entity {code!r}"
        for resource, query, name in (
            ("observations", select(ObservationEntity.observation_code).where(
                ObservationEntity.entity_code == code), "entities"),
            ("events", select(EventEntity.event_code).where(EventEntity.entity_code == code),
             "entities"),
            ("quotes", select(Quotation.code).where(Quotation.entity_code == code), "entity"),
            ("entities", select(EntityRelation.entity_code).where(
                EntityRelation.related_code == code), "related"),
        ):  # fmt: skip
            _cited_by(write, resource, query, name, message)
        return
    elsewhere = session.exec(
        select(Person.code, Person.entity_code).where(
            col(Person.code).in_(sorted(people_after)), Person.entity_code != code
        )
    )
    check_entity(seed, _known(session, [seed]), dict(elsewhere.all()), write.problem)
    write.rows = entity_rows(seed)
    # Quotations copy their speaker's name and role from here.
    people = {person.code: person for person in seed.people}
    spoken = session.exec(select(Quotation).where(col(Quotation.person_code).in_(sorted(people))))
    for quotation in spoken.all():
        speaker = people[quotation.person_code or ""]
        copied = (speaker.name_zh, speaker.name_en, speaker.role_zh, speaker.role_en)
        if (quotation.speaker_zh, quotation.speaker_en, quotation.role_zh, quotation.role_en) != (
            copied
        ):
            write.follow_ups.append(partial(_copy_speaker, quotation, copied))
            write.documents[DocType.quote].add(quotation.code)
    if current is not None and (current.name_zh, current.name_en) != (seed.name_zh, seed.name_en):
        # Figures and events are found by the names of the entities they name.
        named = select(ObservationEntity.observation_code).where(
            ObservationEntity.entity_code == code
        )
        write.documents[DocType.observation].update(session.exec(named))
        events = select(EventEntity.event_code).where(EventEntity.entity_code == code)
        write.documents[DocType.event].update(session.exec(events))


def _copy_speaker(quotation: Quotation, copied: tuple[str, str, str, str]) -> None:
    quotation.speaker_zh, quotation.speaker_en, quotation.role_zh, quotation.role_en = copied


def _event(write: _Write, seed: EventSeed | None, record: Any) -> None:
    session, code = write.session, write.code
    write.documents[DocType.event].add(code)
    if seed is None:
        told_again = select(Event.code).where(Event.account_of == code)
        _cited_by(write, "events", told_again, "account_of", f"unknown event {code!r}")
    else:
        check_event(seed, _known(session, [seed]), write.problem)
        write.rows = event_rows(seed)
    if write.problems:
        return
    # The dates it is compared with, and those compared with it.
    checks, notes = _moment_checks(session, code, seed)
    acknowledge(checks, notes, _reports(write, "events"), written=code)
    write.follow_ups.append(partial(_store_checks, session, checks, same_moment=True))


def _quote(write: _Write, seed: QuoteSeed | None, record: Any) -> None:
    write.documents[DocType.quote].add(write.code)
    if seed is not None:
        check_quote(seed, _known(write.session, [seed]), write.problem)
        speaker = write.session.get(Person, seed.speaker) if seed.speaker else None
        if speaker is not None or seed.speaker is None:  # else: an unknown person, said
            write.rows = quote_rows(seed, speaker)


def _observation(write: _Write, seed: ObservationSeed | None, record: Any) -> None:
    session, code = write.session, write.code
    current = session.get(Observation, code)
    write.documents[DocType.observation].add(code)
    points: set[Point] = set()
    if current is not None:
        # The regions its indicator is found in may change.
        write.documents[DocType.indicator].add(current.indicator_code)
        points.add((current.indicator_code, current.region_code, current.period))
    if seed is not None:
        points.add(point_of(seed))
    if seed is not None:
        unit = _check_observation(session, seed, write.problem, _theirs(write))
        if unit is not None:
            write.rows = observation_rows(seed, unit, "")  # keep_version sets known_from
        write.documents[DocType.indicator].add(seed.indicator)
    _check_dependents(write, seed)
    if write.problems:
        return
    # The checks of its region(s) with its new version: a conflict must be explained. They
    # are what the stored rows will give, so they are stored as they are.
    checks, notes = _region_checks(session, {region for _, region, _ in points}, {code: seed})
    acknowledge(checks, notes, _reports(write, "observations"), written=code)
    write.follow_ups.append(partial(refresh_points, session, points, checks))


def _check_observation(
    session: Session,
    seed: ObservationSeed,
    problem: Report,
    others: Callable[[str], Report],
    indicator: IndicatorSeed | None = None,
) -> UnitFactor | None:
    """The seeder's rules for one observation, with what it refers to read by key (and
    `indicator` for its indicator as it is about to be); return its unit, as its rows need
    it (None if it has none: a problem, then)."""
    if indicator is None:
        indicators = read_records(session, "indicators", [seed.indicator])
        indicator = IndicatorSeed.model_validate(indicators[0]) if indicators else None
    wanted = {code for code in (seed.unit, indicator.unit if indicator else None) if code}
    units = {
        u["code"]: UnitSeed.model_validate(u)
        for u in read_records(session, "units", sorted(wanted))
    }
    inputs = sorted(seed.derivation.inputs.values()) if seed.derivation else []
    check_observation(
        seed,
        indicator=indicator,
        units=units,
        known_regions=_existing(session, Region, set(seed.regions)),
        source=_texts(session, {seed.source}).get(seed.source),
        by_code=_observations(session, inputs),
        problem=problem,
    )
    # Its point: one figure per source, and a conflict with the headline acknowledged.
    at_point = [o for o in _at_point(session, point_of(seed)) if o.code != seed.code]
    seeds = [*at_point, seed]
    figures = _figures(session, seeds, {seed.indicator: indicator} if indicator else {})
    check_point(seeds, figures, lambda code: problem if code == seed.code else others(code))
    known = _existing(session, Entity, set(seed.entities))
    for code in seed.entities:
        if code not in known:
            problem("entities", f"unknown entity {code!r}")
    unit = units.get(seed.unit or (indicator.unit if indicator else ""))
    return UnitFactor(unit.code, unit.factor) if unit else None


def _theirs(write: _Write) -> Callable[[str], Report]:
    return lambda code: write.theirs("observations", code)


Point = tuple[str, str, str]


def _at_point(session: Session, point: Point) -> list[ObservationSeed]:
    """The figures stored for one point (indicator, main region, period)."""
    indicator, region, period = point
    codes = session.exec(
        select(Observation.code).where(
            Observation.indicator_code == indicator,
            Observation.region_code == region,
            Observation.period == period,
        )
    ).all()
    return list(_observations(session, codes).values())


def _figures(
    session: Session,
    seeds: Sequence[ObservationSeed],
    indicators: dict[str, IndicatorSeed] | None = None,
    sources: dict[str, SourceSeed] | None = None,
) -> dict[str, Figure]:
    """Each figure as its point's ranking needs it, with what it refers to read by key
    (`indicators` and `sources` stand in for stored ones about to change)."""
    wanted = {s.indicator for s in seeds} - set(indicators or {})
    known = {
        i["code"]: IndicatorSeed.model_validate(i)
        for i in read_records(session, "indicators", sorted(wanted))
    }
    known.update(indicators or {})
    unit_codes = {s.unit for s in seeds if s.unit} | {i.unit for i in known.values()}
    units = {
        u["code"]: UnitSeed.model_validate(u)
        for u in read_records(session, "units", sorted(unit_codes))
    }
    stored = {
        s["code"]: SourceSeed.model_validate(s)
        for s in read_records(
            session, "sources", sorted({s.source for s in seeds} - set(sources or {}))
        )
    }
    sources = {**stored, **(sources or {})}
    return {
        seed.code: figure
        for seed in seeds
        if (figure := figure_of(seed, known, units, sources)) is not None
    }


def refresh_points(
    session: Session,
    points: set[Point],
    checks: Sequence[Check] | None = None,
    report: Callable[[str], Report] | None = None,
) -> None:
    """Each figure of these points told again which is the headline and how it agrees with
    it, and the checks of their regions stored again (`checks`, if the write ran them, else
    run here, a conflict nobody explains told to `report`): after a write changed a figure,
    its source's standing or its indicator's unit."""
    session.flush()
    for point in sorted(points):
        seeds = _at_point(session, point)
        ranks = rank_point(list(_figures(session, seeds).values()))
        for seed in seeds:
            row = session.get(Observation, seed.code)
            headline, agreement = ranks.get(seed.code, (None, None))
            if row is not None and (row.witness_of, row.agreement) != (headline, agreement):
                row.witness_of, row.agreement = headline, agreement
    session.flush()
    regions = {region for _, region, _ in points}
    if checks is None:
        checks, notes = _region_checks(session, regions, {})
        acknowledge(checks, notes, report or _nobody)
    _store_checks(session, checks, regions=regions)


def _check_dependents(write: _Write, seed: ObservationSeed | None) -> None:
    """The observations derived from this one checked again with its new version (or
    without it, when it is retired)."""
    session, code = write.session, write.code
    dependents = session.exec(
        select(DerivationInput.observation_code).where(DerivationInput.input_code == code)
    )
    for derived in _observations(session, sorted(set(dependents))).values():
        assert derived.derivation is not None
        by_code = _observations(session, sorted(derived.derivation.inputs.values()))
        by_code.pop(code, None)
        if seed is not None:
            by_code[code] = seed
        check_derivation(derived, by_code, write.theirs("observations", derived.code))


def _observations(session: Session, codes: Sequence[str]) -> dict[str, ObservationSeed]:
    return {
        r["code"]: ObservationSeed.model_validate(r)
        for r in read_records(session, "observations", codes)
    }


# --- The checks a write touches (app/seed/checks.py) -------------------------------------


def _nobody(code: str) -> Report:
    # No write to refuse (a test, a tool): the checks are stored as they are.
    return lambda name, message: None


def _reports(write: _Write, resource: str = "observations") -> Callable[[str], Report]:
    """Problems about `resource` records: the written one's own, or another's by code."""
    return lambda code: write.problem if code == write.code else write.theirs(resource, code)


def _region_checks(
    session: Session, regions: set[str], replacing: dict[str, ObservationSeed | None]
) -> tuple[list[Check], dict[str, str | None]]:
    """The checks of these regions (every check is about one main region), with `replacing`
    standing in for the stored versions of its codes (None: retired); and the conflict_note
    of every figure they may read."""
    at = col(Observation.region_code).in_(sorted(regions))
    headlines = select(Observation.witness_of).where(at, col(Observation.witness_of).is_not(None))
    read = select(Observation.code).where(
        at,
        or_(
            col(Observation.indicator_code).in_(sorted(CHECKED_INDICATORS)),
            col(Observation.witness_of).is_not(None),
            col(Observation.code).in_(headlines),
        ),
    )
    seeds = _observations(session, list(session.exec(read)))
    for code, seed in replacing.items():
        seeds.pop(code, None)
        if seed is not None:
            # Its point's other figures, which it may now join as a witness.
            seeds.update({o.code: o for o in _at_point(session, point_of(seed)) if o.code != code})
            seeds[code] = seed
    checks = checks_of(list(seeds.values()), [], _catalogue(session, list(seeds.values())))
    return checks, {code: seed.conflict_note for code, seed in seeds.items()}


def _moment_checks(
    session: Session, code: str, seed: EventSeed | None
) -> tuple[list[Check], dict[str, str | None]]:
    """Every date check, with `seed` standing in for event `code` (None: retired), and the
    conflict_note of every event they read."""
    accounts = select(Event.account_of).where(col(Event.account_of).is_not(None))
    read = select(Event.code).where(
        or_(col(Event.account_of).is_not(None), col(Event.code).in_(accounts))
    )
    codes = set(session.exec(read)) | ({seed.account_of} if seed and seed.account_of else set())
    events = {
        r["code"]: EventSeed.model_validate(r)
        for r in read_records(session, "events", sorted(codes - {code}))
    }
    if seed is not None:
        events[code] = seed
    checks = checks_of([], list(events.values()), _catalogue(session, list(events.values())))
    return checks, {c: e.conflict_note for c, e in events.items()}


def _catalogue(session: Session, seeds: Sequence[ObservationSeed | EventSeed]) -> Catalogue:
    """The checks' catalogue for these records, read by key."""
    indicators = [
        IndicatorSeed.model_validate(r)
        for r in read_records(
            session,
            "indicators",
            sorted({s.indicator for s in seeds if isinstance(s, ObservationSeed)}),
        )
    ]
    unit_codes = {i.unit for i in indicators} | {
        s.unit for s in seeds if isinstance(s, ObservationSeed) and s.unit
    }
    region_codes = {r for s in seeds for r in s.regions}
    return catalogue(
        [
            RegionSeed.model_validate(r)
            for r in read_records(session, "regions", sorted(region_codes))
        ],
        indicators,
        [UnitSeed.model_validate(r) for r in read_records(session, "units", sorted(unit_codes))],
        [
            SourceSeed.model_validate(r)
            for r in read_records(session, "sources", sorted({s.source for s in seeds}))
        ],
    )


def _refresh_checks_about(write: _Write, dimension: str) -> None:
    """Run again the checks that read the written indicator or source (their sentences
    name it; its unit or standing may change their verdicts)."""
    session = write.session
    session.flush()
    about = select(DataCheckLink.check_code).where(
        DataCheckLink.dimension == dimension, DataCheckLink.code == write.code
    )
    kinds = session.exec(
        select(DataCheck.kind, DataCheck.region_code)
        .where(col(DataCheck.code).in_(about))
        .distinct()
    ).all()
    regions = {region for kind, region in kinds if kind != CheckKind.same_moment.value}
    if regions:
        checks, notes = _region_checks(session, regions, {})
        acknowledge(checks, notes, _reports(write))
        _store_checks(session, checks, regions=regions)
    if any(kind == CheckKind.same_moment.value for kind, _ in kinds):
        checks, notes = _moment_checks(session, "", None)
        acknowledge(checks, notes, _reports(write, "events"))
        _store_checks(session, checks, same_moment=True)


def _store_checks(
    session: Session,
    checks: Sequence[Check],
    *,
    regions: set[str] | None = None,
    same_moment: bool = False,
) -> None:
    """Replace the stored checks of `regions` (the figures' checks) or the date checks."""
    session.flush()
    kind = col(DataCheck.kind) == CheckKind.same_moment.value
    scope = kind if same_moment else (~kind) & col(DataCheck.region_code).in_(sorted(regions or ()))
    existing = list(session.exec(select(DataCheck).where(scope)))
    rows = [row for check in checks for row in check_rows(check)]
    wanted = [r for r in rows if isinstance(r, DataCheck)]
    codes = sorted({r.code for r in existing} | {r.code for r in wanted})
    # Only what differs is written: checks first, then their links, then what went stale.
    _, _, stale = upsert_rows(session, DataCheck, wanted, existing)
    links = session.exec(select(DataCheckLink).where(col(DataCheckLink.check_code).in_(codes)))
    _, _, stale_links = upsert_rows(
        session, DataCheckLink, [r for r in rows if isinstance(r, DataCheckLink)], links
    )
    # Links before their checks: with foreign keys on, a check's deletion takes its links.
    for rows_to_go in (stale_links, stale):
        for row in rows_to_go:
            session.delete(row)
        session.flush()


_RULES: dict[str, Callable[[_Write, Any, dict[str, Any] | None], None]] = {
    "sources": _source,
    "indicators": _indicator,
    "observations": _observation,
    "entities": _entity,
    "events": _event,
    "quotes": _quote,
}
