"""One value, many witnesses: when several sources give the same indicator, region and
period, which figure the series shows, and how each other figure agrees with it.

The headline is the figure of the most reliable source (primary, then secondary, then
unverified); between sources equally reliable, the later document (an undated one counts as
the earliest), then the code. Every other figure at the point is its witness, and says how
it agrees with the headline, compared in the normalized unit:
- `equal`: the same value;
- `within_rounding`: apart by no more than half a unit of the last digit either printed
  (2458.8 and 2458.79 agree; 2458.8 and 2459 agree to the nearest 亿元);
- `consistent`: one is worded as a bound or an estimate and the other fits it: 突破/超过
  (more_than) below the other value, a range that holds it, or 近/约 (approximately) within
  5% of it;
- `conflicting`: none of these. A conflicting witness enters the record only with a
  `conflict_note` saying why both are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.rules.qualifiers import Qualifier
from app.rules.sources import RELIABILITY_RANK, Reliability

# How far an approximate figure (近, 约) may sit from an exact one and still be consistent.
APPROXIMATE_WITHIN = Decimal("0.05")


class Agreement(StrEnum):
    """How a witness agrees with its point's headline figure."""

    equal = "equal"
    within_rounding = "within_rounding"
    consistent = "consistent"
    conflicting = "conflicting"


@dataclass(frozen=True, slots=True)
class Figure:
    """What ranking and comparing a figure needs: its source's standing, its normalized
    value (and upper end), how precisely it was printed, and its wording."""

    code: str
    reliability: Reliability
    published: date | None
    normalized: Decimal
    normalized_max: Decimal | None
    # Half a unit of the last printed digit, in the normalized unit (0 when unknown).
    half_step: Decimal
    qualifier: Qualifier


def half_step(printed: str | None, value: Decimal, factor: Decimal) -> Decimal:
    """Half a unit of the last digit of a figure as printed (or, for a derived value, as
    stored), in the normalized unit: 2458.8 亿元 → 0.05 亿元 → 5,000,000 CNY."""
    digits = (printed or "").lstrip("-−")
    if digits.replace(".", "", 1).isdigit():
        decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    else:
        exponent = value.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return Decimal(1).scaleb(-decimals) / 2 * factor


def headline_order(figure: Figure) -> tuple[int, int, str]:
    """Sort key: the headline first (see the module's rule)."""
    day = figure.published.toordinal() if figure.published else 0
    return (RELIABILITY_RANK[figure.reliability], -day, figure.code)


def agreement(witness: Figure, headline: Figure) -> Agreement:
    """How `witness` agrees with `headline`."""
    if witness.normalized == headline.normalized and witness.normalized_max == (
        headline.normalized_max
    ):
        return Agreement.equal
    exact = {Qualifier.exact, Qualifier.cumulative, Qualifier.rank}
    if witness.qualifier in exact and headline.qualifier in exact:
        tolerance = max(witness.half_step, headline.half_step)
        if abs(witness.normalized - headline.normalized) <= tolerance:
            return Agreement.within_rounding
        return Agreement.conflicting
    if _fits(witness, headline) or _fits(headline, witness):
        return Agreement.consistent
    return Agreement.conflicting


def _fits(worded: Figure, other: Figure) -> bool:
    # `worded` is a bound or an estimate; does `other`'s value fall where it says?
    value = other.normalized
    if worded.qualifier is Qualifier.more_than:
        return value >= worded.normalized
    if worded.qualifier is Qualifier.range and worded.normalized_max is not None:
        return worded.normalized <= value <= worded.normalized_max
    if worded.qualifier is Qualifier.approximately and worded.normalized:
        return abs(value - worded.normalized) <= abs(worded.normalized) * APPROXIMATE_WITHIN
    return False


def rank_point(figures: list[Figure]) -> dict[str, tuple[str | None, Agreement | None]]:
    """For each figure of one point: (the headline's code, or None for the headline itself;
    its agreement with the headline, or None for the headline)."""
    ordered = sorted(figures, key=headline_order)
    if not ordered:
        return {}
    headline = ordered[0]
    ranks: dict[str, tuple[str | None, Agreement | None]] = {headline.code: (None, None)}
    for witness in ordered[1:]:
        ranks[witness.code] = (headline.code, agreement(witness, headline))
    return ranks
