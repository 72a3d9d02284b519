"""Point → grid lookup: border rule, outside points, bulk agrees with the linear baseline."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from console.domain.demo_district import generate_demo_district, load_outline
from console.domain.geography_rules import RegionLevel
from console.domain.grid_index import OUTSIDE, GridIndex


@pytest.fixture(scope="module")
def squares() -> GridIndex:
    """Four unit squares meeting at (1, 1); keys deliberately not in spatial order."""
    return GridIndex(
        [7, 3, 9, 5],
        [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(1, 1, 2, 2)],
    )


@pytest.fixture(scope="module")
def demo() -> tuple[GridIndex, list[Polygon]]:
    grids = [s.geometry for s in generate_demo_district(7) if s.level == RegionLevel.GRID]
    return GridIndex(list(range(100, 100 + len(grids))), grids), grids


def test_interior_points(squares: GridIndex) -> None:
    assert squares.lookup(0.5, 0.5) == 7
    assert squares.lookup(1.5, 0.5) == 3
    assert squares.lookup(0.5, 1.5) == 9
    assert squares.lookup(1.5, 1.5) == 5


def test_shared_edge_goes_to_the_smallest_key(squares: GridIndex) -> None:
    assert squares.lookup(1.0, 0.5) == 3  # between 7 and 3
    assert squares.lookup(0.5, 1.0) == 7  # between 7 and 9
    assert squares.lookup(1.5, 1.0) == 3  # between 3 and 5


def test_shared_vertex_goes_to_the_smallest_key(squares: GridIndex) -> None:
    assert squares.lookup(1.0, 1.0) == 3
    assert squares.lookup_linear(1.0, 1.0) == 3


def test_outer_boundary_is_inside_but_beyond_is_not(squares: GridIndex) -> None:
    assert squares.lookup(0.0, 0.0) == 7
    assert squares.lookup(-1e-9, 0.5) is None
    assert squares.lookup(2.0 + 1e-9, 1.0) is None
    assert squares.lookup(float("nan"), 0.5) is None


def test_lookup_many_shapes_and_outside(squares: GridIndex) -> None:
    lons = np.array([0.5, 1.0, 5.0, np.inf, 1.5])
    lats = np.array([0.5, 1.0, 5.0, 0.0, 1.5])
    assert squares.lookup_many(lons, lats).tolist() == [7, 3, OUTSIDE, OUTSIDE, 5]
    empty = squares.lookup_many(np.array([]), np.array([]))
    assert empty.dtype == np.int64 and empty.size == 0
    with pytest.raises(ValueError):
        squares.lookup_many(np.zeros(2), np.zeros(3))


def test_rejects_bad_construction() -> None:
    with pytest.raises(ValueError):
        GridIndex([1, 1], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    with pytest.raises(ValueError):
        GridIndex([1], [])


def _axis_parallel_shared_edge(grids: list[Polygon]) -> tuple[int, float, float]:
    """(i, x, y): the midpoint of an edge grids[i] shares with grids[i + 1] along a cut."""
    for i in range(len(grids) - 1):
        for part in shapely.get_parts(grids[i].intersection(grids[i + 1])):
            if part.geom_type == "LineString" and part.length > 0:
                (x0, y0), (x1, y1) = part.coords[:2]
                if x0 == x1 or y0 == y1:
                    return i, (x0 + x1) / 2, (y0 + y1) / 2
    raise AssertionError("no axis-parallel shared edge found")


def test_demo_border_point(demo: tuple[GridIndex, list[Polygon]]) -> None:
    index, grids = demo
    # Grids come from axis-parallel cuts, so a shared edge lies exactly on x = c or y = c
    # and its midpoint is exactly on both polygons' boundaries.
    i, x, y = _axis_parallel_shared_edge(grids)
    assert grids[i].intersects(Point(x, y)) and grids[i + 1].intersects(Point(x, y))
    assert index.lookup(x, y) == 100 + i  # the smaller key of the two
    assert index.lookup_linear(x, y) == 100 + i
    assert index.lookup_many(np.array([x]), np.array([y])).tolist() == [100 + i]


def test_demo_outside_points(demo: tuple[GridIndex, list[Polygon]]) -> None:
    index, _ = demo
    outline = load_outline()
    minx, miny, maxx, maxy = outline.bounds
    assert index.lookup(maxx + 1e-6, (miny + maxy) / 2) is None  # just east of the district
    assert index.lookup(minx - 1e-6, (miny + maxy) / 2) is None
    assert index.lookup(116.3975, 39.9087) is None  # Beijing
    assert index.lookup(0.0, 0.0) is None
    assert index.lookup(34.2611, 108.9428) is None  # lat/lon swapped Bell Tower
    centroid = outline.representative_point()
    assert index.lookup(centroid.x, centroid.y) is not None


def test_bulk_agrees_with_linear(demo: tuple[GridIndex, list[Polygon]]) -> None:
    index, _ = demo
    rng = np.random.default_rng(20240601)
    minx, miny, maxx, maxy = load_outline().bounds
    lons = rng.uniform(minx - 0.005, maxx + 0.005, 2000)
    lats = rng.uniform(miny - 0.005, maxy + 0.005, 2000)
    bulk = index.lookup_many(lons, lats)
    linear = [index.lookup_linear(x, y) for x, y in zip(lons, lats, strict=True)]
    assert bulk.tolist() == [OUTSIDE if k is None else k for k in linear]
    assert 0.3 < (bulk != OUTSIDE).mean() < 0.9


def test_hundred_thousand_points_in_one_batch(
    demo: tuple[GridIndex, list[Polygon]],
) -> None:
    """The batch answers as the single lookups do (its speed is a bench figure, not a test)."""
    index, _ = demo
    rng = np.random.default_rng(1)
    minx, miny, maxx, maxy = load_outline().bounds
    lons, lats = rng.uniform(minx, maxx, 100_000), rng.uniform(miny, maxy, 100_000)
    result = index.lookup_many(lons, lats)
    assert result.shape == (100_000,)
    for i in range(0, 100_000, 997):
        single = index.lookup(float(lons[i]), float(lats[i]))
        assert (result[i] if result[i] >= 0 else None) == single, i
