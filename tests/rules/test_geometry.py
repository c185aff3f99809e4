"""Region outlines: a geometry is checked (type, nesting, closed rings, positions in range), a
line is simplified within its tolerance keeping its ends, and shapes simplified together keep
their shared borders shared."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rules.geometry import (
    Position,
    Shape,
    count_positions,
    geometry_of,
    geometry_problems,
    shape_of,
    simplify_line,
    simplify_shapes,
)

SQUARE = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]


def test_geometry_problems_accepts_polygons_and_multipolygons() -> None:
    assert geometry_problems({"type": "Polygon", "coordinates": [SQUARE]}) == []
    assert geometry_problems({"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}) == []


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ([SQUARE], "a geometry is an object"),
        ({"type": "Point", "coordinates": [0, 0]}, "type must be Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "non-empty list"),
        (
            {"type": "Polygon", "coordinates": [SQUARE], "bbox": [0, 0, 1, 1]},
            "unexpected key(s) bbox",
        ),
        (
            {"type": "Polygon", "coordinates": [SQUARE[:3]]},
            "ring 0: a ring has at least four positions",
        ),
        ({"type": "Polygon", "coordinates": [[*SQUARE[:-1], [0.0, 0.5]]]}, "ring 0: not closed"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0, 0], *SQUARE[1:]]]},
            "position 0: a position is [longitude, latitude]",
        ),
        ({"type": "Polygon", "coordinates": [[[True, 0], *SQUARE[1:]]]}, "two numbers"),
        ({"type": "Polygon", "coordinates": [[[math.nan, 0], *SQUARE[1:]]]}, "finite"),
        ({"type": "Polygon", "coordinates": [[*SQUARE[:2], [1.0, 91.0], *SQUARE[3:]]]}, "outside"),
        (
            {"type": "MultiPolygon", "coordinates": [[SQUARE], []]},
            "polygon 1, a polygon is a non-empty list",
        ),
    ],
)
def test_geometry_problems_names_what_is_wrong(geometry: object, message: str) -> None:
    problems = geometry_problems(geometry)
    assert any(message in problem for problem in problems), problems


def test_geometry_problems_counts_beyond_the_first_five() -> None:
    open_ring = [[*SQUARE[:-1], [0.0, 0.5]]]
    problems = geometry_problems({"type": "MultiPolygon", "coordinates": [open_ring] * 8})
    assert len(problems) == 6
    assert problems[-1] == "and 3 more"


def test_shape_and_geometry_round_trip() -> None:
    single = {"type": "Polygon", "coordinates": [SQUARE]}
    assert geometry_of(shape_of(single)) == single
    double = {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]}
    assert geometry_of(shape_of(double)) == double
    assert count_positions(shape_of(double)) == 10


def test_simplify_line_keeps_the_ends_and_drops_what_lies_within_tolerance() -> None:
    line = [(0.0, 0.0), (1.0, 0.01), (2.0, -0.01), (3.0, 2.0), (4.0, 0.0)]
    assert simplify_line(line, 0.1) == [(0.0, 0.0), (2.0, -0.01), (3.0, 2.0), (4.0, 0.0)]
    assert simplify_line(line, 5.0) == [(0.0, 0.0), (4.0, 0.0)]
    assert simplify_line(line, 0.0) == line
    assert simplify_line(line[:2], 1.0) == line[:2]


def test_simplify_line_measures_longitude_at_its_latitude() -> None:
    # 0.03° of longitude is 0.015° of ground at 60°N: within a 0.02° tolerance there only.
    bend = [(0.0, 60.0), (0.03, 61.0), (0.0, 62.0)]
    assert simplify_line(bend, 0.02, x_scale=1.0) == bend
    assert simplify_line(bend, 0.02, x_scale=0.5) == [bend[0], bend[-1]]


@given(
    st.lists(
        st.tuples(st.floats(-180, 180, allow_nan=False), st.floats(-90, 90, allow_nan=False)),
        min_size=2,
        max_size=60,
    ),
    st.floats(0, 5),
)
def test_simplify_line_is_an_ordered_subset_within_tolerance(
    line: list[Position], tolerance: float
) -> None:
    kept = simplify_line(line, tolerance)
    assert kept[0] == line[0]
    assert kept[-1] == line[-1]
    # The kept points are the line's own, in its order.
    indices, start = [], 0
    for point in kept:
        start = line.index(point, start)
        indices.append(start)
        start += 1
    # Every point left out lies within tolerance of the segment that replaced it.
    for a, b in pairwise(indices):
        for point in line[a + 1 : b]:
            assert _distance(point, line[a], line[b]) <= tolerance + 1e-9


def _distance(p: Position, a: Position, b: Position) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = dx * dx + dy * dy
    t = (
        0.0
        if length == 0
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length))
    )
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def _wiggly_neighbours() -> dict[str, Shape]:
    """Two squares sharing a wiggly border x ≈ 1, and their union, all with shared vertices."""
    border = [(1.0 + (0.001 if i % 2 else 0.0), i / 10) for i in range(11)]  # (1, 0) to (1, 1)
    west = [(0.0, 0.0), *border, (0.0, 1.0), (0.0, 0.0)]
    east = [*border[::-1], (2.0, 0.0), (2.0, 1.0), border[-1]]
    union = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0)]
    return {"west": [[west]], "east": [[east]], "both": [[union]]}


def test_simplify_shapes_keeps_shared_borders_identical() -> None:
    shapes = _wiggly_neighbours()
    simple = simplify_shapes(shapes, tolerance=0.01, digits=3)
    west, east = set(simple["west"][0][0]), set(simple["east"][0][0])
    shared = west & east
    # The wiggles are gone from both sides alike: the border is its two ends.
    assert shared == {(1.0, 0.0), (1.0, 1.0)}
    assert count_positions(simple["west"]) < count_positions(shapes["west"])
    # The union's outline runs along its parts' outer edges.
    assert set(simple["both"][0][0]) <= west | east
    for shape in simple.values():
        assert geometry_problems(geometry_of(shape)) == []


def test_simplify_shapes_rounds_and_closes_every_ring() -> None:
    shapes: dict[str, Shape] = {
        "a": [[[(0.00012, 0.0), (1.00049, 0.0), (1.0, 1.0), (0.0, 1.0), (0.00012, 0.0)]]]
    }
    simple = simplify_shapes(shapes, tolerance=0.0, digits=3)
    ring = simple["a"][0][0]
    assert ring[0] == ring[-1]
    assert sorted(ring[:-1]) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]


def test_simplify_shapes_drops_rings_that_vanish_and_says_when_nothing_is_left() -> None:
    tiny = [(5.0, 5.0), (5.0001, 5.0), (5.0001, 5.0001), (5.0, 5.0001), (5.0, 5.0)]
    square = [(float(x), float(y)) for x, y in SQUARE]
    simple = simplify_shapes({"a": [[square], [tiny]]}, tolerance=0.01, digits=2)
    assert simple["a"] == [[square]]
    with pytest.raises(ValueError, match="b: nothing is left"):
        simplify_shapes({"b": [[tiny]]}, tolerance=0.01, digits=2)


def test_simplify_shapes_gives_a_ring_the_same_result_whichever_way_it_runs() -> None:
    ring = [(math.cos(i / 20 * math.tau), math.sin(i / 20 * math.tau)) for i in range(20)]
    forward = [*ring, ring[0]]
    backward = forward[::-1]
    simple = simplify_shapes({"f": [[forward]], "b": [[backward]]}, tolerance=0.2, digits=4)
    assert set(simple["f"][0][0]) == set(simple["b"][0][0])


def test_rings_wind_as_rfc_7946_asks() -> None:
    # SQUARE runs counterclockwise: a fine exterior, a wrong hole; reversed, the other way.
    clockwise = SQUARE[::-1]
    hole = [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8], [0.2, 0.2]]  # counterclockwise
    assert geometry_problems({"type": "Polygon", "coordinates": [clockwise]}) == [
        "ring 0: winds the wrong way (exterior rings counterclockwise, holes clockwise)"
    ]
    assert geometry_problems({"type": "Polygon", "coordinates": [SQUARE, hole]}) == [
        "ring 1: winds the wrong way (exterior rings counterclockwise, holes clockwise)"
    ]
    # Written out, every ring is wound the right way, whichever way it came.
    written = geometry_of(shape_of({"type": "Polygon", "coordinates": [clockwise, hole]}))
    assert written["coordinates"] == [SQUARE, hole[::-1]]
    assert geometry_problems(written) == []
