"""The patrols' scenario: coverage of one day's tracks over the district's grids.

200 people × 8 h × one point every 10 s (576,000 points; quick: 20 people × 1 h) walk from a
random grid's centre at about a metre a second (a seeded random walk). Timed: per grid the
metres of track inside it and visited or not (console.domain.patrol_coverage, vectorised), from
the points in memory (ordered by patrol and sequence, as the service reads them), not the
database read. Baseline, in the same run: the per-point loop (each point and segment looked up
in the grids' STRtree and intersected one by one), timed on a tenth of the tracks and scaled
to all of them (it is linear in points); both must give the same lengths there.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from console.bench.foundation import prepare
from console.bench.harness import Figure
from console.domain.patrol_coverage import CoverageIndex, LocalProjection
from console.models import Region

Log = Callable[[str], None]
GOAL_S = 2.0
FIGURE = "patrol coverage, one day's tracks (s)"
STEP_DEG = 0.00006  # ≈ 6.7 m north–south per axis and step: about a metre a second


def tracks(
    polygons: list[object], people: int, points_each: int, seed: int = 11
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = shapely.centroid(np.asarray(polygons, dtype=object))
    pick = rng.integers(0, len(polygons), people)
    lon0, lat0 = shapely.get_x(centres)[pick], shapely.get_y(centres)[pick]
    steps = rng.normal(0.0, STEP_DEG, (people, points_each, 2)).cumsum(axis=1)
    lons = (lon0[:, None] + steps[:, :, 0]).ravel()
    lats = (lat0[:, None] + steps[:, :, 1]).ravel()
    return np.repeat(np.arange(people), points_each), lons, lats


def run_patrol_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    people, hours = (20, 1) if quick else (200, 8)
    points_each = hours * 360
    repeat = 3
    db = prepare(workdir / "patrol.sqlite3")
    try:
        with db.read() as s:
            grids = s.execute(
                select(Region.id, Region.geometry)
                .where(Region.level == "grid", Region.geometry.is_not(None))
                .order_by(Region.id)
            ).all()
    finally:
        db.dispose()
    polygons = [shape(json.loads(g.geometry or "{}")) for g in grids]
    centre = shapely.union_all(np.asarray(polygons, dtype=object)).centroid
    index = CoverageIndex([g.id for g in grids], polygons, LocalProjection(centre.x, centre.y))
    pid, lons, lats = tracks(polygons, people, points_each)
    log(f"patrols: {pid.size:,} points of {people} people over {len(grids)} grids…")
    times = []
    for i in range(repeat):
        started = time.perf_counter()
        coverage = index.coverage(pid, lons, lats)
        times.append(time.perf_counter() - started)
        log(f"patrols: run {i + 1}/{repeat}: {times[-1]:.2f} s")
    sample_people = people if quick else people // 10
    n = sample_people * points_each
    base_times = []
    for i in range(repeat):
        started = time.perf_counter()
        slow = index.coverage_loop(pid[:n].tolist(), lons[:n].tolist(), lats[:n].tolist())
        base_times.append((time.perf_counter() - started) * people / sample_people)
        log(f"patrols: baseline {i + 1}/{repeat}: {base_times[-1]:.2f} s (scaled)")
    fast = index.coverage(pid[:n], lons[:n], lats[:n])
    if not np.allclose(fast.length_m, slow.length_m, atol=1e-6) or not np.array_equal(
        fast.visited, slow.visited
    ):
        raise AssertionError("patrols: the vectorised coverage and the loop disagree")
    visited = int(coverage.visited.sum())
    km = float(coverage.length_m.sum()) / 1000
    return [
        Figure(
            FIGURE,
            statistics.median(times),
            "s",
            statistics.median(base_times),
            higher_is_better=False,
            goal=GOAL_S,
            note=f"{pid.size:,} points ({people} people × {hours} h, one every 10 s) over "
            f"{len(grids)} grids: {km:,.0f} km of track inside grids, {visited} grids visited; "
            f"from the points in memory (no database read); median of {repeat}; baseline: the "
            f"per-point loop on {sample_people} of the {people} tracks, scaled to all, the same "
            f"answer there",
        )
    ]
