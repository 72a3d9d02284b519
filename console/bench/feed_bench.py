"""The live refresh's scenario: from a commit in another process to the fresh row in a seat's hands.

A WRITER process (this module run as ``python -m console.bench.feed_bench writer ...``) makes N
changes through :class:`CaseService`, half new reports and half notes on open cases, one every
150–300 ms, and prints ``change <case id> <version> <time_ns>`` right after each commit returns.
The READER here does what a console seat does (console.bridge follows the feed every 500 ms on
its worker, then the queue re-reads the changed rows): poll a :class:`ChangeFeed`, fetch the
changed rows with :func:`console.services.queue.fetch_rows`, and note when each case's row with
at least the written version was in hand. Latency = that moment − the writer's commit time (one
machine, one ``time.time_ns`` clock).

The naive baseline, measured in the same run against a second writer run of the same size: a
seat that reloads the whole first page of the all-open queue (count + 200 rows) every 5 s and
sees a change once the case's new version is on that page.

Plain loops with ``time.sleep``, no Qt: the scenario runs without a display.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

import console
from console.bench.foundation import INTAKE, _reports, prepare
from console.bench.harness import Figure
from console.db import Database
from console.models import User
from console.services.actors import actor_of
from console.services.bulk_intake import bulk_report
from console.services.cases.service import CaseService
from console.services.demo import ensure_people
from console.services.locator import DbLocator
from console.services.queue import QueueFilter, QueueRow, page_ids_select
from console.services.workbench import Workbench

Log = Callable[[str], None]

#: The console's feed interval (console.bridge.Bridge.follow).
FEED_INTERVAL_S = 0.5
#: The naive seat's full reload interval, and the page it reloads.
BASELINE_INTERVAL_S = 5.0
BASELINE_PAGE = 200
#: Notes go to one of the newest open cases, so they stay on the naive seat's first page.
NOTE_POOL = 100
#: The writer's pause between two changes (jittered), ms.
WRITER_PAUSE_MS = (150, 300)
#: How long a seat keeps looking after the writer's last change before giving up, s.
GRACE_S = 30.0
#: The issue's goal for the feed's p95 latency on SQLite, s.
GOAL_P95_S = 1.5


@dataclass(frozen=True)
class FeedSizes:
    cases: int
    changes: int
    baseline_changes: int

    @classmethod
    def for_run(cls, quick: bool) -> FeedSizes:
        if quick:
            return cls(cases=300, changes=20, baseline_changes=20)
        return cls(cases=2_000, changes=100, baseline_changes=100)


@dataclass
class SeatRun:
    """One seat against one writer run: what was written, what was seen and how late."""

    written: int
    latencies: list[float] = field(default_factory=list)  # seconds, one per change seen
    looks: int = 0

    @property
    def seen(self) -> int:
        return len(self.latencies)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else math.nan

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 95)


def percentile(values: Sequence[float], p: int) -> float:
    """The ``p``-th percentile, interpolated between the closest ranks (nan for no values)."""
    if not values:
        return math.nan
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


class Sightings:
    """Per case, each new version a seat had in hand and when (time.time_ns)."""

    def __init__(self) -> None:
        self.by_case: dict[int, list[tuple[int, int]]] = {}

    def record(self, rows: Sequence[QueueRow], at_ns: int) -> None:
        for row in rows:
            seen = self.by_case.setdefault(row.id, [])
            if not seen or row.version > seen[-1][0]:
                seen.append((row.version, at_ns))

    def first_seen(self, case_id: int, version: int) -> int | None:
        for seen_version, at_ns in self.by_case.get(case_id, ()):
            if seen_version >= version:
                return at_ns
        return None


# --------------------------------------------------------------------------- the writer


def write_changes(url: str, n: int, seed: int, out: Callable[[str], None]) -> None:
    """Make ``n`` changes through CaseService, announcing each after its commit returns."""
    db = Database(url, migrate=False)
    try:
        service = CaseService(db)
        rng = random.Random(seed)
        with db.read() as s:
            users = {
                u.role: actor_of(u)
                for u in s.scalars(select(User).where(User.active).order_by(User.id.desc()))
            }
        inspector, chief = users["inspector"], users["duty_chief"]
        reports = _reports(db, n, seed=seed)
        out("ready")
        lo, hi = WRITER_PAUSE_MS
        for i in range(n):
            time.sleep(rng.uniform(lo, hi) / 1000)
            if i % 2 == 0:
                snap = service.report(inspector, reports[i])
            else:
                with db.read() as s:
                    pool = list(
                        s.scalars(
                            page_ids_select(
                                QueueFilter(), datetime.now(UTC), offset=0, limit=NOTE_POOL
                            )
                        )
                    )
                snap = service.add_note(chief, rng.choice(pool), None, note=f"基准测试备注 {i}")
            committed_ns = time.time_ns()
            out(f"change {snap.id} {snap.version} {committed_ns}")
        out("done")
    finally:
        db.dispose()


class WriterProcess:
    """The writer in its own process; its announcements are collected on a reader thread."""

    def __init__(self, url: str, n: int, seed: int) -> None:
        root = Path(console.__file__).resolve().parent.parent
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH")) if p)
        self.changes: list[tuple[int, int, int]] = []  # (case id, version, commit time_ns)
        self.done = False
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "console.bench.feed_bench", "writer", url, str(n), str(seed)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._thread = threading.Thread(target=self._read, name="feed-bench-writer", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            parts = line.split()
            with self._lock:
                if parts[:1] == ["change"] and len(parts) == 4:
                    self.changes.append((int(parts[1]), int(parts[2]), int(parts[3])))
                elif parts[:1] == ["done"]:
                    self.done = True

    def snapshot(self) -> tuple[list[tuple[int, int, int]], bool]:
        with self._lock:
            return list(self.changes), self.done

    def finished(self) -> bool:
        return self.proc.poll() is not None and not self._thread.is_alive()

    def stop(self) -> None:
        """Let a writer that reported done exit by itself (it may still be closing its
        database); kill only one that is stuck or was given up on."""
        try:
            self.proc.wait(timeout=30 if self.done else 1)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._thread.join(timeout=5)


# --------------------------------------------------------------------------- the seats


def follow(
    url: str, n: int, seed: int, look: Callable[[], Sequence[QueueRow]], interval_s: float
) -> SeatRun:
    """Run a writer of ``n`` changes while ``look`` runs every ``interval_s`` (a fixed-rate
    timer that skips ticks it overran, as a QTimer does); stop when every change was seen."""
    sightings = Sightings()
    writer = WriterProcess(url, n, seed)
    run = SeatRun(written=0)
    done = False
    give_up = time.monotonic() + n * WRITER_PAUSE_MS[1] / 1000 + GRACE_S + 60  # + process start
    try:
        next_tick = time.monotonic()
        while True:
            rows = look()
            sightings.record(rows, time.time_ns())
            run.looks += 1
            changes, done = writer.snapshot()
            if done or writer.finished():
                if all(sightings.first_seen(c, v) is not None for c, v, _ in changes):
                    break
                give_up = min(give_up, time.monotonic() + GRACE_S)
            if time.monotonic() > give_up:
                break
            next_tick += interval_s
            pause = next_tick - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            else:
                next_tick = time.monotonic()
    finally:
        writer.stop()
    return finish_run(run, writer, sightings, done, "feed bench")


def finish_run(
    run: SeatRun, writer: WriterProcess, sightings: Sightings, done: bool, what: str
) -> SeatRun:
    """Once the writer has stopped: each of its commits' latency until the seat saw it."""
    if writer.proc.returncode != 0 or not done:
        raise RuntimeError(f"{what} writer failed (exit code {writer.proc.returncode})")
    changes, _ = writer.snapshot()
    run.written = len(changes)
    for case_id, version, committed_ns in changes:
        seen_ns = sightings.first_seen(case_id, version)
        if seen_ns is not None:
            run.latencies.append(max(0, seen_ns - committed_ns) / 1e9)
    return run


