"""Series arithmetic, written once: FRED's change and percent change, an index on a base period,
the ranks of a comparison, and how often an indicator's figures come.

A series is one indicator for one main region. Its figures are exact decimals in the series'
unit (the indicator's); nothing here invents a number: where an input is missing, zero, a
bound, a range or a rank, the result is None with the reason, never 0.

Rounding: a change is exact (the difference of two decimals needs none; it has the decimal
places of the more precise input). A percent change and an index are rounded to two decimal
places, halves away from zero (ROUND_HALF_UP, as statistical offices round).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum, StrEnum

from app.rules.periods import Period, PeriodPrecision, parse_period
from app.rules.qualifiers import Qualifier


class Transform(Enum):
    """A value computed from a series' figures (FRED's `units`: chg, pch; and an index).

    A plain Enum: a StrEnum member named `index` would hide str.index."""

    change = "change"
    pct_change = "pct_change"
    index = "index"


# The formula each transform states, over its named inputs.
FORMULAS = {
    Transform.change: "current - previous",
    Transform.pct_change: "(current / previous - 1) * 100",
    Transform.index: "current / base * 100",
}
PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


class Frequency(StrEnum):
    """How often an indicator's figures come, read from their periods."""

    annual = "annual"  # a calendar year
    monthly = "monthly"  # a calendar month
    point_in_time = "point_in_time"  # a day
    multi_year = "multi_year"  # whole calendar years, two or more (2021/2025)
    irregular = "irregular"  # another span, or one whose start is not given (../2025-10-24)
    mixed = "mixed"  # figures of several of the above


