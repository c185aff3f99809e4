"""The shared rules: periods parse strictly, figures read back to numbers, qualifiers follow the
wording, quotes match regardless of whitespace, errata must fit the text, derivations compute."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules.derivation import evaluate, formula_names
from app.rules.figures import locate_figure, read_figure
from app.rules.languages import Language, negotiate
from app.rules.periods import PeriodPrecision, parse_period, period_bound
from app.rules.qualifiers import Qualifier, wording_problems
from app.rules.texts import Correction, apply_errata, contains_quote


@pytest.mark.parametrize(
    ("label", "start", "end", "precision"),
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31), PeriodPrecision.year),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), PeriodPrecision.month),
        ("2025-01-27", date(2025, 1, 27), date(2025, 1, 27), PeriodPrecision.day),
        ("2021/2025", date(2021, 1, 1), date(2025, 12, 31), PeriodPrecision.span),
        ("2025-09/2025-10-24", date(2025, 9, 1), date(2025, 10, 24), PeriodPrecision.span),
        ("../2025", None, date(2025, 12, 31), PeriodPrecision.span),
    ],
)
def test_parse_period_valid(
    label: str, start: date | None, end: date, precision: PeriodPrecision
) -> None:
    period = parse_period(label)
    assert (period.start, period.end, period.precision) == (start, end, precision)


@pytest.mark.parametrize(
    "label", ["24", "2024-13", "2025-02-30", "2025/2021", "2024/..", "2024-1", "x"]
)
def test_parse_period_invalid(label: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_period(label)


def test_period_bound_gives_first_or_last_day() -> None:
    assert period_bound("2024-02", upper=False) == date(2024, 2, 1)
    assert period_bound("2024-02", upper=True) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("printed", "value", "upper"),
    [
        ("2458.8", Decimal("2458.8"), None),
        ("1,200", Decimal(1200), None),
        ("千", Decimal(1000), None),
        ("三", Decimal(3), None),
        ("第二", Decimal(2), None),
        ("两三", Decimal(2), Decimal(3)),
        ("二十万", Decimal(200000), None),
        ("一千二百", Decimal(1200), None),
    ],
)
def test_read_figure(printed: str, value: Decimal, upper: Decimal | None) -> None:
    assert read_figure(printed) == (value, upper)


@pytest.mark.parametrize("printed", ["", "abc", "2.4.5", "约"])
def test_read_figure_rejects_non_numbers(printed: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        read_figure(printed)


@pytest.mark.parametrize(
    ("quote", "figure", "unit", "span"),
    [
        ("2020年以来近20万户", "20", "万户", (8, 12)),  # not the "20" inside "2020"
        ("比值为2.15,比2020年缩小0.17", "2.15", None, (3, 7)),
        ("比值为2.155", "2.15", None, None),  # a longer number is not this figure
        ("三十天", "三", "天", None),
        ("对接,三天办结", "三", "天", (3, 5)),
        ("全省第二", "第二", None, (2, 4)),
        ("2458.8 亿元", "2458.8", "亿元", None),  # callers squeeze whitespace first
    ],
)
def test_locate_figure(
    quote: str, figure: str, unit: str | None, span: tuple[int, int] | None
) -> None:
    assert locate_figure(quote, figure, unit) == span


@pytest.mark.parametrize(
    ("qualifier", "quote", "figure", "unit", "problem"),
    [
        (Qualifier.approximately, "比上年增长近千亿元", "千", "亿元", None),
        (Qualifier.exact, "比上年增长近千亿元", "千", "亿元", "must be 'approximately'"),
        (Qualifier.exact, "2020年以来近20万户", "20", "万户", "must be 'approximately'"),
        (Qualifier.approximately, "覆盖20万户左右", "20", "万户", None),
        (Qualifier.exact, "覆盖20万户左右", "20", "万户", "must be 'approximately'"),
        (Qualifier.more_than, "外贸实绩企业突破200户", "200", "户", None),
        (Qualifier.exact, "外贸实绩企业突破200户", "200", "户", "must be 'more_than'"),
        (Qualifier.exact, "企业200户以上", "200", "户", "must be 'more_than'"),
        (Qualifier.cumulative, "全市已累计建成22座", "22", "座", None),
        (Qualifier.cumulative, "全市已建成22座", "22", "座", "needs one of 累计"),
        (Qualifier.more_than, "全市已建成22座", "22", "座", "needs one of 突破"),
        (Qualifier.rank, "稳居全省第二", "第二", None, None),
        (Qualifier.rank, "稳居全省2", "2", None, "ordinal"),
    ],
)
def test_wording_problems(
    qualifier: Qualifier, quote: str, figure: str, unit: str | None, problem: str | None
) -> None:
    span = locate_figure(quote, figure, unit)
    assert span is not None
    problems = wording_problems(qualifier, quote, figure, span, has_upper=False)
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_wording_problems_range_needs_upper_and_only_range_has_one() -> None:
    span = (1, 3)
    assert wording_problems(Qualifier.range, "没两三个月", "两三", span, has_upper=True) == []
    assert wording_problems(Qualifier.range, "没两三个月", "两三", span, has_upper=False)
    assert wording_problems(Qualifier.exact, "没两三个月", "两三", span, has_upper=True)


def test_contains_quote_ignores_whitespace_only() -> None:
    text = "老区群众期盼 了75年的铁路"
    assert contains_quote(text, "期盼了75年")
    assert contains_quote(text, "期盼 了 75 年")
    assert not contains_quote(text, "期盼了76年")
    assert not contains_quote(text, "   ")


def test_apply_errata_in_order_and_reports_misfits() -> None:
    corrected, problems = apply_errata(
        "昔 阳 and 并下", [Correction("昔 阳", "昔阳"), Correction("并下", "井下")]
    )
    assert (corrected, problems) == ("昔阳 and 井下", [])
    _, problems = apply_errata("a a", [Correction("a", "b"), Correction("zzz", "y")])
    assert [index for index, _ in problems] == [0, 1]
    assert "matches 2 time(s)" in problems[0][1]
    assert "matches 0 time(s)" in problems[1][1]


def test_evaluate_formula_exactly() -> None:
    inputs = {"ratio_2024": Decimal("2.15"), "change": Decimal("-0.17")}
    assert evaluate("ratio_2024 - change", inputs) == Decimal("2.32")
    assert evaluate("(a + b) * 2 / 4", {"a": Decimal(1), "b": Decimal(3)}) == Decimal(2)
    assert formula_names("ratio_2024 - change") == {"ratio_2024", "change"}


@pytest.mark.parametrize("formula", ["__import__('os')", "a ** 2", "a.b", "[a]", "a +"])
def test_formula_rejects_anything_but_arithmetic(formula: str) -> None:
    with pytest.raises(ValueError, match="formula"):
        formula_names(formula)


def test_evaluate_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="not among its inputs"):
        evaluate("a + c", {"a": Decimal(1)})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Language.zh),
        ("", Language.zh),
        ("en", Language.en),
        ("en-US,en;q=0.9", Language.en),
        ("zh-CN,zh;q=0.9,en;q=0.8", Language.zh),
        ("fr;q=1.0, en;q=0.3, zh;q=0.7", Language.zh),
        ("en;q=0.7, zh;q=0.7", Language.en),  # equal quality: the first listed
        ("en;q=0", Language.zh),  # q=0 means "not acceptable"
        ("*", Language.zh),
        ("en;q=abc", Language.zh),
        ("de-DE", Language.zh),
        ("zh;q=0, *", Language.en),  # Chinese refused, anything else welcome
        ("*;q=0.5, en;q=0.4", Language.zh),
        ("en;q=nan, zh;q=0.5", Language.zh),
        ("en;q=2", Language.zh),  # out of range: not acceptable
        ("en;q=-1, zh", Language.zh),
    ],
)
def test_negotiate_language(header: str | None, expected: Language) -> None:
    assert negotiate(header) is expected
