"""Checks the record makes about itself: figures that must add up, a rate against its
numerator and denominator, a level against its printed change, one source against another.

Every printed figure stands for an interval, in its normalized unit: an exact figure for
half a unit of its last printed digit either side (2458.8 亿元 is 2458.75 to 2458.85), an
approximate one (近, 约) for 5% either side of that, a range for its two ends. A check
evaluates its formula over those intervals (interval arithmetic), so its tolerance is what
the printed rounding allows and nothing more, and compares the result with the figure it
expects. The verdict uses the witnesses' vocabulary (app/rules/witnesses.py):
- `equal`: the formula over the printed values gives the expected value exactly;
- `within_rounding`: the intervals overlap, every figure being exact;
- `consistent`: the intervals overlap thanks to a figure worded as an estimate or range;
- `conflicting`: they do not overlap. The record keeps a conflicting check only when one of
  its figures (or events) carries a `conflict_note` saying why.

Figures worded as a bound (突破, 超过) or a rank enter no arithmetic check: a bound has no
upper end to add, a rank is no quantity.

Which checks exist follows from the data: the identities below apply wherever one source
gives all their figures for one region and period; a change applies wherever the record
also has the level at both ends; every witness is checked against its point's headline;
every event told as another source's account of the same moment is checked against it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from enum import StrEnum

from app.rules.derivation import evaluate, evaluate_over
from app.rules.periods import Period, PeriodPrecision, parse_period
from app.rules.qualifiers import Qualifier
from app.rules.witnesses import APPROXIMATE_WITHIN, Agreement, Figure, agreement, headline_order


class CheckKind(StrEnum):
    """What a check compares."""

    parts_sum = "parts_sum"
    shares_sum = "shares_sum"
    rate = "rate"
    natural_growth = "natural_growth"
    level_change = "level_change"
    sources_agree = "sources_agree"
    same_moment = "same_moment"


@dataclass(frozen=True, slots=True)
class Interval:
    """The values a printed figure may stand for, in its normalized unit."""

    low: Decimal
    high: Decimal

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.low + other.low, self.high + other.high)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.low - other.high, self.high - other.low)

    def __mul__(self, other: Interval) -> Interval:
        ends = [a * b for a in (self.low, self.high) for b in (other.low, other.high)]
        return Interval(min(ends), max(ends))

    def __truediv__(self, other: Interval) -> Interval:
        if other.low <= 0 <= other.high:
            raise InvalidOperation("division by an interval that holds zero")
        return self * Interval(1 / other.high, 1 / other.low)

    def __neg__(self) -> Interval:
        return Interval(-self.high, -self.low)

    @property
    def half_width(self) -> Decimal:
        return (self.high - self.low) / 2

    def meets(self, other: Interval) -> bool:
        return self.low <= other.high and other.low <= self.high


@dataclass(frozen=True, slots=True)
class Reading:
    """A figure as the checks read it: where it belongs, how it was printed, and the
    interval it stands for."""

    figure: Figure
    indicator: str
    region: str
    period: str
    source: str
    value: Decimal  # as printed, in `unit`
    unit: str
    factor: Decimal  # `unit` in its normalized unit
    normalized_unit: str
    derived_from: frozenset[str] = frozenset()

    @property
    def code(self) -> str:
        return self.figure.code

    @property
    def exact(self) -> bool:
        return self.figure.qualifier in (Qualifier.exact, Qualifier.cumulative)

    @property
    def family(self) -> str:
        """What its normalized numbers count: a percentage point changes a percent."""
        return "percent" if self.normalized_unit == "percentage_point" else self.normalized_unit

    def interval(self) -> Interval | None:
        """The values it may stand for (None: a bound or a rank, which no sum can use)."""
        f = self.figure
        if f.qualifier in (Qualifier.exact, Qualifier.cumulative):
            return Interval(f.normalized - f.half_step, f.normalized + f.half_step)
        if f.qualifier is Qualifier.approximately:
            spread = abs(f.normalized) * APPROXIMATE_WITHIN + f.half_step
            return Interval(f.normalized - spread, f.normalized + spread)
        if f.qualifier is Qualifier.range and f.normalized_max is not None:
            return Interval(f.normalized - f.half_step, f.normalized_max + f.half_step)
        return None


@dataclass(frozen=True, slots=True)
class Moment:
    """An event as the date checks read it."""

    code: str
    period: str
    source: str
    region: str
    account_of: str | None
    title_zh: str
    title_en: str


@dataclass(frozen=True, slots=True)
class Names:
    """What a check's sentence calls things: (zh, en) by code."""

    regions: Mapping[str, tuple[str, str]]
    indicators: Mapping[str, tuple[str, str]]
    sources: Mapping[str, tuple[str, str]]
    units: Mapping[str, tuple[str, str]]  # (symbol as printed, English name)


