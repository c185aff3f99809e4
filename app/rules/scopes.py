"""What a curator's API key may do."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    """What a key may do: write curates data; admin may also do what later needs it."""

    write = "write"
    admin = "admin"
