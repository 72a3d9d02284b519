"""Several seats on PostgreSQL: from a commit on one seat to the fresh row in another's queue.

The WRITER is the feed scenario's (console.bench.feed_bench): another process making N changes
through CaseService, reports and notes, one every 150–300 ms, announcing each commit's time.
The LISTENING seat does what a console seat on PostgreSQL does (console.bridge with
Workbench.listen): a NOTIFY from migration 0006's trigger wakes it, it polls the change feed at
once and fetches the changed rows with the queue's own query; a 2 s poll stands by in case a
notification is lost. Latency = the moment the row with the written version is in hand − the
writer's commit time (one machine, one ``time.time_ns`` clock).

The baseline, in the same run against a second writer run: the same seat with LISTEN off,
polling the feed every second.

Runs in a temporary schema of the server named by ``--db`` (dropped afterwards); with no
PostgreSQL ``--db``, or no server there, the scenario is skipped with a message. No Qt.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from console.bench.feed_bench import (
    GRACE_S,
    WRITER_PAUSE_MS,
    SeatRun,
    Sightings,
    WriterProcess,
    finish_run,
)
from console.bench.foundation import INTAKE, _reports
from console.bench.harness import Figure
from console.config import default_db_url
from console.db import Database
from console.services import geography
from console.services.bulk_intake import bulk_report
from console.services.demo import ensure_people
from console.services.locator import DbLocator
from console.services.reference import data as reference_data
from console.services.workbench import Workbench

Log = Callable[[str], None]

#: The issue's goal: a commit on one seat in another seat's queue within 300 ms, p95.
GOAL_P95_S = 0.3
#: The listening seat's safety-net poll (console.bridge.LISTEN_POLL_MS).
SAFETY_POLL_S = 2.0
#: The baseline seat's poll, LISTEN off.
BASELINE_POLL_S = 1.0
#: How long the listener may take to connect before the run gives up, s.
LISTEN_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class NotifySizes:
    cases: int
    changes: int
    baseline_changes: int

    @classmethod
    def for_run(cls, quick: bool) -> NotifySizes:
        if quick:
            return cls(cases=200, changes=20, baseline_changes=20)
        return cls(cases=1_000, changes=200, baseline_changes=100)


def postgres_problem(url: str) -> str | None:
    """Why the scenario cannot run against ``url``, or None when it can."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return (
            f"needs PostgreSQL, the database is {parsed.get_backend_name()} "
            "(pass --db postgresql+psycopg://user@host/db or set GRID_CONSOLE_DB)"
        )
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5})
    except ImportError as exc:
        return f"the PostgreSQL driver is missing ({exc.name}): pip install -e '.[postgres]'"
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return f"no PostgreSQL server reachable at {parsed.render_as_string()}: {first}"
    finally:
        engine.dispose()
    return None


@contextmanager
def temporary_schema(url: str, prefix: str = "grid_bench") -> Iterator[str]:
    """A URL whose connections use a fresh schema of their own, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def prepare_notify_db(url: str, cases: int) -> Database:
    """The demo district, reference data, people and ``cases`` open cases (migrated first)."""
    db = Database(url)
    with db.session() as s:
        geography.ensure_demo_district(s)
    with db.session() as s:
        reference_data.load_reference_data(s)
        ensure_people(s, random.Random(1))
    result = bulk_report(
        db, INTAKE, _reports(db, cases, seed=5), now=datetime.now(UTC), locator=DbLocator(db)
    )
    assert result.accepted == cases, result.rejected[:3]
    return db


def follow_seat(db: Database, n: int, seed: int, *, listen: bool, poll_s: float) -> SeatRun:
    """Run a writer of ``n`` changes while a seat follows the feed: woken by NOTIFY when
    ``listen`` (and polled every ``poll_s`` anyway), else polled every ``poll_s`` only."""
    bench = Workbench(db)  # its feed starts at the newest event, before the writer starts
    woken = threading.Event()
    listener = bench.listen(woken.set) if listen else None
    if listen:
        if listener is None:
            raise RuntimeError("LISTEN is not available on this database")
        give_up = time.monotonic() + LISTEN_TIMEOUT_S
        while not listener.listening and time.monotonic() < give_up:
            time.sleep(0.05)
        if not listener.listening:
            listener.stop()
            raise RuntimeError("the change listener could not connect")
        woken.clear()  # its first wake on connecting is not a change
    sightings = Sightings()
    run = SeatRun(written=0)
    writer = WriterProcess(db.url, n, seed)
    done = False
    give_up = time.monotonic() + n * WRITER_PAUSE_MS[1] / 1000 + GRACE_S + 60  # + process start
    try:
        next_tick = time.monotonic() + poll_s
        while True:
            # Sleep until a notification or the next tick, whichever comes first.
            if woken.wait(max(0.0, next_tick - time.monotonic())):
                woken.clear()
            else:
                next_tick = time.monotonic() + poll_s
            ids = list(dict.fromkeys(change.case_id for change in bench.poll_changes()))
            if ids:
                sightings.record(bench.queue_rows(ids), time.time_ns())
            run.looks += 1
            changes, done = writer.snapshot()
            if done or writer.finished():
                if all(sightings.first_seen(c, v) is not None for c, v, _ in changes):
                    break
                give_up = min(give_up, time.monotonic() + GRACE_S)
            if time.monotonic() > give_up:
                break
    finally:
        writer.stop()
        if listener is not None:
            listener.stop()
    return finish_run(run, writer, sightings, done, "notify bench")


def run_notify_bench(
    db_url: str | None, quick: bool, log: Log, sizes: NotifySizes | None = None
) -> list[Figure]:
    """The scenario on the PostgreSQL server of ``db_url`` (default: $GRID_CONSOLE_DB);
    no figure, and a message saying why, when there is none."""
    url = db_url or default_db_url()
    problem = postgres_problem(url)
    if problem is not None:
        log(f"notify: skipped — {problem}")
        return []
    sizes = sizes or NotifySizes.for_run(quick)
    with temporary_schema(url) as scoped:
        log(f"notify: {sizes.cases} open cases in a temporary schema…")
        db = prepare_notify_db(scoped, sizes.cases)
        try:
            log(f"notify: a writer process makes {sizes.changes} changes, the seat listens…")
            heard = follow_seat(db, sizes.changes, 21, listen=True, poll_s=SAFETY_POLL_S)
            log(
                f"notify: baseline, {sizes.baseline_changes} changes, "
                f"LISTEN off, the feed polled every {BASELINE_POLL_S:g} s…"
            )
            polled = follow_seat(
                db, sizes.baseline_changes, 22, listen=False, poll_s=BASELINE_POLL_S
            )
        finally:
            db.dispose()
    note = (
        f"commit on one seat (another process) → fresh row in another seat's queue, "
        f"PostgreSQL LISTEN/NOTIFY: p50 {heard.p50 * 1000:.0f} ms, N={heard.written} commits "
        f"(reports and notes every {WRITER_PAUSE_MS[0]}–{WRITER_PAUSE_MS[1]} ms), "
        f"{heard.seen}/{heard.written} seen, {heard.looks} polls; baseline: LISTEN off, feed "
        f"polled every {BASELINE_POLL_S:g} s, p50 {polled.p50 * 1000:.0f} ms, "
        f"{polled.seen}/{polled.written} seen; {sizes.cases:,} open cases"
    )
    return [
        Figure(
            "notify latency p95 (s)",
            heard.p95,
            "s",
            polled.p95,
            higher_is_better=False,
            goal=GOAL_P95_S,
            note=note,
        )
    ]
