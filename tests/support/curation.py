"""Curation through the API: a database with keys, a client that writes with If-Match, and
the check that the data after a write is what the seeder itself would accept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import make_engine
from app.migrate import upgrade
from app.models import SearchDocument
from app.seed.export import export_database
from app.seed.loader import load_bundle
from app.seed.sync import seed_database, sync_bundle
from app.services.keys import Scope, create_key
from app.store.search_index import rebuild_search_index
from tests.support.seed import SEED_DIR


@dataclass
class Curated:
    client: TestClient
    url: str
    write_key: str
    admin_key: str

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.write_key}"}

    def etag(self, path: str) -> str:
        response = self.client.get(f"{path}/record")
        assert response.status_code == 200
        return response.headers["etag"]

    def patch(self, path: str, body: object, **params: str) -> httpx.Response:
        headers = {**self.auth(), "If-Match": self.etag(path)}
        return self.client.patch(path, json=body, headers=headers, params=params)


def seed_template(url: str) -> str:
    """Migrate and seed the empty database at `url` from the real seed_data/; its URL. Tests
    that need a seeded database of their own get a copy of this one (`seeded_database`)."""
    upgrade(url)
    engine = make_engine(url)
    seed_database(engine, SEED_DIR)
    engine.dispose()
    return url


def make_database(seeded_database: Callable[[str], str]) -> tuple[str, str, str]:
    """A seeded database of a test's own with a write key and an admin key: URL and keys."""
    url = seeded_database("curation")
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        write_key = create_key(session, "alice", Scope.write)
        admin_key = create_key(session, "root", Scope.admin)
    engine.dispose()
    return url, write_key, admin_key


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    return body


def whole_dataset_agrees(curated: Curated, tmp_path: Path) -> None:
    """The data after a write passes the seeder's whole-dataset validation, seeding it back
    changes no row, and the search documents are what a rebuild makes of the rows."""
    engine = make_engine(curated.url)
    try:
        export_database(engine, tmp_path / "export")
        load_bundle(tmp_path / "export")  # raises SeedError on anything the seeder refuses
        with Session(engine) as session:
            report = sync_bundle(session, load_bundle(tmp_path / "export"))
            assert not report.changed, (report.inserted, report.updated, report.deleted)
            session.rollback()
            kept = sorted(
                (d.doc_type, d.code, d.title, d.body, d.topics, d.regions, d.rank_hint)
                for d in session.exec(select(SearchDocument))
            )
            rebuild_search_index(session)
            rebuilt = sorted(
                (d.doc_type, d.code, d.title, d.body, d.topics, d.regions, d.rank_hint)
                for d in session.exec(select(SearchDocument))
            )
            session.rollback()
        assert kept == rebuilt
    finally:
        engine.dispose()
