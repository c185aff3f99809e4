"""The record's checks of itself (app/rules/checks.py): interval arithmetic over the printed
rounding, the verdicts, and which figures a check can use."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.checks import (
    CheckKind,
    Interval,
    Moment,
    Names,
    Reading,
    moment_checks,
    run_checks,
)
from app.rules.qualifiers import Qualifier
from app.rules.sources import Reliability
from app.rules.witnesses import Agreement, Figure, half_step

YI = Decimal(100_000_000)
NAMES = Names(regions={}, indicators={}, sources={}, units={})


def reading(
    indicator: str,
    printed: str,
    qualifier: Qualifier = Qualifier.exact,
    *,
    factor: Decimal = YI,
    period: str = "2024",
    source: str = "bulletin",
    unit: str = "cny_100m",
) -> Reading:
    value = Decimal(printed)
    figure = Figure(
        code=f"{source}-{indicator}-{period}".replace("/", "-"),
        reliability=Reliability.primary,
        published=None,
        normalized=value * factor,
        normalized_max=None,
        half_step=half_step(printed, value, factor),
        qualifier=qualifier,
    )
    normalized = {
        YI: "CNY",
        Decimal(1): {"person": "person", "permille": "permille"}.get(unit, "percent"),
    }
    return Reading(
        figure, indicator, "140700", period, source, value, unit, factor, normalized[factor]
    )


def sectors(gdp: str, *parts: str) -> list[Reading]:
    names = ("value_added_primary", "value_added_secondary", "value_added_tertiary")
    return [reading("gdp", gdp)] + [reading(n, p) for n, p in zip(names, parts, strict=True)]


def only(checks: list, kind: CheckKind):  # type: ignore[no-untyped-def]
    found = [c for c in checks if c.kind is kind]
    assert len(found) == 1, [c.code for c in checks]
    return found[0]


def test_intervals_add_subtract_multiply_and_divide_by_their_ends() -> None:
    a, b = Interval(Decimal(1), Decimal(2)), Interval(Decimal(3), Decimal(5))
    assert a + b == Interval(Decimal(4), Decimal(7))
    assert a - b == Interval(Decimal(-4), Decimal(-1))
    assert -a * b == Interval(Decimal(-10), Decimal(-3))
    assert b / a == Interval(Decimal("1.5"), Decimal(5))
    with pytest.raises(ArithmeticError):
        _ = a / Interval(Decimal(-1), Decimal(1))


def test_parts_that_sum_within_the_printed_rounding() -> None:
    # Jinzhong 2024: 153.8 + 1051.7 + 1253.2 = 2458.7 against 2458.8; each printed to 0.1.
    check = only(
        run_checks(sectors("2458.8", "153.8", "1051.7", "1253.2"), {}, NAMES), CheckKind.parts_sum
    )
    assert (check.expected, check.actual, check.verdict) == (
        "2458.8",
        "2458.7",
        Agreement.within_rounding,
    )
    assert check.tolerance == "0.2"  # three parts and the total, each ±0.05
    assert check.unit == "cny_100m"
    assert [i.name for i in check.inputs] == ["primary", "secondary", "tertiary"]


@pytest.mark.parametrize(
    ("gdp", "parts", "verdict"),
    [
        ("2458.7", ("153.8", "1051.7", "1253.2"), Agreement.equal),
        ("2458.9", ("153.8", "1051.7", "1253.2"), Agreement.within_rounding),  # 0.2 apart
        ("2459.0", ("153.8", "1051.7", "1253.2"), Agreement.conflicting),  # 0.3 apart
    ],
)
def test_parts_against_a_total(gdp: str, parts: tuple[str, ...], verdict: Agreement) -> None:
    check = only(run_checks(sectors(gdp, *parts), {}, NAMES), CheckKind.parts_sum)
    low = Decimal(check.actual) - Decimal(check.tolerance)
    high = Decimal(check.actual) + Decimal(check.tolerance)
    # The verdict is what the tolerance says it is.
    assert (low <= Decimal(gdp) <= high) == (verdict is not Agreement.conflicting)
    assert check.verdict is verdict


def test_a_rate_against_its_numerator_and_denominator() -> None:
    figures = [
        reading("urban_resident_population", "2135193", factor=Decimal(1), unit="person"),
        reading("resident_population", "3338533", factor=Decimal(1), unit="person"),
        reading("urbanization_rate", "63.96", factor=Decimal(1), unit="percent"),
    ]
    check = only(run_checks(figures, {}, NAMES), CheckKind.rate)
    # To two places more than printed, trailing zeros dropped.
    assert Decimal(check.actual) == (Decimal(2135193) / Decimal(3338533) * 100).quantize(
        Decimal("0.0001")
    )
    assert check.verdict is Agreement.within_rounding
    figures[2] = reading("urbanization_rate", "63.90", factor=Decimal(1), unit="percent")
    assert only(run_checks(figures, {}, NAMES), CheckKind.rate).verdict is Agreement.conflicting


def test_an_approximate_change_is_consistent_within_five_percent() -> None:
    # 2458.8 less 近1000 gives about 1458.8 for 2020; the printed 2020 level is 1468.8.
    figures = [
        reading("gdp", "2458.8", source="report"),
        reading(
            "gdp_increase_since_2020",
            "1000",
            Qualifier.approximately,
            period="2020/2024",
            source="report",
        ),
        reading("gdp", "1468.8", period="2020", source="aggregator"),
    ]
    check = only(run_checks(figures, {}, NAMES), CheckKind.level_change)
    assert (check.expected, check.actual, check.verdict) == (
        "1468.8",
        "1458.8",
        Agreement.consistent,
    )
    assert check.expected_code == "aggregator-gdp-2020"
    # Were the 2020 level 1300, 近千亿 would not hold.
    figures[2] = reading("gdp", "1300", period="2020", source="aggregator")
    assert (
        only(run_checks(figures, {}, NAMES), CheckKind.level_change).verdict
        is Agreement.conflicting
    )


def test_a_change_without_the_earlier_level_or_a_bound_makes_no_check() -> None:
    alone = [
        reading("gdp", "2458.8"),
        reading("gdp_increase_since_2020", "1000", period="2020/2024"),
    ]
    assert run_checks(alone, {}, NAMES) == []
    bound = sectors("2458.8", "153.8", "1051.7", "1253.2")
    bound[1] = reading("value_added_primary", "150", Qualifier.more_than)
    assert [c.kind for c in run_checks(bound, {}, NAMES)] == []  # a bound has no upper end


def test_dates_of_two_accounts() -> None:
    def moment(code: str, period: str, account_of: str | None = None) -> Moment:
        return Moment(code, period, "s", "140722", account_of, "t", "t")

    checks = moment_checks(
        [
            moment("opening", "2025-01-27"),
            moment("same-day", "2025-01-27", "opening"),
            moment("that-month", "2025-01", "opening"),
            moment("announced", "2025-01-20", "opening"),
        ],
        NAMES,
    )
    verdicts = {c.code: c.verdict for c in checks}
    assert verdicts == {
        "same-moment-same-day": Agreement.equal,
        "same-moment-that-month": Agreement.consistent,
        "same-moment-announced": Agreement.conflicting,
    }
