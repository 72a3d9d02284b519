"""Store, import and index the five-level geography (regions table). No Qt.

* :func:`save_regions` / :func:`ensure_demo_district`: the generated demo district.
* :func:`import_geography`: a district's own layer from GeoJSON, all-or-nothing.
* :func:`load_grid_index`: point → grid → unit → area → street for whole batches at once.

Code layout and levels: see console/domain/geography_rules.py and resources/geo/README.md.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import CursorResult, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.db import Database
from console.domain.demo_district import generate_demo_district
from console.domain.geography_rules import (
    Feature,
    KnownRegion,
    RegionLevel,
    RegionSpec,
    area_km2,
    parse_level,
    validate_features,
)
from console.domain.grid_coverage import Coverage, grid_coverage, sliver_m2
from console.domain.grid_index import OUTSIDE, GridIndex
from console.domain.input_limits import MAX_NUMBER_CHARS
from console.errors import GeographyImportError
from console.models import Case, Department, GridStaff, Region, RoutingRule

#: Metres per degree of latitude, for "how far outside" messages.
_M_PER_DEGREE = 111_195.0


def _level_rank(level: str) -> int:
    parsed = parse_level(level)
    return parsed.rank if parsed else len(RegionLevel)


def _geometry_text(geometry: BaseGeometry) -> str:
    return json.dumps(mapping(geometry), separators=(",", ":"))


def _write_regions(session: Session, specs: Sequence[RegionSpec], *, update: bool) -> int:
    """Insert (or, with ``update``, overwrite by code) ``specs``, parents first.

    Parent codes resolve against the rows already in the database and those just written.
    """
    rows = {r.code: r for r in session.scalars(select(Region))}
    ids = {code: r.id for code, r in rows.items()}
    written = 0
    for rank in range(len(RegionLevel)):
        batch = [s for s in specs if RegionLevel(s.level).rank == rank]
        for spec in batch:
            parent_id = ids[spec.parent_code] if spec.parent_code else None
            row = rows.get(spec.code) if update else None
            if row is None:
                row = Region(code=spec.code)
                session.add(row)
            row.level = RegionLevel(spec.level).value
            row.name = spec.name
            row.parent_id = parent_id
            row.geometry = _geometry_text(spec.geometry)
            row.area_km2 = round(area_km2(spec.geometry), 6)
            row.is_demo = spec.is_demo
            row.note = spec.note
            rows[spec.code] = row
            written += 1
        session.flush()  # ids for the next level's parent links
        ids.update((s.code, rows[s.code].id) for s in batch)
    return written


def save_regions(session: Session, specs: Sequence[RegionSpec]) -> int:
    """Insert ``specs`` (any order; parents are written first); returns how many."""
    return _write_regions(session, specs, update=False)


def ensure_demo_district(session: Session, seed: int = 7) -> bool:
    """Generate and save the demo district if the regions table is empty; whether it did."""
    if session.scalar(select(func.count(Region.id))):
        return False
    save_regions(session, generate_demo_district(seed))
    return True


def region_counts(session: Session) -> dict[str, int]:
    """Number of regions per level (every level present, 0 when none)."""
    counts = {level.value: 0 for level in RegionLevel}
    for level, n in session.execute(
        select(Region.level, func.count(Region.id)).group_by(Region.level)
    ):
        counts[level] = n
    return counts


# --- import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: regions per level, and what a replace removed."""

    counts: dict[str, int]
    removed: int = 0
    staff_removed: int = 0
    #: A replace's coverage check of the grid layer (None: not a replace, or no outline).
    coverage: Coverage | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number in a spreadsheet
    return str(value).strip()


class _LongNumber(ValueError):
    pass


def _int(text: str) -> int:
    # A coordinate or code never needs more digits; int() itself fails past 4,300.
    if len(text) > MAX_NUMBER_CHARS:
        raise _LongNumber(text[:20])
    return int(text)


def read_features(path: Path) -> list[Feature]:
    """The features of a GeoJSON FeatureCollection; GeographyImportError if it is not one."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeographyImportError(f"无法读取地理文件 {path}：{exc}", [str(exc)]) from exc
    try:
        data = json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        where = f"第 {exc.lineno} 行第 {exc.colno} 列"
        raise GeographyImportError(
            f"{path.name} 不是有效的 JSON（{where}：{exc.msg}）",
            [f"JSON 语法错误：{where} {exc.msg}"],
        ) from exc
    except _LongNumber as exc:
        raise GeographyImportError(
            f"{path.name} 含过长的数值（超过 {MAX_NUMBER_CHARS} 个字符）: {exc}…", []
        ) from None
    except RecursionError:
        raise GeographyImportError(f"{path.name} 的 JSON 嵌套过深，不是区域图层", []) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise GeographyImportError(
            f"{path.name} 不是 GeoJSON FeatureCollection（类型为 {kind}）",
            ['文件顶层应为 {"type": "FeatureCollection", "features": [...]}'],
        )
    raw = data.get("features")
    if not isinstance(raw, list) or not raw:
        raise GeographyImportError(f"{path.name} 中没有要素（features）", ["features 为空或缺失"])
    features: list[Feature] = []
    for item in raw:
        props = item.get("properties") if isinstance(item, dict) else None
        props = props if isinstance(props, dict) else {}
        geom: BaseGeometry | None = None
        error: str | None = None
        raw_geom = item.get("geometry") if isinstance(item, dict) else None
        if raw_geom is not None:
            try:
                with warnings.catch_warnings():
                    # NaN corners warn here; _geometry_problem names them for the feature.
                    warnings.simplefilter("ignore", RuntimeWarning)
                    geom = shape(raw_geom)
            except Exception as exc:  # shapely raises many kinds for malformed input
                error = f"{type(exc).__name__}: {exc}"
        parent = props.get("parent_code", props.get("parent"))
        code = _text(props.get("code"))
        features.append(
            Feature(
                code=code,
                name=_text(props.get("name")),
                level=_text(props.get("level")),
                parent_code=_text(parent) or None,
                geometry=geom,
                geometry_error=error,
            )
        )
    return features


def _ancestors(codes: Iterable[str], parents: dict[str, str | None]) -> set[str]:
    keep: set[str] = set()
    for code in codes:
        while code in parents and code not in keep:
            keep.add(code)
            code = parents[code] or ""
    return keep


def import_geography(
    database: Database, path: Path, *, replace: bool = False, allow_gaps: bool = False
) -> ImportResult:
    """Import a GeoJSON region layer: validate everything, then write it in one transaction.

    Properties: ``code``, ``name``, ``level`` (district/street/area/unit/grid or 区/街道/片区/
    单元/社区/网格) and ``parent_code`` (or ``parent``); geometries in WGS-84. Parents may be
    regions already stored (e.g. streets attached to the existing district). Any problem raises
    GeographyImportError listing them all, and nothing is written.

    ``replace``: codes already stored are overwritten in place (ids kept, so departments that
    name a street stay linked); stored regions neither in the file nor its parents' ancestry
    are deleted with their grid staff. Refused while any case exists, since cases point at
    regions, or while a department or routing rule names a region that would go. The grids
    that result must cover the district outline (console.domain.grid_coverage): a gap refuses
    the layer unless ``allow_gaps``; gaps and overlaps are in the result either way.
    """
    features = read_features(path)
    try:
        return _import(database, path, features, replace=replace, allow_gaps=allow_gaps)
    except IntegrityError:
        # Not expected with the lock below; kept so a race never ends in a traceback.
        raise GeographyImportError(
            f"{path.name}：另一导入同时写入了相同编码的区域，未导入任何区域；请重试", []
        ) from None


def _import(
    database: Database, path: Path, features: list[Feature], *, replace: bool, allow_gaps: bool
) -> ImportResult:
    with database.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            # One import at a time: a second waits here, then sees the first's regions (and
            # says which codes exist) instead of both inserting the same codes. Reads pass.
            session.execute(text("LOCK TABLE regions IN SHARE ROW EXCLUSIVE MODE"))
        # (SQLite: the session began IMMEDIATE and holds the write lock already.)
        rows = list(session.scalars(select(Region)))
        by_code = {r.code: r for r in rows}
        file_codes = {f.code for f in features}
        if replace:
            n_cases = session.scalar(select(func.count(Case.id))) or 0
            if n_cases:
                raise GeographyImportError(
                    f"已有 {n_cases} 件案件引用现有区域，不能替换地理数据；请改为追加导入或使用新数据库",
                    [],
                )
            code_of = {r.id: r.code for r in rows}
            parents = {r.code: code_of.get(r.parent_id) if r.parent_id else None for r in rows}
            wanted = {f.parent_code for f in features if f.parent_code} - file_codes
            kept = _ancestors(wanted, parents) | (file_codes & by_code.keys())
        else:
            kept = set(by_code)
        existing = {
            code: KnownRegion(by_code[code].level, _load_geometry(by_code[code].geometry))
            for code in kept
            if code not in file_codes
        }
        problems = validate_features(features, existing)
        if not replace:
            problems += [
                f"{f.code}: 编码已存在于数据库中（如需替换现有地理数据请使用 --replace）"
                for f in features
                if f.code in by_code
            ]
        if problems:
            raise GeographyImportError(
                f"{path.name}：发现 {len(problems)} 个问题，未导入任何区域", problems
            )
        coverage = _coverage(features, existing) if replace else None
        if coverage is not None and coverage.gaps and not allow_gaps:
            raise GeographyImportError(
                f"{path.name}：网格未覆盖全区，{len(coverage.gaps)} 处缺口共约 "
                f"{coverage.gap_m2:,.0f} m²，未导入任何区域（确认无误可加 --allow-gaps）",
                coverage.lines(),
            )
        removed, staff_removed = 0, 0
        if replace:
            doomed = [r for r in rows if r.code not in kept]
            removed, staff_removed = _delete_regions(session, doomed)
        specs = [
            RegionSpec(
                code=f.code,
                level=parse_level(f.level) or RegionLevel.GRID,
                name=f.name,
                parent_code=f.parent_code,
                geometry=f.geometry,  # validated: not None
                is_demo=False,
                note=None,
            )
            for f in features
        ]
        _write_regions(session, specs, update=replace)
        counts = {level.value: 0 for level in RegionLevel}
        for spec in specs:
            counts[spec.level.value] += 1
    return ImportResult(counts, removed, staff_removed, coverage)


def _coverage(features: Sequence[Feature], kept: dict[str, KnownRegion]) -> Coverage | None:
    """The grid layer a replace leaves (the file's grids and any kept) against the district
    outline (the file's district, else the kept one); None without an outline or grids."""
    by_level: dict[RegionLevel, dict[str, BaseGeometry]] = {
        RegionLevel.DISTRICT: {},
        RegionLevel.GRID: {},
    }
    for f in features:
        level = parse_level(f.level)
        if level in by_level and f.geometry is not None:
            by_level[level][f.code] = f.geometry
    for code, known in kept.items():
        level = parse_level(known.level)
        if level in by_level and known.geometry is not None:
            by_level[level].setdefault(code, known.geometry)
    districts = list(by_level[RegionLevel.DISTRICT].values())
    grids = by_level[RegionLevel.GRID]
    if not districts or not grids:
        return None
    return grid_coverage(shapely.union_all(districts), grids, sliver_m2=sliver_m2())


def _load_geometry(text: str | None) -> BaseGeometry | None:
    return shapely.from_geojson(text) if text else None


def _delete_regions(session: Session, doomed: Sequence[Region]) -> tuple[int, int]:
    """Delete ``doomed`` (children first) and their grid staff; refuse if others name them."""
    ids = [r.id for r in doomed]
    if not ids:
        return 0, 0
    named = session.scalars(select(Department.name).where(Department.street_id.in_(ids))).all()
    n_rules = session.scalar(
        select(func.count(RoutingRule.id)).where(RoutingRule.street_id.in_(ids))
    )
    if named or n_rules:
        problems = [f"部门“{n}”关联的街道不在新文件中" for n in named]
        if n_rules:
            problems.append(f"{n_rules} 条派遣规则关联的街道不在新文件中")
        raise GeographyImportError("替换会删除仍被部门或派遣规则引用的街道，未导入", problems)
    # A DELETE's result is a CursorResult; Session.execute is typed with the plain Result.
    deleted = cast(
        CursorResult[Any], session.execute(delete(GridStaff).where(GridStaff.grid_id.in_(ids)))
    )
    staff = deleted.rowcount
    # Kept rows under a doomed parent get their new parent when the file is written.
    session.execute(
        update(Region)
        .where(Region.parent_id.in_(ids), Region.id.not_in(ids))
        .values(parent_id=None)
    )
    for rank in reversed(range(len(RegionLevel) + 1)):  # children before their parents
        level_ids = [r.id for r in doomed if _level_rank(r.level) == rank]
        if level_ids:
            session.execute(delete(Region).where(Region.id.in_(level_ids)))
    return len(ids), int(staff or 0)


# --- lookup -----------------------------------------------------------------------------


class RegionPath(NamedTuple):
    grid_id: int
    unit_id: int
    area_id: int
    street_id: int


@dataclass(frozen=True)
class GridLookup:
    """Points → (grid, unit, area, street) ids for whole batches, plus the district outline.

    ``grid_ids`` is sorted; ``unit_ids`` etc. are aligned with it (-1 where a grid has no
    ancestor at that level). Built once by :func:`load_grid_index`.
    """

    index: GridIndex
    grid_ids: npt.NDArray[np.int64]
    unit_ids: npt.NDArray[np.int64]
    area_ids: npt.NDArray[np.int64]
    street_ids: npt.NDArray[np.int64]
    #: Union of the district polygons (or of the grids when no district is stored).
    outline: BaseGeometry | None = None
    names: dict[int, str] = field(default_factory=dict)

    def locate_many(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """An (n, 4) array of grid, unit, area, street ids; a row of -1 where outside."""
        grid = self.index.lookup_many(lons, lats)
        out = np.full((grid.size, 4), OUTSIDE, dtype=np.int64)
        hit = grid != OUTSIDE
        pos = np.searchsorted(self.grid_ids, grid[hit])
        out[hit, 0] = grid[hit]
        out[hit, 1] = self.unit_ids[pos]
        out[hit, 2] = self.area_ids[pos]
        out[hit, 3] = self.street_ids[pos]
        return out

    def locate(self, lon: float, lat: float) -> RegionPath | None:
        row = self.locate_many([lon], [lat])[0]
        return None if row[0] == OUTSIDE else RegionPath(*(int(v) for v in row))

    def in_district(self, lon: float, lat: float) -> bool:
        return self.outline is not None and bool(shapely.intersects_xy(self.outline, lon, lat))

    def explain_outside(self, lon: float, lat: float) -> str:
        """Why (lon, lat) has no grid, in Chinese, for the operator."""
        if not (np.isfinite(lon) and np.isfinite(lat)):
            return "坐标不是有效数字"
        if self.outline is None:
            return "尚未载入网格数据"
        if self.in_district(lon, lat):
            return "坐标在辖区内，但不在任何网格内（网格数据有缺口）"
        swapped = shapely.intersects_xy(self.outline, lat, lon)
        if swapped:
            return "坐标不在辖区内；经纬度似乎写反了（应为 经度, 纬度）"
        dist = self.outline.distance(shapely.Point(lon, lat)) * _M_PER_DEGREE
        return f"坐标不在辖区内（距辖区边界约 {dist:,.0f} 米）"


def load_grid_index(session: Session) -> GridLookup:
    """Build the point lookup from the stored grids and their ancestors (one query)."""
    rows = session.execute(
        select(Region.id, Region.level, Region.parent_id, Region.geometry, Region.name)
    ).all()
    level_of = {r.id: r.level for r in rows}
    parent_of = {r.id: r.parent_id for r in rows}
    grids = sorted(
        (r for r in rows if r.level == RegionLevel.GRID and r.geometry), key=lambda r: r.id
    )
    grid_ids = np.array([r.id for r in grids], dtype=np.int64)
    polygons = shapely.from_geojson(np.array([r.geometry for r in grids], dtype=object))
    ancestors = {
        lv: np.full(len(grids), OUTSIDE, dtype=np.int64) for lv in ("unit", "area", "street")
    }
    for i, row in enumerate(grids):
        node = parent_of.get(row.id)
        while node is not None:
            if level_of[node] in ancestors:
                ancestors[level_of[node]][i] = node
            node = parent_of.get(node)
    districts = [r.geometry for r in rows if r.level == RegionLevel.DISTRICT and r.geometry]
    if districts:
        outline = shapely.union_all(shapely.from_geojson(np.array(districts, dtype=object)))
    else:
        outline = shapely.union_all(polygons) if len(grids) else None
    if outline is not None:
        shapely.prepare(outline)
    return GridLookup(
        index=GridIndex(grid_ids.tolist(), list(polygons)),
        grid_ids=grid_ids,
        unit_ids=ancestors["unit"],
        area_ids=ancestors["area"],
        street_ids=ancestors["street"],
        outline=outline,
        names={r.id: r.name for r in rows},
    )
