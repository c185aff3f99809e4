"""Unit conversion: the published value times the unit's factor gives the normalized value."""

from __future__ import annotations

from decimal import Decimal


def normalize(value: Decimal, factor: Decimal) -> Decimal:
    """Normalize a published value; Decimal keeps 2458.8 亿元 at exactly 245,880,000,000."""
    return value * factor
