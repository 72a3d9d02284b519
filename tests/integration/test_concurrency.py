"""Several seats on one database: 4 processes × 500 conflicting actions on the same 100 cases.

Each process (tests/integration/conflict_worker.py) acts like a dispatcher's seat: dispatch,
return (request/approve/reject), feedback, verify pass/fail, close, suspend/resume, notes, each
with the version of the case it last saw, often stale on purpose. The same test runs on
PostgreSQL (READ COMMITTED, the row lock of the versioned UPDATE) and on an SQLite file (BEGIN
IMMEDIATE, busy timeout).

What "every loser gets a conflict error" means here, precisely: for each case and each version
``v`` the seats saw, at most one action taken on ``v`` succeeds (the winner, leading to
``v + 1``); every other action taken on ``v`` that the lifecycle allows in the state seen fails
with :class:`StaleVersionError` (code ``conflict``) — never a success, never an
:class:`IllegalTransitionError`, never any other exception — and its winner had started before
the loser finished. :class:`IllegalTransitionError` is only the answer to an action the state
seen does not allow (the workers try a few on purpose), and only while that version was still
current. Nothing else may escape: no "database is locked", no serialization failure, no crash.

Then the database must tell the same story as the logs: each success has exactly one event
(matched by its unique note, in version order), no event comes from a failed attempt, each
case's timeline replays through the transition table to the row's state and version (one event
per version, no gap), no case is dispatched twice without an approved return in between, and
the row holds the last winner's result (no lost update).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

import console.db
from console.cli import main
from console.db import Database
from console.domain.lifecycle import default_lifecycle
from console.errors import DatabaseUnavailableError, StaleVersionError
from console.models import Case, CaseEvent
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.demo import random_points_in_grids
from console.services.report_input import ReportInput
from tests.integration.conflict_worker import PLAUSIBLE

REPO = Path(__file__).resolve().parents[2]
WORKERS = 4
ACTIONS = 500
CASES = 100

INSPECTOR = Actor(None, "监督员-setup", "inspector")
DUTY_CHIEF = Actor(None, "值班长-setup", "duty_chief")
DISPATCHER = Actor(None, "派遣员-setup", "dispatcher")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(
    request: pytest.FixtureRequest,
    demo_template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[str]:
    """A database with the demo district and people, no cases: an SQLite file or a PG schema."""
    if request.param == "sqlite":
        path = tmp_path / "shared.sqlite3"
        shutil.copy(demo_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        assert main(["--db", url, "seed-demo", "--cases", "0", "--seed", "2"]) == 0
        capsys.readouterr()
    yield url


@dataclass(frozen=True)
class Start:
    version: int
    state: str
    events: int


def seed_cases(db: Database) -> dict[int, Start]:
    """100 registered cases, half of them dispatched: the seats' shared work."""
    service = CaseService(db)
    with db.read() as s:
        lons, lats = random_points_in_grids(s, CASES, seed=11)
    ids = []
    for i in range(CASES):
        snap = service.report(
            INSPECTOR,
            ReportInput(
                category_code="0102",
                kind="event_type",
                lon=float(lons[i]),
                lat=float(lats[i]),
                description=f"暴露垃圾 {i}",
                address=f"莲湖路{i}号",
            ),
        )
        snap = service.register(DUTY_CHIEF, snap.id, snap.version)
        if i % 2:
            snap = service.dispatch(DISPATCHER, snap.id, snap.version)
        ids.append(snap.id)
    with db.read() as s:
        counts = dict(
            s.execute(select(CaseEvent.case_id, func.count()).group_by(CaseEvent.case_id)).all()
        )
        return {
            c.id: Start(c.version, c.state, counts[c.id])
            for c in s.scalars(select(Case).where(Case.id.in_(ids)))
        }


