"""Link rows, read by their owner: one grouping for the export and the search index."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import Session, SQLModel, col, select


def grouped_rows(
    session: Session, model: type[SQLModel], key: str, *order: str
) -> dict[str, list[Any]]:
    """Every row of a link table, grouped by its `key` column, each group ordered by `order`
    (rows come out in one order on every database, every time)."""
    rows: dict[str, list[Any]] = defaultdict(list)
    columns = [col(getattr(model, name)) for name in (key, *order)]
    for row in session.exec(select(model).order_by(*columns)):
        rows[getattr(row, key)].append(row)
    return rows
