"""The two languages of the API and how a client's Accept-Language picks one."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class Language(StrEnum):
    """A language every name, title and description exists in."""

    zh = "zh"
    en = "en"


DEFAULT_LANGUAGE = Language.zh  # the language of the sources


def negotiate(accept_language: str | None) -> Language:
    """Pick zh or en from an Accept-Language header (RFC 9110 12.5.4), by quality value.

    Tags match on their primary subtag (zh-CN, zh-Hans → zh; en-GB → en); `*` stands for
    every language not named; q=0 refuses a language; a quality that is not a number from 0
    to 1 counts as 0. Between equal qualities the tag listed first wins; with nothing
    acceptable, the default.
    """
    named: dict[Language, tuple[float, int]] = {}
    wildcard: tuple[float, int] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = _quality(params)
        primary = tag.strip().lower().split("-")[0]
        if primary == "*":
            wildcard = wildcard or (quality, position)
        elif primary in Language.__members__:
            named.setdefault(Language(primary), (quality, position))
    ranked = []
    for language in Language:
        quality, position = named.get(language) or wildcard or (0.0, 0)
        if quality > 0:
            ranked.append((-quality, position, language is not DEFAULT_LANGUAGE, language))
    return min(ranked)[3] if ranked else DEFAULT_LANGUAGE


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0  # NaN fails both comparisons
    return 1.0


def pick(language: Language, zh: T, en: T) -> T:
    """The text (or list of texts) in `language`."""
    return zh if language is Language.zh else en