def run_workers(url: str, case_ids: list[int], work: Path) -> tuple[list[dict[str, Any]], float]:
    """Start the seats together (ready files, then one go file); their log lines and seconds."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    go = work / "go"
    procs = []
    for n in range(WORKERS):
        cmd = [
            sys.executable,
            "-m",
            "tests.integration.conflict_worker",
            "--db",
            url,
            "--worker",
            str(n),
            "--seed",
            "5",
            "--cases",
            ",".join(map(str, case_ids)),
            "--actions",
            str(ACTIONS),
            "--log",
            str(work / f"worker{n}.jsonl"),
            "--ready",
            str(work / f"ready{n}"),
            "--go",
            str(go),
        ]
        procs.append(
            subprocess.Popen(
                cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    try:
        limit = time.monotonic() + 120
        while not all((work / f"ready{n}").exists() for n in range(WORKERS)):
            crashed = [p for p in procs if p.poll() is not None]
            assert not crashed, crashed[0].communicate()
            assert time.monotonic() < limit, "workers did not get ready"
            time.sleep(0.01)
        started = time.perf_counter()
        go.touch()
        outputs = [p.communicate(timeout=600) for p in procs]
        elapsed = time.perf_counter() - started
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    records: list[dict[str, Any]] = []
    for n, (proc, (_out, err)) in enumerate(zip(procs, outputs, strict=True)):
        assert proc.returncode == 0, f"worker {n} crashed:\n{err}"
        assert not err.strip(), f"worker {n} wrote to stderr:\n{err}"
        lines = [json.loads(line) for line in (work / f"worker{n}.jsonl").read_text().splitlines()]
        assert lines and lines[-1] == {"done": True, "worker": n}, f"worker {n} did not finish"
        assert len(lines) - 1 == ACTIONS
        records.extend(lines[:-1])
    return records, elapsed


def replay(events: list[CaseEvent], case: Case) -> None:
    """The timeline through the transition table: legal steps, chained, ending at the row."""
    lifecycle = default_lifecycle()
    state: str | None = None
    suspended_from: str | None = None
    dispatched = False  # inside a dispatch cycle: a second dispatch would be a double dispatch
    for event in events:
        transition = lifecycle.check(event.action, state, event.actor_role, note=event.note)
        assert event.from_state == state, (case.number, event.id)
        expected = transition.target(state, suspended_from) if state else transition.to_state
        assert event.to_state == expected, (case.number, event.id)
        if event.action == "dispatch":
            assert not dispatched, f"{case.number} dispatched twice (event {event.id})"
            dispatched = True
        elif event.action == "approve_return":
            dispatched = False
        if event.action == "suspend":
            suspended_from = state
        elif event.action == "resume":
            suspended_from = None
        state = event.to_state
    assert state == case.state, case.number
    # One event per version: the report makes version 1, each action adds one.
    assert len(events) == case.version, case.number


@pytest.mark.slow
def test_four_seats_conflicting_on_the_same_cases(shared_url: str, tmp_path: Path) -> None:
    db = Database(shared_url)
    try:
        start = seed_cases(db)
    finally:
        db.dispose()
    case_ids = sorted(start)
    records, elapsed = run_workers(shared_url, case_ids, tmp_path)

    outcomes = Counter(r["outcome"] for r in records)
    errors = [r for r in records if r["outcome"] == "error"]
    assert not errors, f"{len(errors)} unexpected errors, first: {errors[0]}"
    assert outcomes["ok"] + outcomes["conflict"] + outcomes["illegal"] == WORKERS * ACTIONS
    # The test must have had something to decide: many races, some of them between fresh reads.
    assert outcomes["conflict"] >= 200, outcomes
    assert outcomes["ok"] >= 400, outcomes
    assert outcomes["illegal"] >= 20, outcomes
    fresh_races = sum(1 for r in records if r["outcome"] == "conflict" and r["fresh"])
    assert fresh_races >= 10, fresh_races

    by_case: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_case[r["case"]].append(r)

    db = Database(shared_url, migrate=False)
    try:
        with db.read() as s:
            cases = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_(case_ids)))}
            timelines: dict[int, list[CaseEvent]] = defaultdict(list)
            for event in s.scalars(
                select(CaseEvent).where(CaseEvent.case_id.in_(case_ids)).order_by(CaseEvent.id)
            ):
                timelines[event.case_id].append(event)
            s.expunge_all()  # keep them loaded: the read session rolls back (expires) on exit
    finally:
        db.dispose()

    for case_id in case_ids:
        case, begin = cases[case_id], start[case_id]
        attempts = by_case[case_id]
        wins = sorted((r for r in attempts if r["outcome"] == "ok"), key=lambda r: r["new_version"])

        # Winners: one per version, each on the version before it, no gap, the row = the last.
        assert [w["seen_version"] for w in wins] == list(
            range(begin.version, begin.version + len(wins))
        ), case.number
        assert all(w["new_version"] == w["seen_version"] + 1 for w in wins), case.number
        last = wins[-1] if wins else None
        assert case.version == (last["new_version"] if last else begin.version), case.number
        assert case.state == (last["new_state"] if last else begin.state), case.number
        if last:
            assert case.department_id == last["department_id"], case.number

        # Losers: every allowed action on a version someone else had already moved on.
        winner_of = {w["seen_version"]: w for w in wins}
        for r in attempts:
            allowed = {a for a, _ in PLAUSIBLE.get(r["seen_state"], [])}
            winner = winner_of.get(r["seen_version"])
            if r["outcome"] == "conflict":
                assert winner is not None, r  # stale means someone won on that version
                assert winner["t_start"] <= r["t_end"], (r, winner)
            elif r["outcome"] == "illegal":
                assert r["action"] not in allowed, r
                # Refused for the state, so the version was still current when it was tried.
                assert winner is None or winner["t_end"] >= r["t_start"], (r, winner)
            else:
                assert r["action"] in allowed, r
            if r["action"] in allowed and r is not winner:
                assert r["outcome"] == "conflict", r

        # The timeline: the start, then exactly the winners in version order, nothing else.
        events = timelines[case_id]
        assert len(events) == begin.events + len(wins), case.number
        for event, win in zip(events[begin.events :], wins, strict=True):
            assert event.note == f"w{win['worker']}#{win['seq']}", (case.number, event.id)
            assert event.action == win["action"], (case.number, event.id)
            assert event.from_state == win["seen_state"], (case.number, event.id)
            assert event.to_state == win["new_state"], (case.number, event.id)
            assert event.actor_name.endswith(f"-w{win['worker']}"), (case.number, event.id)
        replay(events, case)

    per_second = WORKERS * ACTIONS / elapsed
    print(
        f"\n{shared_url.split(':')[0]}: {WORKERS}×{ACTIONS} actions in {elapsed:.1f} s "
        f"({per_second:.0f}/s): {dict(outcomes)}, conflicts after a fresh read: {fresh_races}"
    )


def test_a_seat_kept_waiting_past_the_busy_timeout_is_told(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: another seat holds the write lock longer than the busy timeout → a console error
    (not "database is locked" as a traceback), nothing written, and the retry goes through."""
    monkeypatch.setattr(console.db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    db = Database(demo_db.url, migrate=False)
    other = sqlite3.connect(demo_db.engine.url.database, isolation_level=None)
    try:
        service = CaseService(db)
        with db.read() as s:
            lons, lats = random_points_in_grids(s, 1, seed=3)
        report = ReportInput(
            category_code="0102",
            kind="event_type",
            lon=float(lons[0]),
            lat=float(lats[0]),
            description="暴露垃圾",
            address="莲湖路1号",
        )
        snap = service.report(INSPECTOR, report)
        other.execute("BEGIN IMMEDIATE")  # the other seat's long write
        with pytest.raises(DatabaseUnavailableError, match="数据库正忙"):
            service.register(DUTY_CHIEF, snap.id, snap.version)
        with pytest.raises(DatabaseUnavailableError, match="数据库正忙"):
            service.report(INSPECTOR, report)
        other.execute("ROLLBACK")
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(Case)) == 1
            assert s.scalar(select(func.count()).select_from(CaseEvent)) == 1
        assert service.get(snap.id).version == snap.version
        assert service.register(DUTY_CHIEF, snap.id, snap.version).state == "registered"
    finally:
        other.close()
        db.dispose()


