"""Qualifiers keep a figure's wording honest; the words that call for each live here."""

from __future__ import annotations

from enum import StrEnum


class Qualifier(StrEnum):
    """How the published figure relates to the true value."""

    exact = "exact"
    approximately = "approximately"  # 近, 约, 左右
    more_than = "more_than"  # 突破, 超过, 逾
    cumulative = "cumulative"  # 累计
    rank = "rank"  # 第N
    range = "range"  # 两三: value is the low end, value_max the high end


# Words that, printed around a figure, demand a qualifier; and that a qualifier demands.
MARKERS_BEFORE: dict[Qualifier, tuple[str, ...]] = {
    Qualifier.approximately: ("近", "约", "将近", "接近"),
    Qualifier.more_than: ("突破", "超过", "逾"),
    Qualifier.cumulative: ("累计",),
}
MARKERS_AFTER: dict[Qualifier, tuple[str, ...]] = {
    Qualifier.approximately: ("左右", "上下"),
    Qualifier.more_than: ("以上", "有余"),
}
# How far from the figure a marker may stand and still govern it ("累计建成22座").
_REACH_BEFORE = 4
_REACH_AFTER = 2


def wording_problems(
    qualifier: Qualifier,
    quote: str,
    figure: str | None,
    span: tuple[int, int] | None,
    has_upper: bool,
) -> list[str]:
    """Say what is wrong with `qualifier` for a figure at `span` of `quote` (empty if nothing).

    `span` is where the figure and its unit stand (see figures.locate_figure); None for a
    derived value, which has no printed figure.
    """
    problems: list[str] = []
    if qualifier is Qualifier.range and not has_upper:
        problems.append("qualifier 'range' needs value_max")
    if qualifier is not Qualifier.range and has_upper:
        problems.append(f"value_max is only for qualifier 'range', not {qualifier.value!r}")
    if figure is None or span is None:
        return problems
    if qualifier is Qualifier.rank and not figure.startswith("第"):
        problems.append(f"qualifier 'rank' needs an ordinal figure (第N), got {figure!r}")
    before = quote[max(0, span[0] - _REACH_BEFORE) : span[0]]
    after = quote[span[1] : span[1] + _REACH_AFTER]
    for marked in Qualifier:
        words = MARKERS_BEFORE.get(marked, ()) + MARKERS_AFTER.get(marked, ())
        if not words:
            continue
        present = [w for w in MARKERS_BEFORE.get(marked, ()) if w in before]
        present += [w for w in MARKERS_AFTER.get(marked, ()) if w in after]
        if present and qualifier is not marked:
            problems.append(
                f"the quote says {present[0]!r} next to {figure!r}, "
                f"so the qualifier must be {marked.value!r}, not {qualifier.value!r}"
            )
        if qualifier is marked and not present:
            problems.append(
                f"qualifier {marked.value!r} needs one of {', '.join(words)} "
                f"next to {figure!r} in the quote"
            )
    return problems
