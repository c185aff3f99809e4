"""Series tools over the observations: transformed values (change, percent change, an index),
the wide table (a row per series, a column per period), and regions compared for one period.

A series is one indicator for one main region, and only the figures series show (never their
witnesses) feed these: the arithmetic is app/rules/series.py, in the indicator's unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.errors import InvalidParameterError, NotFoundError
from app.models import Indicator, Region, Unit
from app.rules.periods import Period, parse_period
from app.rules.qualifiers import Qualifier
from app.rules.regions import LEVEL_RANK, RegionLevel
from app.rules.series import (
    Figure,
    Outcome,
    PeriodKey,
    Transform,
    apply_transform,
    competition_ranks,
    in_unit,
    not_comparable,
    period_key,
    previous_period,
    time_order,
)
from app.services.common import regions_under, require_codes
from app.services.observations import (
    ObservationFilter,
    ObservationRecord,
    headline_figures,
    list_observations,
    series_keys,
)

# A limit no list reaches: every matching figure, for a table that must not be cut short.
EVERY = 10**9
# Why the figures of these filters cannot feed a series tool (the parameter named at fault).
_HEADLINE_ONLY = "uses the figures series show, not their witnesses"


@dataclass(frozen=True, slots=True)
class UnitLabel:
    """The unit a value is in: a code, the symbol printed after it, and its names."""

    code: str
    symbol: str | None
    name_zh: str
    name_en: str


def unit_label(unit: Unit) -> UnitLabel:
    """A unit row's code, symbol and names."""
    return UnitLabel(unit.code, unit.symbol, unit.name_zh, unit.name_en)


# Units of results, if the unit table lacks them (it has them in the seed).
PERCENT = UnitLabel("percent", "%", "百分比", "percent")
PERCENTAGE_POINT = UnitLabel("percentage_point", "个百分点", "百分点", "percentage points")


def index_unit(base: str) -> UnitLabel:
    """The unit of an index: its base period = 100, as statistical tables print it."""
    return UnitLabel("index", f"{base}=100", f"指数({base}=100)", f"index, {base} = 100")


@dataclass(frozen=True, slots=True)
class SeriesValue:
    """A transformed value: the figure it stands for, the outcome, its unit and the sources
    of its inputs."""

    record: ObservationRecord
    transform: Transform
    base: str | None
    outcome: Outcome
    unit: UnitLabel
    sources: list[str]


@dataclass(frozen=True, slots=True)
class WideRow:
    """One series across periods: its labels (from its first figure), its unit, a value per
    period label (absent: no figure), and the qualifier of each value that is not exact."""

    record: ObservationRecord
    unit: UnitLabel
    cells: dict[str, Decimal | None]
    qualified: dict[str, str]


@dataclass(frozen=True, slots=True)
class WideTable:
    """Series as rows, period labels as columns in time order."""

    periods: list[str]
    rows: list[WideRow]


@dataclass(frozen=True, slots=True)
class Placing:
    """A region in a comparison: its figure (None if it has none), the value (and a range's
    high end) in the indicator's unit, its rank (None if not ranked) and why it is not."""

    region: Region
    record: ObservationRecord | None
    value: Decimal | None
    value_max: Decimal | None
    rank: int | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """Regions of one level compared on one indicator for one period."""

    indicator: Indicator
    unit: UnitLabel
    period: Period
    level: RegionLevel
    placings: list[Placing]


class _Units:
    """The unit table and each indicator's unit: what puts a figure in its series' unit."""

    def __init__(self, session: Session, indicators: Iterable[str]) -> None:
        self.units = {unit.code: unit for unit in session.exec(select(Unit)).all()}
        codes = sorted(set(indicators))
        self.of_indicator: dict[str, str] = dict(
            session.exec(
                select(Indicator.code, Indicator.unit_code).where(col(Indicator.code).in_(codes))
            ).all()
        )

    def series_unit(self, indicator: str) -> Unit:
        return self.units[self.of_indicator[indicator]]

    def value(self, record: ObservationRecord, name: str = "value") -> Decimal:
        """A figure's value (or `value_max`) in its series' unit."""
        factor = self.units[record["unit_code"]].factor
        return in_unit(record[name], factor, self.series_unit(record["indicator_code"]).factor)

    def value_max(self, record: ObservationRecord) -> Decimal | None:
        return None if record["value_max"] is None else self.value(record, "value_max")

    def figure(self, record: ObservationRecord) -> Figure:
        return Figure(
            record["code"],
            self.value(record),
            Qualifier(record["qualifier"]),
            parse_period(record["period"]),
        )

    def known(self, code: str, fallback: UnitLabel) -> UnitLabel:
        unit = self.units.get(code)
        return fallback if unit is None else unit_label(unit)

    def result_unit(self, transform: Transform, indicator: str, base: str | None) -> UnitLabel:
        """The unit of a transformed value: a change keeps the series' unit (a change of
        percentages is in percentage points); a percent change is in percent; an index is
        `base=100`."""
        if transform is Transform.pct_change:
            return self.known("percent", PERCENT)
        if transform is Transform.index:
            return index_unit(base or "")
        unit = self.series_unit(indicator)
        if unit.code == "percent":
            return self.known("percentage_point", PERCENTAGE_POINT)
        return unit_label(unit)


