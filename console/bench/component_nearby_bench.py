"""The component register's speed on the demo census (issue 17), each beside a same-run baseline:

* **nearby**: ``nearby_components`` — a category's objects within 30 m of a point, nearest
  first — at points a reporter would stand at (within 40 m of a random object of the census,
  asking for that object's class), on the full census (~128,000 objects; quick: ~10,000).
  Median of single calls in one open session. Baseline: the scan the index spares — every
  object of the category read, distances computed in numpy — on the same points, which must
  give the same answers.
* **census seed**: ``seed_census`` from an empty register to the commit (generation, one
  bulk insert, the indexes), as objects per second; baseline: the same rows as ORM objects
  (``session.add_all`` and a flush) on a sample. The demo seed's budget is the first start's
  figure (seed_bench, ≤ 15 s for the district and 2,000 cases); the census is held to 100,000
  objects in 2 s of it.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from console.bench.foundation import fresh_copy, prepare
from console.bench.harness import Figure
from console.db import Database
from console.models import Component
from console.services.components.nearby import nearby_components
from console.services.components.rules import register_rules
from console.services.demo_census import census_columns, seed_census
from console.services.duplicates import distance_m

Log = Callable[[str], None]
NEARBY_FIGURE = "nearby components within 30 m (ms)"
SEED_FIGURE = "seed the demo census (components/s)"
NEARBY_GOAL_MS = 1.0
#: 100,000 objects in 2 s.
SEED_GOAL = 50_000
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
#: Query points lie this far at most from an object of the asked class.
SPREAD_M = 40.0
_M_PER_DEG = 111_195.0


def _points(db: Database, queries: int, seed: int) -> list[tuple[str, float, float]]:
    """(category, lon, lat) near random objects of the census."""
    with db.read() as s:
        rows = s.execute(select(Component.category_code, Component.lon, Component.lat)).all()
    rng = random.Random(seed)
    out = []
    for code, lon, lat in rng.sample(rows, min(queries, len(rows))):
        r, a = rng.uniform(0, SPREAD_M), rng.uniform(0, 2 * np.pi)
        dlat = r * np.sin(a) / _M_PER_DEG
        dlon = r * np.cos(a) / (_M_PER_DEG * np.cos(np.radians(lat)))
        out.append((code, lon + float(dlon), lat + float(dlat)))
    return out


def scan_nearby(s: Any, category: str, lon: float, lat: float) -> list[int]:
    """The baseline: every object of the category read, distances in numpy, the same order
    (distance to 0.1 m, then identifier) and count as nearby_components."""
    rules = register_rules()
    rows = s.execute(
        select(Component.id, Component.identifier, Component.lon, Component.lat).where(
            Component.category_code == category
        )
    ).all()
    if not rows:
        return []
    lons = np.fromiter((r.lon for r in rows), float, len(rows))
    lats = np.fromiter((r.lat for r in rows), float, len(rows))
    d = distance_m(lon, lat, lons, lats)
    near = np.flatnonzero(d <= rules.nearby_radius_m)
    found = sorted((round(float(d[i]), 1), rows[i].identifier, rows[i].id) for i in near.tolist())
    return [i for _, _, i in found[: rules.nearby_max]]


def _time_each(
    fn: Callable[[str, float, float], list[int]], points: list[Any]
) -> tuple[float, list[list[int]]]:
    times, answers = [], []
    for code, lon, lat in points:
        started = time.perf_counter()
        answer = fn(code, lon, lat)
        times.append(time.perf_counter() - started)
        answers.append(answer)
    return statistics.median(times) * 1000, answers


def _nearby(db: Database, points: list[Any], log: Log) -> Figure:
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(Component)) or 0
        for code, lon, lat in points[:20]:  # warm: statements compiled, pages cached
            nearby_components(s, code, lon, lat)
            scan_nearby(s, code, lon, lat)
        fast, answers = _time_each(
            lambda c, x, y: [n.id for n in nearby_components(s, c, x, y)], points
        )
        slow, base_answers = _time_each(lambda c, x, y: scan_nearby(s, c, x, y), points)
    if answers != base_answers:
        raise AssertionError("nearby: nearby_components and the scan gave different objects")
    found = sum(1 for a in answers if a)
    log(f"  nearby: {fast:.3f} ms vs scan {slow:.3f} ms ({found} of {len(points)} found any)")
    return Figure(
        NEARBY_FIGURE,
        fast,
        "ms",
        slow,
        higher_is_better=False,
        goal=NEARBY_GOAL_MS,
        note=f"nearby_components on the demo census ({total:,} objects, SQLite): a class's "
        f"objects within 30 m of {len(points):,} points up to {SPREAD_M:.0f} m from one of its "
        f"objects ({found:,} with any), median of single calls in an open session; baseline: "
        "the class's objects all read and measured in numpy (the same answers)",
    )


def _seed(template: Path, workdir: Path, components: int | None, sample: int, log: Log) -> Figure:
    times, cpu = [], []
    made = 0
    for run in range(3):
        db = fresh_copy(template, workdir / "census-seed.sqlite3")
        try:
            started, started_cpu = time.perf_counter(), time.process_time()
            with db.session() as s:
                made = seed_census(s, seed=7, now=NOW, components=components)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        finally:
            db.dispose()
        log(
            f"  census seed, run {run + 1} of 3: {made:,} objects in {times[-1]:.2f} s "
            f"({cpu[-1]:.2f} s CPU)"
        )
    fast = statistics.median(times)
    db = fresh_copy(template, workdir / "census-orm.sqlite3")
    try:
        with db.read() as s:
            columns = census_columns(s, seed=7, now=NOW, components=components)
        names = list(columns)
        step = max(1, len(columns["identifier"]) // sample)
        rows = [
            {n: columns[n][i] for n in names} for i in range(0, len(columns["identifier"]), step)
        ]
        started = time.perf_counter()
        with db.session() as s:
            s.add_all([Component(**row) for row in rows])
            s.flush()
        slow = time.perf_counter() - started
    finally:
        db.dispose()
    log(f"  census seed: {made / fast:,.0f}/s vs ORM {len(rows) / slow:,.0f}/s")
    return Figure(
        SEED_FIGURE,
        made / fast,
        "/s",
        len(rows) / slow,
        higher_is_better=True,
        goal=SEED_GOAL,
        note=f"seed_census into an empty register: {made:,} objects over 364 grids, generated, "
        f"one bulk insert, indexes built after, committed; median of 3 (SQLite; this process's "
        f"CPU {statistics.median(cpu):.2f} s, the rest waiting on a shared machine); baseline: "
        f"the same rows as ORM objects (add_all + flush) on {len(rows):,} of them",
    )


def run_component_nearby_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    components = 10_000 if quick else None
    queries = 200 if quick else 1000
    template = workdir / "census-template.sqlite3"
    prepare(template).dispose()
    figures = [_seed(template, workdir, components, 500 if quick else 10_000, log)]
    db = fresh_copy(template, workdir / "census.sqlite3")
    try:
        with db.session() as s:
            seed_census(s, seed=7, now=NOW, components=components)
        figures.insert(0, _nearby(db, _points(db, queries, seed=5), log))
    finally:
        db.dispose()
    return figures
