"""The evaluation's scenario: evaluate a month of 100,000 cases (with their events).

The month is written with Core in batches: every case reported, most registered, dispatched,
handled, checked and closed (a few voided, reworked or late), each step an event with a
plausible actor and department; about a third of the closed cases rated by the public. The baseline (naive_counts) loads the cases and their events
into Python and computes every count of the report in loops over the rows; the bench asserts
that the two agree, count for count. The month's patrols (fill_patrols) are in what is timed:
the coverage stored by ended patrols (a day's patrol per person, about 15 grids each) and a
few patrols still open at the month's end, whose coverage comes from their points.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select

from console.bench.foundation import prepare
from console.bench.harness import Figure, median_seconds, settle
from console.db import Database
from console.models import (
    Case,
    CaseEvent,
    Department,
    Patrol,
    PatrolPoint,
    PublicRating,
    Region,
    User,
)
from console.models.patrol import PatrolGridCoverage
from console.services import geography
from console.services.evaluation.config import (
    CLOSED_STATES,
    POSITION_ROLES,
    PUBLIC_SOURCES,
    REGION_LEVELS,
    SATISFIED_RATINGS,
    VOID_STATES,
    EvaluationConfig,
)
from console.services.evaluation.report import EvaluationReport, MetricValue, evaluate, month_period
from console.services.evaluation.tiers import tier_rates
from console.services.reference import data as reference_data

Log = Callable[[str], None]
FIGURE = "evaluate a month of 100,000 cases (s)"
FUNCTION_FIGURE = "evaluate one function's month of 100,000 cases (s)"
#: The month's cases are all 0102 of CJ/T 214: 城市管理. Its filter keeps every case, the
#: worst case for the function filter's cost (a rare function's report reads few cases).
BENCH_FUNCTION = "城市管理"
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


def fill_patrols(db: Database, people: int, open_patrols: int, seed: int = 32) -> tuple[int, int]:
    """The month's patrols: ``people`` patrolling people each with one ended patrol a day
    (distance, duration and ~15 stored grid rows), and ``open_patrols`` of them still out at
    the month's end with 360 points (an hour) each. Returns (coverage rows, open points)."""
    start, end = month_period(MONTH)
    rng = np.random.default_rng(seed)
    with db.session() as s:
        for k in range(people):
            role = ("inspector", "grid_manager")[k % 2]
            s.add(User(username=f"bench-patrol-{k}", display_name=f"巡查{k}", role=role))
    with db.read() as s:
        users = list(s.scalars(select(User.id).where(User.username.like("bench-patrol-%"))))
        grids = s.execute(
            select(Region.id, Region.geometry).where(Region.level == "grid").order_by(Region.id)
        ).all()
    centres = [shapely.from_geojson(g.geometry).representative_point() for g in grids]
    days = (end - start).days
    patrols: list[dict[str, object]] = []
    rows: list[dict[str, object]] = []
    pid = 0
    for d in range(days):
        day = start + timedelta(days=d)
        for uid in users:
            pid += 1
            began = day + timedelta(hours=8, minutes=float(rng.uniform(0, 60)))
            patrols.append(
                {"id": pid, "user_id": uid, "started_at": began,
                 "ended_at": began + timedelta(hours=8), "distance_m": 12_000.0,
                 "duration_s": 28_800.0}
            )  # fmt: skip
            first = int(rng.integers(0, len(grids) - 15))
            for j in range(15):
                rows.append(
                    {"patrol_id": pid, "day": day.date(), "grid_id": grids[first + j].id,
                     "metres": 800.0, "visited": True}
                )  # fmt: skip
    points: list[dict[str, object]] = []
    last = end - timedelta(hours=2)
    for k, uid in enumerate(users[:open_patrols]):
        pid += 1
        patrols.append(
            {"id": pid, "user_id": uid, "started_at": last, "ended_at": None,
             "distance_m": None, "duration_s": None}
        )  # fmt: skip
        c = centres[(k * 37) % len(centres)]
        steps = rng.normal(0, 0.00004, (360, 2)).cumsum(axis=0)
        for q in range(360):
            t = last + timedelta(seconds=10 * q)
            points.append(
                {"patrol_id": pid, "seq": q, "at": t, "device_time": t,
                 "lon": c.x + float(steps[q, 0]), "lat": c.y + float(steps[q, 1]),
                 "accuracy": 5.0}
            )  # fmt: skip
    with db.session() as s:
        s.connection().execute(Patrol.__table__.insert(), patrols)
        for i in range(0, len(rows), _BATCH):
            s.connection().execute(PatrolGridCoverage.__table__.insert(), rows[i : i + _BATCH])
        s.connection().execute(PatrolPoint.__table__.insert(), points)
    return len(rows), len(points)


def fill_month(db: Database, n: int, seed: int = 31) -> None:
    start, end = month_period(MONTH)
    people = _people(db)
    with db.read() as s:
        lookup = geography.load_grid_index(s)
        kinds = dict(s.execute(select(Department.id, Department.kind)).all())
    departments = sorted(kinds)
    rng = np.random.default_rng(seed)
    span = (end - start).total_seconds() - 5 * 86400
    cases: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    ratings: list[dict[str, object]] = []
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
                if ratings:
                    s.connection().execute(PublicRating.__table__.insert(), ratings)
            cases.clear()
            events.clear()
            ratings.clear()

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
            "reporter": "bench", "taxonomy": reference_data.TAXONOMY_CJT214,
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
        elif fate[i] < 0.06:  # 小事不出网格: self-handled by the grid's staff, then closed
            at += timedelta(minutes=float(minutes[i, 0]))
            row.update(state="self_handled", handled_at=at)
            event(cid, at, "self_handle", "self_handled", "grid_manager", None)
            at += timedelta(minutes=float(minutes[i, 1]))
            row.update(state="closed", closed_at=at)
            event(cid, at, "close", "closed", "duty_chief", None)
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
            if kinds[dept] == "street_committee" and i % 10 == 0:  # 提级 asked by the street
                event(cid, at, "hand_up", "hand_up_requested", "street_duty_officer", dept)
                # half refused (back to the committee: a street case), half approved (a
                # district case; its dispatch anew is left out, it changes no tier)
                answer = (
                    ("refuse_hand_up", "dispatched")
                    if i % 20
                    else ("approve_hand_up", "registered")
                )
                event(cid, at, *answer, "dispatcher", dept)
            if fate[i] < 0.9:
                at += timedelta(minutes=float(minutes[i, 2]) * 6)
                row.update(state="handled", handled_at=at)
                event(cid, at, "feedback", "handled", "department", dept)
                at += timedelta(minutes=float(minutes[i, 3]))
                event(cid, at, "verify_pass", "verified", "inspector", dept)
                at += timedelta(minutes=float(minutes[i, 4]))
                row.update(state="closed", closed_at=at)
                event(cid, at, "close", "closed", "duty_chief", dept)
                if fate[i] < 0.35:  # 满意度 from the public, some after the month's end
                    rated_at = at + timedelta(hours=float(minutes[i, 4]))
                    rating = ("satisfied", "basically_satisfied", "dissatisfied")[i % 3]
                    ratings.append({"case_id": cid, "rating": rating, "rated_at": rated_at})
        cases.append(row)
        if len(cases) >= _BATCH:
            flush()
    flush()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


Counts = dict[str, dict[int, dict[str, int]]]
TIER_FIGURE = "tier rates of a month of 100,000 cases (s)"


def naive_tier_rates(db: Database, start: datetime, end: datetime) -> tuple[int, int, int]:
    """The baseline of the dashboard's and the wall's tier rates: (closed, settled in the grid,
    within the street) from the month's closed cases and all the events loaded into Python."""
    with db.read() as s:
        closed = s.execute(
            select(Case.id, Case.department_id).where(
                Case.state.in_(CLOSED_STATES), Case.closed_at >= start, Case.closed_at < end
            )
        ).all()
        actions: dict[int, set[str]] = {}
        for case_id, action in s.execute(select(CaseEvent.case_id, CaseEvent.action)):
            actions.setdefault(case_id, set()).add(action)
        kinds = dict(s.execute(select(Department.id, Department.kind)).all())
    grid = street = 0
    for case_id, department in closed:
        done = actions.get(case_id, set())
        if "approve_hand_up" in done:  # an accepted 提级; a refused one stays in the street
            continue
        if department is None and "self_handle" in done:
            grid += 1
        elif department is not None and kinds.get(department) == "street_committee":
            street += 1
    return len(closed), grid, grid + street


def naive_counts(db: Database, start: datetime, end: datetime) -> Counts:
    """The baseline: every count of the report (kind → object → metric → cases) from the
    cases and all their events loaded into Python, in loops over the rows, with the
    definitions of resources/evaluation/README.md. Objects and metrics with no case are left
    out. "district" is object 0."""
    config = EvaluationConfig.load()
    limits = {key: hours * 3600.0 for key, hours in config.limit_hours.items()}
    with db.read() as s:
        cases = {
            c.id: c
            for c in s.execute(
                select(
                    Case.id, Case.source, Case.state, Case.reported_at, Case.registered_at,
                    Case.handled_at, Case.closed_at, Case.deadline_at, Case.department_id,
                    Case.grid_id, Case.unit_id, Case.area_id, Case.street_id,
                    Case.dispatched_at, Case.suspended_at,
                )
            )
        }  # fmt: skip
        events = s.execute(
            select(
                CaseEvent.id, CaseEvent.case_id, CaseEvent.at, CaseEvent.action,
                CaseEvent.actor_role, CaseEvent.actor_id, CaseEvent.department_id,
            )
        ).all()  # fmt: skip
        ratings = s.execute(
            select(PublicRating.case_id, PublicRating.rating, PublicRating.rated_at)
        ).all()
        department_kinds = dict(s.execute(select(Department.id, Department.kind)).all())
    found: dict[str, dict[int, dict[str, set[int]]]] = {}

    def add(kind: str, obj: int, metric: str, case_id: int) -> None:
        found.setdefault(kind, {}).setdefault(obj, {}).setdefault(metric, set()).add(case_id)

    def inside(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    for c in cases.values():
        closed = c.state in CLOSED_STATES and inside(c.closed_at)
        # due from the deadline's period until the one it is closed in (carried over)
        past_deadline = c.deadline_at is not None and c.deadline_at < end
        on_clock = past_deadline and c.state not in VOID_STATES
        on_time = c.deadline_at is None or (
            c.handled_at is not None and c.handled_at <= c.deadline_at
        )
        facts = {
            "reported": inside(c.reported_at),
            "registered": inside(c.registered_at),
            "public_registered": inside(c.registered_at) and c.source in PUBLIC_SOURCES,
            "due": closed or (on_clock and (c.closed_at is None or c.closed_at >= start)),
            "closed": closed,
            "closed_on_time": closed and on_time,
            "closed_late": closed and not on_time,
            "overdue_unhandled": on_clock
            and c.suspended_at is None
            and (c.handled_at is None or c.handled_at >= end)
            and (c.closed_at is None or c.closed_at >= end),
            "self_handled": inside(c.handled_at) and c.dispatched_at is None,
        }
        regions = [("district", 0)] + [(lv, getattr(c, f"{lv}_id")) for lv in REGION_LEVELS]
        for metric, hit in facts.items():
            if hit:
                for kind, obj in regions:
                    add(kind, obj, metric, c.id)
        if c.department_id is None:
            continue
        department = {
            key: facts[key] for key in ("due", "closed", "closed_late", "overdue_unhandled")
        }
        # 处置: its cases (last) dispatched in the period, handled by the period's end
        handled = inside(c.dispatched_at) and c.handled_at is not None and c.handled_at < end
        department["handled"] = handled
        department["handled_on_time"] = (
            handled and c.deadline_at is not None and c.handled_at <= c.deadline_at
        )
        department["handled_late"] = (
            handled and c.deadline_at is not None and c.handled_at > c.deadline_at
        )
        for metric, hit in department.items():
            if hit:
                add("department", c.department_id, metric, c.id)

    # 评价数 / 满意数: the ratings given in the period, by the rated case's regions and department
    for case_id, rating, rated_at in ratings:
        if not inside(rated_at):
            continue
        c = cases[case_id]
        owners = [("district", 0)] + [(lv, getattr(c, f"{lv}_id")) for lv in REGION_LEVELS]
        if c.department_id is not None:
            owners.append(("department", c.department_id))
        for kind, obj in owners:
            add(kind, obj, "rated", case_id)
            if rating in SATISFIED_RATINGS:
                add(kind, obj, "satisfied", case_id)

    history: dict[int, list[Any]] = {}
    for e in events:
        history.setdefault(e.case_id, []).append(e)

    def previous(case_id: int, at: datetime, actions: tuple[str, ...]) -> datetime | None:
        times = [x.at for x in history[case_id] if x.action in actions and x.at <= at]
        return max(times) if times else None

    def within(key: str, since: datetime | None, at: datetime) -> bool:
        return since is not None and (at - since).total_seconds() <= limits[key]

    # 小事不出网格、大事不出街道 (tiers.csv): the tier of each case closed in the period
    for c in cases.values():
        if not (c.state in CLOSED_STATES and inside(c.closed_at)):
            continue
        actions = {x.action for x in history.get(c.id, ())}
        handed_up = "approve_hand_up" in actions  # refused (refuse_hand_up): not handed up
        grid = c.department_id is None and "self_handle" in actions and not handed_up
        street = department_kinds.get(c.department_id) == "street_committee" and not handed_up
        tiers = {
            "handed_up": handed_up,
            "settled_in_grid": grid,
            "settled_in_street": street,
            "kept_in_street": grid or street,
            "settled_in_district": not (grid or street),
        }
        regions = [("district", 0)] + [(lv, getattr(c, f"{lv}_id")) for lv in REGION_LEVELS]
        for metric, hit in tiers.items():
            if hit:
                for kind, obj in regions:
                    add(kind, obj, metric, c.id)

    roles = set(POSITION_ROLES.values())
    for e in events:
        if not inside(e.at):
            continue
        cid = e.case_id
        if e.department_id is not None and e.action == "dispatch":
            add("department", e.department_id, "assigned", cid)
        if e.department_id is not None and e.action == "verify_fail":
            add("department", e.department_id, "reworked", cid)
        if e.actor_id is None or e.actor_role not in roles:
            continue
        who, role, c = e.actor_id, e.actor_role, cases[cid]
        if e.action == "report" and role == "inspector":
            add("inspector", who, "reported", cid)
            if c.registered_at is not None or c.state in VOID_STATES:
                add("inspector", who, "valid_reported", cid)
        elif e.action == "report" and role == "intake":
            add("intake", who, "received", cid)
        elif e.action in ("verify_pass", "verify_fail") and role == "inspector":
            add("inspector", who, "checked", cid)
            if within("check", previous(cid, e.at, ("feedback",)), e.at):
                add("inspector", who, "checked_on_time", cid)
        elif e.action in ("confirm_report", "reject_report") and role == "inspector":
            add("inspector", who, "verified", cid)
            if within("verify", previous(cid, e.at, ("request_report_check",)), e.at):
                add("inspector", who, "verified_on_time", cid)
        elif e.action == "register" and role == "duty_chief":
            add("duty_chief", who, "registered", cid)
            if within("register", c.reported_at, e.at):
                add("duty_chief", who, "registered_on_time", cid)
            voided = c.state in VOID_STATES
            add("duty_chief", who, "voided_after_register" if voided else "registered_kept", cid)
        elif e.action == "close" and role == "duty_chief":
            add("duty_chief", who, "closed", cid)
            if within("close", previous(cid, e.at, ("verify_pass", "self_handle")), e.at):
                add("duty_chief", who, "closed_on_time", cid)
        elif e.action == "dispatch" and role == "dispatcher":
            add("dispatcher", who, "dispatched", cid)
            # 待派遣 again after an approved return or 提级: the dispatch is timed from there
            since = ("register", "approve_return", "approve_hand_up")
            if within("dispatch", previous(cid, e.at, since), e.at):
                add("dispatcher", who, "dispatched_on_time", cid)
            # wrong: one of this person's dispatches of the case went elsewhere afterwards
            dispatches = [x for x in history[cid] if x.action == "dispatch"]
            wrong = any(
                mine.actor_id == who
                and later.id > mine.id
                and None not in (mine.department_id, later.department_id)
                and later.department_id != mine.department_id
                for mine in dispatches
                for later in dispatches
            )
            if not wrong:
                add("dispatcher", who, "dispatched_accurate", cid)
    return {
        kind: {obj: {m: len(ids) for m, ids in metrics.items()} for obj, metrics in objects.items()}
        for kind, objects in found.items()
    }


def _counts(metrics: Iterable[MetricValue]) -> dict[str, int]:
    """The non-zero counts by key (not the rates, not the averages in hours)."""
    return {
        m.key: m.value
        for m in metrics
        if m.numerator is None and isinstance(m.value, int) and bool(m.value)
    }


def report_counts(report: EvaluationReport) -> Counts:
    """The report's counts in naive_counts' shape (rates and zero counts left out)."""
    out: Counts = {}
    for kind, scores in report.by_kind.items():
        for o in scores:
            counts = _counts(o.metrics)
            if counts:
                out.setdefault(kind, {})[o.object_id] = counts
    district = _counts(report.district)
    if district:
        out["district"] = {0: district}
    return out


def run_evaluation_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    n = 5_000 if quick else 100_000
    db = prepare(workdir / "evaluation.sqlite3")
    try:
        log(f"evaluation: filling a month of {n:,} cases with their events…")
        t0 = time.perf_counter()
        fill_month(db, n)
        coverage_rows, open_points = fill_patrols(db, 40 if quick else 200, 4 if quick else 20)
        fill_s = time.perf_counter() - t0
        settle()  # the fill's write-back is not the evaluation's time
        start, end = month_period(MONTH)

        def fast() -> object:
            with db.read() as s:
                return evaluate(s, start, end, end)

        with db.read() as s:
            report = evaluate(s, start, end, end)
        naive, counted = naive_counts(db, start, end), report_counts(report)
        differ = [
            (kind, obj)
            for kind in set(naive) | set(counted)
            for obj in set(naive.get(kind, {})) | set(counted.get(kind, {}))
            if naive.get(kind, {}).get(obj) != counted.get(kind, {}).get(obj)
        ]
        assert not differ, f"counts differ from the baseline's: {differ[:5]}"
        repeat = 3 if quick else 5
        value = median_seconds(fast, repeat)

        def of_function() -> EvaluationReport:
            with db.read() as s:
                return evaluate(s, start, end, end, function=BENCH_FUNCTION)

        assert report_counts(of_function()) == counted, "the function's counts differ"
        function_value = median_seconds(of_function, repeat)
        base_repeat = 3 if quick else 1  # the full baseline takes ~15 s a run
        baseline = median_seconds(lambda: naive_counts(db, start, end), base_repeat)

        def tiers() -> tuple[int, int, int]:
            with db.read() as s:
                grid, street = tier_rates(s, start, end)
            return grid.denominator, grid.numerator, street.numerator

        expected = naive_tier_rates(db, start, end)
        assert tiers() == expected, f"tier rates {tiers()} differ from the baseline's {expected}"
        tier_value = median_seconds(tiers, repeat)
        tier_baseline = median_seconds(lambda: naive_tier_rates(db, start, end), base_repeat)
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
            f"whole report (9 kinds of object, district, daily, categories, the patrol "
            f"section over {coverage_rows:,} stored grid-day rows and {open_points:,} points "
            f"of patrols still open, those read once per process and kept), median of "
            f"{repeat}; baseline (median of {base_repeat}): the cases and their events into "
            "Python, every count of the report in loops (asserted equal); SQLite. The tier "
            "figures (tiers.csv) are in the report and in what is timed",
        ),
        Figure(
            FUNCTION_FIGURE,
            function_value,
            "s",
            value,
            higher_is_better=False,
            goal=1.0,
            note=f"the same month evaluated over one function (职能, #16 §3: {BENCH_FUNCTION}, "
            "which every case of the month has: the filter keeps them all, its worst case; "
            "counts asserted equal to the whole report's), the patrol section left out as a "
            f"function's report does, median of {repeat}; baseline: the whole report, the "
            "figure above, in the same run; SQLite",
        ),
        Figure(
            TIER_FIGURE,
            tier_value,
            "s",
            tier_baseline,
            higher_is_better=False,
            goal=0.5,
            note=f"the dashboard's and the wall's 小事不出网格率 / 大事不出街道率 of the month "
            f"({expected[0]:,} closed: {expected[1]:,} in the grid, {expected[2]:,} within the "
            f"street; one query), median of {repeat}; baseline: the closed cases and every "
            "event into Python (asserted equal); SQLite",
        ),
    ]
