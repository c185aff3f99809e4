"""Moments as the record keeps them: ISO 8601 in UTC with microseconds, text that sorts as
it reads, and the moment a publication day begins where it was published."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

# Where the sources are published: a publication date means that day there, not in UTC.
PUBLICATION_ZONE = timezone(timedelta(hours=8))


# A time as a client gives one: an ISO 8601 date, or date and time, with or without a zone.
ISO_MOMENT = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)


def iso_moment(value: object) -> object:
    """`value` unchanged if it is text in ISO 8601 (a number of seconds, which pydantic would
    read as a Unix time, is not what the API documents); a ValueError otherwise."""
    if isinstance(value, str) and not ISO_MOMENT.match(value):
        raise ValueError("not an ISO 8601 date or date and time (2025-10-24T12:00:00+08:00)")
    return value


def in_utc(at: datetime) -> datetime:
    """`at` in UTC (read as UTC if it has no zone); a ValueError if UTC cannot hold it (the
    first or last hours of years 1 and 9999 in a far zone)."""
    try:
        return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("out of the range of dates in UTC") from None


def moment(at: datetime) -> str:
    """A time as stored."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def now() -> str:
    """The current moment, as stored."""
    return moment(datetime.now(UTC))


def publication_moment(day: date) -> str:
    """The start of a publication day where it was published, as stored."""
    return moment(datetime.combine(day, datetime.min.time(), PUBLICATION_ZONE))


def first_public(published: date | None, read_on: date | None) -> str:
    """When a source's figures were first public: the start of its publication day, else
    (undated) of the day its copy was read, else now."""
    day = published or read_on
    return now() if day is None else publication_moment(day)
