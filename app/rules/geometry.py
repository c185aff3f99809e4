"""Region outlines as GeoJSON geometry: checked, simplified and rounded by one set of rules.

Positions are [longitude, latitude] in degrees (RFC 7946). The build of seed_data/'s
boundaries simplifies with these functions, and the seeder checks what it reads with them.

Simplification keeps shared borders shared. Rings are cut into arcs wherever the set of
rings running along them changes (as TopoJSON does); each arc is simplified once
(Douglas–Peucker) and given back to every ring that runs along it. Two neighbours that met
in the source still meet, vertex for vertex, after simplifying and rounding: no slivers or
gaps between counties, and a city's outline stays on its counties' outer edges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

Position = tuple[float, float]
Ring = list[Position]  # closed: the last position repeats the first
Polygon = list[Ring]  # the exterior ring, then any holes
Shape = list[Polygon]  # a MultiPolygon's polygons (a Polygon is a Shape of one)

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# A geometry's problems are listed up to this many; the rest are counted.
_SHOWN = 5


def geometry_problems(geometry: Any) -> list[str]:
    """What keeps `geometry` from being a valid GeoJSON Polygon or MultiPolygon: the type, the
    nesting, positions of two finite numbers within longitude and latitude bounds, and rings
    of at least four positions that close (their last position repeats the first)."""
    if not isinstance(geometry, dict):
        return ["a geometry is an object with type and coordinates"]
    if geometry.get("type") not in GEOMETRY_TYPES:
        return [f"type must be Polygon or MultiPolygon, not {geometry.get('type')!r}"]
    extra = sorted(set(geometry) - {"type", "coordinates"})
    if extra:
        return [f"unexpected key(s) {', '.join(extra)}: a geometry has type and coordinates"]
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        return ["coordinates must be a non-empty list"]
    problems: list[str] = []
    for p, polygon in enumerate(polygons):
        where = "" if geometry["type"] == "Polygon" else f"polygon {p}, "
        if not isinstance(polygon, list) or not polygon:
            problems.append(f"{where}a polygon is a non-empty list of rings")
            continue
        for r, ring in enumerate(polygon):
            found = _ring_problems(ring)
            if not found and (_signed_area(ring) > 0) != (r == 0):
                # RFC 7946, 3.1.6: exterior rings counterclockwise, holes clockwise.
                found = ["winds the wrong way (exterior rings counterclockwise, holes clockwise)"]
            problems += [f"{where}ring {r}: {message}" for message in found]
    if len(problems) > _SHOWN:
        problems = [*problems[:_SHOWN], f"and {len(problems) - _SHOWN} more"]
    return problems


def _ring_problems(ring: Any) -> list[str]:
    if not isinstance(ring, list) or len(ring) < 4:
        return ["a ring has at least four positions"]
    for index, position in enumerate(ring):
        message = _position_problem(position)
        if message:
            return [f"position {index}: {message}"]
    if list(ring[0]) != list(ring[-1]):
        return [f"not closed: it starts at {list(ring[0])} and ends at {list(ring[-1])}"]
    return []


def _position_problem(position: Any) -> str | None:
    if not isinstance(position, list | tuple) or len(position) != 2:
        return "a position is [longitude, latitude]"
    if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in position):
        return "a position holds two numbers"
    lon, lat = position
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "a position holds finite numbers"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"{[lon, lat]} is outside longitude -180..180 or latitude -90..90"
    return None


def shape_of(geometry: Mapping[str, Any]) -> Shape:
    """A valid Polygon or MultiPolygon as a list of polygons of rings of positions."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [[[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in polygons]


def geometry_of(shape: Shape) -> dict[str, Any]:
    """A shape as GeoJSON: a Polygon when it has one part, else a MultiPolygon, its rings
    wound as RFC 7946 asks (exteriors counterclockwise, holes clockwise)."""
    polygons = [
        [
            [[x, y] for x, y in (ring if (_signed_area(ring) > 0) == (r == 0) else ring[::-1])]
            for r, ring in enumerate(polygon)
        ]
        for polygon in shape
    ]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    # The shoelace formula over longitude and latitude: positive when counterclockwise.
    return sum(
        float(x0) * float(y1) - float(x1) * float(y0) for (x0, y0), (x1, y1) in pairwise(ring)
    )


def count_positions(shape: Shape) -> int:
    """How many positions a shape's rings hold (closing positions included)."""
    return sum(len(ring) for polygon in shape for ring in polygon)