@pytest.mark.postgres
def test_a_row_lock_timeout_on_postgresql_is_a_conflict(pg_url: str) -> None:
    """PostgreSQL with a lock_timeout: a seat waiting on a case another transaction holds gets
    a conflict error (not a raw LockNotAvailable), nothing written, and the retry goes through."""
    assert main(["--db", pg_url, "seed-demo", "--cases", "0", "--seed", "2"]) == 0
    url = make_url(pg_url)
    options = url.query["options"] + " -clock_timeout=200"
    impatient = url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    db = Database(impatient, migrate=False)
    holder = Database(pg_url, migrate=False)
    try:
        service = CaseService(db)
        with db.read() as s:
            lons, lats = random_points_in_grids(s, 1, seed=3)
        snap = service.report(
            INSPECTOR,
            ReportInput(
                category_code="0102",
                kind="event_type",
                lon=float(lons[0]),
                lat=float(lats[0]),
                description="暴露垃圾",
                address="莲湖路1号",
            ),
        )
        with holder.engine.connect() as conn:
            conn.execute(text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": snap.id})
            with pytest.raises(StaleVersionError, match="正被他人同时修改"):
                service.register(DUTY_CHIEF, snap.id, snap.version)
            conn.rollback()
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(CaseEvent)) == 1
        assert service.register(DUTY_CHIEF, snap.id, snap.version).state == "registered"
    finally:
        db.dispose()
        holder.dispose()
