"""Validation of a set of region features: each problem names the feature's code."""

from __future__ import annotations

import dataclasses

from shapely.geometry import LineString, Polygon, box

from console.domain.geography_rules import (
    Feature,
    KnownRegion,
    RegionLevel,
    area_km2,
    parse_level,
    validate_features,
)

D = (0.0, 0.0, 2.0, 1.0)


def layer() -> list[Feature]:
    """A clean district → 1 street → 1 area → 1 unit → 2 grids."""
    return [
        Feature("610104", "莲湖区", "district", None, box(*D)),
        Feature("610104001", "青年路街道", "街道", "610104", box(*D)),
        Feature("61010400101", "第1片区", "片区", "610104001", box(*D)),
        Feature("610104001001", "测试社区", "社区", "61010400101", box(*D)),
        Feature("610104001001001", "网格1", "网格", "610104001001", box(0, 0, 1, 1)),
        Feature("610104001001002", "网格2", "grid", "610104001001", box(1, 0, 2, 1)),
    ]


def replace(features: list[Feature], target: str, **changes: object) -> list[Feature]:
    """``features`` with the one whose code is ``target`` changed."""
    return [dataclasses.replace(f, **changes) if f.code == target else f for f in features]


def only(problems: list[str], code: str) -> str:
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{code}:"), problems
    return problems[0]


def test_clean_layer_passes() -> None:
    assert validate_features(layer()) == []


def test_level_aliases() -> None:
    assert parse_level("社区") is RegionLevel.UNIT
    assert parse_level(" Grid ") is RegionLevel.GRID
    assert parse_level("单元网格") is RegionLevel.GRID
    assert parse_level("county") is None and parse_level(3) is None


def test_unknown_level() -> None:
    problems = validate_features(replace(layer(), "610104001001002", level="cell"))
    assert "未知层级" in only(problems, "610104001001002")


def test_missing_parent() -> None:
    problems = validate_features(replace(layer(), "610104001001002", parent_code="610104001999"))
    assert "不存在" in only(problems, "610104001001002")


def test_parent_may_be_an_existing_region() -> None:
    features = layer()[1:]
    assert "不存在" in only(validate_features(features), "610104001")
    existing = {"610104": KnownRegion("district", box(*D))}
    assert validate_features(features, existing) == []


def test_parent_of_the_wrong_level() -> None:
    problems = validate_features(replace(layer(), "610104001001002", parent_code="61010400101"))
    assert any(p.startswith("610104001001002:") and "应为单元" in p for p in problems), problems


def test_invalid_geometries() -> None:
    bowtie = Polygon([(1, 0), (2, 1), (2, 0), (1, 1)])
    assert "几何无效" in only(
        validate_features(replace(layer(), "610104001001002", geometry=bowtie)), "610104001001002"
    )
    line = LineString([(0, 0), (1, 1)])
    assert "LineString" in only(
        validate_features(replace(layer(), "610104001001002", geometry=line)), "610104001001002"
    )
    assert "为空" in only(
        validate_features(replace(layer(), "610104001001002", geometry=Polygon())),
        "610104001001002",
    )
    assert "缺少几何" in only(
        validate_features(replace(layer(), "610104001001002", geometry=None)), "610104001001002"
    )
    swapped = box(34.26, 108.9, 34.27, 108.91)
    problems = validate_features(replace(layer(), "610104001001002", geometry=swapped))
    assert any("颠倒" in p for p in problems)


def test_overlapping_siblings_beyond_tolerance() -> None:
    problems = validate_features(replace(layer(), "610104001001002", geometry=box(0.9, 0, 2, 1)))
    text = only(problems, "610104001001001")
    assert "610104001001002" in text and "重叠" in text
    # 10 % overlap passes with a 20 % tolerance; a 0.5 % sliver passes by default.
    assert (
        validate_features(
            replace(layer(), "610104001001002", geometry=box(0.9, 0, 2, 1)), tolerance=0.2
        )
        == []
    )
    assert (
        validate_features(replace(layer(), "610104001001002", geometry=box(0.995, 0, 2, 1))) == []
    )


def test_overlap_with_an_existing_region_of_the_same_level() -> None:
    features = layer()[1:]
    existing = {
        "610104": KnownRegion("district", box(*D)),
        "610104002": KnownRegion("street", box(1.5, 0, 2, 1)),
    }
    text = only(validate_features(features, existing), "610104001")
    assert "610104002" in text


def test_child_outside_its_parent() -> None:
    problems = validate_features(replace(layer(), "610104001001002", geometry=box(1, 0, 2.5, 1)))
    assert any(p.startswith("610104001001002:") and "超出上级" in p for p in problems), problems


def test_duplicate_codes() -> None:
    features = [
        *layer(),
        Feature("610104001001002", "again", "grid", "610104001001", box(1, 0, 2, 1)),
    ]
    problems = validate_features(features)
    assert any(p.startswith("610104001001002:") and "重复" in p for p in problems)


def test_code_layout() -> None:
    problems = validate_features(replace(layer(), "610104001001002", code="61010400100100x"))
    assert any(p.startswith("61010400100100x:") and "编码不符合" in p for p in problems)
    problems = validate_features(replace(layer(), "610104001001002", code="610104001002002"))
    assert any(p.startswith("610104001002002:") and "不一致" in p for p in problems)
    problems = validate_features(replace(layer(), "610104001001002", code="ABCDEFGHIJKLMNO"))
    assert not any("编码不符合" in p for p in problems)  # GB/T 47678.3 allows [0-9A-Z]


def test_empty_code_and_name_are_labelled() -> None:
    problems = validate_features(replace(layer(), "610104001001002", code="", name=" "))
    assert any(p.startswith("要素#6:") and "名称为空" in p for p in problems)


def test_area_km2() -> None:
    # 0.01° × 0.01° at 34.25° N ≈ 1.112 km × 0.919 km.
    assert abs(area_km2(box(108.9, 34.245, 108.91, 34.255)) - 1.0219) < 0.002
