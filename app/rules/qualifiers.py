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


# Words that, printed just before a figure, demand a qualifier; and that a qualifier demands.
MARKERS: dict[Qualifier, tuple[str, ...]] = {
    Qualifier.approximately: ("近", "约", "将近", "接近"),
    Qualifier.more_than: ("突破", "超过", "逾"),
    Qualifier.cumulative: ("累计",),
}
# How far before the figure a marker may stand and still govern it ("累计建成22座").
_MARKER_REACH = 4


def wording_problems(
    qualifier: Qualifier, quote: str, figure: str | None, has_upper: bool
) -> list[str]:
    """Say what is wrong with `qualifier` for `figure` as printed in `quote` (empty if nothing)."""
    problems: list[str] = []
    if qualifier is Qualifier.range and not has_upper:
        problems.append("qualifier 'range' needs value_max")
    if qualifier is not Qualifier.range and has_upper:
        problems.append(f"value_max is only for qualifier 'range', not {qualifier.value!r}")
    if figure is None:
        return problems
    if qualifier is Qualifier.rank and not figure.startswith("第"):
        problems.append(f"qualifier 'rank' needs an ordinal figure (第N), got {figure!r}")
    at = quote.find(figure)
    before = quote[max(0, at - _MARKER_REACH) : max(0, at)] if at >= 0 else ""
    for marked, words in MARKERS.items():
        present = [w for w in words if w in before]
        if present and qualifier is not marked:
            problems.append(
                f"the quote says {present[0]!r} before {figure!r}, "
                f"so the qualifier must be {marked.value!r}, not {qualifier.value!r}"
            )
        if qualifier is marked and not present:
            problems.append(
                f"qualifier {marked.value!r} needs one of {', '.join(words)} "
                f"just before {figure!r} in the quote"
            )
    return problems
