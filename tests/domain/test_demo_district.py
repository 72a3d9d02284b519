"""The generated demo district: exact structure, code layout, tiling, determinism."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest
import shapely
from shapely.geometry import Polygon

from console.domain.demo_district import (
    DEMO_COUNTS,
    display_name,
    generate_demo_district,
    load_outline,
)
from console.domain.geography_rules import (
    Feature,
    RegionLevel,
    RegionSpec,
    area_km2,
    validate_features,
)
from console.models import RegionLevel as ModelRegionLevel

LEVELS = list(RegionLevel)


@pytest.fixture(scope="module")
def specs() -> list[RegionSpec]:
    return generate_demo_district(7)


def by_level(specs: list[RegionSpec], level: RegionLevel) -> list[RegionSpec]:
    return [s for s in specs if s.level == level]


def children(specs: list[RegionSpec]) -> dict[str, list[RegionSpec]]:
    out: dict[str, list[RegionSpec]] = defaultdict(list)
    for s in specs:
        if s.parent_code:
            out[s.parent_code].append(s)
    return out


def test_levels_mirror_the_model_enum() -> None:
    assert [lv.value for lv in RegionLevel] == [lv.value for lv in ModelRegionLevel]
    assert RegionLevel.GRID == ModelRegionLevel.GRID


def test_counts_match_the_published_structure(specs: list[RegionSpec]) -> None:
    counts = Counter(s.level for s in specs)
    assert counts == {RegionLevel(k): v for k, v in DEMO_COUNTS.items()}
    assert [counts[lv] for lv in LEVELS] == [1, 9, 41, 134, 364]
    kids = children(specs)
    for area in by_level(specs, RegionLevel.AREA):
        assert 3 <= len(kids[area.code]) <= 4, area.code
    grids_per_unit = [len(kids[u.code]) for u in by_level(specs, RegionLevel.UNIT)]
    assert min(grids_per_unit) == 1 and max(grids_per_unit) <= 5
    assert round(364 / 134, 1) == round(sum(grids_per_unit) / len(grids_per_unit), 1) == 2.7
    for street in by_level(specs, RegionLevel.STREET):
        units = sum(len(kids[a.code]) for a in kids[street.code])
        assert len(kids[street.code]) == units // 3


def test_streets_and_units_are_real(specs: list[RegionSpec]) -> None:
    streets = {s.code: s.name for s in by_level(specs, RegionLevel.STREET)}
    assert streets["610104002"] == "北院门街道" and streets["610104009"] == "枣园街道"
    assert len(streets) == 9
    units = by_level(specs, RegionLevel.UNIT)
    merged = [u for u in units if "/" in u.name]
    assert len(merged) == 8
    assert all("合并" in (u.note or "") and "居委会" in (u.note or "") for u in merged)
    # 环城西路 (the street with fewest communities) keeps all 8 of its own.
    assert not any(u.code.startswith("610104005") for u in merged)
    assert all("居委会" not in u.name for u in units)
    assert display_name("西十里铺村社区委会") == "西十里铺村社区"
    assert display_name("西关正街居委会") == "西关正街"


def test_code_layout(specs: list[RegionSpec]) -> None:
    lengths = {
        RegionLevel.DISTRICT: 6,
        RegionLevel.STREET: 9,
        RegionLevel.AREA: 11,
        RegionLevel.UNIT: 12,
        RegionLevel.GRID: 15,
    }
    for s in specs:
        assert len(s.code) == lengths[s.level] and s.code.isdigit(), s.code
        if s.level == RegionLevel.GRID:
            assert re.fullmatch(r"[0-9A-Z]{15}", s.code)
            assert s.code.startswith(s.parent_code or "-")
        if s.level == RegionLevel.UNIT:
            assert s.code[:9] == (s.parent_code or "")[:9]
    assert len({s.code for s in specs}) == len(specs)


def test_every_region_is_a_valid_single_polygon_flagged_demo(specs: list[RegionSpec]) -> None:
    for s in specs:
        assert isinstance(s.geometry, Polygon) and s.geometry.is_valid, s.code
        assert s.is_demo and s.note
    assert all("生成" in (s.note or "") for s in specs if s.level != RegionLevel.DISTRICT)


def test_tiling_at_every_level(specs: list[RegionSpec]) -> None:
    outline = load_outline()
    for level in LEVELS:
        geoms = [s.geometry for s in by_level(specs, level)]
        union = shapely.union_all(geoms)
        assert abs(union.area - outline.area) <= 1e-9 * outline.area, level
        assert abs(sum(g.area for g in geoms) - outline.area) <= 1e-9 * outline.area, level
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            if i < j:
                assert geoms[i].intersection(geoms[j]).area <= 1e-12 * outline.area
    parents = {s.code: s for s in specs}
    for code, kids in children(specs).items():
        parent = parents[code].geometry
        union = shapely.union_all([k.geometry for k in kids])
        assert abs(union.area - parent.area) <= 1e-9 * parent.area, code
        assert union.symmetric_difference(parent).area <= 1e-9 * parent.area, code


def test_sizes(specs: list[RegionSpec]) -> None:
    total = area_km2(load_outline())
    assert 39 < total < 41
    grid_km2 = [area_km2(s.geometry) for s in by_level(specs, RegionLevel.GRID)]
    assert all(0.08 < a < 0.15 for a in grid_km2)
    area_km2s = [area_km2(s.geometry) for s in by_level(specs, RegionLevel.AREA)]
    assert 0.8 < sum(area_km2s) / len(area_km2s) < 1.2


def test_streets_sit_roughly_where_they_are(specs: list[RegionSpec]) -> None:
    centre = {s.code: s.geometry.centroid for s in by_level(specs, RegionLevel.STREET)}
    assert centre["610104009"].x < centre["610104006"].x < centre["610104002"].x  # 枣园 west
    assert centre["610104003"].y > centre["610104007"].y  # 北关 north of 土门


def test_deterministic_for_a_seed(specs: list[RegionSpec]) -> None:
    again = generate_demo_district(7)
    assert [(s.code, s.name, s.parent_code) for s in again] == [
        (s.code, s.name, s.parent_code) for s in specs
    ]
    assert all(a.geometry.equals_exact(b.geometry, 0) for a, b in zip(again, specs, strict=True))
    other = generate_demo_district(8)
    assert Counter(s.level for s in other) == Counter(s.level for s in specs)
    streets = {s.code: s.geometry for s in by_level(specs, RegionLevel.STREET)}
    moved = [
        s.code
        for s in by_level(other, RegionLevel.STREET)
        if not s.geometry.equals_exact(streets[s.code], 1e-9)
    ]
    assert moved


def test_passes_its_own_validation(specs: list[RegionSpec]) -> None:
    features = [Feature(s.code, s.name, s.level.value, s.parent_code, s.geometry) for s in specs]
    assert validate_features(features) == []


def test_another_seed_is_another_layout_of_the_same_district() -> None:
    """(How fast it is belongs to the bench; here only that a seed is honoured.)"""
    first = {s.code: s.geometry for s in generate_demo_district(3)}
    again = {s.code: s.geometry for s in generate_demo_district(3)}
    assert first.keys() == again.keys()
    assert all(first[c].equals_exact(again[c], 0) for c in first)
