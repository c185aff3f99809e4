"""The database written back in the seed_data/ format: the seeder's inverse.

`jinzhong export DIR` writes one YAML file per kind (the names and keys of seed_data/), each
source's text as received, and the regions' outlines (boundaries.geojson) when there are
any. Seeding that folder gives back the same rows, and exporting again gives the same bytes:
seed → export → seed → export is a fixed point. Lists come out in a fixed order (by code, or
by the position a link was given), numbers in their shortest decimal form, and optional keys
only when they hold something, so that a change made in the database shows in the files as
a small diff.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import RegionBoundary, Source
from app.rules.regions import LEVEL_RANK, RegionLevel
from app.seed.boundaries import dump_boundaries
from app.seed.loader import BOUNDARIES_FILE, SEED_FILES
from app.seed.records import SOURCES_DIR, boundary_record, read_records, text_file
from app.seed.schema import seed_key_order

__all__ = ["SOURCES_DIR", "export_database", "export_documents", "write_documents"]
HEADER = "# Exported by `jinzhong export` from the database; the seed_data/ format.\n"


def export_documents(session: Session) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Every YAML seed file's records, by file name, and the files written as they are, by
    path: each source's text, and the regions' outlines if there are any."""
    texts = {
        text_file(code): original
        for code, original in session.exec(
            select(Source.code, Source.text_original).order_by(col(Source.code))
        )
        if original is not None  # a source whose text is not ours keeps none
    }
    boundaries = session.exec(select(RegionBoundary)).all()
    if boundaries:
        texts[BOUNDARIES_FILE] = dump_boundaries([boundary_record(b) for b in boundaries])
    documents: dict[str, list[dict[str, Any]]] = {}
    for kind, (name, model) in SEED_FILES.items():
        records = read_records(session, kind)
        if kind == "regions":
            # Provinces, then prefectures, then counties: a parent before its children.
            records.sort(key=lambda r: (LEVEL_RANK[RegionLevel(r["level"])], r["code"]))
        # Each record's keys in the order curators write them (once per kind, not per record).
        order = seed_key_order(model)
        documents[name] = [{key: r[key] for key in order if key in r} for r in records]
    return documents, texts


class _Dumper(yaml.SafeDumper):
    """YAML's dumper, writing text with YAML line-break characters (NEL, U+2028, U+2029)
    double-quoted and escaped: in other styles they would read back as spaces."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(char in value for char in "\x85\u2028\u2029"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_str(value)


_Dumper.add_representer(str, _text)


def dump_yaml(records: list[dict[str, Any]]) -> str:
    """Records as YAML the way curators write it: block style, Chinese as is, key order kept."""
    return HEADER + yaml.dump(
        records,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


def write_documents(
    documents: dict[str, list[dict[str, Any]]], texts: dict[str, str], target: Path
) -> list[Path]:
    """Write seed files (as `export_documents` gives them) and source texts into `target`, a
    seed_data/ folder the loader reads; return the files written. A text whose path would
    leave `target` is refused (ValueError): source codes come from clients too."""
    root = target.resolve()
    written = []
    for name, records in documents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(records), encoding="utf-8")
        written.append(path)
    for relative, text in texts.items():
        path = (root / relative).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"{relative!r} is not a file name inside {target}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def export_database(engine: Engine, target: Path) -> list[Path]:
    """Write the database into `target` in the seed_data/ format; return the files written."""
    with Session(engine) as session:
        documents, texts = export_documents(session)
    return write_documents(documents, texts, target)