@dataclass(frozen=True, slots=True)
class CheckInput:
    """One figure (or event) a check reads, under the name its formula gives it."""

    name: str
    code: str


@dataclass
class Check:
    """One check's result. `expected`, `actual` and `tolerance` are in `unit` (the expected
    figure's unit as printed); for a date check they are periods and `unit` is None."""

    code: str
    kind: CheckKind
    region: str
    title_zh: str
    title_en: str
    formula: str
    inputs: list[CheckInput]
    expected_code: str | None  # None: a constant (shares sum to 100)
    expected: str
    actual: str
    tolerance: str | None
    unit: str | None
    verdict: Agreement
    sentence_zh: str = ""
    sentence_en: str = ""
    # The conflict_notes of its records that explain a conflicting check.
    conflict_note: str | None = None
    # What it is about, for filtering.
    regions: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)

    @property
    def records(self) -> list[str]:
        """The codes of every figure or event it reads, the expected one included."""
        codes = [i.code for i in self.inputs]
        return codes + ([self.expected_code] if self.expected_code else [])


@dataclass(frozen=True, slots=True)
class _Identity:
    kind: CheckKind
    inputs: Mapping[str, str]  # formula name -> indicator
    formula: str
    expected: str | None  # the indicator it must equal, or None for `constant`
    title_zh: str
    title_en: str
    constant: Decimal = Decimal(0)  # in the normalized unit
    constant_unit: str = ""
    # A rate (a quotient times 100, in percent) rather than a sum or difference of
    # figures all counted in one unit.
    rate: bool = False


# Identities that hold within one source's figures for one region and period.
IDENTITIES: tuple[_Identity, ...] = (
    _Identity(
        CheckKind.parts_sum,
        {
            "primary": "value_added_primary",
            "secondary": "value_added_secondary",
            "tertiary": "value_added_tertiary",
        },
        "primary + secondary + tertiary",
        "gdp",
        "{region}{period}年三次产业增加值之和等于地区生产总值",
        "{region} {period}: the three sectors' value added sums to GDP",
    ),
    _Identity(
        CheckKind.shares_sum,
        {"primary": "share_primary", "secondary": "share_secondary", "tertiary": "share_tertiary"},
        "primary + secondary + tertiary",
        None,
        "{region}{period}年三次产业结构之和为100%",
        "{region} {period}: the three sectors' shares sum to 100%",
        constant=Decimal(100),
        constant_unit="percent",
    ),
    _Identity(
        CheckKind.rate,
        {"urban": "urban_resident_population", "resident": "resident_population"},
        "urban / resident * 100",
        "urbanization_rate",
        "{region}{period}年城镇常住人口除以常住人口等于城镇化率",
        "{region} {period}: urban residents over residents give the urbanization rate",
        rate=True,
    ),
    _Identity(
        CheckKind.natural_growth,
        {"births": "birth_rate", "deaths": "death_rate"},
        "births - deaths",
        "natural_growth_rate",
        "{region}{period}年出生率减死亡率等于自然增长率",
        "{region} {period}: the birth rate minus the death rate gives the natural growth rate",
    ),
)

# A printed change and the level it changes. A change over one year (2024: since the end of
# 2023) or over an interval (2020/2024). A change in percentage points changes a level in
# percent: the normalized numbers subtract as they are.
CHANGES: Mapping[str, str] = {
    "gdp_increase_since_2020": "gdp",
    "urbanization_rate_change": "urbanization_rate",
    "resident_population_change": "resident_population",
    "urban_rural_income_ratio_change": "urban_rural_income_ratio",
    "share_primary_change": "share_primary",
    "share_secondary_change": "share_secondary",
    "share_tertiary_change": "share_tertiary",
}

