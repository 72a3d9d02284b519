"""The foundation's scenarios: bulk ingest, batch point → grid, queue and overdue queries.

Each scenario runs its fast path and a naive baseline in the same process, on the same data.
"""

from __future__ import annotations

import random
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import numpy as np
from sqlalchemy import select

from console.bench.harness import Figure, median_seconds
from console.db import Database
from console.domain.lifecycle import OPEN_STATES
from console.models import Case, Category
from console.services import geography
from console.services.actors import Actor
from console.services.bulk_intake import bulk_report, insert_many
from console.services.cases import numbers as case_numbers
from console.services.cases.service import CaseService
from console.services.demo import REMARKS, ROADS, random_points_in_grids
from console.services.geography import GridLookup, RegionPath
from console.services.locator import DbLocator
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput

INTAKE = Actor(id=None, name="bench", role="intake")
#: The supervision scan's look-back: marks crossed since its previous run (generously 10 min).


@dataclass(frozen=True)
class Sizes:
    points: int
    linear_points: int
    ingest: int
    ingest_baseline: int
    big_db: int
    query_repeat: int

    @classmethod
    def for_run(cls, quick: bool) -> Sizes:
        if quick:
            return cls(
                points=20_000,
                linear_points=500,
                ingest=5_000,
                ingest_baseline=150,
                big_db=20_000,
                query_repeat=7,
            )
        return cls(
            points=200_000,
            linear_points=2_000,
            ingest=100_000,
            ingest_baseline=1_000,
            big_db=2_000_000,
            query_repeat=21,
        )


class LinearLocator:
    """The naive locator: test every grid polygon in Python for each point."""

    def __init__(self, lookup: GridLookup) -> None:
        self.lookup = lookup
        self.position = {int(g): i for i, g in enumerate(lookup.grid_ids)}

    def locate(self, lon: float, lat: float) -> RegionPath | None:
        grid = self.lookup.index.lookup_linear(lon, lat)
        if grid is None:
            return None
        i = self.position[grid]
        lk = self.lookup
        return RegionPath(grid, int(lk.unit_ids[i]), int(lk.area_ids[i]), int(lk.street_ids[i]))

    def locate_many(self, lons: object, lats: object) -> NoReturn:
        raise NotImplementedError

    def explain_outside(self, lon: float, lat: float) -> str:
        return self.lookup.explain_outside(lon, lat)


def fresh_copy(template: Path, path: Path) -> Database:
    """A private copy of a benchmark database file (its WAL and shared memory left behind)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, path)
    return Database(f"sqlite:///{path}")


def timed_on_copies(
    template: Path,
    target: Path,
    repeat: int,
    label: str,
    work: Callable[[Database], object],
    log: Callable[[str], None],
) -> float:
    """Median wall time of ``work(db)`` over ``repeat`` runs, each on a fresh copy of
    ``template`` at ``target`` (the same work every time: an import into the same database)."""
    times: list[float] = []
    for run in range(repeat):
        db = fresh_copy(template, target)
        try:
            log(f"  {label}, run {run + 1} of {repeat}")
            started = time.perf_counter()
            work(db)
            times.append(time.perf_counter() - started)
        finally:
            db.dispose()
    return statistics.median(times)


def prepare(path: Path) -> Database:
    """A fresh database with the demo district and reference data, no cases."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    with db.session() as s:
        geography.ensure_demo_district(s)
    with db.session() as s:
        reference_data.load_reference_data(s)
    return db


def _reports(db: Database, n: int, seed: int) -> list[ReportInput]:
    with db.read() as s:
        codes = s.execute(
            select(Category.code, Category.kind).where(
                Category.taxonomy == reference_data.TAXONOMY_CJT214
            )
        ).all()
        lons, lats = random_points_in_grids(s, n, seed=seed)
    rng = random.Random(seed)
    picks = [rng.choice(codes) for _ in range(n)]
    return [
        ReportInput(
            category_code=code,
            kind=kind,
            lon=float(x),
            lat=float(y),
            description="基准测试上报",
            address="莲湖路1号",
            source="hotline",
        )
        for (code, kind), x, y in zip(picks, lons, lats, strict=True)
    ]


