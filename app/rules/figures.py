"""Reading a figure as printed (2458.8, 20, 千, 两三, 第二) back into the number it states."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_ARABIC = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


def _chinese_number(text: str) -> Decimal:
    total = section = digit = 0
    seen = False
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
            seen = True
        elif char in _SMALL_UNITS:
            # A bare unit (千, 十) means one of it.
            section += (digit or 1) * _SMALL_UNITS[char]
            digit = 0
            seen = True
        elif char in _BIG_UNITS:
            total += (section + digit) * _BIG_UNITS[char]
            section = digit = 0
            seen = True
        else:
            raise ValueError(f"{text!r} is not a number")
    if not seen:
        raise ValueError(f"{text!r} is not a number")
    return Decimal(total + section + digit)


def read_figure(text: str) -> tuple[Decimal, Decimal | None]:
    """Return (value, upper) for a printed figure; upper is set only for a range such as 两三.

    Accepts Arabic numerals (with thousands separators and a printed minus sign), Chinese
    numerals, 半 (a half), ordinals (第二) and the colloquial ranges of two adjacent digits
    (两三 = 2 to 3, 三五 = 3 to 5).
    """
    text = text.strip()
    if text[:1] in ("-", "−") and _ARABIC.match(text[1:]):
        return -read_figure(text[1:])[0], None
    if text == "半":
        return Decimal("0.5"), None
    if text.startswith("第"):
        text = text[1:]
    if _ARABIC.match(text):
        try:
            return Decimal(text.replace(",", "")), None
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise ValueError(f"{text!r} is not a number") from None
    if len(text) == 2 and all(c in _DIGITS for c in text):
        low, high = (Decimal(_DIGITS[c]) for c in text)
        if high > low:
            return low, high
    return _chinese_number(text), None


# Characters that continue a number: a figure must not start or end next to one of these,
# so "20" is not found inside "2020" nor "三" inside "三十". (A comma is punctuation here:
# the source prints Chinese commas as ",".)
_NUMBER_CHARS = set("0123456789.") | set(_DIGITS) | set(_SMALL_UNITS) | set(_BIG_UNITS)


def locate_figure(quote: str, figure: str, unit_symbol: str | None) -> tuple[int, int] | None:
    """Find where `figure` (followed by `unit_symbol`, if printed) stands in `quote`.

    Returns the (start, end) of figure and unit, or None. A match must stand alone as a
    number: the characters around it may not extend it.
    """
    printed = figure + (unit_symbol or "")
    start = quote.find(printed)
    while start >= 0:
        end = start + len(printed)
        alone_before = start == 0 or quote[start - 1] not in _NUMBER_CHARS
        alone_after = unit_symbol or end == len(quote) or quote[end] not in _NUMBER_CHARS
        if alone_before and alone_after:
            return start, end
        start = quote.find(printed, start + 1)
    return None