VERDICT_WORDS: Mapping[Agreement, tuple[str, str]] = {
    Agreement.equal: ("两者相等", "they are equal"),
    Agreement.within_rounding: (
        "差值在所印数字的舍入误差以内",
        "they agree within the rounding of the printed figures",
    ),
    Agreement.consistent: (
        "与“近”“约”等措辞相符",
        "they are consistent with the wording (approximately, a range)",
    ),
    Agreement.conflicting: ("两者矛盾", "they conflict"),
}


def run_checks(
    readings: Sequence[Reading],
    headlines: Mapping[str, str | None],
    names: Names,
) -> list[Check]:
    """Every check the figures allow. `headlines` gives each figure's headline (None: it is
    the headline of its point)."""
    by_code = {r.code: r for r in readings}
    checks: list[Check] = []
    groups: dict[tuple[str, str, str], dict[str, Reading]] = defaultdict(dict)
    for reading in readings:
        groups[(reading.source, reading.region, reading.period)][reading.indicator] = reading
    for (source, region, period), figures in sorted(groups.items()):
        for identity in IDENTITIES:
            check = _identity_check(identity, source, region, period, figures, names)
            if check is not None:
                checks.append(check)
    points: dict[tuple[str, str, str], list[Reading]] = defaultdict(list)
    for reading in readings:
        points[(reading.indicator, reading.region, reading.period)].append(reading)
    for reading in sorted(readings, key=lambda r: r.code):
        if reading.indicator in CHANGES:
            check = _change_check(reading, points, headlines, names)
            if check is not None:
                checks.append(check)
        headline = headlines.get(reading.code)
        if headline is not None and headline in by_code:
            checks.append(_witness_check(reading, by_code[headline], names))
    return checks


def moment_checks(moments: Sequence[Moment], names: Names) -> list[Check]:
    """Each account of a moment against the event it retells: the same day, or a period
    that holds the other's."""
    by_code = {m.code: m for m in moments}
    checks = []
    for account in sorted(moments, key=lambda m: m.code):
        claim = by_code.get(account.account_of or "")
        if claim is None:
            continue
        told, retold = parse_period(claim.period), parse_period(account.period)
        if told.label == retold.label:
            verdict = Agreement.equal
        elif _holds(told, retold) or _holds(retold, told):
            verdict = Agreement.consistent
        else:
            verdict = Agreement.conflicting
        check = Check(
            code=f"same-moment-{account.code}",
            kind=CheckKind.same_moment,
            region=claim.region,
            title_zh=f"{claim.title_zh}:{_zh(names.sources, account.source)}所记日期",
            title_en=f"{claim.title_en}: the date {_en(names.sources, account.source)} gives",
            formula="account",
            inputs=[CheckInput("account", account.code)],
            expected_code=claim.code,
            expected=claim.period,
            actual=account.period,
            tolerance=None,
            unit=None,
            verdict=verdict,
            regions={claim.region, account.region},
            sources={claim.source, account.source},
        )
        zh_verdict, en_verdict = VERDICT_WORDS[verdict]
        check.sentence_zh = (
            f"{claim.title_zh}:{_zh(names.sources, claim.source)}记为{claim.period},"
            f"{_zh(names.sources, account.source)}记为{account.period}:{zh_verdict}。"
        )
        check.sentence_en = (
            f"{claim.title_en}: {_en(names.sources, claim.source)} dates it {claim.period}; "
            f"{_en(names.sources, account.source)} dates it {account.period}: {en_verdict}."
        )
        checks.append(check)
    return checks


def _holds(outer: Period, inner: Period) -> bool:
    # An open start ("../2025-01-20") holds anything that ends by its end.
    starts_after = outer.start is None or (inner.start or inner.end) >= outer.start
    return starts_after and inner.end <= outer.end


def _identity_check(
    identity: _Identity,
    source: str,
    region: str,
    period: str,
    figures: Mapping[str, Reading],
    names: Names,
) -> Check | None:
    inputs = {name: figures.get(indicator) for name, indicator in identity.inputs.items()}
    expected = figures.get(identity.expected) if identity.expected else None
    if any(r is None for r in inputs.values()) or (identity.expected and expected is None):
        return None
    present = {name: r for name, r in inputs.items() if r is not None}
    # Figures counted in different units do not add up (nor divide into a percent).
    families = {r.family for r in present.values()}
    result = "percent" if identity.rate else next(iter(families))
    wanted = expected.family if expected else identity.constant_unit
    if len(families) != 1 or result != wanted:
        return None
    labels = {"region": _zh(names.regions, region), "period": period}
    return _compare(
        code=f"{identity.kind.value.replace('_', '-')}-{source}-{region}-{_slug(period)}",
        kind=identity.kind,
        region=region,
        title_zh=identity.title_zh.format(**labels),
        title_en=identity.title_en.format(region=_en(names.regions, region), period=period),
        formula=identity.formula,
        inputs=present,
        expected=expected,
        constant=(identity.constant, identity.constant_unit),
        names=names,
    )