def bench_point_lookup(db: Database, sizes: Sizes) -> Figure:
    with db.read() as s:
        lookup = geography.load_grid_index(s)
        minx, miny, maxx, maxy = lookup.outline.bounds if lookup.outline else (0, 0, 1, 1)
    rng = np.random.default_rng(1)
    lons = rng.uniform(minx, maxx, sizes.points)
    lats = rng.uniform(miny, maxy, sizes.points)
    fast = median_seconds(lambda: lookup.index.lookup_many(lons, lats), 5)
    m = sizes.linear_points

    def linear() -> None:
        for x, y in zip(lons[:m], lats[:m], strict=True):
            lookup.index.lookup_linear(float(x), float(y))

    slow = median_seconds(linear, 3)
    return Figure(
        "batch point → grid (points/s)",
        sizes.points / fast,
        "/s",
        m / slow,
        higher_is_better=True,
        ratio_goal=50,
        note=f"{sizes.points:,} points vectorised vs {m:,} in a Python loop over "
        f"{len(lookup.grid_ids)} polygons",
    )


def bench_ingest(db: Database, sizes: Sizes) -> list[Figure]:
    now = datetime.now(UTC)
    reports = _reports(db, sizes.ingest, seed=2)
    started = time.perf_counter()
    result = bulk_report(db, INTAKE, reports, now=now, locator=DbLocator(db))
    fast_rate = result.accepted / (time.perf_counter() - started)
    assert result.accepted == len(reports), result.rejected[:3]
    with db.read() as s:
        linear = LinearLocator(geography.load_grid_index(s))
    service = CaseService(db, locator=linear)
    slow_reports = _reports(db, sizes.ingest_baseline, seed=3)
    started = time.perf_counter()
    for report in slow_reports:
        service.report(INTAKE, report)
    slow_rate = len(slow_reports) / (time.perf_counter() - started)
    return [
        Figure(
            "bulk ingest with grid lookup (cases/s)",
            fast_rate,
            "/s",
            slow_rate,
            higher_is_better=True,
            goal=20_000,
            ratio_goal=30,
            note=f"{sizes.ingest:,} cases in one batch vs {len(slow_reports):,} "
            "one ORM insert and transaction each, linear polygon scan",
        )
    ]


def fill_big_db(db: Database, n: int, now: datetime, seed: int = 4) -> None:
    """``n`` synthetic cases, 5 % open (a realistic backlog), written with Core in batches."""
    with db.read() as s:
        lookup = geography.load_grid_index(s)
        categories = s.execute(
            select(Category.code, Category.kind, Category.name, Category.major_name).where(
                Category.taxonomy == reference_data.TAXONOMY_CJT214
            )
        ).all()
    rng = np.random.default_rng(seed)
    # The demo's wording (console.services.demo), so that the search has real text to find.
    road = rng.integers(0, len(ROADS), n)
    house = rng.integers(1, 300, n)
    remark = rng.integers(0, len(REMARKS), n)
    sequence: dict[str, int] = {}
    batch = 50_000
    grid_ids, unit_ids = lookup.grid_ids, lookup.unit_ids
    area_ids, street_ids = lookup.area_ids, lookup.street_ids
    open_states = [s for s in OPEN_STATES if s != "suspended"]
    for start in range(0, n, batch):
        size = min(batch, n - start)
        g = rng.integers(0, len(grid_ids), size)
        is_open = rng.random(size) < 0.05
        # Finished cases span two years; the open backlog is the last month's.
        age = np.where(is_open, rng.uniform(0, 30 * 86400, size), rng.uniform(0, 730 * 86400, size))
        state_pick = rng.integers(0, len(open_states), size)
        rows = []
        for i in range(size):
            reported = now - timedelta(seconds=float(age[i]))
            code, kind, name, major = categories[(start + i) % len(categories)]
            prefix = case_numbers.number_prefix(kind, code, reported)
            sequence[prefix] = sequence.get(prefix, 0) + 1
            k = start + i
            state = open_states[state_pick[i]] if is_open[i] else "archived"
            on_clock = state in ("dispatched", "return_requested")
            deadline = (
                reported + timedelta(days=3) if state not in ("reported", "registered") else None
            )
            rows.append(
                {
                    "number": f"{prefix}{sequence[prefix]:04d}",
                    "source": "inspector",
                    "reporter": "bench",
                    "taxonomy": reference_data.TAXONOMY_CJT214,
                    "kind": kind,
                    "category_code": code,
                    "urgent": False,
                    "description": f"{major}：{name}，{REMARKS[remark[k]]}",
                    "address": f"{ROADS[road[k]]}{house[k]}号附近",
                    "lon": 108.9,
                    "lat": 34.27,
                    "grid_id": int(grid_ids[g[i]]),
                    "unit_id": int(unit_ids[g[i]]),
                    "area_id": int(area_ids[g[i]]),
                    "street_id": int(street_ids[g[i]]),
                    "state": state,
                    "reported_at": reported,
                    "updated_at": reported,
                    "warning_at": deadline - timedelta(hours=14) if deadline else None,
                    "deadline_at": deadline,
                    "dispatched_at": reported if on_clock else None,
                    "extension_value": 0.0,
                    "suspended_seconds": 0.0,
                    "rework_count": 0,
                    "return_count": 0,
                    "dispatch_count": 1,
                    "version": 1,
                }
            )
        with db.session() as s:
            # Many rows per statement: the search index's trigger flushes once per statement.
            insert_many(s.connection(), Case.__table__, rows)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


