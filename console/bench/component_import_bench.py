"""The component register's import: a 200,000-object census CSV (points, and a line or polygon
in every twenty, as WKT) through `import_components` (parse, check, locate in one pass, Core
executemany, report), beside a naive importer timed on a sample in the same run: the csv
module, a lookup of the identifier and a `session.add` per row (one ORM insert each)."""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from console.bench.foundation import fresh_copy, prepare, timed_on_copies
from console.bench.harness import Figure
from console.db import Database
from console.domain.component_identifier import make_identifier
from console.models import Category, Component, Department, Region
from console.services.components.importer import import_components
from console.services.demo import random_points_in_grids
from console.services.locator import DbLocator
from console.services.reference import data as reference_data

Log = Callable[[str], None]
FIGURE = "import 200,000 components (rows/s)"
GOAL = 20_000
REPEAT = 3
HEADER = ("管理部件标识码", "管理部件名称", "部件类别", "主管部门代码", "养护单位",
          "管理部件状态", "初始日期", "地址", "经度", "纬度", "WKT")  # fmt: skip
STATUSES = ("完好", "完好", "完好", "完好", "损坏", "丢失", "占用")
#: Every this-many-th object is a line or a polygon (given as WKT), the rest points.
SHAPE_EVERY = 20


def write_census(db: Database, path: Path, rows: int, seed: int = 17) -> None:
    """A census sheet in UTF-8 under the standard's Chinese headers."""
    with db.read() as s:
        county = s.scalar(select(Region.code).where(Region.level == "district"))
        codes = list(
            s.scalars(
                select(Category.code).where(
                    Category.taxonomy == reference_data.TAXONOMY_GBT2026,
                    Category.kind == "component",
                )
            )
        )
        departments = list(s.scalars(select(Department.code)))
        lons, lats = random_points_in_grids(s, rows, seed=seed)
    assert county is not None
    rng = random.Random(seed)
    serials: dict[str, int] = {}
    d = 0.00003  # ~3 m each way
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for i in range(rows):
        code = rng.choice(codes)
        serials[code] = serial = serials.get(code, 0) + 1
        x, y = float(lons[i]), float(lats[i])
        wkt = ""
        if i % SHAPE_EVERY == 0:
            # Centred on the point, so that the point the register keeps for it is inside.
            x0, x1, y0, y1 = x - d, x + d, y - d, y + d
            wkt = (
                f"LINESTRING ({x0!r} {y!r}, {x1!r} {y!r})"
                if i % (2 * SHAPE_EVERY) == 0
                else f"POLYGON (({x0!r} {y0!r}, {x1!r} {y0!r}, {x1!r} {y1!r}, {x0!r} {y1!r}, "
                f"{x0!r} {y0!r}))"
            )
        w.writerow(
            (
                make_identifier(county, code, serial),
                "",
                code,
                rng.choice(departments),
                "莲湖市政养护公司",
                rng.choice(STATUSES),
                f"2026-0{1 + i % 6}-{1 + i % 28:02d}",
                f"莲湖路{i % 500}号",
                repr(x) if not wkt else "",
                repr(y) if not wkt else "",
                wkt,
            )
        )
    path.write_text(buf.getvalue(), encoding="utf-8")


def naive_import(db: Database, path: Path, limit: int) -> int:
    """The first ``limit`` points of the file, the plain way: per row a query for the
    identifier, the grid from the locator, one ORM object added (flushed by the next query)."""
    locator = DbLocator(db)
    statuses = {"完好": "intact", "损坏": "damaged", "丢失": "missing", "占用": "occupied"}
    done = 0
    with db.session() as s, path.open(encoding="utf-8", newline="") as f:
        owners = {code: i for code, i in s.execute(select(Department.code, Department.id))}
        names = {
            code: name
            for code, name in s.execute(
                select(Category.code, Category.name).where(
                    Category.taxonomy == reference_data.TAXONOMY_GBT2026,
                    Category.kind == "component",
                )
            )
        }
        for row in csv.DictReader(f):
            if done >= limit:
                break
            if row["WKT"]:
                continue
            identifier = row["管理部件标识码"]
            if s.scalar(select(Component.id).where(Component.identifier == identifier)):
                continue
            lon, lat = float(row["经度"]), float(row["纬度"])
            where = locator.locate(lon, lat)
            if where is None:
                raise RuntimeError(f"bench point outside the district: {lon}, {lat}")
            s.add(
                Component(
                    identifier=identifier,
                    name=names[row["部件类别"]],
                    category_code=row["部件类别"],
                    geometry_kind="point",
                    lon=lon,
                    lat=lat,
                    owner_department_id=owners[row["主管部门代码"]],
                    maintainer_name=row["养护单位"],
                    status=statuses[row["管理部件状态"]],
                    address=row["地址"],
                    grid_id=where.grid_id,
                    street_id=where.street_id,
                    surveyed_on=date.fromisoformat(row["初始日期"]),
                    updated_at=datetime.now(UTC),
                )
            )
            done += 1
    return done


def run_component_import_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    rows = 5_000 if quick else 200_000
    sample = 300 if quick else 3_000
    template = workdir / "components-template.sqlite3"
    db = prepare(template)
    path = workdir / "components.csv"
    try:
        log(f"  writing a {rows:,}-object census CSV")
        write_census(db, path, rows)
    finally:
        db.dispose()

    def census(db: Database) -> None:
        result = import_components(db, path, now=datetime.now(UTC))
        if result.inserted != rows:
            raise RuntimeError(
                f"bench import inserted {result.inserted} of {rows}: {result.rejected[:3]}"
            )

    target = workdir / "components.sqlite3"
    fast = timed_on_copies(template, target, REPEAT, "import_components", census, log)
    base_db = fresh_copy(template, workdir / "components-naive.sqlite3")
    try:
        log(f"  per-row ORM baseline on {sample:,} rows")
        started = time.perf_counter()
        done = naive_import(base_db, path, sample)
        slow = time.perf_counter() - started
        with base_db.read() as s:
            if s.scalar(select(func.count()).select_from(Component)) != done:
                raise RuntimeError("bench baseline did not insert what it counted")
    finally:
        base_db.dispose()
    return [
        Figure(
            name=FIGURE,
            value=rows / fast,
            unit="/s",
            baseline=done / slow,
            higher_is_better=True,
            goal=GOAL,
            note=f"{rows:,} objects (1 in {SHAPE_EVERY} a line or polygon as WKT) from a UTF-8 "
            f"CSV, report file included, median of {REPEAT} runs; baseline: csv + an identifier "
            f"query and a session.add per row on {done:,} points",
        )
    ]
