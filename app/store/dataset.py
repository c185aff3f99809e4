"""The data version: what changes exactly when the data changes, for caching and downloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.models import DatasetMeta

SEED_HASH_KEY = "seed_hash"
CHANGED_AT_KEY = "data_changed_at"
# Set when the API has written since the last seed from YAML: a plain reseed keeps away.
API_CHANGES_KEY = "api_changes_since_seed"
UNSEEDED = "unseeded"


@dataclass(frozen=True)
class DataVersion:
    """An identifier of the data's state and when that state began."""

    version: str
    changed_at: datetime


def read_data_version(session: Session) -> DataVersion:
    """The current data version (the seed's content hash, shortened) and its time."""
    rows = {
        row.key: row.value
        for row in session.exec(
            select(DatasetMeta).where(col(DatasetMeta.key).in_([SEED_HASH_KEY, CHANGED_AT_KEY]))
        )
    }
    changed = rows.get(CHANGED_AT_KEY)
    changed_at = datetime.fromisoformat(changed) if changed else datetime(1970, 1, 1, tzinfo=UTC)
    return DataVersion(rows.get(SEED_HASH_KEY, UNSEEDED)[:16], changed_at)
