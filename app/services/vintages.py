"""The data as it stood at a moment (`as_of`), rebuilt from the history of API writes.

Every write keeps the record before and after it (the change table). The data at time T is
today's, with each record changed since T put back as it was then: the `before` of its first
change after T (absent, if that change created it). That set is loaded by the seeder's own
code into a private in-memory database, which the usual queries then read. Changes made by
reseeding from YAML are not in the history: `as_of` answers for the API's writes.
"""

from __future__ import annotations

import json
import tempfile
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from threading import Lock

from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, col, create_engine, select

import app.models  # noqa: F401 - registers every table
from app.models import Change
from app.seed.export import export_documents, write_documents
from app.seed.loader import SEED_FILES, load_bundle
from app.seed.sync import sync_bundle
from app.store.dataset import read_data_version

# Rebuilt databases kept, by the last change they include: a few moments are asked for often.
_KEPT = 4
_cache: OrderedDict[tuple[str, str, int, int], Engine] = OrderedDict()
_cache_lock = Lock()


def vintage_engine(engine: Engine, as_of: datetime) -> Engine:
    """An engine over the data as it stood at `as_of` (the live engine if nothing changed
    through the API since)."""
    moment = as_of.isoformat(timespec="microseconds")
    with Session(engine) as session:
        later = list(
            session.exec(
                select(Change)
                .where(col(Change.at) > moment)
                .order_by(col(Change.at), col(Change.id))
            )
        )
        if not later:
            return engine
        last_included = session.exec(
            select(Change.id).where(col(Change.at) <= moment).order_by(col(Change.id).desc())
        ).first()
        version = read_data_version(session).version
        # Which database, which data, and which changes to undo.
        key = (engine.url.render_as_string(), version, last_included or 0, len(later))
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
        documents, texts = export_documents(session)
    for change in _first_per_record(later):
        records = documents[SEED_FILES[change.resource][0]]
        records[:] = [r for r in records if r["code"] != change.code]
        if change.before is not None:
            before = json.loads(change.before)
            if change.resource == "sources":
                texts[before["text_file"]] = before.pop("text")
            records.append(before)
    past = _load(documents, texts)
    with _cache_lock:
        _cache[key] = past
        while len(_cache) > _KEPT:
            _cache.popitem(last=False)[1].dispose()
    return past


def _first_per_record(changes: list[Change]) -> list[Change]:
    seen: set[tuple[str, str]] = set()
    first = []
    for change in changes:
        if (change.resource, change.code) not in seen:
            seen.add((change.resource, change.code))
            first.append(change)
    return first


def _load(documents: dict[str, list[dict[str, object]]], texts: dict[str, str]) -> Engine:
    with tempfile.TemporaryDirectory(prefix="jinzhong-vintage-") as folder:
        write_documents(documents, texts, Path(folder))
        bundle = load_bundle(Path(folder))
    past = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    SQLModel.metadata.create_all(past)
    with Session(past) as session, session.begin():
        sync_bundle(session, bundle)
    return past
