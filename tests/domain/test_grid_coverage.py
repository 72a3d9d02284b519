"""grid_coverage on small real polygons near Xi'an: gaps with their area and neighbours,
overlaps by code, the sliver threshold, grid area outside the outline."""

from __future__ import annotations

import pytest
from shapely.geometry import Point, box

from console.domain.geography_rules import area_km2
from console.domain.grid_coverage import grid_coverage, sliver_m2

#: 0.001° boxes at Xi'an's latitude: about 92 m × 111 m.
D = 0.001
X0, Y0 = 108.9, 34.26


def cell(i: int, j: int) -> object:
    return box(X0 + i * D, Y0 + j * D, X0 + (i + 1) * D, Y0 + (j + 1) * D)


def grids_3x3(skip: tuple[int, int] | None = None) -> dict[str, object]:
    return {f"G{i}{j}": cell(i, j) for i in range(3) for j in range(3) if (i, j) != skip}


OUTLINE = box(X0, Y0, X0 + 3 * D, Y0 + 3 * D)


def test_a_full_layer_has_no_findings() -> None:
    coverage = grid_coverage(OUTLINE, grids_3x3(), sliver_m2=50)  # type: ignore[arg-type]
    assert (coverage.gaps, coverage.overlaps, coverage.outside_m2) == ((), (), 0.0)
    assert coverage.lines() == []
    assert coverage.district_m2 == pytest.approx(area_km2(OUTLINE) * 1e6)


def test_the_missing_middle_is_a_gap_with_its_eight_neighbours() -> None:
    coverage = grid_coverage(OUTLINE, grids_3x3(skip=(1, 1)), sliver_m2=50)  # type: ignore[arg-type]
    (gap,) = coverage.gaps
    assert gap.area_m2 == pytest.approx(area_km2(cell(1, 1)) * 1e6)  # type: ignore[arg-type]
    assert 10_000 < gap.area_m2 < 10_500
    assert gap.neighbours == tuple(sorted(f"G{i}{j}" for i in range(3) for j in range(3)
                                          if (i, j) != (1, 1)))  # fmt: skip
    assert cell(1, 1).contains(Point(gap.at))  # type: ignore[attr-defined]
    assert coverage.lines()[0].startswith(f"缺口 1: 约 {gap.area_m2:,.0f} m²")


def test_a_corner_gap_names_only_the_grids_along_it() -> None:
    coverage = grid_coverage(OUTLINE, grids_3x3(skip=(0, 0)), sliver_m2=50)  # type: ignore[arg-type]
    (gap,) = coverage.gaps
    assert gap.neighbours == ("G01", "G10", "G11")  # two by an edge, one by the corner


def test_overlaps_by_code_and_slivers_below_the_threshold() -> None:
    grids = grids_3x3()
    grids["G11"] = cell(1, 1).buffer(0.0001, join_style="mitre")  # type: ignore[attr-defined]
    coverage = grid_coverage(OUTLINE, grids, sliver_m2=50)  # type: ignore[arg-type]
    pairs = {o.codes for o in coverage.overlaps}
    # ~10 m into each side neighbour (~1,000 m²) and ~100 m² into each corner one
    assert pairs == {tuple(sorted(("G11", c))) for c in
                     ("G00", "G01", "G02", "G10", "G12", "G20", "G21", "G22")}  # fmt: skip
    big = grid_coverage(OUTLINE, grids, sliver_m2=500)  # type: ignore[arg-type]
    assert {o.codes for o in big.overlaps} == {
        ("G01", "G11"), ("G10", "G11"), ("G11", "G12"), ("G11", "G21")
    }  # fmt: skip
    assert all(900 < o.area_m2 < 1100 for o in big.overlaps)


def test_a_sliver_gap_is_noise_and_grid_area_outside_is_reported() -> None:
    grids = grids_3x3()
    grids["G22"] = box(X0 + 2 * D, Y0 + 2 * D, X0 + 3 * D - 0.000001, Y0 + 3 * D + 0.0005)
    coverage = grid_coverage(OUTLINE, grids, sliver_m2=sliver_m2())  # type: ignore[arg-type]
    assert coverage.gaps == ()  # the strip left along the edge: 0.1 m × 111 m, ~10 m²
    assert coverage.outside_m2 == pytest.approx(
        area_km2(box(X0 + 2 * D, Y0 + 3 * D, X0 + 3 * D - 0.000001, Y0 + 3 * D + 0.0005)) * 1e6,
        rel=1e-6,
    )
    assert coverage.lines()[-1].startswith("网格超出区界约 ")