def _change_check(
    change: Reading,
    points: Mapping[tuple[str, str, str], list[Reading]],
    headlines: Mapping[str, str | None],
    names: Names,
) -> Check | None:
    level = CHANGES[change.indicator]
    ends = _ends(change.period)
    if ends is None:
        return None
    earlier_period, later_period = ends

    def pick(period: str) -> Reading | None:
        # The same source's figure if it gives one, else the point's headline; never a
        # figure derived from this change (that would check the change against itself).
        candidates = sorted(
            (
                r
                for r in points.get((level, change.region, period), [])
                if change.code not in r.derived_from and r.interval() is not None
            ),
            key=lambda r: headline_order(r.figure),
        )
        for r in candidates:
            if r.source == change.source:
                return r
        heads = [r for r in candidates if headlines.get(r.code) is None]
        ranked = heads or candidates
        return ranked[0] if ranked else None

    later, earlier = pick(later_period), pick(earlier_period)
    if later is None or earlier is None:
        return None
    if len({later.family, change.family, earlier.family}) != 1:
        return None  # a change counted in another unit than its level
    labels = (_zh(names.indicators, level), _en(names.indicators, level))
    return _compare(
        code=f"level-change-{change.code}",
        kind=CheckKind.level_change,
        region=change.region,
        title_zh=f"{_zh(names.regions, change.region)}{labels[0]}:{later_period}年水平减去"
        f"所印变化,与{earlier_period}年水平相符",
        title_en=f"{_en(names.regions, change.region)}, {labels[1]}: the {later_period} level "
        f"less its printed change gives the {earlier_period} level",
        formula="later - change",
        inputs={"later": later, "change": change},
        expected=earlier,
        constant=(Decimal(0), ""),
        names=names,
        derived=True,
    )


def _witness_check(witness: Reading, headline: Reading, names: Names) -> Check:
    verdict = agreement(witness.figure, headline.figure)
    unit, factor = headline.unit, headline.factor
    tolerance = max(witness.figure.half_step, headline.figure.half_step) / factor
    indicator = (_zh(names.indicators, witness.indicator), _en(names.indicators, witness.indicator))
    region = (_zh(names.regions, witness.region), _en(names.regions, witness.region))
    check = Check(
        code=f"sources-agree-{witness.code}",
        kind=CheckKind.sources_agree,
        region=witness.region,
        title_zh=f"{region[0]}{witness.period}年{indicator[0]}:"
        f"{_zh(names.sources, witness.source)}与{_zh(names.sources, headline.source)}一致",
        title_en=f"{region[1]} {witness.period}, {indicator[1]}: "
        f"{_en(names.sources, witness.source)} agrees with {_en(names.sources, headline.source)}",
        formula="witness",
        inputs=[CheckInput("witness", witness.code)],
        expected_code=headline.code,
        expected=_show(headline.value),
        actual=_show(witness.figure.normalized / factor),
        tolerance=_show(tolerance, up=True) if witness.exact and headline.exact else None,
        unit=unit,
        verdict=verdict,
        regions={witness.region},
        indicators={witness.indicator},
        sources={witness.source, headline.source},
    )
    _sentences(check, headline.source, names)
    return check


