"""The series rules: the period before a period is of its own kind; transforms are exact
decimals, rounded half away from zero to two places for a percent change and an index, and
null with a reason (never 0) for a gap, a zero divisor, a bound, a range or a rank; an
approximate input makes an approximate result; ties share a rank; frequency reads periods."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.rules.periods import parse_period
from app.rules.qualifiers import Qualifier
from app.rules.series import (
    Figure,
    Frequency,
    Transform,
    apply_transform,
    competition_ranks,
    frequency,
    in_unit,
    not_comparable,
    previous_period,
)


def figure(code: str, value: str, period: str, qualifier: Qualifier = Qualifier.exact) -> Figure:
    return Figure(code, Decimal(value), qualifier, parse_period(period))


@pytest.mark.parametrize(
    ("label", "before"),
    [
        ("2024", "2023"),
        ("2025-01", "2024-12"),
        ("2024-03-01", "2024-02-29"),
        ("2021/2025", "2016/2020"),
        ("2025-09/2025-10", "2025-07/2025-08"),
        ("../2025", None),
        ("2024-12/2025", None),  # ends of different precisions: no span of its kind before
    ],
)
def test_previous_period_is_of_the_same_kind(label: str, before: str | None) -> None:
    previous = previous_period(parse_period(label))
    assert (previous.label if previous else None) == before


def test_change_is_exact_and_pct_change_rounds_half_away_from_zero() -> None:
    now, then = figure("b", "688.05", "2018"), figure("a", "594.99", "2017")
    change = apply_transform(Transform.change, now, then, "gap")
    assert change.value == Decimal("93.06")
    assert change.inputs == (("current", "b"), ("previous", "a"))
    # 688.05 / 594.99 = 1.1564060...: 15.64
    assert apply_transform(Transform.pct_change, now, then, "gap").value == Decimal("15.64")
    # (1.00005 / 1 - 1) × 100 is 0.005 exactly (as decimals; no float holds it): a half,
    # rounded away from zero either way.
    half = apply_transform(
        Transform.pct_change, figure("c", "1.00005", "2002"), figure("d", "1", "2001"), ""
    )
    assert half.value == Decimal("0.01")
    falling = apply_transform(
        Transform.pct_change, figure("e", "0.99995", "2002"), figure("f", "1", "2001"), ""
    )
    assert falling.value == Decimal("-0.01")


def test_index_is_100_at_its_base() -> None:
    base = figure("a", "418.28", "2010")
    assert apply_transform(Transform.index, base, base, "").value == Decimal("100.00")


def test_transform_gives_null_with_a_reason_never_zero() -> None:
    now = figure("b", "5", "2024")
    gap = apply_transform(Transform.change, now, None, "no figure for 2023")
    assert (gap.value, gap.qualifier, gap.reason) == (None, None, "no figure for 2023")
    assert gap.inputs == (("current", "b"),)
    zero = apply_transform(Transform.pct_change, now, figure("a", "0", "2023"), "")
    assert zero.value is None
    assert zero.reason == "the previous figure a is zero"
    # A change from zero is a number: nothing is divided.
    assert apply_transform(Transform.change, now, figure("a", "0", "2023"), "").value == 5
    for qualifier in (Qualifier.more_than, Qualifier.range, Qualifier.rank):
        bound = apply_transform(Transform.change, now, figure("a", "1", "2023", qualifier), "")
        assert bound.value is None
        assert bound.reason
        assert bound.reason.startswith("a is a")


def test_approximate_input_makes_an_approximate_result() -> None:
    rough = figure("a", "2.32", "2020", Qualifier.approximately)
    result = apply_transform(Transform.index, figure("b", "2.15", "2024"), rough, "")
    assert (result.value, result.qualifier) == (Decimal("92.67"), Qualifier.approximately)
    exact = apply_transform(
        Transform.change, figure("b", "3", "2024"), figure("a", "2", "2023"), ""
    )
    assert exact.qualifier is Qualifier.exact


def test_in_unit_converts_exactly() -> None:
    # 1 万亿元 (factor 1e12) is 10000 亿元 (factor 1e8); 1.5 倍 (100) is 150 percent (1).
    assert in_unit(1, 1e12, 1e8) == 10000
    assert in_unit(1.5, 100, 1) == 150
    assert in_unit(2458.8, 1e8, 1e8) == Decimal("2458.8")


def test_ranks_share_ties() -> None:
    values = [Decimal(v) for v in ["9", "7", "7.0", "5", "5", "5", "1"]]
    assert competition_ranks(values) == [1, 2, 2, 4, 4, 4, 7]
    assert competition_ranks([]) == []


def test_only_exact_amounts_are_comparable() -> None:
    assert not_comparable(Qualifier.exact) is None
    assert not_comparable(Qualifier.cumulative) is None
    for qualifier in (
        Qualifier.approximately,
        Qualifier.more_than,
        Qualifier.range,
        Qualifier.rank,
    ):
        assert not_comparable(qualifier)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["2020", "2021"], Frequency.annual),
        (["2025-09"], Frequency.monthly),
        (["2025-01-27", "2020-11-01"], Frequency.point_in_time),
        (["2021/2025", "2020/2021"], Frequency.multi_year),
        (["../2025-10-24"], Frequency.irregular),
        (["2024-03-26/2025-01-27"], Frequency.irregular),
        (["2024", "2021/2025"], Frequency.mixed),
        ([], None),
    ],
)
def test_frequency_reads_the_periods(labels: list[str], expected: Frequency | None) -> None:
    assert frequency(parse_period(label) for label in labels) == expected