def simplify_line(
    points: Sequence[Position], tolerance: float, x_scale: float = 1.0
) -> list[Position]:
    """Douglas–Peucker: the points of `points` that keep the line within `tolerance` of every
    point left out. The first and last are always kept, and the rest keep their order.

    Distances are measured with longitudes multiplied by `x_scale` (the cosine of the
    latitude), so that a tolerance means the same ground distance east-west and north-south.
    """
    if len(points) <= 2:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    spans = [(0, len(points) - 1)]
    while spans:
        first, last = spans.pop()
        farthest, at = -1.0, -1
        for index in range(first + 1, last):
            distance = _to_segment(points[index], points[first], points[last], x_scale)
            if distance > farthest:
                farthest, at = distance, index
        if at >= 0 and farthest > tolerance:
            keep[at] = True
            spans += [(first, at), (at, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _to_segment(point: Position, start: Position, end: Position, x_scale: float) -> float:
    px, py = point[0] * x_scale, point[1]
    ax, ay = start[0] * x_scale, start[1]
    dx, dy = end[0] * x_scale - ax, end[1] - ay
    length = dx * dx + dy * dy
    along = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + along * dx), py - (ay + along * dy))


def simplify_shapes(shapes: Mapping[str, Shape], tolerance: float, digits: int) -> dict[str, Shape]:
    """Simplify several regions' shapes together, each border once (see the module's
    docstring), then round every coordinate to `digits` decimals.

    `tolerance` is in degrees of latitude. A ring that shrinks below four positions is
    dropped (a polygon with it, if it was the exterior); a shape left with nothing is a
    ValueError naming it, as the tolerance is too coarse for it.
    """
    rings = [ring[:-1] for shape in shapes.values() for polygon in shape for ring in polygon]
    latitudes = [y for ring in rings for _, y in ring]
    if not latitudes:
        return {key: [] for key in shapes}
    x_scale = math.cos(math.radians(sum(latitudes) / len(latitudes)))
    junctions = _junctions(rings)
    arcs: dict[tuple[Position, ...], list[Position]] = {}

    def simplified(arc: list[Position]) -> list[Position]:
        # An arc and its reverse are one border: simplify it in one direction, every time.
        reverse = arc[::-1] < arc
        canonical = tuple(arc[::-1] if reverse else arc)
        if canonical not in arcs:
            arcs[canonical] = simplify_line(canonical, tolerance, x_scale)
        kept = arcs[canonical]
        return kept[::-1] if reverse else kept

    result: dict[str, Shape] = {}
    for key, shape in shapes.items():
        polygons: Shape = []
        for polygon in shape:
            kept_rings = []
            for number, ring in enumerate(polygon):
                pieces = [simplified(arc) for arc in _arcs(ring[:-1], junctions)]
                kept = _rounded([point for piece in pieces for point in piece[:-1]], digits)
                if len(kept) >= 4:
                    kept_rings.append(kept)
                elif number == 0:
                    break  # the exterior is gone: so is the polygon, holes and all
            if kept_rings:
                polygons.append(kept_rings)
        if not polygons:
            raise ValueError(f"{key}: nothing is left at a tolerance of {tolerance}")
        result[key] = polygons
    return result


def _junctions(rings: Iterable[Ring]) -> set[Position]:
    """Vertices where the rings running through them part: seen with different neighbours."""
    neighbours: dict[Position, frozenset[Position]] = {}
    junctions: set[Position] = set()
    for ring in rings:
        for index, vertex in enumerate(ring):
            pair = frozenset((ring[index - 1], ring[(index + 1) % len(ring)]))
            if neighbours.setdefault(vertex, pair) != pair:
                junctions.add(vertex)
    return junctions


def _arcs(ring: Ring, junctions: set[Position]) -> list[list[Position]]:
    """An open ring (no closing position) cut at its junctions into arcs that end where the
    next begins; a ring with none is cut at its smallest vertex and the one farthest from it,
    the same two vertices whichever way round or wherever it starts."""
    cuts = [index for index, vertex in enumerate(ring) if vertex in junctions]
    if not cuts:
        start = min(range(len(ring)), key=ring.__getitem__)
        ring = ring[start:] + ring[:start]
        far = max(
            range(len(ring)),
            key=lambda i: (
                (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2,
                ring[i],
            ),
        )
        cuts = [0, far]
    else:
        ring = ring[cuts[0] :] + ring[: cuts[0]]
        cuts = [index - cuts[0] for index in cuts]
    closed = [*ring, ring[0]]
    ends = [*cuts, len(ring)]
    return [closed[a : b + 1] for a, b in pairwise(ends) if b > a]


def _rounded(points: list[Position], digits: int) -> Ring:
    """Round, drop repeats that rounding makes, and close the ring."""
    ring: Ring = []
    for x, y in points:
        point = (round(x, digits), round(y, digits))
        if not ring or ring[-1] != point:
            ring.append(point)
    while len(ring) > 1 and ring[-1] == ring[0]:
        ring.pop()
    return [*ring, ring[0]] if ring else []
