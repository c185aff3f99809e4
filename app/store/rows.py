"""Link rows, read by their owner: one grouping for the export and the search index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, SQLModel, col, select


def grouped_rows(
    session: Session,
    model: type[SQLModel],
    key: str,
    *order: str,
    codes: Sequence[str] | None = None,
) -> dict[str, list[Any]]:
    """The rows of a link table (all, or those whose `key` is one of `codes`), grouped by
    `key`, each group ordered by `order` (one order on every database, every time)."""
    rows: dict[str, list[Any]] = defaultdict(list)
    columns = [col(getattr(model, name)) for name in (key, *order)]
    query = select(model).order_by(*columns)
    if codes is not None:
        query = query.where(columns[0].in_(list(codes)))
    for row in session.exec(query):
        rows[getattr(row, key)].append(row)
    return rows
