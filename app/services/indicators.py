"""Indicator queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.errors import NotFoundError
from app.models import Indicator, Observation, Source, Topic, Unit
from app.rules.periods import Period, PeriodPrecision
from app.rules.series import Frequency, frequency
from app.services.common import fetch_page, like_pattern, require_codes


@dataclass(frozen=True)
class Publisher:
    """An organisation that publishes an indicator's figures, and its sources that do."""

    name_zh: str | None
    name_en: str | None
    sources: list[str]


@dataclass(frozen=True)
class IndicatorRecord:
    """An indicator with its unit, the number of observations it has, and what is computed
    from them: their sources and publishers, licence notes, frequency and last update."""

    indicator: Indicator
    unit: Unit
    observation_count: int
    sources: list[str] = field(default_factory=list)
    publishers: list[Publisher] = field(default_factory=list)
    licence_notes: list[str] = field(default_factory=list)
    frequency: Frequency | None = None
    last_updated_at: str | None = None


def _query() -> Select[Indicator, Unit]:
    return select(Indicator, Unit).join(Unit, col(Unit.code) == col(Indicator.unit_code))


def _records(session: Session, rows: Sequence[tuple[Indicator, Unit]]) -> list[IndicatorRecord]:
    # Read only the indicators shown: each is a range of the series index, where the same
    # for every indicator would read every observation.
    codes = [indicator.code for indicator, _ in rows]
    shown = col(Observation.indicator_code).in_(codes)
    read = session.connection().execute
    # Figures per indicator and source, with what each source says of itself.
    by_source = read(
        sa.select(
            col(Observation.indicator_code),
            col(Source.code),
            col(Source.publisher_zh),
            col(Source.publisher_en),
            col(Source.licence_note),
            func.count(),
        )
        .join(Source, col(Source.code) == col(Observation.source_code))
        .where(shown)
        .group_by(
            col(Observation.indicator_code),
            col(Source.code),
            col(Source.publisher_zh),
            col(Source.publisher_en),
            col(Source.licence_note),
        )
    ).all()
    periods = read(
        sa.select(
            col(Observation.indicator_code),
            col(Observation.period),
            col(Observation.period_precision),
            col(Observation.period_start),
            col(Observation.period_end),
        )
        .where(shown)
        .distinct()
    ).all()
    # When a figure became known: its source's publication, or the change that made it.
    known = read(
        sa.select(col(Observation.indicator_code), func.max(col(Observation.known_from)))
        .where(shown)
        .group_by(col(Observation.indicator_code))
    ).all()
    counts: dict[str, int] = defaultdict(int)
    sources: dict[str, list[tuple[int, str]]] = defaultdict(list)
    named: dict[str, dict[tuple[str | None, str | None], list[tuple[int, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    licences: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, source, publisher_zh, publisher_en, licence, count in by_source:
        counts[code] += count
        sources[code].append((-count, source))
        if publisher_zh or publisher_en:
            named[code][(publisher_zh, publisher_en)].append((-count, source))
        if licence:
            licences[code][licence] += count
    kinds: dict[str, list[Period]] = defaultdict(list)
    for code, label, precision, start, end in periods:
        kinds[code].append(Period(label, start, end, PeriodPrecision(precision)))
    updated: dict[str, str] = dict(known)
    return [
        IndicatorRecord(
            indicator,
            unit,
            counts[indicator.code],
            sources=[source for _, source in sorted(sources[indicator.code])],
            publishers=_publishers(named[indicator.code]),
            licence_notes=_most_first(licences[indicator.code]),
            frequency=frequency(kinds[indicator.code]),
            last_updated_at=updated.get(indicator.code),
        )
        for indicator, unit in rows
    ]


def _most_first(counted: dict[str, int]) -> list[str]:
    """Keys by count, largest first (then as they came)."""
    return sorted(counted, key=lambda key: -counted[key])


def _publishers(
    named: dict[tuple[str | None, str | None], list[tuple[int, str]]],
) -> list[Publisher]:
    """Publishers with their sources, those with the most figures first (then by name)."""
    ranked = sorted(
        named.items(), key=lambda item: (sum(n for n, _ in item[1]), item[0][1] or item[0][0] or "")
    )
    return [
        Publisher(zh, en, [source for _, source in sorted(listed)]) for (zh, en), listed in ranked
    ]


def list_indicators(
    session: Session, *, topic: str | None, q: str | None, limit: int, offset: int
) -> tuple[list[IndicatorRecord], int]:
    """Indicators by code, optionally of one topic or matching `q` in code, names, other
    names or definition."""
    query = _query()
    if topic is not None:
        require_codes(session, Topic, [topic], "topic")
        query = query.where(Indicator.topic_code == topic)
    if q:
        # Codes contain "_", which LIKE would otherwise read as "any character".
        pattern = like_pattern(q.strip())
        query = query.where(
            or_(
                col(Indicator.code).ilike(pattern, escape="\\"),
                col(Indicator.name_zh).ilike(pattern, escape="\\"),
                col(Indicator.name_en).ilike(pattern, escape="\\"),
                # Other names are a list kept as text: matched as that text, not as a list.
                sa.type_coerce(col(Indicator.aliases_zh), sa.Text).ilike(pattern, escape="\\"),
                sa.type_coerce(col(Indicator.aliases_en), sa.Text).ilike(pattern, escape="\\"),
                col(Indicator.definition_zh).ilike(pattern, escape="\\"),
                col(Indicator.definition_en).ilike(pattern, escape="\\"),
            )
        )
    query = query.order_by(Indicator.code)
    rows, total = fetch_page(session, query, limit=limit, offset=offset)
    return _records(session, rows), total


def get_indicator(session: Session, code: str) -> IndicatorRecord:
    """One indicator; NotFoundError if the code is unknown."""
    row = session.exec(_query().where(Indicator.code == code)).first()
    if row is None:
        raise NotFoundError(f"No indicator with code {code!r}.")
    return _records(session, [row])[0]