def _headline_only(flt: ObservationFilter, what: str) -> None:
    if flt.witnesses:
        raise InvalidParameterError("witnesses", f"{what} {_HEADLINE_ONLY}")
    if flt.sources:
        raise InvalidParameterError("source", f"{what} {_HEADLINE_ONLY}")


def base_period(transform: Transform | None, base: str | None) -> Period | None:
    """The parsed base of an index; a 422 naming `base` if it is missing, malformed, or
    given without transform=index."""
    if transform is not Transform.index:
        if base is not None:
            raise InvalidParameterError("base", "only transform=index takes a base period")
        return None
    if base is None:
        raise InvalidParameterError("base", "transform=index needs a base period (base=2021)")
    try:
        return parse_period(base)
    except ValueError as exc:
        raise InvalidParameterError("base", str(exc)) from None


def _series(
    session: Session, keys: set[tuple[str, str]], as_of: str | None, period: Period | None = None
) -> dict[tuple[str, str], list[ObservationRecord]]:
    """The figures the series `keys` show, every period (or only `period`), as of `as_of`."""
    figures = headline_figures(
        session,
        {indicator for indicator, _ in keys},
        regions={region for _, region in keys},
        period=period,
        as_of=as_of,
    )
    series: dict[tuple[str, str], list[ObservationRecord]] = defaultdict(list)
    for record in figures:
        key = (record["indicator_code"], record["region_code"])
        if key in keys:
            series[key].append(record)
    return series


def _transform(
    session: Session,
    flt: ObservationFilter,
    records: list[ObservationRecord],
    transform: Transform,
    base: str | None,
) -> list[SeriesValue]:
    """Each of `records` transformed within its whole series (a previous period or the base
    may lie outside the filters)."""
    _headline_only(flt, "a transform")
    at = base_period(transform, base)
    if at is not None and not _series(session, series_keys(session, flt), flt.as_of, at):
        raise InvalidParameterError(
            "base", f"no series asked for has a figure for the base period {at.label}"
        )
    keys = {(r["indicator_code"], r["region_code"]) for r in records}
    series = _series(session, keys, flt.as_of)
    units = _Units(session, {indicator for indicator, _ in keys})
    by_code = {r["code"]: r for figures in series.values() for r in figures}
    by_period = {
        key: {figure.key: figure for figure in map(units.figure, figures)}
        for key, figures in series.items()
    }
    label = None if at is None else at.label
    values = []
    for record in records:
        figures = by_period.get((record["indicator_code"], record["region_code"]), {})
        outcome = _outcome(transform, units.figure(record), record, figures, at)
        sources = [by_code.get(code, record)["source_code"] for _, code in outcome.inputs]
        unit = units.result_unit(transform, record["indicator_code"], label)
        values.append(
            SeriesValue(record, transform, label, outcome, unit, list(dict.fromkeys(sources)))
        )
    return values


def _outcome(
    transform: Transform,
    current: Figure,
    record: ObservationRecord,
    figures: dict[PeriodKey, Figure],
    base: Period | None,
) -> Outcome:
    if record["witness_of"] is not None:
        reason = f"not the figure its series shows (that is {record['witness_of']})"
        return Outcome(None, None, (("current", current.code),), reason)
    period = current.period
    if base is not None:
        if base.precision is not period.precision:
            missing = (
                f"the base {base.label} is a {base.precision.value}; "
                f"{period.label} is a {period.precision.value}"
            )
            return apply_transform(transform, current, None, missing)
        missing = f"the series has no figure for the base period {base.label}"
        return apply_transform(transform, current, figures.get(period_key(base)), missing)
    previous = previous_period(period)
    if previous is None:
        missing = f"{period.label} has no period of its kind just before it"
        return apply_transform(transform, current, None, missing)
    missing = f"no figure for {previous.label}, the period before {period.label}"
    return apply_transform(transform, current, figures.get(period_key(previous)), missing)


def transform_observations(
    session: Session,
    flt: ObservationFilter,
    transform: Transform,
    base: str | None,
    *,
    limit: int,
    offset: int,
) -> tuple[list[SeriesValue], int]:
    """A page of the matching figures, each transformed; the total that match."""
    _headline_only(flt, "a transform")
    if any(key.strip().removeprefix("-") == "value" for key in (flt.sort or "").split(",")):
        raise InvalidParameterError(
            "sort",
            "a transform computes its values after the figures are sorted: sort by "
            "code, indicator, region or period",
        )
    base_period(transform, base)  # a bad base is refused before any query
    records, total = list_observations(session, flt, limit=limit, offset=offset)
    return _transform(session, flt, records, transform, base), total