def feed_seat(db: Database) -> Callable[[], list[QueueRow]]:
    """What a console seat does every 500 ms: poll the feed, then re-read the changed rows."""
    bench = Workbench(db)  # the feed starts at the newest event, before the writer starts

    def look() -> list[QueueRow]:
        ids = list(dict.fromkeys(change.case_id for change in bench.poll_changes()))
        return bench.queue_rows(ids) if ids else []

    return look


def naive_seat(db: Database) -> Callable[[], list[QueueRow]]:
    """The naive seat: count and reload the whole first page of the all-open queue."""
    bench = Workbench(db)
    queue_filter = QueueFilter()

    def look() -> list[QueueRow]:
        bench.queue_count(queue_filter)
        return bench.queue_page(queue_filter, 0, BASELINE_PAGE)

    return look


def prepare_feed_db(path: Path, cases: int) -> Database:
    """The demo district, reference data, people and ``cases`` open cases."""
    db = prepare(path)
    with db.session() as s:
        ensure_people(s, random.Random(1))
    result = bulk_report(
        db, INTAKE, _reports(db, cases, seed=5), now=datetime.now(UTC), locator=DbLocator(db)
    )
    assert result.accepted == cases, result.rejected[:3]
    return db


def run_feed_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    sizes = FeedSizes.for_run(quick)
    db = prepare_feed_db(workdir / "feed.sqlite3", sizes.cases)
    try:
        log(f"feed: a writer process makes {sizes.changes} changes, the seat polls every 0.5 s…")
        feed = follow(db.url, sizes.changes, 11, feed_seat(db), FEED_INTERVAL_S)
        log(
            f"feed: baseline, {sizes.baseline_changes} changes, "
            f"the first page reloaded every {BASELINE_INTERVAL_S:g} s…"
        )
        naive = follow(db.url, sizes.baseline_changes, 12, naive_seat(db), BASELINE_INTERVAL_S)
    finally:
        db.dispose()
    note = (
        f"commit in another process → fresh row in hand: p50 {feed.p50:.2f} s, "
        f"N={feed.written} changes (reports and notes every {WRITER_PAUSE_MS[0]}–"
        f"{WRITER_PAUSE_MS[1]} ms), {feed.seen}/{feed.written} seen, feed polled every "
        f"{FEED_INTERVAL_S:g} s; baseline: first {BASELINE_PAGE} rows of all-open reloaded "
        f"every {BASELINE_INTERVAL_S:g} s, p50 {naive.p50:.2f} s, "
        f"{naive.seen}/{naive.written} seen; {sizes.cases:,} open cases, SQLite"
    )
    return [
        Figure(
            "feed latency p95 (s)",
            feed.p95,
            "s",
            naive.p95,
            higher_is_better=False,
            goal=GOAL_P95_S,
            note=note,
        )
    ]


def main(argv: Sequence[str]) -> int:
    if len(argv) != 4 or argv[0] != "writer":
        print("usage: python -m console.bench.feed_bench writer DB_URL N SEED", file=sys.stderr)
        return 2
    write_changes(argv[1], int(argv[2]), int(argv[3]), lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
