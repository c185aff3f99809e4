"""Observation queries: filters, latest-per-series, sorting, and the records' related labels."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select as LabelledSelect

from app.errors import InvalidParameterError, NotFoundError
from app.models import (
    DerivationInput,
    Entity,
    Indicator,
    Observation,
    ObservationEntity,
    ObservationRegion,
    Region,
    Topic,
    Unit,
)
from app.rules.qualifiers import Qualifier
from app.services.common import period_bounds, require_codes

# Sort keys clients may use (prefix "-" for descending) and the columns behind them.
SORT_KEYS: dict[str, tuple[Any, ...]] = {
    "code": (Observation.code,),
    "indicator": (Observation.indicator_code,),
    "region": (Observation.region_code,),
    "period": (Observation.period_end, Observation.period_start),
    "value": (Observation.value,),
}
DEFAULT_SORT = ("indicator", "region", "period")
Labelled = LabelledSelect[Observation, Indicator, Region, Unit]


@dataclass(frozen=True)
class ObservationFilter:
    """What a client asked for; codes are checked against the database when applied."""

    indicators: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    topic: str | None = None
    start: str | None = None
    end: str | None = None
    qualifier: Qualifier | None = None
    latest: bool = False
    sort: str | None = None


@dataclass(frozen=True)
class ObservationRecord:
    """An observation with the labels and links a response needs."""

    observation: Observation
    indicator: Indicator
    region: Region
    unit: Unit
    regions: list[str]
    inputs: list[DerivationInput]
    entities: list[str]


def _order(sort: str | None) -> list[Any]:
    keys = [k.strip() for k in sort.split(",")] if sort else list(DEFAULT_SORT)
    order: list[Any] = []
    for key in keys:
        name = key.removeprefix("-")
        if name not in SORT_KEYS:
            allowed = ", ".join(SORT_KEYS)
            raise InvalidParameterError(
                "sort", f"cannot sort by {key!r}; use {allowed} (- for descending)"
            )
        order.extend(c.desc() if key.startswith("-") else c.asc() for c in SORT_KEYS[name])
    order.append(Observation.code.asc())  # type: ignore[attr-defined]
    return order


def _require_known_codes(session: Session, flt: ObservationFilter) -> None:
    require_codes(session, Indicator, flt.indicators, "indicator")
    require_codes(session, Region, flt.regions, "region")
    require_codes(session, Entity, flt.entities, "entity")
    if flt.topic is not None:
        require_codes(session, Topic, [flt.topic], "topic")


def _conditions(session: Session, flt: ObservationFilter) -> list[Any]:
    """WHERE conditions on the observation table that match every filter.

    Conditions rather than a subquery of codes: the page and the count then each read the
    observation table once, through its indexes, however many rows match.
    """
    start, end = period_bounds(flt.start, flt.end)
    conditions: list[Any] = []
    if flt.indicators:
        conditions.append(col(Observation.indicator_code).in_(flt.indicators))
    if flt.regions:
        # Any region the observation concerns, not only its main one. A correlated EXISTS
        # probes the link's primary key per candidate row, so an indicator filter still
        # drives the query through its index (a region alone matches ~1/16 of a million).
        link = aliased(ObservationRegion)  # the latest=true join below uses the table too
        conditions.append(
            select(link.observation_code)
            .where(
                link.observation_code == Observation.code, col(link.region_code).in_(flt.regions)
            )
            .correlate(Observation)
            .exists()
        )
    if flt.entities:
        conditions.append(
            select(ObservationEntity.observation_code)
            .where(
                ObservationEntity.observation_code == Observation.code,
                col(ObservationEntity.entity_code).in_(flt.entities),
            )
            .correlate(Observation)
            .exists()
        )
    if flt.topic is not None:
        topical = select(Indicator.code).where(Indicator.topic_code == flt.topic)
        conditions.append(col(Observation.indicator_code).in_(topical))
    if flt.qualifier is not None:
        conditions.append(Observation.qualifier == flt.qualifier.value)
    if start is not None:
        conditions.append(col(Observation.period_start) >= start)
    if end is not None:
        conditions.append(Observation.period_end <= end)
    if flt.latest:
        # Most recent per indicator and region, over every region a figure concerns (or only
        # the regions asked for), so a figure is never hidden by one about another region.
        linked = (
            select(Observation.code)
            .where(*conditions)
            .join(
                ObservationRegion, col(ObservationRegion.observation_code) == col(Observation.code)
            )
        )
        if flt.regions:
            linked = linked.where(col(ObservationRegion.region_code).in_(flt.regions))
        ranked = linked.add_columns(
            func.row_number()
            .over(
                partition_by=(Observation.indicator_code, ObservationRegion.region_code),
                order_by=(
                    col(Observation.period_end).desc(),
                    col(Observation.period_start).desc().nulls_last(),
                    col(Observation.code).asc(),
                ),
            )
            .label("recency")
        ).subquery()
        conditions = [col(Observation.code).in_(select(ranked.c.code).where(ranked.c.recency == 1))]
    return conditions


def _records(session: Session, query: Labelled) -> list[ObservationRecord]:
    rows = session.exec(query).all()
    codes = [obs.code for obs, *_ in rows]
    regions: dict[str, list[str]] = defaultdict(list)
    for link in session.exec(
        select(ObservationRegion)
        .where(col(ObservationRegion.observation_code).in_(codes))
        .order_by(col(ObservationRegion.observation_code), col(ObservationRegion.position))
    ):
        regions[link.observation_code].append(link.region_code)
    inputs: dict[str, list[DerivationInput]] = defaultdict(list)
    for item in session.exec(
        select(DerivationInput)
        .where(col(DerivationInput.observation_code).in_(codes))
        .order_by(col(DerivationInput.name))
    ):
        inputs[item.observation_code].append(item)
    entities: dict[str, list[str]] = defaultdict(list)
    for tie in session.exec(
        select(ObservationEntity)
        .where(col(ObservationEntity.observation_code).in_(codes))
        .order_by(col(ObservationEntity.observation_code), col(ObservationEntity.entity_code))
    ):
        entities[tie.observation_code].append(tie.entity_code)
    return [
        ObservationRecord(
            obs, indicator, region, unit, regions[obs.code], inputs[obs.code], entities[obs.code]
        )
        for obs, indicator, region, unit in rows
    ]


def _with_labels() -> Labelled:
    return (
        select(Observation, Indicator, Region, Unit)
        .join(Indicator, col(Indicator.code) == col(Observation.indicator_code))
        .join(Region, col(Region.code) == col(Observation.region_code))
        .join(Unit, col(Unit.code) == col(Observation.unit_code))
    )


def list_observations(
    session: Session, flt: ObservationFilter, *, limit: int, offset: int
) -> tuple[list[ObservationRecord], int]:
    """A page of matching observations (sorted as asked) and the total that match."""
    order = _order(flt.sort)
    conditions = _conditions(session, flt)
    total = int(
        session.exec(select(func.count()).select_from(Observation).where(*conditions)).one()
    )
    if total == 0:
        # Only an empty answer can hide a code that names nothing: check the codes then,
        # and spare every answer that found something these queries.
        _require_known_codes(session, flt)
    if limit == 0:
        return [], total
    query = _with_labels().where(*conditions).order_by(*order).limit(limit).offset(offset)
    return _records(session, query), total


def get_observation(session: Session, code: str) -> ObservationRecord:
    """One observation; NotFoundError if the code is unknown."""
    records = _records(session, _with_labels().where(col(Observation.code) == code))
    if not records:
        raise NotFoundError(f"No observation with code {code!r}.")
    return records[0]
