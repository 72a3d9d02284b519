"""The evaluation on random data equals the Python-loop baseline, count for count.

The cases get arbitrary event histories, written with Core: some follow the closed loop
(report, register, dispatch, feedback, check, close, with gaps on both sides of the time
limits), the others are random steps by random roles (repeated, out of order, by a position
that does not take that step, without an actor, tied to the same instant, before, inside and
after the month). So both halves of the position count run: the per-case pass for the simple
cases and the per-event facts for the complex ones (evaluation.positions.positions_by_case).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from console.bench.evaluation_bench import naive_counts, report_counts
from console.db import Database
from console.models import Case, CaseEvent, Department, PublicRating, User
from console.services import geography
from console.services.evaluation.config import EvaluationConfig
from console.services.evaluation.positions import (
    COMPLEX,
    position_case_range,
    positions_by_case,
)
from console.services.evaluation.report import evaluate, month_period
from console.services.reference import data as reference_data

START, END = month_period("2026-10")
ROLES = ("inspector", "intake", "duty_chief", "dispatcher", "grid_manager", "department", "system")
ACTIONS = (
    "report", "register", "close", "dispatch", "verify_pass", "verify_fail", "feedback",
    "self_handle", "approve_return", "void", "add_note", "request_report_check",
    "confirm_report", "reject_report", "hand_up", "approve_hand_up", "refuse_hand_up",
)  # fmt: skip
LOOP = (
    ("report", "inspector"), ("register", "duty_chief"), ("dispatch", "dispatcher"),
    ("feedback", "department"), ("verify_pass", "inspector"), ("close", "duty_chief"),
)  # fmt: skip


def fill_random(db: Database, n: int, seed: int) -> None:
    """n cases with random histories (see the module docstring)."""
    rng = random.Random(seed)
    with db.session() as s:
        for role in ROLES[:4]:
            for k in range(3):
                s.add(User(username=f"r-{role}-{k}", display_name=f"{role}{k}", role=role))
    with db.read() as s:
        lookup = geography.load_grid_index(s)
        departments = list(s.scalars(select(Department.id).order_by(Department.id)))[:4]
        people: dict[str, list[int]] = {}
        for uid, role in s.execute(select(User.id, User.role)):
            people.setdefault(role, []).append(uid)

    def moment(base: datetime | None = None) -> datetime:
        if base is None:
            base = START - timedelta(days=3)
            return base + timedelta(seconds=rng.uniform(0, (END - START).total_seconds() + 6e5))
        return base + timedelta(seconds=rng.uniform(-600, 2.5 * 3600))

    cases, events, ratings = [], [], []
    for i in range(n):
        cid = i + 1
        g = rng.randrange(len(lookup.grid_ids))
        reported = moment()
        state = rng.choice(
            ("reported", "registered", "dispatched", "closed", "archived", "voided", "merged")
        )
        closed_at = moment(reported) if state in ("closed", "archived", "voided") else None
        if state in ("closed", "archived") and rng.random() < 0.3:
            closed_at = moment()  # anywhere: closed before, in or after the month
        cases.append(
            {
                "id": cid, "number": f"R{i:012d}",
                "source": rng.choice(("inspector", "hotline", "public", "grid", "video")),
                "reporter": "test", "taxonomy": reference_data.TAXONOMY_GBT2026,
                "kind": "event_type", "category_code": "0102", "urgent": False,
                "description": "随机", "address": "莲湖路", "lon": 108.9, "lat": 34.27,
                "grid_id": int(lookup.grid_ids[g]), "unit_id": int(lookup.unit_ids[g]),
                "area_id": int(lookup.area_ids[g]), "street_id": int(lookup.street_ids[g]),
                "state": state,
                "department_id": rng.choice([None, *departments]),
                "reported_at": reported,
                "registered_at": rng.choice([None, moment(reported), moment()]),
                "dispatched_at": rng.choice([None, moment(reported), moment()]),
                "handled_at": rng.choice([None, moment(reported), moment()]),
                "closed_at": closed_at,
                "deadline_at": rng.choice([None, moment(reported), moment()]),
                "updated_at": reported, "extension_value": 0.0, "suspended_seconds": 0.0,
                "rework_count": 0, "return_count": 0, "dispatch_count": 0, "version": 1,
            }
        )  # fmt: skip

        if rng.random() < 0.3:  # 满意度, before, inside or after the month, of any case
            rating = rng.choice(("satisfied", "basically_satisfied", "dissatisfied"))
            ratings.append({"case_id": cid, "rating": rating, "rated_at": moment()})

        def event(at: datetime, action: str, role: str, cid: int = cid) -> None:
            actor = rng.choice(people.get(role, [None])) if rng.random() > 0.03 else None
            events.append(
                {
                    "case_id": cid, "at": at, "action": action, "from_state": None,
                    "to_state": "x", "actor_id": actor, "actor_name": role, "actor_role": role,
                    "department_id": rng.choice([None, *departments, departments[0]]),
                    "note": None, "data": None,
                }
            )  # fmt: skip

        at = reported
        if rng.random() < 0.3:  # 信息核实 first: asked, answered (maybe twice), maybe unasked
            for _ in range(rng.choice((1, 1, 2))):
                if rng.random() < 0.9:
                    event(at, "request_report_check", rng.choice(("intake", "duty_chief")))
                    at = moment(at)
                event(at, rng.choice(("confirm_report", "reject_report")), "inspector")
                at = moment(at)
        if rng.random() < 0.5:  # the closed loop, cut short at random
            for action, role in LOOP[: rng.randint(1, len(LOOP))]:
                event(at, action, role)
                at = moment(at)
            if rng.random() < 0.2:  # a step taken again
                action, role = rng.choice(LOOP)
                event(moment(at), action, role)
            for _ in range(rng.choice((0, 0, 1, 2))):  # events no position step counts
                late = rng.random() < 0.5
                role = rng.choice(ROLES[4:]) if not late else rng.choice(ROLES)
                event(END + timedelta(hours=rng.uniform(1, 48)) if late else moment(at),
                      rng.choice(ACTIONS), role)  # fmt: skip
        else:
            for _ in range(rng.randint(0, 8)):
                at = moment(at) if rng.random() < 0.7 else moment()
                event(at, rng.choice(ACTIONS), rng.choice(ROLES))
            if events and events[-1]["case_id"] == cid and rng.random() < 0.3:
                tied = events[-1]  # another step at the very same instant
                event(tied["at"], rng.choice(ACTIONS), rng.choice(ROLES))
    with db.session() as s:
        s.connection().execute(Case.__table__.insert(), cases)
        if events:
            s.connection().execute(CaseEvent.__table__.insert(), events)
        if ratings:
            s.connection().execute(PublicRating.__table__.insert(), ratings)


def assert_matches_baseline(db: Database) -> None:
    with db.read() as s:
        report = evaluate(s, START, END, END)
        first, last = s.execute(position_case_range(START, END)).one()
        rows = s.execute(
            positions_by_case(START, END, EvaluationConfig.load(), db.dialect, first, last)
        ).all()
    # the dataset exercises both halves of the position count
    assert any(r[0] == COMPLEX for r in rows) and any(r[0] != COMPLEX for r in rows)
    naive, counted = naive_counts(db, START, END), report_counts(report)
    assert set(naive) == set(counted)
    for kind in naive:
        assert counted[kind] == naive[kind], kind
    assert {"inspector", "intake", "duty_chief", "dispatcher", "department"} <= set(naive)
    # the ratings were counted (some satisfied) for the regions and the departments
    for kind in ("district", "grid", "department"):
        assert any("satisfied" in m for m in naive[kind].values()), kind
    # and every tier (tiers.csv) has cases: the NULL department, the approved 提级, the committees
    tiers = ("handed_up", "settled_in_street", "settled_in_district")  # the grid: test_tiers
    assert set(tiers) <= set(naive["district"][0]), naive["district"][0]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_histories_match_the_python_baseline(demo_db: Database, seed: int) -> None:
    fill_random(demo_db, 400, seed)
    assert_matches_baseline(demo_db)