#: The queue table's page (console.views.queue_model.PAGE_SIZE): what one load reads.
QUEUE_PAGE = 200
#: Who the timed seat acts as (the bench database has no accounts).
BENCH_SEAT = Actor(id=None, name="值班长", role="duty_chief")


def bench_queries(db: Database, sizes: Sizes, now: datetime) -> list[Figure]:
    """The queue's first load as a seat runs it: the Workbench's count and first page (the
    calls the queue model makes), on all streets and on one."""
    from console.services.queue import QueueFilter
    from console.services.workbench import Workbench

    with db.read() as s:
        first_street = s.scalar(select(Case.street_id).limit(1))
    seat = Workbench(db, actor=BENCH_SEAT, clock=lambda: now)

    def timed(query_fn: Callable[[], object]) -> float:
        return median_seconds(query_fn, sizes.query_repeat) * 1000

    def first_load(f: QueueFilter) -> Callable[[], object]:
        return lambda: (seat.queue_count(f), seat.queue_page(f, 0, QUEUE_PAGE))

    def naive_open() -> None:
        # Baseline: load every open case and sort and filter in Python.
        with db.engine.connect() as c:
            rows = c.execute(
                select(
                    Case.id, Case.state, Case.reported_at, Case.warning_at, Case.street_id
                ).where(Case.state.in_(OPEN_STATES))
            ).all()
        sorted(rows, key=lambda r: r.reported_at, reverse=True)[:QUEUE_PAGE]

    # A street seat (issue 16): the same calls confined in the services to its street, beside
    # the district seat's own all-streets load measured here.
    street_seat = Workbench(
        db,
        actor=Actor(None, "街道值班员", "street_duty_officer", region_id=first_street),
        clock=lambda: now,
    )

    def street_load() -> object:
        f = QueueFilter(tab="all_open")
        return street_seat.queue_count(f), street_seat.queue_page(f, 0, QUEUE_PAGE)

    district_page = timed(first_load(QueueFilter(tab="all_open")))
    street_page = timed(street_load)
    district_map = timed(seat.map_markers)
    street_map = timed(street_seat.map_markers)
    scoped_note = (
        f"on {sizes.big_db:,} cases, median of {sizes.query_repeat}; a street seat's calls, "
        "confined to its street by console.services.case_scope; baseline: the district seat's "
        "same calls, all streets, in the same run"
    )

    base_open = timed(naive_open)
    note = (
        f"on {sizes.big_db:,} cases, median of {sizes.query_repeat}; the queue's first load "
        f"(Workbench.queue_count + queue_page of {QUEUE_PAGE}, as the table asks); baseline: "
        f"every open case read and sorted in Python"
    )
    return [
        Figure(
            "open-queue page, all streets (ms)",
            timed(first_load(QueueFilter(tab="all_open"))),
            "ms",
            base_open,
            higher_is_better=False,
            goal=50,
            note=note,
        ),
        Figure(
            "street seat: open-queue page (ms)",
            street_page,
            "ms",
            district_page,
            higher_is_better=False,
            goal=50,
            note=scoped_note,
        ),
        Figure(
            "street seat: map markers (ms)",
            street_map,
            "ms",
            district_map,
            higher_is_better=False,
            ratio_goal=1.0,  # as fast as the district's (its street holds fewer markers)
            note=scoped_note,
        ),
        Figure(
            "open-queue page, one street (ms)",
            timed(first_load(QueueFilter(tab="all_open", street_id=first_street))),
            "ms",
            base_open,
            higher_is_better=False,
            goal=50,
            note=note,
        ),
    ]


def run_foundation(workdir: Path, quick: bool, log: Callable[[str], None]) -> list[Figure]:
    sizes = Sizes.for_run(quick)
    figures: list[Figure] = []
    db = prepare(workdir / "ingest.sqlite3")
    try:
        log("point lookup…")
        figures.append(bench_point_lookup(db, sizes))
        log("bulk ingest…")
        figures.extend(bench_ingest(db, sizes))
    finally:
        db.dispose()
    big = prepare(workdir / "big.sqlite3")
    try:
        now = datetime.now(UTC)
        log(f"filling a database with {sizes.big_db:,} cases…")
        fill_big_db(big, sizes.big_db, now)
        log("queries…")
        figures.extend(bench_queries(big, sizes, now))
    finally:
        big.dispose()
    return figures
