"""`jinzhong export`: the database written back as seed_data/. seed → export → seed → export
is a fixed point on the real seed, nothing is lost on the way, and a change in the database
shows in the files as a small diff."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.migrate import upgrade
from app.seed.export import export_database
from app.seed.loader import load_bundle
from app.seed.sync import seed_database
from tests.support.databases import dump
from tests.support.seed import SEED_DIR


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def seeded(new_database: Callable[[str], str], seed_dir: Path) -> Engine:
    url = new_database("export")
    upgrade(url)
    engine = make_engine(url)
    seed_database(engine, seed_dir)
    return engine


def test_seed_export_seed_export_is_a_fixed_point(
    new_database: Callable[[str], str], tmp_path: Path
) -> None:
    first = seeded(new_database, SEED_DIR)
    export_database(first, tmp_path / "a")
    load_bundle(tmp_path / "a")  # the export is a valid seed_data/ folder
    second = seeded(new_database, tmp_path / "a")
    export_database(second, tmp_path / "b")
    assert files(tmp_path / "a") == files(tmp_path / "b")
    # Nine YAML files, the source's text, and the regions' outlines.
    assert len(files(tmp_path / "a")) == 11
    # The outlines come back as the build wrote them, byte for byte.
    assert (tmp_path / "a" / "boundaries.geojson").read_bytes() == (
        SEED_DIR / "boundaries.geojson"
    ).read_bytes()
    first.dispose()
    second.dispose()


def test_seeding_the_export_changes_no_row(
    new_database: Callable[[str], str], tmp_path: Path
) -> None:
    engine = seeded(new_database, SEED_DIR)
    before = dump(engine)
    export_database(engine, tmp_path / "out")
    report = seed_database(engine, tmp_path / "out")
    assert not report.skipped  # another folder, another content hash: it did compare
    assert not report.changed, (report.inserted, report.updated, report.deleted)
    after = dump(engine)
    for kept in (before, after):
        kept.pop("dataset_meta")  # records which seed was loaded, and when
    assert after == before
    engine.dispose()


def test_a_change_shows_as_a_small_diff(new_database: Callable[[str], str], tmp_path: Path) -> None:
    engine = seeded(new_database, SEED_DIR)
    export_database(engine, tmp_path / "before")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE observation SET note = 'Checked again.' WHERE code = 'gdp-2024'")
        )
    export_database(engine, tmp_path / "after")
    before, after = files(tmp_path / "before"), files(tmp_path / "after")
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["observations.yaml"]
    diff = [
        line
        for line in difflib.unified_diff(
            before["observations.yaml"].decode().splitlines(),
            after["observations.yaml"].decode().splitlines(),
            lineterm="",
            n=0,
        )
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert diff == ["+  note: Checked again."]
    engine.dispose()


def test_cli_export(new_database: Callable[[str], str], tmp_path: Path) -> None:
    engine = seeded(new_database, SEED_DIR)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "out")], env={"DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"exported 11 files to {tmp_path / 'out'}"
    assert (tmp_path / "out" / "sources" / "jzrb-2025-10-24-p03.md").read_bytes() == (
        SEED_DIR / "sources" / "jzrb-2025-10-24-p03.md"
    ).read_bytes()
