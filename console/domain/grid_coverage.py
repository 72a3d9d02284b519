"""Does a grid layer cover its district, once and only once? Gaps (parts of the district outline
no grid covers) and overlaps (parts two grids both cover), each with its area in m² and the grid
codes involved. Pure: shapely on WGS-84 polygons, areas by geography_rules.area_km2.

A gap or overlap under ``sliver_m2`` (resources/geo/coverage.csv) is digitising noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import shapely
from shapely.geometry.base import BaseGeometry

from console.config import csv_rows, resource
from console.domain.geography_rules import area_km2
from console.errors import ValidationError

#: How near (degrees, ~0.1 m) a grid must come to a gap to count as its neighbour.
_TOUCH = 1e-6


@dataclass(frozen=True)
class Gap:
    area_m2: float
    #: A point inside the gap (lon, lat), for finding it on the map.
    at: tuple[float, float]
    #: The grids along its edge.
    neighbours: tuple[str, ...]


@dataclass(frozen=True)
class Overlap:
    codes: tuple[str, str]
    area_m2: float


@dataclass(frozen=True)
class Coverage:
    district_m2: float
    gaps: tuple[Gap, ...]
    overlaps: tuple[Overlap, ...]
    #: Grid area outside the outline.
    outside_m2: float

    @property
    def gap_m2(self) -> float:
        return sum(g.area_m2 for g in self.gaps)

    def lines(self) -> list[str]:
        """The report, one line per finding, in Chinese."""
        lines = [
            f"缺口 {i}: 约 {g.area_m2:,.0f} m²，位于 ({g.at[0]:.6f}, {g.at[1]:.6f})，"
            f"相邻网格 {'、'.join(g.neighbours) or '无'}"
            for i, g in enumerate(self.gaps, 1)
        ]
        lines += [
            f"重叠: {o.codes[0]} 与 {o.codes[1]} 约 {o.area_m2:,.0f} m²" for o in self.overlaps
        ]
        if self.outside_m2:
            lines.append(f"网格超出区界约 {self.outside_m2:,.0f} m²")
        return lines


def _m2(geometry: BaseGeometry) -> float:
    return area_km2(geometry) * 1e6


def grid_coverage(
    outline: BaseGeometry, grids: Mapping[str, BaseGeometry], *, sliver_m2: float
) -> Coverage:
    """The gaps and overlaps of ``grids`` (code → polygon) against ``outline``."""
    codes = list(grids)
    shapes = [grids[c] for c in codes]
    tree = shapely.STRtree(shapes)
    covered = shapely.union_all(shapes) if shapes else shapely.Polygon()
    gaps: list[Gap] = []
    for part in shapely.get_parts(outline.difference(covered)):
        area = _m2(part)
        if area < sliver_m2:
            continue
        near = tree.query(part, predicate="dwithin", distance=_TOUCH)
        point = part.representative_point()
        gaps.append(Gap(area, (point.x, point.y), tuple(sorted(codes[i] for i in near))))
    overlaps: list[Overlap] = []
    left, right = tree.query(shapes, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            area = _m2(shapes[i].intersection(shapes[j]))
            if area >= sliver_m2:
                overlaps.append(Overlap((codes[i], codes[j]), area))
    outside = _m2(covered.difference(outline))
    return Coverage(
        _m2(outline),
        tuple(sorted(gaps, key=lambda g: -g.area_m2)),
        tuple(sorted(overlaps, key=lambda o: o.codes)),
        outside if outside >= sliver_m2 else 0.0,
    )


@lru_cache(maxsize=1)
def sliver_m2() -> float:
    """resources/geo/coverage.csv's sliver_m2."""
    path = resource("geo", "coverage.csv")
    values = {r["name"].strip(): (r.get("value") or "").strip() for r in csv_rows(path)}
    try:
        value = float(values["sliver_m2"])
    except (KeyError, ValueError) as exc:
        raise ValidationError(f"{path.name} 格式错误（应有 sliver_m2）: {exc}") from None
    if not 0 <= value < 1e9:
        raise ValidationError(f"{path.name}: sliver_m2 应为非负面积: {value}")
    return value
