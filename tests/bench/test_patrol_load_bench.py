"""The patrol load scenario in quick mode (~30 s: the same 200 devices and rate for 12 s), and
its pieces: the walks, the devices' schedule, the feed's windows.

Timings are the benchmark's business (``meets_goal``); the test checks that every figure is
reported, every batch was stored, none failed, and the seat saw every change.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon
from sqlalchemy import func, select

from console.bench.feed_bench import Sightings
from console.bench.patrol_load_bench import (
    BATCH_FIGURE,
    FEED_FIGURE,
    M_PER_DEG,
    WARM_UP,
    Batches,
    LoadSizes,
    feed_windows,
    run_patrol_load_bench,
    walk,
)
from console.db import Database
from console.models import PatrolPoint
from tests.bench.test_feed_bench import _make


@pytest.mark.slow
def test_quick_patrol_load_bench(tmp_path: Path) -> None:
    lines: list[str] = []
    figures = run_patrol_load_bench(tmp_path, True, lines.append)
    assert [f.name for f in figures] == [BATCH_FIGURE, FEED_FIGURE]
    batch, feed = figures
    assert (batch.unit, batch.goal, batch.higher_is_better) == ("ms", 100.0, False)
    assert (feed.unit, feed.goal, feed.higher_is_better) == ("s", 1.5, False)
    for f in figures:
        assert math.isfinite(f.value) and f.value > 0, f.name
        assert f.baseline is not None and math.isfinite(f.baseline) and f.baseline > 0, f.name
        assert f.ratio is not None and math.isfinite(f.ratio), f.name
        assert f.meets_goal in (True, False), f.name
    sizes = LoadSizes.for_run(quick=True)
    assert sizes.rate == 20 and sizes.batches == 240
    # The load, then the idle baseline: every batch answered 201, none failed.
    runs = re.findall(r"([\d,]+) batches, (\d+) errors, p50 [\d.]+ ms, p95 [\d.]+ ms", batch.note)
    assert runs == [(f"{sizes.batches:,}", "0"), (str(sizes.idle_batches), "0")]
    assert "max" in batch.note and "server CPU" in batch.note
    # The seat saw every change, under load and in the baseline, and there were some of each.
    seen = re.findall(r"(\d+)/(\d+) seen", feed.note)
    assert len(seen) == 2 and all(a == b and int(a) > 0 for a, b in seen)
    assert f"feed meanwhile p50 {feed.note.split('p50 ')[1].split(',')[0]}" in batch.note
    assert any("idle baseline" in line for line in lines)
    db = Database(f"sqlite:///{tmp_path / 'patrol-load.sqlite3'}")
    try:
        with db.read() as s:
            stored = s.scalar(select(func.count()).select_from(PatrolPoint))
            patrols = s.scalar(select(func.count(func.distinct(PatrolPoint.patrol_id))))
    finally:
        db.dispose()
    assert stored == sizes.batches + WARM_UP + sizes.idle_batches
    assert patrols == sizes.devices + 1


def test_walks_stay_inside_at_walking_speed() -> None:
    square = Polygon([(108.90, 34.25), (108.903, 34.25), (108.903, 34.2525), (108.90, 34.2525)])
    rng = np.random.default_rng(3)
    track = walk(square, 60, rng, 12.0)
    assert len(track) == 60 and shapely.contains_xy(square, *track[0])
    for (x0, y0), (x1, y1) in itertools.pairwise(track):
        assert shapely.contains_xy(square, x1, y1)
        dx = (x1 - x0) * M_PER_DEG * math.cos(math.radians(y0))
        dy = (y1 - y0) * M_PER_DEG
        assert math.hypot(dx, dy) <= 12.0 + 1e-6  # 1.2 m/s at a point every 10 s


def test_schedule_and_windows() -> None:
    sizes = LoadSizes(
        devices=200, load_s=300, feed_baseline_s=30, idle_batches=1, idle_pause_s=0, cases=1
    )
    assert sizes.batches == 6_000 and sizes.sends(0) == 30 and sizes.sends(199) == 30
    quick = LoadSizes(
        devices=200, load_s=12, feed_baseline_s=4, idle_batches=1, idle_pause_s=0, cases=1
    )
    assert quick.sends(0) == 2 and quick.sends(39) == 2 and quick.sends(40) == 1
    sightings = Sightings()
    sightings.record([_make(1, 2)], 1_500_000_000)
    sightings.record([_make(2, 1)], 5_000_000_000)
    load = Batches(start_ns=2_000_000_000, end_ns=6_000_000_000)
    changes = [
        (1, 2, 1_000_000_000),
        (2, 1, 4_000_000_000),
        (3, 1, 4_500_000_000),
        (4, 1, 9_000_000_000),
    ]
    before, during = feed_windows(changes, sightings, load)
    assert (before.written, before.latencies) == (1, [0.5])
    assert (during.written, during.latencies, during.seen) == (2, [1.0], 1)
