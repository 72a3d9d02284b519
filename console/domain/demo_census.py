"""The demo district's component census (issue 17), generated: lamps, covers, bins, signs… in
rows along roads, a few objects and areas scattered inside each grid. Pure geometry (numpy and
shapely 2, vectorised per class), no database.

The demo has no road network, so the roads are made of its geography: the grids' boundaries
(the straight cuts of the generated district, a city-block pattern) are road centre lines, and
each grid has one 支路 through its middle along its longer side. A "road" class stands in rows
``offset_m`` from a road's centre line into the grid, evenly spaced (``per_km`` per km of road
side, a little jitter); an "inside" class is scattered in the grid at least ``INSIDE_CLEAR``
from its boundary. Every object therefore lies strictly inside the grid it was generated in.
The classes, densities, owners and status shares are resources/components/demo_census.csv.

Deterministic for a seed and the grid polygons; ``scale`` thins every class alike (a small
census for tests and benches).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from console.config import csv_rows, resource
from console.domain.patrol_coverage import LocalProjection

#: Statuses of resources/components/statuses.csv a census row gives shares of (the rest intact).
STATUS_COLUMNS = ("damaged", "missing", "occupied", "scrapped")
#: ClassObjects.status indexes this.
STATUSES = (*STATUS_COLUMNS, "intact")
#: The 支路 through a grid ends this far from the grid's boundary (its junction with the road).
LANE_CLEAR = 20.0
#: "inside" objects keep this far from the grid's boundary (off the roads' pavements).
INSIDE_CLEAR = 15.0
#: expected_size measures the rows this far from the road's centre line.
TYPICAL_OFFSET_M = 9.0
#: Jitter of a row's spacing, as a share of the spacing.
ROW_JITTER = 0.15
#: House numbers: one every this many metres along a road, odd on one side and even on the other.
NUMBER_EVERY_M = 12.0


@dataclass(frozen=True)
class CensusClass:
    code: str
    name: str
    geometry_kind: str  # point | line | polygon
    placement: str  # road | inside
    offset_m: float
    per_km: float
    per_grid: float
    size_m: float
    owner: str
    maintainer: str
    #: Shares (0–1) of STATUS_COLUMNS, in that order.
    shares: tuple[float, ...]


@cache
def census_classes() -> tuple[CensusClass, ...]:
    """resources/components/demo_census.csv, checked for what the generator relies on."""
    out = []
    for r in csv_rows(resource("components", "demo_census.csv")):
        c = CensusClass(
            code=r["code"],
            name=r["name"],
            geometry_kind=r["geometry_kind"],
            placement=r["placement"],
            offset_m=float(r["offset_m"]),
            per_km=float(r["per_km"]),
            per_grid=float(r["per_grid"]),
            size_m=float(r["size_m"]),
            owner=r["owner"],
            maintainer=r["maintainer"],
            shares=tuple(float(r[k]) / 100 for k in STATUS_COLUMNS),
        )
        road = c.placement == "road" and c.offset_m > 0 and c.per_km > 0
        inside = c.placement == "inside" and c.per_grid > 0 and c.geometry_kind != "line"
        sized = c.geometry_kind == "point" or c.size_m > 0
        if not (road or inside) or not sized or sum(c.shares) >= 1:
            raise ValueError(f"demo_census.csv: class {c.code} is not placeable as given")
        out.append(c)
    return tuple(out)


@cache
def road_names() -> dict[str, tuple[str, ...]]:
    """axis (ew, ns, lane) → the road names of resources/components/demo_roads.csv."""
    names: dict[str, list[str]] = {}
    for r in csv_rows(resource("components", "demo_roads.csv")):
        names.setdefault(r["axis"], []).append(r["name"])
    return {axis: tuple(v) for axis, v in names.items()}


@dataclass(frozen=True)
class ClassObjects:
    """One class's generated objects, as columns."""

    census: CensusClass
    grid: npt.NDArray[np.int64]  # index into the grids given
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    #: GeoJSON (WGS-84) of each line or polygon; None for points.
    geometry: list[str] | None
    #: "莲湖路35号" for road objects, "" for inside ones (the caller names their grid).
    address: list[str]
    #: Index into STATUSES.
    status: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.grid)


def _projection(grids: Sequence[BaseGeometry]) -> LocalProjection:
    minx, miny, maxx, maxy = shapely.total_bounds(np.asarray(grids, dtype=object))
    return LocalProjection((minx + maxx) / 2, (miny + maxy) / 2)


