"""GET /v1/downloads/dataset.zip: every public table as CSV with its datapackage.json (see
test_datapackage), metadata, a README with citation and licence, and a SQLite copy whose schema is the migrations'; the same bytes for the same data
version, whatever the process."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import PROJECT_ROOT
from app.db import make_engine
from app.migrate import include_name
from app.services.datapackage import PRIVATE_TABLES, PUBLIC_TABLES
from app.services.downloads import data_tables

ROOT = "jinzhong-indicators/"


def archive(client: TestClient) -> zipfile.ZipFile:
    response = client.get("/v1/downloads/dataset.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="jinzhong-indicators-'
    )
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_dataset_zip_contents(client: TestClient, tmp_path: Path) -> None:
    zipped = archive(client)
    names = set(zipped.namelist())
    for table in data_tables():
        written = f"{ROOT}csv/{table.name}.csv" in names
        assert written == (table.name in PUBLIC_TABLES), table.name
    for private in PRIVATE_TABLES:  # keys and write history: no CSV (see test_curation)
        assert f"{ROOT}csv/{private}.csv" not in names
    assert {
        f"{ROOT}README.md",
        f"{ROOT}datapackage.json",
        f"{ROOT}metadata.json",
        f"{ROOT}jinzhong.db",
    } <= names
    readme = zipped.read(f"{ROOT}README.md").decode()
    assert "## Cite as" in readme
    assert "## Licence" in readme
    assert "晋中日报" in readme
    # The regions' outlines travel with their package's MIT notice.
    assert "Copyright (c) 2026 Clarmy" in readme
    assert "The above copyright notice and this permission notice shall be included" in readme
    metadata = json.loads(zipped.read(f"{ROOT}metadata.json"))
    observations = list(
        csv.DictReader(io.StringIO(zipped.read(f"{ROOT}csv/observation.csv").decode()))
    )
    assert (
        len(observations)
        == metadata["tables"]["observation"]["rows"]
        == client.get("/v1/observations", params={"witnesses": "true"}).json()["total"]
    )
    assert (
        next(o for o in observations if o["code"] == "gdp-2024")["quote"]
        == "2024年,全市完成地区生产总值2458.8亿元"
    )
    outlines = list(
        csv.DictReader(io.StringIO(zipped.read(f"{ROOT}csv/region_boundary.csv").decode()))
    )
    assert len(outlines) == metadata["tables"]["region_boundary"]["rows"] == 25
    assert json.loads(outlines[0]["geometry"])["type"] == "Polygon"
    for name, facts in metadata["files"].items():
        assert hashlib.sha256(zipped.read(ROOT + name)).hexdigest() == facts["sha256"]
    database = tmp_path / "copy.db"
    database.write_bytes(zipped.read(f"{ROOT}jinzhong.db"))
    with sqlite3.connect(database) as connection:
        assert connection.execute(
            "SELECT value FROM observation WHERE code = 'gdp-2024'"
        ).fetchone() == (2458.8,)
        assert (
            connection.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH '煤层气'"
            ).fetchone()[0]
            > 0
        )


def test_dataset_zip_schema_is_the_migrations(client: TestClient, tmp_path: Path) -> None:
    database = tmp_path / "copy.db"
    database.write_bytes(archive(client).read(f"{ROOT}jinzhong.db"))
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
        assert context.get_current_revision() is not None
    engine.dispose()


def test_dataset_zip_is_deterministic(client: TestClient, seeded_url: str) -> None:
    first = client.get("/v1/downloads/dataset.zip").content
    script = (
        "import hashlib, sys; from app.db import make_engine; "
        "from app.services.downloads import build_dataset_zip; "
        "print(hashlib.sha256(build_dataset_zip(make_engine(sys.argv[1]))[1]).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, seeded_url], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }  # fmt: skip
    assert digests == {hashlib.sha256(first).hexdigest()}


def test_dataset_zip_is_cached_by_etag(client: TestClient) -> None:
    etag = client.get("/v1/downloads/dataset.zip").headers["etag"]
    assert (
        client.get("/v1/downloads/dataset.zip", headers={"If-None-Match": etag}).status_code == 304
    )


def test_dataset_zip_same_for_copies_seeded_apart(new_database: Callable[[str], str]) -> None:
    from app.migrate import upgrade
    from app.seed.sync import seed_database
    from app.services.downloads import build_dataset_zip
    from tests.support.seed import SEED_DIR

    archives = []
    for name in ("a.db", "b.db"):
        url = new_database(name.removesuffix(".db"))
        upgrade(url)
        engine = make_engine(url)
        seed_database(engine, SEED_DIR)
        if name == "b.db":  # as if seeded at another time
            with engine.begin() as connection:
                connection.exec_driver_sql(
                    "UPDATE dataset_meta SET value = '2030-01-01T00:00:00+00:00' WHERE key = 'data_changed_at'"
                )
        archives.append(build_dataset_zip(engine)[1])
        engine.dispose()
    assert archives[0] == archives[1]
