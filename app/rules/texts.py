"""Source texts: applying errata, and finding a quote in a text regardless of whitespace."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Drop all whitespace: OCR line breaks put spaces inside Chinese sentences."""
    return _WHITESPACE.sub("", text)


def contains_quote(text: str, quote: str) -> bool:
    """True if `quote` appears verbatim in `text`, ignoring whitespace in both."""
    needle = squeeze(quote)
    return bool(needle) and needle in squeeze(text)


@dataclass(frozen=True, slots=True)
class Correction:
    """One erratum: `original` is replaced by `corrected`, expected `occurrences` times."""

    original: str
    corrected: str
    occurrences: int = 1


def apply_errata(text: str, errata: Iterable[Correction]) -> tuple[str, list[tuple[int, str]]]:
    """Apply errata in order; return the corrected text and (index, problem) per misfit.

    An erratum that matches more or fewer times than it says is a problem, not a silent
    no-op: the errata list must describe the text it is applied to exactly.
    """
    problems: list[tuple[int, str]] = []
    for index, fix in enumerate(errata):
        found = text.count(fix.original)
        if found != fix.occurrences:
            problems.append(
                (
                    index,
                    f"{fix.original!r} matches {found} time(s) in the text, "
                    f"expected {fix.occurrences}",
                )
            )
            continue
        text = text.replace(fix.original, fix.corrected)
    return text, problems
