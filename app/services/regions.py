"""Region queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from app.errors import NotFoundError
from app.models import Region, RegionBoundary
from app.services.common import fetch_page, require_codes


@dataclass(frozen=True)
class RegionWithFamily:
    """A region, its parent (if any) and its children."""

    region: Region
    parent: Region | None
    children: list[Region]


def list_regions(
    session: Session, *, parent: str | None, level: str | None, limit: int, offset: int
) -> tuple[list[Region], int]:
    """Regions, optionally only the children of `parent` or those at `level`, by code."""
    query = select(Region)
    if parent is not None:
        require_codes(session, Region, [parent], "parent")
        query = query.where(Region.parent_code == parent)
    if level is not None:
        query = query.where(Region.level == level)
    query = query.order_by(Region.code)
    return fetch_page(session, query, limit=limit, offset=offset)


def get_region(session: Session, code: str) -> RegionWithFamily:
    """One region with its family; NotFoundError if the code is unknown."""
    region = session.get(Region, code)
    if region is None:
        raise NotFoundError(f"No region with code {code!r}.")
    parent = session.get(Region, region.parent_code) if region.parent_code else None
    children = session.exec(select(Region).where(Region.parent_code == code).order_by(Region.code))
    return RegionWithFamily(region, parent, list(children.all()))


@dataclass(frozen=True)
class Outline:
    """A region and its outline (GeoJSON geometry as JSON text, and the source it is drawn
    from), or None where the record has no outline for it."""

    region: Region
    boundary: RegionBoundary | None


def get_outlines(session: Session, code: str) -> list[Outline]:
    """A region's outline, then its children's, by code. NotFoundError if the code is
    unknown, or if neither the region nor any child has an outline in the record."""
    region = session.get(Region, code)
    if region is None:
        raise NotFoundError(f"No region with code {code!r}.")
    rows = session.exec(
        select(Region, RegionBoundary)
        .join(RegionBoundary, col(RegionBoundary.region_code) == col(Region.code), isouter=True)
        .where(or_(col(Region.parent_code) == code, col(Region.code) == code))
        .order_by(col(Region.code))
    ).all()
    outlines = [Outline(r, b) for r, b in rows]
    # The region first, its children after it, each as the map draws them.
    outlines.sort(key=lambda outline: outline.region.code != code)
    if all(outline.boundary is None for outline in outlines):
        raise NotFoundError(
            f"Region {code!r} ({region.name_en}) has no boundary in the record, and neither "
            "has any region within it."
        )
    return outlines