def wide_table(
    session: Session, flt: ObservationFilter, transform: Transform | None, base: str | None
) -> WideTable:
    """Every matching figure (or its transformed value) as a table: a row per series in
    indicator and region order, a column per period in time order."""
    _headline_only(flt, "the wide shape")
    base_period(transform, base)  # a bad base is refused before any query
    records, _ = list_observations(session, replace(flt, sort=None), limit=EVERY, offset=0)
    units = _Units(session, {r["indicator_code"] for r in records})
    periods: dict[str, Period] = {}
    rows: dict[tuple[str, str], WideRow] = {}
    transformed = (
        _transform(session, flt, records, transform, base) if transform is not None else None
    )
    for position, record in enumerate(records):
        key = (record["indicator_code"], record["region_code"])
        label = record["period"]
        periods[label] = parse_period(label)
        if transformed is None:
            unit = unit_label(units.series_unit(record["indicator_code"]))
            value: Decimal | None = units.value(record)
            qualifier: str | None = record["qualifier"]
        else:
            one = transformed[position]
            unit, value = one.unit, one.outcome.value
            qualifier = None if one.outcome.qualifier is None else one.outcome.qualifier.value
        row = rows.setdefault(key, WideRow(record, unit, {}, {}))
        row.cells[label] = value
        if value is not None and qualifier not in (None, Qualifier.exact.value):
            row.qualified[label] = str(qualifier)
        if value is not None and qualifier in (Qualifier.more_than.value, Qualifier.range.value):
            # A bound or a range is no value a column of numbers may hold: its cell stays
            # empty and the qualifiers column says what was printed.
            upper = units.value_max(record)
            printed = f"{value}" if upper is None else f"{value}-{upper}"
            row.qualified[label] = f"{qualifier} {printed}"
            row.cells[label] = None
    order = sorted(periods, key=lambda label: time_order(periods[label]))
    return WideTable(order, [rows[key] for key in sorted(rows)])


def _regions_within(session: Session, within: str | None) -> list[Region]:
    if within is None:
        return list(session.exec(select(Region).order_by(col(Region.code))).all())
    require_codes(session, Region, [within], "within")
    under = session.connection().execute(text(regions_under(":within")), {"within": within})
    codes = [code for (code,) in under]
    return list(session.exec(select(Region).where(col(Region.code).in_(codes))).all())


def _level(
    regions: list[Region], within: str | None, counted: dict[RegionLevel, int]
) -> RegionLevel:
    """The level compared when none is asked for: the one just below `within` (its own at
    the lowest level), else the level with the most figures (the higher one of a tie)."""
    levels = sorted(RegionLevel, key=LEVEL_RANK.__getitem__)
    if within is not None:
        own = next(RegionLevel(r.level) for r in regions if r.code == within)
        return levels[min(LEVEL_RANK[own] + 1, len(levels) - 1)]
    if not counted:
        present = {RegionLevel(r.level) for r in regions}
        return next((level for level in levels if level in present), levels[0])
    return max(levels, key=lambda level: (counted.get(level, 0), -LEVEL_RANK[level]))


def compare_regions(
    session: Session,
    indicator: str,
    period: str,
    *,
    within: str | None,
    level: RegionLevel | None,
) -> Comparison:
    """The regions of one level (under `within`, if given) with their figure of `indicator`
    for `period`: exact figures ranked by value, largest first, ties sharing a rank; then
    the figures that cannot be ranked (approximate, a bound, a range, a rank), by value;
    then the regions without a figure, by code."""
    found = session.get(Indicator, indicator)
    if found is None:
        raise NotFoundError(f"No indicator with code {indicator!r}.")
    try:
        at = parse_period(period)
    except ValueError as exc:
        raise InvalidParameterError("period", str(exc)) from None
    regions = _regions_within(session, within)
    codes = {region.code for region in regions}
    figures = {
        r["region_code"]: r
        for r in headline_figures(session, [indicator], regions=codes, period=at)
    }
    counted: dict[RegionLevel, int] = defaultdict(int)
    for region in regions:
        if region.code in figures:
            counted[RegionLevel(region.level)] += 1
    chosen = level or _level(regions, within, counted)
    units = _Units(session, [indicator])
    valued: list[tuple[Decimal, Region, ObservationRecord, str | None]] = []
    missing: list[Placing] = []
    for region in sorted(regions, key=lambda r: r.code):
        if RegionLevel(region.level) is not chosen:
            continue
        record = figures.get(region.code)
        if record is None:
            missing.append(Placing(region, None, None, None, None, f"no figure for {at.label}"))
        else:
            reason = not_comparable(Qualifier(record["qualifier"]))
            valued.append((units.value(record), region, record, reason))
    # Largest first; a rank is best when smallest, so ranks (never comparable) go up.
    valued.sort(
        key=lambda v: (v[0] if v[2]["qualifier"] == Qualifier.rank.value else -v[0], v[1].code)
    )
    comparable = [v for v in valued if v[3] is None]
    ranks = competition_ranks([value for value, *_ in comparable])
    placings = [
        Placing(region, record, value, units.value_max(record), rank, None)
        for (value, region, record, _), rank in zip(comparable, ranks, strict=True)
    ]
    placings += [
        Placing(region, record, value, units.value_max(record), None, reason)
        for value, region, record, reason in valued
        if reason is not None
    ]
    unit = unit_label(units.series_unit(indicator))
    return Comparison(found, unit, at, chosen, placings + missing)
