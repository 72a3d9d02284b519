"""`grid-console bench --quick --json` through cli.main: it runs and reports every figure.

The speed goals live in the benchmark itself (``meets_goal``); a test never asserts a timing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from console.bench import app_shell_bench
from console.bench.foundation import Sizes
from console.cli import main

FIGURES = {
    "start-up: deadline in a new process (s)": ("s", False),
    "batch point → grid (points/s)": ("/s", True),
    "bulk ingest with grid lookup (cases/s)": ("/s", True),
    "open-queue page, all streets (ms)": ("ms", False),
    "open-queue page, one street (ms)": ("ms", False),
    "street seat: open-queue page (ms)": ("ms", False),
    "street seat: map markers (ms)": ("ms", False),
    "search 2 characters “垃圾” (ms)": ("ms", False),
    "search 4 characters “莲湖路1” (ms)": ("ms", False),
    "search a case-number prefix (ms)": ("ms", False),
    "feed latency p95 (s)": ("s", False),
    "supervision scan, 100,000 open (ms)": ("ms", False),
    "calendar change, 100,000 open cases recomputed (s)": ("s", False),
    "evaluate a month of 100,000 cases (s)": ("s", False),
    "evaluate one function's month of 100,000 cases (s)": ("s", False),
    "tier rates of a month of 100,000 cases (s)": ("s", False),
    "patrol coverage, one day's tracks (s)": ("s", False),
    "map first render, 2,000 open cases": ("s", False),
    "component layer first draw, 10,000 objects (s)": ("s", False),
    "component layer pan (ms)": ("ms", False),
    "component layer class filter (ms)": ("ms", False),
    "map update of 200 changed cases": ("ms", False),
    "map field layers (people, tracks, coverage)": ("s", False),
    "map field layers payload": ("KB", False),
    "ingest a 200,000-row GBK CSV (rows/s)": ("/s", True),
    "import 200,000 components (rows/s)": ("/s", True),
    "gateway POST requests.json (req/s)": ("/s", True),
    "patrol point batch p95, 200 devices (ms)": ("ms", False),
    "feed latency p95 beside 200 patrolling devices (s)": ("s", False),
    "app shell first load, transferred (KB)": ("KB", False),
    "app shell first load on loopback (s)": ("s", False),
    "app shell reload offline from the cache (s)": ("s", False),
    "first start: seed the demo district (s)": ("s", False),
    "nearby components within 30 m (ms)": ("ms", False),
    "seed the demo census (components/s)": ("/s", True),
    "queue page during a 200,000-row import, p95 (ms)": ("ms", False),
}
#: The field app's figures: in Chromium, so only where /usr/bin/chromium and Playwright are.
APP_SHELL = (
    app_shell_bench.BYTES_FIGURE,
    app_shell_bench.LOAD_FIGURE,
    app_shell_bench.OFFLINE_FIGURE,
)


@pytest.mark.slow
def test_quick_bench_reports_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workdir = tmp_path / "bench"
    assert main(["bench", "--quick", "--json", "--workdir", str(workdir)]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["quick"] is True
    assert report["python"].count(".") == 2

    expected = dict(FIGURES)
    if app_shell_bench.missing() is not None:  # no Chromium here: the scenario said so, skipped
        for name in APP_SHELL:
            del expected[name]
        assert "app shell" in captured.err and "skipped" in captured.err
    figures = {f["name"]: f for f in report["figures"]}
    assert set(figures) == set(expected)
    assert len(report["figures"]) == len(expected)
    for name, (unit, higher_is_better) in expected.items():
        f = figures[name]
        assert f["unit"] == unit, name
        assert f["higher_is_better"] is higher_is_better, name
        assert math.isfinite(f["value"]) and f["value"] > 0, name
        assert math.isfinite(f["baseline"]) and f["baseline"] > 0, name
        expected = f["value"] / f["baseline"] if higher_is_better else f["baseline"] / f["value"]
        assert f["ratio"] == pytest.approx(expected), name
        assert f["meets_goal"] in (True, False, None), name
        assert f["goal"] is not None or f["ratio_goal"] is not None, name
        assert f["note"], name
    # The queries ran on the quick-sized database, and said so.
    big_db = Sizes.for_run(quick=True).big_db
    assert f"on {big_db:,} cases" in figures["open-queue page, one street (ms)"]["note"]
    assert "Workbench.queue_count" in figures["open-queue page, all streets (ms)"]["note"]
    # Progress goes to stderr, so stdout stays parseable.
    for step in (
        "start-up",
        "point lookup",
        "bulk ingest",
        "queries",
        "search",
        "feed",
        "scan",
        "calendar",
        "evaluation",
        "patrols",
        "seed",
        "map",
    ):
        assert step in captured.err
    assert (workdir / "ingest.sqlite3").exists() and (workdir / "big.sqlite3").exists()
