"""The five levels of places, their code layout, and validation of a set of region features.

Pure: no database. The import service turns a GeoJSON file into :class:`Feature` objects, asks
:func:`validate_features` for every problem at once, and writes nothing unless the list is empty.

Code layout (see resources/geo/README.md):

======== ========= ===================================================================
level    length    layout
======== ========= ===================================================================
district 6 digits  the county code, e.g. 610104 莲湖区
street   9 digits  the real statistical 街道 code (district + 3)
area     11 digits street code + 2-digit sequence (片区 is a management level, no code)
unit     12 digits the community's real 12-digit statistical code (street + 3)
grid     15 chars  unit code + 3-digit sequence; fits GB/T 47678.3's ``[0-9A-Z]{15}``
======== ========= ===================================================================
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from console.domain.input_limits import has_nul, printable


class RegionLevel(StrEnum):
    """The five levels. Same values as ``console.models.RegionLevel`` (domain may not import
    models); both are StrEnums, so members of the two compare equal to each other and to str."""

    DISTRICT = "district"  # 区
    STREET = "street"  # 街道
    AREA = "area"  # 片区
    UNIT = "unit"  # 单元 / 社区
    GRID = "grid"  # 网格

    @property
    def rank(self) -> int:
        return list(RegionLevel).index(self)


LEVEL_NAMES_ZH: dict[RegionLevel, str] = {
    RegionLevel.DISTRICT: "区",
    RegionLevel.STREET: "街道",
    RegionLevel.AREA: "片区",
    RegionLevel.UNIT: "单元",
    RegionLevel.GRID: "网格",
}

#: Every spelling a file may use for a level (English is matched case-insensitively).
LEVEL_ALIASES: dict[str, RegionLevel] = {
    **{level.value: level for level in RegionLevel},
    "community": RegionLevel.UNIT,
    "区": RegionLevel.DISTRICT,
    "街道": RegionLevel.STREET,
    "片区": RegionLevel.AREA,
    "单元": RegionLevel.UNIT,
    "社区": RegionLevel.UNIT,
    "网格": RegionLevel.GRID,
    "单元网格": RegionLevel.GRID,
}

CODE_PATTERNS: dict[RegionLevel, re.Pattern[str]] = {
    RegionLevel.DISTRICT: re.compile(r"\d{6}"),
    RegionLevel.STREET: re.compile(r"\d{9}"),
    RegionLevel.AREA: re.compile(r"\d{11}"),
    RegionLevel.UNIT: re.compile(r"\d{12}"),
    RegionLevel.GRID: re.compile(r"[0-9A-Z]{15}"),
}
CODE_LAYOUT_ZH: dict[RegionLevel, str] = {
    RegionLevel.DISTRICT: "6 位数字",
    RegionLevel.STREET: "9 位数字",
    RegionLevel.AREA: "11 位数字（街道编码 + 2 位序号）",
    RegionLevel.UNIT: "12 位数字（社区统计编码）",
    RegionLevel.GRID: "15 位 [0-9A-Z]（单元编码 + 3 位序号）",
}

#: Longest region name (the regions table's name column holds 100 characters).
MAX_NAME = 100

#: Default overlap / overhang tolerance: share of the smaller (or the child's) area.
DEFAULT_TOLERANCE = 0.01

#: Mean Earth radius (km) for the equirectangular area approximation.
EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180.0


def parse_level(value: object) -> RegionLevel | None:
    """The level named by ``value`` (English or Chinese), or None when unknown."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return LEVEL_ALIASES.get(text) or LEVEL_ALIASES.get(text.lower())


def parent_level(level: RegionLevel) -> RegionLevel | None:
    return None if level is RegionLevel.DISTRICT else list(RegionLevel)[level.rank - 1]


def code_prefix_of_parent(level: RegionLevel, parent_code: str) -> str:
    """What a child's code must start with: the parent's code, except a unit under an area,
    whose statistical code carries the street (the area's first 9 digits), not the area."""
    return parent_code[:9] if level is RegionLevel.UNIT else parent_code