@dataclass(frozen=True)
class _Lanes:
    """Each grid's 支路: its centre line (a straight segment), ending LANE_CLEAR from the grid's
    boundary, so that either side of it at a class's offset (at most 12 m) stays inside."""

    start: npt.NDArray[np.float64]  # (n, 2) projected metres
    end: npt.NDArray[np.float64]
    grid: npt.NDArray[np.int64]
    along_x: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, polys: npt.NDArray[np.object_]) -> _Lanes:
        minx, miny, maxx, maxy = shapely.bounds(polys).T
        centre = shapely.get_coordinates(shapely.point_on_surface(polys))
        along_x = (maxx - minx) >= (maxy - miny)
        x0 = np.where(along_x, minx, centre[:, 0])
        x1 = np.where(along_x, maxx, centre[:, 0])
        y0 = np.where(along_x, centre[:, 1], miny)
        y1 = np.where(along_x, centre[:, 1], maxy)
        lines = shapely.linestrings(np.stack([np.stack([x0, y0], 1), np.stack([x1, y1], 1)], 1))
        inner = shapely.buffer(polys, -LANE_CLEAR, join_style="mitre")
        parts, grid = shapely.get_parts(shapely.intersection(lines, inner), return_index=True)
        keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > 1.0)
        parts, grid = parts[keep], grid[keep]
        # A straight line clipped by a polygon: each part is straight, its ends are enough.
        return cls(
            shapely.get_coordinates(shapely.get_point(parts, 0)),
            shapely.get_coordinates(shapely.get_point(parts, -1)),
            grid.astype(np.int64),
            along_x[grid],
        )


