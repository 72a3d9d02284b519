"""The seat's responsiveness during long work: queue pages while a 200,000-row import runs.

The import goes through the Bridge as the import dialog sends it (``submit_long``: its own
worker); meanwhile the queue asks for its first page every 100 ms, as a dispatcher paging or a
feed batch would, through ``submit`` (the interactive worker). Each page's time is measured from
the request to its rows on the GUI thread. The baseline is the single-worker path the console
had before: the import and the pages on one worker, so a page waits for the import to end.

Needs a QApplication (one is created if none exists); Qt-only here, the work itself is the
services' (the real ingest and the real queue read on real SQLite files).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from console.bench.feed_bench import percentile
from console.bench.foundation import fresh_copy, prepare
from console.bench.harness import Figure
from console.bench.ingest_bench import IMPORTER, write_gbk_csv
from console.services.queue import QueueFilter
from console.services.workbench import Workbench

if TYPE_CHECKING:
    from console.errors import ConsoleError
    from console.services.ingest import IngestResult

Log = Callable[[str], None]
FIGURE = "queue page during a 200,000-row import, p95 (ms)"
GOAL_MS = 100.0
PAGE_EVERY_MS = 100


def _pages_during_import(template: Path, csv: Path, copy: Path, *, own_worker: bool) -> list[float]:
    """Page times (ms) while the import runs, on a fresh copy of ``template``."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from console.bridge import Bridge
    from console.views.map_bench import _ensure_headless_env

    _ensure_headless_env()  # standalone on a server: offscreen, as the map scenario does
    # A QApplication, not a bare QCoreApplication: the map scenario after this one needs
    # widgets, and a process gets one application object only.
    QApplication.instance() or QApplication([])
    db = fresh_copy(template, copy)
    bridge = Bridge()
    try:
        # The import's own actor (the ingest bench's); the bench database has no accounts.
        workbench = Workbench(db, actor=replace(IMPORTER, role="duty_chief"))
        queue = QueueFilter(tab="all_open")
        workbench.queue_page(queue, 0, 200)  # warm: the first read opens the connection
        loop = QEventLoop()
        times: list[float] = []
        finished: list[IngestResult | ConsoleError] = []

        def imported(result: IngestResult) -> None:
            finished.append(result)
            loop.quit()

        def failed(exc: ConsoleError) -> None:
            finished.append(exc)
            loop.quit()

        def run_import() -> IngestResult:
            return workbench.import_file(csv, source="hotline")

        if own_worker:
            bridge.submit_long(run_import, imported, failed)
        else:
            bridge.submit(run_import, imported, failed)

        def ask_page() -> None:
            if finished:
                return
            asked = time.perf_counter()
            bridge.submit(
                lambda: workbench.queue_page(queue, 0, 200),
                lambda _rows: times.append((time.perf_counter() - asked) * 1000),
            )

        ticker = QTimer()
        ticker.setInterval(PAGE_EVERY_MS)
        ticker.timeout.connect(ask_page)
        ticker.start()
        loop.exec()
        ticker.stop()
        # The pages asked before the import ended: the worker answers in order, so once a
        # last (empty) call's answer is back, theirs are too.
        drained = QEventLoop()
        bridge.submit(lambda: None, lambda _none: drained.quit())
        drained.exec()
        if isinstance(finished[0], Exception) or not getattr(finished[0], "accepted", 0):
            raise RuntimeError(f"the bench import failed: {finished[0]!r}")
        return times
    finally:
        bridge.shutdown()
        db.dispose()


def run_bridge_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    rows = 5_000 if quick else 200_000
    template = workdir / "bridge-template.sqlite3"
    csv = workdir / "bridge-import.csv"
    db = prepare(template)
    try:
        log(f"  writing a {rows:,}-row CSV to import")
        write_gbk_csv(db, csv, rows, seed=9)
    finally:
        db.dispose()
    log("  the import on its own worker, pages every 100 ms")
    own = _pages_during_import(template, csv, workdir / "bridge-own.sqlite3", own_worker=True)
    log("  baseline: the import and the pages on one worker")
    one = _pages_during_import(template, csv, workdir / "bridge-one.sqlite3", own_worker=False)
    if not own or not one:
        raise RuntimeError(f"no page was timed during the import ({len(own)} / {len(one)})")
    return [
        Figure(
            FIGURE,
            percentile(own, 95),
            "ms",
            percentile(one, 95),
            higher_is_better=False,
            goal=GOAL_MS,
            note=f"{rows:,}-row CSV imported through Bridge.submit_long while the queue's first "
            f"page is asked every {PAGE_EVERY_MS} ms ({len(own)} pages, median "
            f"{statistics.median(own):.0f} ms); baseline: the same on one worker "
            f"({len(one)} pages); SQLite, {datetime.now(UTC):%Y-%m-%d}",
        )
    ]
