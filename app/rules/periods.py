"""ISO 8601 periods as the dataset uses them: a year, a month, a day, or an interval of those."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PeriodPrecision(StrEnum):
    """How precisely a period is known; an interval of two points is a `span`."""

    year = "year"
    month = "month"
    day = "day"
    span = "span"


@dataclass(frozen=True, slots=True)
class Period:
    """A parsed period: its label and the first and last day it covers (start None if open)."""

    label: str
    start: date | None
    end: date
    precision: PeriodPrecision


# A year, a month or a day, in ASCII digits only (the pattern a filter's start or end takes).
_POINT_BODY = r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?"
POINT_PATTERN = f"^{_POINT_BODY}$"
_POINT = re.compile(POINT_PATTERN)
OPEN_START = ".."
# A point, or an interval of two (the first may be open): what parse_period reads.
PERIOD_PATTERN = f"^(?:{_POINT_BODY}|(?:{_POINT_BODY}|\\.\\.)/{_POINT_BODY})$"


def _parse_point(text: str) -> tuple[date, date, PeriodPrecision]:
    match = _POINT.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a year (YYYY), month (YYYY-MM) or day (YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31), PeriodPrecision.year
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last), PeriodPrecision.month
        point = date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date: {exc}") from None
    return point, point, PeriodPrecision.day


def parse_period(text: str) -> Period:
    """Parse `2024`, `2025-09`, `2025-01-27`, `2021/2025` or `../2025`; raise ValueError if not."""
    text = text.strip()
    if "/" not in text:
        start, end, precision = _parse_point(text)
        return Period(text, start, end, precision)
    first, _, last = text.partition("/")
    _, end, _ = _parse_point(last)
    if first == OPEN_START:
        return Period(text, None, end, PeriodPrecision.span)
    start, first_end, _ = _parse_point(first)
    if first_end > end:
        raise ValueError(f"{text!r} ends before it starts")
    return Period(text, start, end, PeriodPrecision.span)


def period_bound(text: str, *, upper: bool) -> date:
    """The first (or, with `upper`, the last) day of a year, month or day given as a filter."""
    start, end, _ = _parse_point(text.strip())
    return end if upper else start
