"""How a witness agrees with the figure its point shows (app/rules/witnesses.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules.qualifiers import Qualifier
from app.rules.sources import Reliability
from app.rules.witnesses import Agreement, Figure, agreement, half_step, rank_point

YI = Decimal(100_000_000)  # 亿元 in CNY


def figure(
    code: str,
    printed: str,
    qualifier: Qualifier = Qualifier.exact,
    reliability: Reliability = Reliability.primary,
    published: date | None = date(2025, 4, 3),
    upper: str | None = None,
) -> Figure:
    value = Decimal(printed)
    return Figure(
        code=code,
        reliability=reliability,
        published=published,
        normalized=value * YI,
        normalized_max=None if upper is None else Decimal(upper) * YI,
        half_step=half_step(printed, value, YI),
        qualifier=qualifier,
    )


@pytest.mark.parametrize(
    ("witness", "headline", "expected"),
    [
        (figure("w", "2458.8"), figure("h", "2458.8"), Agreement.equal),
        (figure("w", "2459"), figure("h", "2458.8"), Agreement.within_rounding),  # to 1 亿元
        (figure("w", "2458.79"), figure("h", "2458.8"), Agreement.within_rounding),
        (figure("w", "2458.6"), figure("h", "2458.8"), Agreement.conflicting),
        # 近千亿 (approximately 1000) against an exact 990: within 5%.
        (figure("w", "1000", Qualifier.approximately), figure("h", "990"), Agreement.consistent),
        (figure("w", "1000", Qualifier.approximately), figure("h", "900"), Agreement.conflicting),
        # 突破2000亿 against 1843.4: the bound is not met.
        (figure("w", "2000", Qualifier.more_than), figure("h", "1843.4"), Agreement.conflicting),
        (figure("w", "2000", Qualifier.more_than), figure("h", "2458.8"), Agreement.consistent),
        (figure("w", "2", Qualifier.range, upper="3"), figure("h", "2.5"), Agreement.consistent),
    ],
)
def test_agreement(witness: Figure, headline: Figure, expected: Agreement) -> None:
    assert agreement(witness, headline) is expected


def test_the_most_reliable_source_heads_the_point_then_the_later_document() -> None:
    report = figure(
        "report", "2458.8", reliability=Reliability.secondary, published=date(2025, 10, 24)
    )
    bulletin = figure("bulletin", "2458.8")
    undated = figure("aggregator", "2458.8", reliability=Reliability.secondary, published=None)
    ranks = rank_point([report, undated, bulletin])
    assert ranks == {
        "bulletin": (None, None),
        "report": ("bulletin", Agreement.equal),
        "aggregator": ("bulletin", Agreement.equal),
    }
    # Between equally reliable sources, the later document; an undated one counts as earliest.
    assert rank_point([undated, report])["aggregator"] == ("report", Agreement.equal)


def test_half_step_follows_the_printed_digits() -> None:
    assert half_step("2458.8", Decimal("2458.8"), YI) == Decimal("0.05") * YI
    assert half_step("20", Decimal(20), Decimal(10_000)) == Decimal("0.5") * 10_000
    assert half_step(None, Decimal("2.32"), Decimal(1)) == Decimal("0.005")
