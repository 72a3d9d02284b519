"""The feed scenario: a writer process, a seat following the feed, a naive seat beside it.

Timings are the benchmark's business (``meets_goal``); the test checks that it ran, measured
something, and that every change the writer made was seen by both seats.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from console.bench.feed_bench import FeedSizes, Sightings, percentile, run_feed_bench
from console.services.queue import QueueRow


@pytest.mark.slow
def test_quick_feed_bench_sees_every_change(tmp_path: Path) -> None:
    figures = run_feed_bench(tmp_path, quick=True, log=print)
    assert [f.name for f in figures] == ["feed latency p95 (s)"]
    f = figures[0]
    assert f.unit == "s" and f.higher_is_better is False and f.goal == 1.5
    assert math.isfinite(f.value) and f.value > 0
    assert f.baseline is not None and math.isfinite(f.baseline) and f.baseline > 0
    assert f.ratio is not None and math.isfinite(f.ratio) and f.ratio > 0
    assert f.meets_goal in (True, False)
    sizes = FeedSizes.for_run(quick=True)
    assert f"N={sizes.changes} changes" in f.note
    seen = re.findall(r"(\d+)/(\d+) seen", f.note)
    # The feed seat, then the baseline: every change written was seen.
    assert seen == [
        (str(sizes.changes), str(sizes.changes)),
        (str(sizes.baseline_changes), str(sizes.baseline_changes)),
    ]
    assert (tmp_path / "feed.sqlite3").exists()


def _make(case_id: int, version: int) -> QueueRow:
    fields = dict.fromkeys(QueueRow.__dataclass_fields__)
    fields.update(id=case_id, version=version)
    return QueueRow(**fields)  # type: ignore[arg-type]


def test_sightings_match_the_first_row_at_or_past_the_written_version() -> None:
    s = Sightings()
    s.record([_make(1, 1), _make(2, 3)], 100)
    s.record([_make(1, 1)], 200)  # same version again: not a new sighting
    s.record([_make(1, 2)], 300)
    assert s.first_seen(1, 1) == 100
    assert s.first_seen(1, 2) == 300
    assert s.first_seen(2, 2) == 100  # version 3 was in hand at 100
    assert s.first_seen(1, 3) is None
    assert s.first_seen(9, 1) is None


def test_percentile() -> None:
    assert math.isnan(percentile([], 95))
    assert percentile([2.0], 95) == 2.0
    assert percentile([float(i) for i in range(1, 101)], 50) == pytest.approx(50.5)
    assert percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)
