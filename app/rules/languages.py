"""The two languages of the API and how a client's Accept-Language picks one."""

from __future__ import annotations

from enum import StrEnum


class Language(StrEnum):
    """A language every name, title and description exists in."""

    zh = "zh"
    en = "en"


DEFAULT_LANGUAGE = Language.zh  # the language of the sources


def negotiate(accept_language: str | None) -> Language:
    """Pick zh or en from an Accept-Language header (RFC 9110 12.5.4), by quality value.

    Tags are matched on their primary subtag (zh-CN, zh-Hans → zh; en-GB → en); `*` accepts
    the default. Anything unreadable or unmatched gives the default.
    """
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        language = DEFAULT_LANGUAGE if primary == "*" else Language.__members__.get(primary)
        if language is None or quality <= 0:
            continue
        # Higher quality wins; between equals, the earlier tag.
        candidate = (quality, -position, language)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else DEFAULT_LANGUAGE


def pick(language: Language, zh: str, en: str) -> str:
    """The text in `language`."""
    return zh if language is Language.zh else en