def area_km2(geometry: BaseGeometry) -> float:
    """Area in km² by a local equirectangular projection at the geometry's mean latitude.

    Good to well under 0.1 % over a district (pyproj-free); not for surveying.
    """
    if geometry.is_empty:
        return 0.0
    lat = (geometry.bounds[1] + geometry.bounds[3]) / 2.0
    return geometry.area * KM_PER_DEGREE**2 * math.cos(math.radians(lat))


@dataclass(frozen=True)
class RegionSpec:
    """One region ready to be stored: a checked level, a polygon in WGS-84 lon/lat."""

    code: str
    level: RegionLevel
    name: str
    parent_code: str | None
    geometry: BaseGeometry
    is_demo: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Feature:
    """One feature as read from a file, before any check: the level is still raw text."""

    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: BaseGeometry | None
    #: Why the geometry could not be read at all (set by the reader; None if it parsed).
    geometry_error: str | None = None


@dataclass(frozen=True)
class KnownRegion:
    """A region already in the database that features may name as their parent."""

    level: str
    geometry: BaseGeometry | None = None


def _label(code: str) -> str:
    """A feature's code as its messages' prefix: NUL shown, a runaway value cut short."""
    text = printable(code.strip())
    return text if len(text) <= 40 else text[:30] + "…"


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _geometry_problem(geom: BaseGeometry | None, error: str | None) -> str | None:
    if error:
        return f"几何无法读取：{printable(error)[:200]}"
    if geom is None:
        return "缺少几何（geometry）"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"几何类型为 {geom.geom_type}，应为 Polygon 或 MultiPolygon"
    if geom.is_empty:
        return "几何为空"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return "坐标不是有效数字（NaN 或无穷大）"
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return "坐标超出经纬度范围（经纬度是否颠倒？应为 WGS-84 [经度, 纬度]）"
    if not geom.is_valid:
        return f"几何无效：{shapely.is_valid_reason(geom)}"
    return None