@dataclass(frozen=True)
class _Rows:
    """The lines a road class stands in rows along, as segments (numpy, no shapely per point):
    each grid's boundary shrunk by the class's offset, and both sides of its 支路."""

    seg_start: npt.NDArray[np.float64]  # (s, 2)
    seg_vec: npt.NDArray[np.float64]  # (s, 2)
    seg_cum: npt.NDArray[np.float64]  # (s,) running length at each segment's end, all lines
    line_first: npt.NDArray[np.int64]  # first segment of each line
    line_last: npt.NDArray[np.int64]
    line_len: npt.NDArray[np.float64]
    line_grid: npt.NDArray[np.int64]
    #: Each line's unit normal towards its road's centre line is given per segment: for a
    #: boundary ring, the outward side; for a 支路's side, towards the 支路.
    seg_out: npt.NDArray[np.float64]  # (s, 2)
    line_is_lane: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, polys: npt.NDArray[np.object_], lanes: _Lanes, offset: float) -> _Rows:
        shrunk = shapely.buffer(polys, -offset, join_style="mitre")
        parts, ring_grid = shapely.get_parts(shrunk, return_index=True)
        keep = ~shapely.is_empty(parts)
        rings = shapely.get_exterior_ring(parts[keep])
        ring_grid = ring_grid[keep]
        ccw = shapely.is_ccw(rings)
        coords, which = shapely.get_coordinates(rings, return_index=True)
        same = which[1:] == which[:-1]
        r_start = coords[:-1][same]
        r_vec = (coords[1:] - coords[:-1])[same]
        r_line = which[:-1][same]
        r_len = np.hypot(r_vec[:, 0], r_vec[:, 1])
        unit = r_vec / np.where(r_len > 0, r_len, 1)[:, None]
        # Interior on the left of a counter-clockwise ring: outward is the right-hand normal.
        right = np.stack([unit[:, 1], -unit[:, 0]], 1)
        r_out = np.where(ccw[r_line][:, None], right, -right)
        # The 支路's two sides, each one segment, its normal towards the 支路.
        n_lane = len(lanes.grid)
        perp = np.where(lanes.along_x[:, None], [0.0, 1.0], [1.0, 0.0])
        l_start = np.concatenate([lanes.start - perp * offset, lanes.start + perp * offset])
        l_vec = np.concatenate([lanes.end - lanes.start] * 2)
        l_out = np.concatenate([perp, -perp])
        l_line = len(rings) + np.arange(2 * n_lane)
        seg_start = np.concatenate([r_start, l_start])
        seg_vec = np.concatenate([r_vec, l_vec])
        seg_line = np.concatenate([r_line, l_line])
        seg_len = np.hypot(seg_vec[:, 0], seg_vec[:, 1])
        n_lines = len(rings) + 2 * n_lane
        first = np.searchsorted(seg_line, np.arange(n_lines), side="left")
        last = np.searchsorted(seg_line, np.arange(n_lines), side="right") - 1
        return cls(
            seg_start=seg_start,
            seg_vec=seg_vec,
            seg_cum=np.cumsum(seg_len),
            line_first=first,
            line_last=last,
            line_len=np.bincount(seg_line, seg_len, minlength=n_lines).astype(np.float64),
            line_grid=np.concatenate([ring_grid, lanes.grid, lanes.grid]).astype(np.int64),
            seg_out=np.concatenate([r_out, l_out]),
            line_is_lane=np.concatenate([np.zeros(len(rings), bool), np.ones(2 * n_lane, bool)]),
        )

    def at(
        self, line: npt.NDArray[np.int64], distance: npt.NDArray[np.float64]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The points ``distance`` along ``line`` and the segment each lies on."""
        before = self.seg_cum[self.line_first[line]] - np.hypot(
            *self.seg_vec[self.line_first[line]].T
        )
        wanted = before + distance
        seg = np.clip(
            np.searchsorted(self.seg_cum, wanted, side="left"),
            self.line_first[line],
            self.line_last[line],
        )
        seg_len = np.hypot(self.seg_vec[seg, 0], self.seg_vec[seg, 1])
        start_cum = self.seg_cum[seg] - seg_len
        t = np.clip((wanted - start_cum) / np.where(seg_len > 0, seg_len, 1), 0, 1)
        return self.seg_start[seg] + self.seg_vec[seg] * t[:, None], seg


def _stochastic_round(x: npt.NDArray[np.float64], rng: np.random.Generator) -> np.ndarray:
    """Integers whose mean is ``x`` (so a thin class still appears in the right numbers)."""
    base = np.floor(x)
    return (base + (rng.random(x.shape) < x - base)).astype(np.int64)


def _row_positions(
    lengths: npt.NDArray[np.float64], spacing: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced positions along each line (random phase, a little jitter):
    (line index, distance along it) of every position."""
    phase = rng.uniform(0, spacing, len(lengths))
    counts = np.where(phase < lengths, np.floor((lengths - phase) / spacing) + 1, 0).astype(int)
    line = np.repeat(np.arange(len(lengths)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(len(line)) - starts
    jitter = rng.uniform(-ROW_JITTER, ROW_JITTER, len(line)) * spacing
    distance = np.clip(phase[line] + k * spacing + jitter, 0, lengths[line])
    return line, distance


def _road_addresses(
    rows: _Rows,
    line: np.ndarray,
    seg: np.ndarray,
    xy: np.ndarray,
    offset: float,
    origin: np.ndarray,
) -> list[str]:
    """ "莲湖路35号": the road's name by its direction and where its centre line lies (so both
    sides of one straight road share a name), the number by the distance along it, odd on
    one side and even on the other."""
    names = road_names()
    vec = rows.seg_vec[seg]
    out_n = rows.seg_out[seg]
    horizontal = np.abs(vec[:, 0]) >= np.abs(vec[:, 1])
    centre = xy + out_n * offset
    across = np.where(horizontal, centre[:, 1], centre[:, 0])
    along = np.where(horizontal, xy[:, 0] - origin[0], xy[:, 1] - origin[1])
    side = np.where(horizontal, out_n[:, 1], out_n[:, 0]) > 0
    key = np.round(across).astype(np.int64)
    number = (np.maximum(along, 0) // NUMBER_EVERY_M).astype(np.int64) * 2 + 1 + side
    lane = rows.line_is_lane[line]
    ew, ns, lanes = names["ew"], names["ns"], names["lane"]
    out = []
    for h, is_lane, k, n in zip(
        horizontal.tolist(), lane.tolist(), key.tolist(), number.tolist(), strict=True
    ):
        pool = lanes if is_lane else (ew if h else ns)
        out.append(f"{pool[(k * 7919) % len(pool)]}{n}号")
    return out


def _status(c: CensusClass, n: int, rng: np.random.Generator) -> np.ndarray:
    """Index into STATUSES, by the class's shares (intact the rest)."""
    return np.searchsorted(np.cumsum(c.shares), rng.random(n), side="right").astype(np.int64)


def generate_census(
    grids: Sequence[BaseGeometry], *, seed: int, scale: float = 1.0
) -> list[ClassObjects]:
    """Every census class's objects over ``grids`` (WGS-84 polygons), in the file's order."""
    if not grids or scale <= 0:
        return []
    proj = _projection(grids)
    polys = np.asarray([proj.geometry(g) for g in grids], dtype=object)
    shapely.prepare(polys)
    origin = shapely.total_bounds(polys)[:2]
    lanes = _Lanes.of(polys)
    out = []
    for index, census in enumerate(census_classes()):
        rng = np.random.default_rng([seed, index, 47678])
        if census.placement == "road":
            rows = _Rows.of(polys, lanes, census.offset_m)
            out.append(_along_roads(census, rows, proj, rng, scale, origin))
        else:
            out.append(_inside(census, polys, proj, rng, scale))
    return out


def expected_size(grids: Sequence[BaseGeometry]) -> float:
    """About how many objects the full census (scale 1) has over ``grids``: what a smaller
    census scales by. Road classes by the length of their rows at a typical offset."""
    if not grids:
        return 0.0
    proj = _projection(grids)
    polys = np.asarray([proj.geometry(g) for g in grids], dtype=object)
    km = float(_Rows.of(polys, _Lanes.of(polys), TYPICAL_OFFSET_M).line_len.sum()) / 1000
    return sum(
        c.per_km * km if c.placement == "road" else c.per_grid * len(polys)
        for c in census_classes()
    )


def _along_roads(
    c: CensusClass,
    rows: _Rows,
    proj: LocalProjection,
    rng: np.random.Generator,
    scale: float,
    origin: np.ndarray,
) -> ClassObjects:
    line, distance = _row_positions(rows.line_len, 1000.0 / (c.per_km * scale), rng)
    geometry: list[str] | None = None
    if c.geometry_kind == "line":
        # A stretch along the row: five points, so that a corner is followed, not cut.
        steps = np.linspace(0.0, 1.0, 5) * c.size_m
        at = np.minimum(distance[:, None] + steps[None, :], rows.line_len[line][:, None])
        keep = (at[:, -1] - at[:, 0]) >= c.size_m / 2
        line, at = line[keep], at[keep]
        pts, segs = rows.at(np.repeat(line, 5), at.ravel())
        coords = pts.reshape(-1, 5, 2)
        lon, lat = proj.lonlat(coords[..., 0], coords[..., 1])
        geometry = list(shapely.to_geojson(shapely.linestrings(np.stack([lon, lat], -1))))
        xy, seg = coords[:, 2, :], segs.reshape(-1, 5)[:, 2]
    else:
        xy, seg = rows.at(line, distance)
    grid = rows.line_grid[line]
    lon, lat = proj.lonlat(xy[:, 0], xy[:, 1])
    address = _road_addresses(rows, line, seg, xy, c.offset_m, origin)
    return ClassObjects(
        c, grid, np.asarray(lon), np.asarray(lat), geometry, address, _status(c, len(grid), rng)
    )


def _inside(
    c: CensusClass,
    polys: npt.NDArray[np.object_],
    proj: LocalProjection,
    rng: np.random.Generator,
    scale: float,
) -> ClassObjects:
    counts = _stochastic_round(np.full(len(polys), c.per_grid * scale), rng)
    # A polygon's centre keeps half its diagonal (and a margin) from the boundary: it lies
    # wholly inside the grid.
    width = c.size_m * 0.6
    clear = INSIDE_CLEAR + (math.hypot(c.size_m, width) / 2 if c.geometry_kind == "polygon" else 0)
    room = shapely.buffer(polys, -clear, join_style="mitre")
    grids: list[np.ndarray] = []
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    bounds = shapely.bounds(room)
    for g in np.flatnonzero(counts):
        if shapely.is_empty(room[g]):
            continue
        need, got_x, got_y = int(counts[g]), np.empty(0), np.empty(0)
        minx, miny, maxx, maxy = bounds[g]
        for _ in range(20):  # rejection sampling in the bounds: a grid is mostly its bounds
            cx = rng.uniform(minx, maxx, 4 * need + 4)
            cy = rng.uniform(miny, maxy, cx.size)
            inside = shapely.contains_xy(room[g], cx, cy)
            got_x, got_y = np.concatenate([got_x, cx[inside]]), np.concatenate([got_y, cy[inside]])
            if got_x.size >= need:
                break
        got_x, got_y = got_x[:need], got_y[:need]
        grids.append(np.full(got_x.size, g, dtype=np.int64))
        xs.append(got_x)
        ys.append(got_y)
    grid = np.concatenate(grids) if grids else np.empty(0, np.int64)
    x = np.concatenate(xs) if xs else np.empty(0)
    y = np.concatenate(ys) if ys else np.empty(0)
    geometry: list[str] | None = None
    if c.geometry_kind == "polygon":
        long_x = rng.random(len(x)) < 0.5
        hx = np.where(long_x, c.size_m, width) / 2
        hy = np.where(long_x, width, c.size_m) / 2
        corners = np.stack(
            [
                np.stack([x - hx, y - hy], 1),
                np.stack([x + hx, y - hy], 1),
                np.stack([x + hx, y + hy], 1),
                np.stack([x - hx, y + hy], 1),
                np.stack([x - hx, y - hy], 1),
            ],
            1,
        )
        lon_c, lat_c = proj.lonlat(corners[..., 0], corners[..., 1])
        shapes = shapely.polygons(np.stack([lon_c, lat_c], -1))
        geometry = list(shapely.to_geojson(shapes))
    lon, lat = proj.lonlat(x, y)
    return ClassObjects(
        c,
        grid,
        np.asarray(lon),
        np.asarray(lat),
        geometry,
        [""] * len(grid),
        _status(c, len(grid), rng),
    )