def _compare(
    *,
    code: str,
    kind: CheckKind,
    region: str,
    title_zh: str,
    title_en: str,
    formula: str,
    inputs: Mapping[str, Reading],
    expected: Reading | None,
    constant: tuple[Decimal, str],
    names: Names,
    derived: bool = False,
) -> Check | None:
    intervals = {name: r.interval() for name, r in inputs.items()}
    target = expected.interval() if expected else Interval(constant[0], constant[0])
    if target is None or any(i is None for i in intervals.values()):
        return None  # a bound or a rank: no arithmetic
    try:
        actual_range = evaluate_over(
            formula, {n: i for n, i in intervals.items() if i}, lambda c: Interval(c, c)
        )
        actual = evaluate(formula, {name: r.figure.normalized for name, r in inputs.items()})
    except (InvalidOperation, ZeroDivisionError):
        return None
    expected_value = expected.figure.normalized if expected else constant[0]
    exact = all(r.exact for r in inputs.values()) and (expected is None or expected.exact)
    if actual == expected_value and exact:
        verdict = Agreement.equal
    elif actual_range.meets(target):
        verdict = Agreement.within_rounding if exact else Agreement.consistent
    else:
        verdict = Agreement.conflicting
    # Shown in the expected figure's unit as printed.
    if expected is not None:
        factor, unit, shown_expected = expected.factor, expected.unit, _show(expected.value)
    else:
        factor, unit, shown_expected = Decimal(1), constant[1], _show(constant[0])
    places = max(_places(r.value) for r in [*inputs.values(), *([expected] if expected else [])])
    check = Check(
        code=code,
        kind=kind,
        region=region,
        title_zh=title_zh,
        title_en=title_en,
        formula=formula,
        inputs=[CheckInput(name, r.code) for name, r in inputs.items()],
        expected_code=expected.code if expected else None,
        expected=shown_expected,
        actual=_show(actual / factor, places + 2),
        tolerance=_show(
            (actual_range.half_width + target.half_width) / factor, places + 2, up=True
        ),
        unit=unit or None,
        verdict=verdict,
        regions={region} | {r.region for r in inputs.values()},
        indicators={r.indicator for r in inputs.values()}
        | ({expected.indicator} if expected else set()),
        sources={r.source for r in inputs.values()} | ({expected.source} if expected else set()),
    )
    _sentences(check, expected.source if expected else None, names, derived=derived)
    return check


def _sentences(
    check: Check, expected_source: str | None, names: Names, *, derived: bool = False
) -> None:
    """The check told in a sentence in each language; `derived`: `actual` is a level the
    check derived (marked so), not a sum of printed figures."""
    unit_zh, unit_en = names.units.get(check.unit or "", ("", check.unit or ""))
    zh_verdict, en_verdict = VERDICT_WORDS[check.verdict]
    source_zh = _zh(names.sources, expected_source) if expected_source else "定义"
    source_en = _en(names.sources, expected_source) if expected_source else "by definition"
    tolerance_zh = f",容差{check.tolerance}{unit_zh}" if check.tolerance else ""
    tolerance_en = f" (tolerance {check.tolerance} {unit_en})" if check.tolerance else ""
    check.sentence_zh = (
        f"{check.title_zh}:{check.formula} = {check.actual}{unit_zh}"
        f"{'(推算)' if derived else ''},"
        f"{source_zh}为{check.expected}{unit_zh}{tolerance_zh}:{zh_verdict}。"
    )
    check.sentence_en = (
        f"{check.title_en}: {check.formula} = {check.actual} {unit_en}"
        f"{' (derived)' if derived else ''}; {source_en}: {check.expected} {unit_en}"
        f"{tolerance_en}; {en_verdict}."
    )


def _ends(period: str) -> tuple[str, str] | None:
    """The periods a change runs between: 2020/2024 → (2020, 2024); 2024 → (2023, 2024)."""
    if "/" in period:
        first, _, last = period.partition("/")
        if first and last and first != "..":
            return first, last
        return None
    parsed = parse_period(period)
    if parsed.precision is PeriodPrecision.year:
        return str(int(period) - 1), period
    return None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _show(value: Decimal, places: int | None = None, *, up: bool = False) -> str:
    """A decimal as text: rounded to `places` if given (`up`: never below the value, for a
    tolerance), without trailing zeros."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), ROUND_CEILING if up else None)
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "") else text


def _slug(period: str) -> str:
    return period.replace("/", "-").replace(".", "")


def _zh(names: Mapping[str, tuple[str, str]], code: str) -> str:
    return names.get(code, (code, code))[0]


def _en(names: Mapping[str, tuple[str, str]], code: str) -> str:
    return names.get(code, (code, code))[1]


# Every indicator an identity or a change reads: the figures a write must re-check.
CHECKED_INDICATORS: frozenset[str] = frozenset(
    {i for identity in IDENTITIES for i in identity.inputs.values()}
    | {identity.expected for identity in IDENTITIES if identity.expected}
    | set(CHANGES)
    | set(CHANGES.values())
)
