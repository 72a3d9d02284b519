"""The gateway scenario at a tiny size: it runs against a real server process and reports.

Timings are the benchmark's business; the test checks the structure and that every POST of
both runs created a case.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from sqlalchemy import func, select

from console.bench.gateway_bench import FIGURE, WARM_UP, GatewaySizes, Run, run_gateway_bench
from console.db import Database
from console.models import Case


def test_tiny_gateway_bench(tmp_path: Path) -> None:
    sizes = GatewaySizes(clients=2, requests=6, baseline_requests=3)
    figures = run_gateway_bench(tmp_path, quick=True, log=print, sizes=sizes)
    assert [f.name for f in figures] == [FIGURE]
    f = figures[0]
    assert f.unit == "/s" and f.higher_is_better is True
    assert math.isfinite(f.value) and f.value > 0
    assert f.baseline is not None and math.isfinite(f.baseline) and f.baseline > 0
    assert f.ratio is not None and f.ratio > 0
    assert f.goal is not None and f.ratio_goal is not None and f.meets_goal in (True, False)
    assert "N=2 clients" in f.note
    assert re.findall(r"(\d+) ok, (\d+) errors", f.note) == [("6", "0"), ("3", "0")]
    assert len(re.findall(r"p50 [\d.]+ ms, p95 [\d.]+ ms", f.note)) == 2
    assert "naive gateway" in f.note and "with the naive client" in f.note
    db = Database(f"sqlite:///{tmp_path / 'gateway.sqlite3'}")
    try:
        with db.read() as s:
            # both timed runs, the gateway's naive-client run and both servers' warm-ups
            assert s.scalar(select(func.count()).select_from(Case)) == 6 + 3 + 3 + 2 * WARM_UP
            assert set(s.scalars(select(Case.source))) == {"hotline"}
    finally:
        db.dispose()


def test_run_figures() -> None:
    run = Run(seconds=2.0, latencies=[0.01, 0.02, 0.03, 0.04])
    assert run.count == 4 and run.rate == 2.0
    assert math.isclose(run.ms(50), 25.0)
    assert Run().rate == 0.0 and math.isnan(Run().ms(95))
