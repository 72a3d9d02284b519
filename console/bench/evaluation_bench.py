"""The evaluation's scenario: evaluate a month of 100,000 cases (with their events).

The month is written with Core in batches: every case reported, most registered, dispatched,
handled, checked and closed (a few voided, reworked or late), each step an event with a
plausible actor and department. The baseline loads the month's cases and events into Python
and computes the district's and the streets' counts in loops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

from console.bench.foundation import prepare
from console.bench.harness import Figure, median_seconds
from console.db import Database
from console.models import Case, CaseEvent, Department, User
from console.services import geography, reference_data
from console.services.evaluation import evaluate, month_period

Log = Callable[[str], None]
FIGURE = "evaluate a month of 100,000 cases (s)"
MONTH = "2026-10"
_BATCH = 20_000
ROLES = ("intake", "duty_chief", "dispatcher", "inspector")


def _people(db: Database) -> dict[str, list[int]]:
    with db.session() as s:
        for role in ROLES:
            for k in range(4):
                s.add(User(username=f"bench-{role}-{k}", display_name=f"{role}{k}", role=role))
    with db.read() as s:
        rows = s.execute(select(User.id, User.role).where(User.role.in_(ROLES))).all()
    out: dict[str, list[int]] = {r: [] for r in ROLES}
    for uid, role in rows:
        out[role].append(uid)
    return out


def fill_month(db: Database, n: int, seed: int = 31) -> None:
    start, end = month_period(MONTH)
    people = _people(db)
    with db.read() as s:
        lookup = geography.load_grid_index(s)
        departments = list(s.scalars(select(Department.id).order_by(Department.id)))
    rng = np.random.default_rng(seed)
    span = (end - start).total_seconds() - 5 * 86400
    cases: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    first_id = 1

    def event(cid: int, at: datetime, action: str, to: str, role: str, dept: int | None) -> None:
        events.append(
            {
                "case_id": cid, "at": at, "action": action, "from_state": None, "to_state": to,
                "actor_id": people[role][cid % 4] if role in people else None,
                "actor_name": role, "actor_role": role, "department_id": dept,
                "note": None, "data": None,
            }
        )  # fmt: skip

    def flush() -> None:
        if cases:
            with db.session() as s:
                s.connection().execute(Case.__table__.insert(), cases)
                s.connection().execute(CaseEvent.__table__.insert(), events)
            cases.clear()
            events.clear()

    offsets = rng.uniform(0, span, n)
    fate = rng.random(n)
    grids = rng.integers(0, len(lookup.grid_ids), n)
    minutes = rng.exponential(40, (n, 5))
    for i in range(n):
        cid = first_id + i
        g = grids[i]
        reported = start + timedelta(seconds=float(offsets[i]))
        dept = departments[i % len(departments)]
        row: dict[str, object] = {
            "id": cid, "number": f"V{i:012d}", "source": ("inspector", "hotline")[i % 2],
            "reporter": "bench", "taxonomy": reference_data.DEFAULT_TAXONOMY,
            "kind": "event_type", "category_code": "0102", "urgent": False,
            "description": "基准数据", "address": "莲湖路", "lon": 108.9, "lat": 34.27,
            "grid_id": int(lookup.grid_ids[g]), "unit_id": int(lookup.unit_ids[g]),
            "area_id": int(lookup.area_ids[g]), "street_id": int(lookup.street_ids[g]),
            "state": "reported", "department_id": None, "reported_at": reported,
            "registered_at": None, "dispatched_at": None, "handled_at": None,
            "closed_at": None, "deadline_at": None, "updated_at": reported,
            "extension_value": 0.0, "suspended_seconds": 0.0, "rework_count": 0,
            "return_count": 0, "dispatch_count": 0, "version": 1,
        }  # fmt: skip
        reporter = "inspector" if i % 2 == 0 else "intake"
        event(cid, reported, "report", "reported", reporter, None)
        at = reported
        if fate[i] < 0.04:
            at += timedelta(minutes=float(minutes[i, 0]))
            row.update(state="voided", closed_at=at)
            event(cid, at, "void", "voided", "duty_chief", None)
        elif fate[i] >= 0.08:
            at += timedelta(minutes=float(minutes[i, 0]))
            row.update(state="registered", registered_at=at)
            event(cid, at, "register", "registered", "duty_chief", None)
            at += timedelta(minutes=float(minutes[i, 1]))
            deadline = at + timedelta(hours=8)
            row.update(
                state="dispatched", department_id=dept, dispatched_at=at, deadline_at=deadline,
                dispatch_count=1,
            )  # fmt: skip
            event(cid, at, "dispatch", "dispatched", "dispatcher", dept)
            if fate[i] < 0.9:
                at += timedelta(minutes=float(minutes[i, 2]) * 6)
                row.update(state="handled", handled_at=at)
                event(cid, at, "feedback", "handled", "department", dept)
                at += timedelta(minutes=float(minutes[i, 3]))
                event(cid, at, "verify_pass", "verified", "inspector", dept)
                at += timedelta(minutes=float(minutes[i, 4]))
                row.update(state="closed", closed_at=at)
                event(cid, at, "close", "closed", "duty_chief", dept)
        cases.append(row)
        if len(cases) >= _BATCH:
            flush()
    flush()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def naive_district(db: Database) -> tuple[dict[str, int], dict[int, tuple[int, int, int]]]:
    """The baseline: the month's cases and events into Python, the district counts and the
    per-street (reported, closed, closed on time) in loops."""
    start, end = month_period(MONTH)
    with db.read() as s:
        cases = s.execute(
            select(
                Case.id, Case.state, Case.reported_at, Case.registered_at, Case.closed_at,
                Case.handled_at, Case.deadline_at, Case.source, Case.street_id,
            )
        ).all()  # fmt: skip
        events = s.execute(
            select(CaseEvent.case_id, CaseEvent.action, CaseEvent.at).where(
                CaseEvent.at >= start, CaseEvent.at < end
            )
        ).all()
    by_id = {c.id: c for c in cases}
    counts = dict.fromkeys(("reported", "registered", "closed", "closed_on_time", "due"), 0)
    closed: set[int] = set()
    for e in events:
        if e.action == "report":
            counts["reported"] += 1
        elif e.action == "register":
            counts["registered"] += 1
        elif e.action == "close":
            closed.add(e.case_id)
    for cid in closed:
        c = by_id[cid]
        counts["closed"] += 1
        if c.deadline_at is None or (c.handled_at and c.handled_at <= c.deadline_at):
            counts["closed_on_time"] += 1
    for c in cases:
        if c.id in closed or (
            c.deadline_at is not None
            and start <= c.deadline_at < end
            and not (c.state in ("closed", "archived") and c.closed_at < start)
        ):
            counts["due"] += 1
    streets: dict[int, list[int]] = {}
    reported_ids = {e.case_id for e in events if e.action == "report"}
    for cid in reported_ids:
        streets.setdefault(by_id[cid].street_id, [0, 0, 0])[0] += 1
    for cid in closed:
        c = by_id[cid]
        row = streets.setdefault(c.street_id, [0, 0, 0])
        row[1] += 1
        if c.deadline_at is None or (c.handled_at and c.handled_at <= c.deadline_at):
            row[2] += 1
    return counts, {k: (v[0], v[1], v[2]) for k, v in streets.items()}


def run_evaluation_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    n = 5_000 if quick else 100_000
    db = prepare(workdir / "evaluation.sqlite3")
    try:
        log(f"evaluation: filling a month of {n:,} cases with their events…")
        t0 = time.perf_counter()
        fill_month(db, n)
        fill_s = time.perf_counter() - t0
        start, end = month_period(MONTH)

        def fast() -> object:
            with db.read() as s:
                return evaluate(s, start, end, end)

        with db.read() as s:
            report = evaluate(s, start, end, end)
        district = {m.key: m.value for m in report.district}
        naive, naive_streets = naive_district(db)
        for key, value in naive.items():
            assert district[key] == value, (key, district[key], value)
        by_street = {sid: (r, cl, ot) for sid, _, r, cl, ot in report.by_street if r or cl or ot}
        assert by_street == naive_streets, "per-street counts differ from the baseline's"
        repeat = 3 if quick else 5
        value = median_seconds(fast, repeat)
        baseline = median_seconds(lambda: naive_district(db), 3)
    finally:
        db.dispose()
    return [
        Figure(
            FIGURE,
            value,
            "s",
            baseline,
            higher_is_better=False,
            goal=1.0,
            note=f"{n:,} cases of {MONTH} and their events (filled in {fill_s:.1f} s): the "
            f"whole report (9 kinds of object, district, daily, categories), median of "
            f"{repeat}; baseline: the month's cases and events into Python, district counts "
            "and per-street counts, in loops; SQLite",
        )
    ]
