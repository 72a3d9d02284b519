"""The generated demo district: real 莲湖区 outline, codes and names; generated polygons.

Structure (matches the district's published figures exactly): 9 streets, 41 areas (3–4 units
each, about 1 km²), 134 units, 364 grids (about 0.11 km² each, 1–5 per unit, average 2.7).

* Streets: the 9 real 街道 with their statistical codes (resources/geo/lianhu_streets.csv).
* Units: the 142 real 社区 (lianhu_communities.csv) less 8 merges: in each of the 8 streets with
  the most communities, the last two communities form one management unit, which keeps the
  first code and is named "A社区/B社区" (raw names kept in ``note``). 142 − 8 = 134.
* Areas: every street gets floor(units / 3) areas (which sums to exactly 41), units dealt in
  code order, the 4-unit areas first.
* Grids per unit: drawn from the seed (1–5, merged units at least 3), then nudged to total 364.

Polygons come from recursive bisection of the outline: children are split into two halves of
about equal weight (weight = number of grids below), the polygon is cut by a straight line
perpendicular to its longer side where the area share equals the weight share, and each half
recurses. Streets are ordered along each cut by a rough real centre, so 枣园 lands in the west
and 北院门 by the Bell Tower. Pieces are therefore single polygons that tile their parent
exactly. Every generated polygon has ``is_demo=True`` and says so in ``note``.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import shapely
from shapely.geometry import Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from console.config import resource
from console.domain.geography_rules import RegionLevel, RegionSpec

__all__ = ["DEMO_COUNTS", "RegionSpec", "generate_demo_district", "load_outline"]

DISTRICT_CODE = "610104"
DISTRICT_NAME = "莲湖区"
DEMO_COUNTS: dict[RegionLevel, int] = {
    RegionLevel.DISTRICT: 1,
    RegionLevel.STREET: 9,
    RegionLevel.AREA: 41,
    RegionLevel.UNIT: 134,
    RegionLevel.GRID: 364,
}
MERGED_STREETS = 8
MAX_GRIDS_PER_UNIT = 5

#: Rough real centres (WGS-84 lon, lat) used only to order streets along each cut.
STREET_ANCHORS: dict[str, tuple[float, float]] = {
    "610104001": (108.930, 34.268),  # 青年路: inside the wall, west of 北院门
    "610104002": (108.941, 34.264),  # 北院门: by the Bell Tower
    "610104003": (108.942, 34.285),  # 北关: north of the north gate
    "610104004": (108.918, 34.290),  # 红庙坡: north-west
    "610104005": (108.920, 34.262),  # 环城西路: just outside the west wall
    "610104006": (108.903, 34.262),  # 西关: outside the west gate
    "610104007": (108.886, 34.250),  # 土门: south-west
    "610104008": (108.892, 34.276),  # 桃园路
    "610104009": (108.860, 34.272),  # 枣园: far west
}

GENERATED_NOTE = "演示数据：边界由程序生成，不是测绘成果"
OUTLINE_NOTE = (
    "区界取自 DataV.GeoAtlas（高德数据派生，GCJ-02 反算为 WGS-84，误差数米）；"
    "无明确许可，仅作占位参考"
)
#: Cos of 34.25°: makes "longer side" mean metres, not degrees.
_LON_SCALE = 0.8266


@dataclass(frozen=True)
class _Node:
    """A region to place: its spec fields, its weight, and the children to place inside it."""

    code: str
    level: RegionLevel
    name: str
    note: str
    weight: int
    children: tuple[_Node, ...] = ()
    anchor: tuple[float, float] | None = None


@cache
def load_outline() -> Polygon:
    """The real district outline (WGS-84), from resources/geo."""
    with open(resource("geo", "lianhu_district_wgs84.geojson"), encoding="utf-8") as fh:
        data = json.load(fh)
    geom = shape(data["features"][0]["geometry"])
    if not isinstance(geom, Polygon) or not geom.is_valid:
        raise ValueError("lianhu_district_wgs84.geojson: expected one valid Polygon")
    return geom


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(resource("geo", name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def display_name(raw: str) -> str:
    """社区名 for display: drop the 居委会 suffix (and the published typo 社区委会)."""
    for suffix, keep in (("社区居委会", "社区"), ("社区委会", "社区"), ("居委会", "")):
        if raw.endswith(suffix):
            return raw[: -len(suffix)] + keep
    return raw


def _units_by_street() -> dict[str, list[tuple[str, str, str]]]:
    """street code → [(unit code, display name, note)], after the 8 merges."""
    communities: dict[str, list[tuple[str, str]]] = {}
    for row in _read_csv("lianhu_communities.csv"):
        communities.setdefault(row["street_code"], []).append((row["code"], row["name"]))
    for rows in communities.values():
        rows.sort()
    merged = sorted(communities, key=lambda s: (-len(communities[s]), s))[:MERGED_STREETS]
    units: dict[str, list[tuple[str, str, str]]] = {}
    for street, rows in communities.items():
        out = [(code, display_name(raw), f"社区：{raw}") for code, raw in rows]
        if street in merged:
            (code_a, raw_a), (_, raw_b) = rows[-2], rows[-1]
            name = f"{display_name(raw_a)}/{display_name(raw_b)}"
            out[-2:] = [(code_a, name, f"由{raw_a}、{raw_b}合并为一个管理单元")]
        units[street] = out
    return units


def _grid_counts(n_units: int, merged: set[int], rng: random.Random) -> list[int]:
    """Grids per unit: 1–5 (merged units ≥ 3), summing to exactly the published 364."""
    total = DEMO_COUNTS[RegionLevel.GRID]
    counts = [rng.choices((1, 2, 3, 4, 5), weights=(8, 30, 36, 18, 8))[0] for _ in range(n_units)]
    low = [3 if i in merged else 1 for i in range(n_units)]
    counts = [max(c, lo) for c, lo in zip(counts, low, strict=True)]
    while (diff := sum(counts) - total) != 0:
        i = rng.randrange(n_units)
        if diff > 0 and counts[i] > low[i] and counts[i] > 2:
            counts[i] -= 1
        elif diff < 0 and counts[i] < MAX_GRIDS_PER_UNIT:
            counts[i] += 1
    return counts


def _build_tree(seed: int) -> list[_Node]:
    rng = random.Random(seed)
    streets = _read_csv("lianhu_streets.csv")
    units = _units_by_street()
    flat = [(s["code"], u) for s in streets for u in units[s["code"]]]
    merged = {i for i, (_, u) in enumerate(flat) if u[2].startswith("由")}
    counts = iter(_grid_counts(len(flat), merged, rng))
    nodes: list[_Node] = []
    for street in streets:
        s_code, s_name = street["code"], street["name"]
        short = s_name.removesuffix("街道")
        unit_nodes = []
        for u_code, u_name, u_note in units[s_code]:
            n = next(counts)
            grids = tuple(
                _Node(f"{u_code}{g:03d}", RegionLevel.GRID, f"{u_name}第{g}网格", GENERATED_NOTE, 1)
                for g in range(1, n + 1)
            )
            note = f"{u_note}；{GENERATED_NOTE}"
            unit_nodes.append(_Node(u_code, RegionLevel.UNIT, u_name, note, n, grids))
        n_areas = len(unit_nodes) // 3
        base, extra = divmod(len(unit_nodes), n_areas)
        sizes = [base + 1] * extra + [base] * (n_areas - extra)
        areas, start = [], 0
        for a, size in enumerate(sizes, start=1):
            kids = tuple(unit_nodes[start : start + size])
            start += size
            weight = sum(k.weight for k in kids)
            areas.append(
                _Node(
                    f"{s_code}{a:02d}",
                    RegionLevel.AREA,
                    f"{short}第{a}片区",
                    GENERATED_NOTE,
                    weight,
                    kids,
                )
            )
        weight = sum(a.weight for a in areas)
        note = f"真实街道名称与统计编码；{GENERATED_NOTE}"
        nodes.append(
            _Node(
                s_code,
                RegionLevel.STREET,
                s_name,
                note,
                weight,
                tuple(areas),
                STREET_ANCHORS.get(s_code),
            )
        )
    return nodes


# --- recursive bisection ---------------------------------------------------------------


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    parts = shapely.get_parts(geom).tolist()
    polys = [p for p in parts if isinstance(p, Polygon) and p.area > 0]
    polys.extend(q for p in parts if p.geom_type == "MultiPolygon" for q in _polygons(p))
    return sorted(polys, key=lambda p: -p.area)


def _rects(
    bounds: tuple[float, float, float, float], axis: int, c: float
) -> tuple[tuple[float, float, float, float], tuple[float, float, float, float]]:
    """The two padded rectangles either side of the line ``axis`` = c (sharing it exactly)."""
    x0, y0, x1, y1 = bounds[0] - 1, bounds[1] - 1, bounds[2] + 1, bounds[3] + 1
    if axis == 0:
        return (x0, y0, c, y1), (c, y0, x1, y1)
    return (x0, y0, x1, c), (x0, c, x1, y1)


def _cut_coordinate(poly: Polygon, axis: int, share: float) -> float:
    """The coordinate along ``axis`` below which ``share`` of the area lies (bisection)."""
    bounds = poly.bounds
    lo, hi = bounds[axis], bounds[axis + 2]
    target = share * poly.area
    for _ in range(40):
        mid = (lo + hi) / 2
        # clip_by_rect is fast but may be dirty: fine for an area, not for the final pieces.
        if shapely.clip_by_rect(poly, *_rects(bounds, axis, mid)[0]).area < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _try_cut(
    poly: Polygon, axis: int, share: float, max_fragment: float
) -> tuple[Polygon, Polygon] | None:
    """Cut ``poly`` in two single polygons, or None. Fragments a concave outline leaves on one
    side (up to ``max_fragment`` of the whole) are given to the side they touch."""
    c = _cut_coordinate(poly, axis, share)
    low_rect, high_rect = _rects(poly.bounds, axis, c)
    low = _polygons(poly.intersection(box(*low_rect)))
    high = _polygons(poly.intersection(box(*high_rect)))
    if not low or not high:
        return None
    extras = low[1:] + high[1:]
    if sum(p.area for p in extras) > max_fragment * poly.area:
        return None
    a, b = low[0], high[0]
    for frag in extras:
        if frag.intersection(a).length > frag.intersection(b).length:
            a = a.union(frag)
        else:
            b = b.union(frag)
    if isinstance(a, Polygon) and isinstance(b, Polygon) and not a.interiors and not b.interiors:
        return a, b
    return None


def _split(poly: Polygon, axis_pref: int, share: float) -> tuple[Polygon, Polygon, int]:
    """Two single polygons holding about ``share`` and ``1 - share`` of ``poly``; the axis used.

    Tries the preferred axis, then the other, allowing growing fragment reassignment and
    finally nudged shares, so that a concave outline never yields a MultiPolygon.
    """
    axes = (axis_pref, 1 - axis_pref)
    for max_fragment in (1e-9, 0.02, 0.2):
        for axis in axes:
            if pieces := _try_cut(poly, axis, share, max_fragment):
                return (*pieces, axis)
    for nudge in (0.02, -0.02, 0.05, -0.05, 0.1, -0.1):
        for axis in axes:
            if 0 < share + nudge < 1 and (pieces := _try_cut(poly, axis, share + nudge, 0.2)):
                return (*pieces, axis)
    raise RuntimeError(f"cannot cut polygon at share {share:.3f} into two single polygons")


def _long_axis(poly: Polygon) -> int:
    minx, miny, maxx, maxy = poly.bounds
    return 0 if (maxx - minx) * _LON_SCALE >= (maxy - miny) else 1


def _place(poly: Polygon, nodes: Sequence[_Node], out: dict[str, Polygon]) -> None:
    """Give each node a piece of ``poly`` in proportion to its weight, then recurse."""
    if len(nodes) == 1:
        out[nodes[0].code] = poly
        return
    axis = _long_axis(poly)
    if all(n.anchor for n in nodes):
        nodes = sorted(nodes, key=lambda n: (n.anchor or (0.0, 0.0))[axis])
    total = sum(n.weight for n in nodes)
    acc, best, best_gap = 0, 1, float("inf")
    for k in range(1, len(nodes)):
        acc += nodes[k - 1].weight
        if (gap := abs(acc - total / 2)) < best_gap:
            best, best_gap = k, gap
    share = sum(n.weight for n in nodes[:best]) / total
    low, high, _ = _split(poly, axis, share)
    _place(low, nodes[:best], out)
    _place(high, nodes[best:], out)


def generate_demo_district(seed: int = 7) -> list[RegionSpec]:
    """The demo geography, parents before children; the same seed gives the same polygons."""
    outline = load_outline()
    streets = _build_tree(seed)
    district = RegionSpec(
        DISTRICT_CODE, RegionLevel.DISTRICT, DISTRICT_NAME, None, outline, True, OUTLINE_NOTE
    )
    specs = [district]
    polys: dict[str, Polygon] = {}
    _place(outline, streets, polys)
    level_nodes: list[tuple[_Node, str]] = [(s, DISTRICT_CODE) for s in streets]
    while level_nodes:
        nxt: list[tuple[_Node, str]] = []
        for node, parent in level_nodes:
            geom = polys[node.code]
            if not isinstance(geom, Polygon) or not geom.is_valid:
                raise RuntimeError(f"{node.code}: generated geometry is not one valid Polygon")
            specs.append(
                RegionSpec(node.code, node.level, node.name, parent, geom, True, node.note)
            )
            if node.children:
                _place(geom, node.children, polys)
                nxt.extend((child, node.code) for child in node.children)
        level_nodes = nxt
    return specs