# What identifies a period: precision, start (None if not given) and end.
PeriodKey = tuple[PeriodPrecision, date | None, date]


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a series: its code, value in the series' unit, qualifier and period."""

    code: str
    value: Decimal
    qualifier: Qualifier
    period: Period

    @property
    def key(self) -> PeriodKey:
        """What identifies its period (a label names one, but dates compare)."""
        return period_key(self.period)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A transformed value, or None with the reason; its named inputs (name, figure code)."""

    value: Decimal | None
    qualifier: Qualifier | None
    inputs: tuple[tuple[str, str], ...]
    reason: str | None


def period_key(period: Period) -> PeriodKey:
    """Precision, start and end: two periods with the same key are the same period."""
    return period.precision, period.start, period.end


def decimal_of(number: float) -> Decimal:
    """A stored float as the decimal it was written as (its shortest repr: 2458.8, not
    2458.80000000000018...)."""
    return Decimal(repr(number))


def in_unit(value: float, factor: float, series_factor: float) -> Decimal:
    """A value printed in a unit of `factor` expressed in the series' unit (both factors to
    the same normalized unit): 1 万亿元 is 10000 亿元. Exact for the powers of ten units use."""
    if factor == series_factor:
        return decimal_of(value)
    return decimal_of(value) * decimal_of(factor) / decimal_of(series_factor)


def _shift_point(text: str, steps: int) -> str | None:
    """A year, month or day label moved by `steps` of its own precision."""
    parsed = parse_period(text)
    if parsed.precision is PeriodPrecision.year:
        year = parsed.end.year + steps
        return f"{year:04d}" if 1 <= year <= 9999 else None
    if parsed.precision is PeriodPrecision.month:
        months = parsed.end.year * 12 + parsed.end.month - 1 + steps
        year, month = divmod(months, 12)
        return f"{year:04d}-{month + 1:02d}" if 1 <= year <= 9999 else None
    try:
        return (parsed.end + timedelta(days=steps)).isoformat()
    except OverflowError:
        return None


def _steps(first: str, last: str) -> int | None:
    """How many periods of their precision a span from `first` to `last` holds; None when
    its two ends are of different precisions."""
    a, b = parse_period(first), parse_period(last)
    if a.precision is not b.precision:
        return None
    if a.precision is PeriodPrecision.year:
        return b.end.year - a.end.year + 1
    if a.precision is PeriodPrecision.month:
        return (b.end.year - a.end.year) * 12 + b.end.month - a.end.month + 1
    return (b.end - a.end).days + 1


def previous_period(period: Period) -> Period | None:
    """The period of the same kind just before `period`: 2023 before 2024, 2025-08 before
    2025-09, the day before a day, 2016/2020 before 2021/2025 (a span of the same length
    ending the day before it starts). None when there is none: a span whose start is not
    given, or whose ends are of different precisions."""
    if period.precision is not PeriodPrecision.span:
        label = _shift_point(period.label, -1)
        return None if label is None else parse_period(label)
    first, _, last = period.label.partition("/")
    if period.start is None:
        return None
    steps = _steps(first, last)
    if steps is None:
        return None
    start, end = _shift_point(first, -steps), _shift_point(last, -steps)
    if start is None or end is None:
        return None
    return parse_period(f"{start}/{end}")


# Figures that are not one amount: nothing can be computed from them.
_NOT_AN_AMOUNT = {
    Qualifier.more_than: "a bound (more than the figure), not a value",
    Qualifier.range: "a range, not one value",
    Qualifier.rank: "a rank, not an amount",
}


def _unusable(figure: Figure) -> str | None:
    why = _NOT_AN_AMOUNT.get(figure.qualifier)
    return None if why is None else f"{figure.code} is {why}"


def apply_transform(
    transform: Transform, current: Figure, other: Figure | None, missing: str
) -> Outcome:
    """`transform` of `current` against `other` (the previous figure, or the base for an
    index); `missing` says why there is none when `other` is None."""
    second = "base" if transform is Transform.index else "previous"
    inputs: tuple[tuple[str, str], ...] = (("current", current.code),)
    if other is not None:
        inputs += ((second, other.code),)
    reason = _unusable(current) or (missing if other is None else _unusable(other))
    if reason is not None or other is None:
        return Outcome(None, None, inputs, reason or missing)
    if transform is Transform.change:
        value = current.value - other.value
    elif other.value == 0:
        return Outcome(None, None, inputs, f"the {second} figure {other.code} is zero")
    elif transform is Transform.pct_change:
        value = ((current.value / other.value - 1) * HUNDRED).quantize(PLACES, ROUND_HALF_UP)
    else:
        value = (current.value / other.value * HUNDRED).quantize(PLACES, ROUND_HALF_UP)
    rough = Qualifier.approximately in (current.qualifier, other.qualifier)
    qualifier = Qualifier.approximately if rough else Qualifier.exact
    return Outcome(value, qualifier, inputs, None)


def time_order(period: Period) -> tuple[date, date, str]:
    """A sort key putting periods in time order: by end, then start (an open start first)."""
    return period.end, period.start or date.min, period.label


def frequency_of(period: Period) -> Frequency:
    """The kind of one period."""
    if period.precision is PeriodPrecision.year:
        return Frequency.annual
    if period.precision is PeriodPrecision.month:
        return Frequency.monthly
    if period.precision is PeriodPrecision.day:
        return Frequency.point_in_time
    start, end = period.start, period.end
    whole_years = (
        start is not None
        and (start.month, start.day) == (1, 1)
        and (end.month, end.day) == (12, 31)
        and end.year > start.year
    )
    return Frequency.multi_year if whole_years else Frequency.irregular


def frequency(periods: Iterable[Period]) -> Frequency | None:
    """How often figures come: the one kind of all their periods, `mixed` for several,
    None for no figure."""
    kinds = {frequency_of(period) for period in periods}
    if not kinds:
        return None
    return kinds.pop() if len(kinds) == 1 else Frequency.mixed


# Why a figure cannot take a place among exact amounts in a comparison.
_NOT_COMPARABLE = {
    Qualifier.approximately: "approximate (近, 约...): its place among exact figures is unsure",
    **_NOT_AN_AMOUNT,
}


def not_comparable(qualifier: Qualifier) -> str | None:
    """Why a figure with this qualifier is not ranked; None if it is."""
    return _NOT_COMPARABLE.get(qualifier)


def competition_ranks(values: Sequence[Decimal]) -> list[int]:
    """Ranks of values sorted from the largest, ties sharing a rank ("1224": one plus the
    number of larger values)."""
    ranks: list[int] = []
    for position, value in enumerate(values):
        if position and value == values[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks
