"""The demo's component census in the register, and the demo cases that name its objects
(issue 17). Called by the demo seed (console.services.demo); no Qt.

* :func:`seed_census`: about 128,000 objects over the 364 grids (console.domain.demo_census
  generates them, resources/components/demo_census.csv says what), each with its 17-digit
  identifier (the district's county code, its class, a serial per class), owner and
  maintaining department, status, address, grid and street, flagged ``is_demo``; one bulk
  insert. ``components=N`` seeds about N instead (every class thinned alike).
* :class:`CaseObjects`: a share of the demo's 部件 reports name an object of their class near
  their point through the real report path (``ReportInput.component_id``, checked by the
  workflow), and a pool of objects draws several cases each: the repeat offenders.

Deterministic for a seed and a clock. Every draw here comes from generators of its own; the
demo's own generator is not touched, though a report re-aimed at another class may walk
another path (self-handling depends on the class) and so shift the draws after it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Float, func, select
from sqlalchemy.orm import Session

from console.domain.component_identifier import make_identifier
from console.domain.demo_census import STATUSES, census_classes, expected_size, generate_census
from console.models import Category, Component, Department, Region
from console.services.bulk_intake import big_page_cache
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput

#: The register's name field holds 30 characters (GB/T 47678.5-2026 管理部件名称).
NAME_LENGTH = 30
#: The census was surveyed between this many days before the seed's clock…
SURVEYED_FROM_DAYS = 540
#: …and this many (a campaign of four months, a year before).
SURVEYED_TO_DAYS = 420

# --- the demo's cases (CaseObjects) --------------------------------------------------------
#: Of the 部件 reports, the share re-aimed at a register object (its class replaces the
#: randomly drawn one): the demo's classes are drawn uniformly, where real 部件 reports are
#: mostly about covers, lamps and bins — the census's large classes.
AIMED_SHARE = 0.35
#: Of the re-aimed reports, the share about an object of the repeat pool.
REPEAT_SHARE = 0.5
#: Cases each object of the repeat pool draws, on average (the rule counts 3 and more).
CASES_PER_REPEAT = 4
#: Of the demo's reports, about this share are 部件 reports (153 of 416 categories in 2026).
COMPONENT_REPORT_SHARE = 0.37
#: Of the other 部件 reports of a class in the census, the share that names the nearest object.
NAMED_SHARE = 0.8
#: A reporter's point lies up to this far from the object (GPS and where one stands).
REPORT_SPREAD_M = 6.0
_M_PER_DEG_LAT = 111_195.0


@dataclass(frozen=True)
class _Grid:
    id: int
    street_id: int
    name: str
    geometry: str


def _grids(session: Session) -> list[_Grid]:
    """The grids in id order, each with its street (walked up the parents)."""
    rows = session.execute(
        select(Region.id, Region.level, Region.parent_id, Region.name, Region.geometry)
    ).all()
    parent = {r.id: r.parent_id for r in rows}
    level = {r.id: r.level for r in rows}
    out = []
    for r in sorted((r for r in rows if r.level == "grid" and r.geometry), key=lambda r: r.id):
        node = r.parent_id
        while node is not None and level[node] != "street":
            node = parent[node]
        if node is not None:
            out.append(_Grid(r.id, node, r.name, r.geometry))
    return out


def _legacy_codes(session: Session) -> dict[str, str]:
    """2026 class → its one CJ/T 214 predecessor (a class two old codes merged into has none)."""
    found: dict[str, list[str]] = {}
    for code, successor in session.execute(
        select(Category.code, Category.successor_code).where(
            Category.taxonomy == reference_data.TAXONOMY_CJT214,
            Category.kind == "component",
            Category.successor_code.is_not(None),
        )
    ):
        if successor is not None:
            found.setdefault(successor, []).append(code)
    return {new: old[0] for new, old in found.items() if len(old) == 1}


def seed_census(
    session: Session, *, seed: int, now: datetime, components: int | None = None
) -> int:
    """The demo census (about ``components`` objects; None: the full census), unless the
    register holds objects already. Needs the geography and the departments; returns how
    many objects were added."""
    if components == 0 or session.scalar(select(func.count()).select_from(Component)):
        return 0
    columns = census_columns(session, seed=seed, now=now, components=components)
    if not columns["identifier"]:
        return 0
    _insert_columns(session, columns)
    return len(columns["identifier"])


def census_columns(
    session: Session, *, seed: int, now: datetime, components: int | None = None
) -> dict[str, list[Any]]:
    """The census's rows as columns of the components table (all but the id), in insert
    order; empty columns without a district or grids."""
    columns: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
    county = session.scalar(select(Region.code).where(Region.level == "district"))
    grids = _grids(session)
    if county is None or not grids:
        return columns
    polygons = list(shapely.from_geojson([g.geometry for g in grids]))
    scale = 1.0 if components is None else components / expected_size(polygons)
    made = generate_census(polygons, seed=seed, scale=scale)
    departments = {code: i for code, i in session.execute(select(Department.code, Department.id))}
    legacy = _legacy_codes(session)
    rng = np.random.default_rng([seed, 17])
    today = now.date().toordinal()
    for objects in made:
        c, n = objects.census, len(objects)
        if c.owner not in departments:
            raise ValueError(f"demo_census.csv: owner {c.owner} of {c.code} is not a department")
        if not n:
            continue
        # The identifier's structure is make_identifier's: checked on the class's first and
        # last serial, the ones between formatted alike (100,000 calls cost a fifth of the seed).
        prefix = make_identifier(county, c.code, 1)[:-6]
        identifiers = [f"{prefix}{serial:06d}" for serial in range(1, n + 1)]
        if identifiers[-1] != make_identifier(county, c.code, n):
            raise AssertionError(f"identifier of {c.code} not as make_identifier gives it")
        columns["identifier"] += identifiers
        # A road object by its address; one inside a grid by the grid ("…第2网格内").
        at = list(zip(objects.address, objects.grid.tolist(), strict=True))
        columns["name"] += [f"{c.name}（{a or grids[g].name}）"[:NAME_LENGTH] for a, g in at]
        columns["address"] += [a or f"{grids[g].name}内" for a, g in at]
        columns["category_code"] += [c.code] * n
        columns["legacy_category_code"] += [legacy.get(c.code)] * n
        columns["geometry_kind"] += [c.geometry_kind] * n
        columns["lon"] += objects.lon.tolist()
        columns["lat"] += objects.lat.tolist()
        columns["geometry"] += objects.geometry or [None] * n
        columns["owner_department_id"] += [departments[c.owner]] * n
        maintainer = departments.get(c.maintainer)
        columns["maintainer_department_id"] += [maintainer] * n
        columns["maintainer_name"] += [None if maintainer or not c.maintainer else c.maintainer] * n
        columns["status"] += [STATUSES[k] for k in objects.status.tolist()]
        columns["grid_id"] += [grids[g].id for g in objects.grid.tolist()]
        columns["street_id"] += [grids[g].street_id for g in objects.grid.tolist()]
        columns["surveyed_on"] += (
            today - rng.integers(SURVEYED_TO_DAYS, SURVEYED_FROM_DAYS + 1, n)
        ).tolist()
    count = len(columns["identifier"])
    days = {d: date.fromordinal(d) for d in set(columns["surveyed_on"])}
    columns["surveyed_on"] = [days[d] for d in columns["surveyed_on"]]
    columns["photo"] = [None] * count
    columns["is_demo"] = [True] * count
    columns["updated_at"] = [now] * count
    return columns


#: The components table's columns the census writes (all but the id).
_COLUMNS = (
    "identifier", "name", "category_code", "legacy_category_code", "geometry_kind", "lon",
    "lat", "geometry", "owner_department_id", "maintainer_department_id", "maintainer_name",
    "status", "address", "grid_id", "street_id", "surveyed_on", "photo", "is_demo", "updated_at",
)  # fmt: skip


def _insert_columns(session: Session, columns: dict[str, list[Any]]) -> None:
    """One DB-API executemany (PostgreSQL: one COPY) of the columns' rows. Like
    bulk_intake.insert_many, each column's
    bind processor converts each distinct value once (a few dates, one clock, one flag), but
    the rows are built by zip, never as dicts: 100,000 dicts cost a tenth of the seed."""
    conn = session.connection()
    dialect = conn.dialect
    table = Component.__table__
    names = list(columns)
    for name in names:
        column_type = table.c[name].type
        process = column_type._cached_bind_processor(dialect)
        if process is not None and not isinstance(column_type, Float):  # floats are floats
            converted = {value: process(value) for value in set(columns[name])}
            columns[name] = [converted[value] for value in columns[name]]
    marks = ", ".join(["?" if dialect.paramstyle == "qmark" else "%s"] * len(names))
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    rows = list(zip(*(columns[n] for n in names), strict=True))
    # SQLite: into an empty table, its indexes built once afterwards (a sort) cost less than
    # kept up row by row (random places in the B-trees), a quarter of the insert; in the
    # transaction, so a failed seed leaves them as they were. Not on PostgreSQL, where a
    # dropped index locks the table against every other connection to the end of the demo's
    # transaction.
    sqlite = dialect.name == "sqlite"
    indexes = sorted(table.indexes, key=lambda index: str(index.name)) if sqlite else []
    with big_page_cache(conn):
        for index in indexes:
            index.drop(conn)
        # dbapi_connection is None only once the connection was invalidated.
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if not sqlite:  # PostgreSQL: COPY (an executemany is 5× slower)
                with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})", rows)
        finally:
            cursor.close()
        for index in indexes:
            index.create(conn)


@dataclass(frozen=True)
class _Named:
    """A register object as the demo's reports name it."""

    id: int
    category_code: str
    legacy_category_code: str | None
    lon: float
    lat: float
    address: str


class CaseObjects:
    """Which register object a demo report names (see the module). Reads the demo census once;
    with no census every report passes unchanged."""

    def __init__(self, session: Session, *, seed: int, cases: int) -> None:
        self.rng = random.Random(f"census-cases:{seed}")
        self.session = session
        # The driver's rows into columns, not an ORM row or an object each: 128,000 of those
        # took a second of the demo seed.
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(
                "SELECT id, category_code, legacy_category_code, lon, lat FROM components "
                "WHERE is_demo ORDER BY id"
            )
            rows = cursor.fetchall()
        finally:
            cursor.close()
        self.ids = [r[0] for r in rows]
        self.codes: list[str] = [r[1] for r in rows]
        self.legacy: list[str | None] = [r[2] for r in rows]
        self.lon = np.array([r[3] for r in rows], dtype=float)
        self.lat = np.array([r[4] for r in rows], dtype=float)
        # Per class of either generation, the objects' positions (in id order).
        self.by_code: dict[str, np.ndarray] = {}
        for column in (self.codes, self.legacy) if rows else ():
            keys, inverse = np.unique(np.array([c or "" for c in column]), return_inverse=True)
            order = np.argsort(inverse, kind="stable")
            ends = np.cumsum(np.bincount(inverse, minlength=len(keys)))
            for key, part in zip(keys.tolist(), np.split(order, ends[:-1]), strict=True):
                if key:
                    known = self.by_code.get(key)
                    self.by_code[key] = part if known is None else np.union1d(known, part)
        # Re-aimed reports keep to objects with a CJ/T 214 code too: they are reported in the
        # taxonomy of their day, either generation.
        self.both = [i for i, code in enumerate(self.legacy) if code]
        hot = round(cases * COMPONENT_REPORT_SHARE * AIMED_SHARE * REPEAT_SHARE / CASES_PER_REPEAT)
        self.repeat_pool = self.rng.sample(self.both, min(max(hot, 1), len(self.both)))
        self.turn = 0
        self.names = {
            (t, code): (name, major)
            for t, code, name, major in session.execute(
                select(Category.taxonomy, Category.code, Category.name, Category.major_name).where(
                    Category.kind == "component"
                )
            )
        }
        district = session.scalar(select(Region.geometry).where(Region.level == "district"))
        self.district = shapely.from_geojson(district) if district else None
        if self.district is not None:
            shapely.prepare(self.district)

    def about(self, report: ReportInput) -> ReportInput:
        """``report``, or the same report naming an object (maybe of another class, then
        described as one), reported a few metres from it."""
        if report.kind != "component" or not self.ids or report.taxonomy is None:
            return report
        rng = self.rng
        cjt = report.taxonomy == reference_data.TAXONOMY_CJT214
        if rng.random() < AIMED_SHARE and self.both:
            if rng.random() < REPEAT_SHARE:
                index = self.repeat_pool[self.turn % len(self.repeat_pool)]
                self.turn += 1
            else:
                index = self.both[rng.randrange(len(self.both))]
            target = self._named(index)
            code = target.legacy_category_code if cjt else target.category_code
            assert code is not None
            name, major = self.names[(report.taxonomy, code)]
            remark = report.description.rsplit("，", 1)[-1]
            report = replace(report, category_code=code, description=f"{major}：{name}，{remark}")
        elif report.category_code in self.by_code and rng.random() < NAMED_SHARE:
            candidates = self.by_code[report.category_code]
            k = math.cos(math.radians(report.lat))
            d2 = ((self.lon[candidates] - report.lon) * k) ** 2 + (
                self.lat[candidates] - report.lat
            ) ** 2
            target = self._named(int(candidates[int(np.argmin(d2))]))
        else:
            return report
        lon, lat = self._near(target)
        address = f"{target.address}附近" if target.address.endswith("号") else target.address
        return replace(report, component_id=target.id, lon=lon, lat=lat, address=address)

    def _named(self, index: int) -> _Named:
        """The object at ``index`` (id order), its address read now (a few hundred a seed)."""
        address = self.session.scalar(
            select(Component.address).where(Component.id == self.ids[index])
        )
        return _Named(
            self.ids[index],
            self.codes[index],
            self.legacy[index],
            float(self.lon[index]),
            float(self.lat[index]),
            address or "",
        )

    def _near(self, target: _Named) -> tuple[float, float]:
        """A point up to REPORT_SPREAD_M from the object, inside the district."""
        angle = self.rng.uniform(0, 2 * math.pi)
        metres = self.rng.uniform(0, REPORT_SPREAD_M)
        lat = target.lat + metres * math.sin(angle) / _M_PER_DEG_LAT
        lon = target.lon + metres * math.cos(angle) / (
            _M_PER_DEG_LAT * math.cos(math.radians(target.lat))
        )
        if self.district is not None and not shapely.contains_xy(self.district, lon, lat):
            return target.lon, target.lat
        return lon, lat


__all__ = ["CaseObjects", "census_classes", "census_columns", "seed_census"]