def validate_features(
    features: Sequence[Feature],
    existing: Mapping[str, KnownRegion] | None = None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[str]:
    """Every problem of ``features``, in Chinese, each prefixed with the feature's code.

    ``existing`` are regions already stored that features may name as parents (and that new
    features must not overlap at the same level). ``tolerance`` is the share of the smaller
    polygon that two siblings may overlap, and of a child that may stick out of its parent.
    """
    existing = existing or {}
    problems: list[str] = []
    label = [_label(f.code) or f"要素#{i + 1}" for i, f in enumerate(features)]

    counts = Counter(f.code for f in features if f.code)
    for code, n in counts.items():
        if n > 1:
            problems.append(f"{code}: 编码重复（出现 {n} 次）")

    # Levels and geometries of the file's own features, by code (first occurrence wins).
    levels: dict[str, RegionLevel] = {}
    shapes: dict[str, BaseGeometry] = {}
    valid: list[BaseGeometry | None] = []
    for i, f in enumerate(features):
        level = parse_level(f.level)
        if level is None:
            problems.append(
                f"{label[i]}: 未知层级“{_label(f.level)}”（应为 区/街道/片区/单元/网格 "
                "或 district/street/area/unit/grid）"
            )
        elif f.code:
            levels.setdefault(f.code, level)
        if not f.name.strip():
            problems.append(f"{label[i]}: 名称为空")
        elif len(f.name.strip()) > MAX_NAME:
            problems.append(f"{label[i]}: 名称过长（{len(f.name.strip())} 字，最多 {MAX_NAME} 字）")
        for what, text in (("编码", f.code), ("名称", f.name), ("上级编码", f.parent_code or "")):
            if has_nul(text):
                problems.append(f"{label[i]}: {what}含 NUL 字符")
        geom_problem = _geometry_problem(f.geometry, f.geometry_error)
        if geom_problem:
            problems.append(f"{label[i]}: {geom_problem}")
        valid.append(None if geom_problem else f.geometry)
        if f.code and valid[i] is not None:
            shapes.setdefault(f.code, f.geometry)

    for i, f in enumerate(features):
        level = parse_level(f.level)
        if level is None:
            continue
        if not CODE_PATTERNS[level].fullmatch(f.code):
            problems.append(
                f"{label[i]}: 编码不符合{LEVEL_NAMES_ZH[level]}的编码规则（{CODE_LAYOUT_ZH[level]}）"
            )
        problems.extend(
            _parent_problems(label[i], f, level, valid[i], levels, shapes, existing, tolerance)
        )

    problems.extend(_overlap_problems(features, levels, shapes, existing, tolerance))
    return problems


def _parent_problems(
    label: str,
    f: Feature,
    level: RegionLevel,
    geom: BaseGeometry | None,
    levels: Mapping[str, RegionLevel],
    shapes: Mapping[str, BaseGeometry],
    existing: Mapping[str, KnownRegion],
    tolerance: float,
) -> list[str]:
    expected = parent_level(level)
    parent = (f.parent_code or "").strip()
    if expected is None:
        return [f"{label}: 区不应有上级（上级编码为 {parent}）"] if parent else []
    if not parent:
        return [
            f"{label}: 缺少上级编码（{LEVEL_NAMES_ZH[level]}的上级应为{LEVEL_NAMES_ZH[expected]}）"
        ]
    if parent in levels:
        actual: RegionLevel | None = levels[parent]
        parent_geom = shapes.get(parent)
    elif parent in existing:
        actual = parse_level(existing[parent].level)
        parent_geom = existing[parent].geometry
    else:
        return [f"{label}: 上级 {_label(parent)} 不存在（文件和数据库中都没有）"]
    problems: list[str] = []
    if actual is not expected:
        found = LEVEL_NAMES_ZH[actual] if actual else "未知层级"
        problems.append(
            f"{label}: 上级 {parent} 是{found}，{LEVEL_NAMES_ZH[level]}的上级应为"
            f"{LEVEL_NAMES_ZH[expected]}"
        )
    elif CODE_PATTERNS[level].fullmatch(f.code) and not f.code.startswith(
        code_prefix_of_parent(level, parent)
    ):
        problems.append(f"{label}: 编码与上级 {parent} 的编码不一致（应以其开头）")
    if geom is not None and parent_geom is not None:
        outside = geom.difference(parent_geom).area
        if geom.area > 0 and outside > tolerance * geom.area:
            problems.append(
                f"{label}: 超出上级 {parent} 的范围（{_pct(outside / geom.area)}，"
                f"容差 {_pct(tolerance)}）"
            )
    return problems


def _overlap_problems(
    features: Sequence[Feature],
    levels: Mapping[str, RegionLevel],
    shapes: Mapping[str, BaseGeometry],
    existing: Mapping[str, KnownRegion],
    tolerance: float,
) -> list[str]:
    """Overlaps between any two regions of one level (siblings or cousins), via an STRtree."""
    problems: list[str] = []
    for level in RegionLevel:
        codes = [c for c, lv in levels.items() if lv is level and c in shapes]
        if not codes:
            continue
        n_new = len(codes)
        codes += [
            c
            for c, known in existing.items()
            if c not in levels and known.geometry is not None and parse_level(known.level) is level
        ]
        geoms = [shapes[c] if i < n_new else existing[c].geometry for i, c in enumerate(codes)]
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j or i >= n_new:  # each pair once; at least one side from the file
                continue
            a, b = geoms[i], geoms[j]
            assert a is not None and b is not None
            shared = a.intersection(b).area
            smaller = min(a.area, b.area)
            if smaller > 0 and shared > tolerance * smaller:
                m2 = area_km2(a.intersection(b)) * 1e6
                problems.append(
                    f"{codes[i]}: 与同级{LEVEL_NAMES_ZH[level]} {codes[j]} 重叠约 {m2:,.0f} m²"
                    f"（占较小者 {_pct(shared / smaller)}，容差 {_pct(tolerance)}）"
                )
    return problems
