"""What the database holds, counted in Python from ORM rows: the independent side of the checks
of `stats`, `seed-demo` and `simulate` (SQLite here, PostgreSQL in tests/integration)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.lifecycle import FINAL_STATES, RESUME, Lifecycle
from console.models import Case, CaseEvent, Department, GridStaff, Region, User
from console.services.cases.dto import light_of

LEVELS = ("district", "street", "area", "unit", "grid")


def lights_at(cases: list[Case], now: datetime) -> dict[str, int]:
    """Open cases per traffic light at ``now``, from warning_at/deadline_at via light_of."""
    lights: Counter[str] = Counter()
    for case in cases:
        if case.state in FINAL_STATES:
            continue
        light = light_of(case, now)
        lights[light.value if light is not None else "none"] += 1
    return dict(lights)


def independent_stats(session: Session, now: datetime) -> dict[str, Any]:
    """The figures `stats` prints, counted row by row in Python (no GROUP BY, no SQL CASE)."""
    levels = Counter(session.scalars(select(Region.level)))
    cases = list(session.scalars(select(Case)))
    return {
        "regions": {lvl: levels.get(lvl, 0) for lvl in LEVELS},
        "departments": dict(Counter(session.scalars(select(Department.kind)))),
        "staff": {
            "grid_staff": len(session.scalars(select(GridStaff.id)).all()),
            "users": len(session.scalars(select(User.id)).all()),
        },
        "states": dict(Counter(c.state for c in cases)),
        "lights": lights_at(cases, now),
    }


def events_by_case(session: Session) -> dict[int, list[CaseEvent]]:
    grouped: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in session.scalars(select(CaseEvent).order_by(CaseEvent.id)):
        grouped[event.case_id].append(event)
    return grouped


def assert_legal(event: CaseEvent, lifecycle: Lifecycle) -> None:
    """The event's action may move a case from its from_state to its to_state, by its role."""
    transition = lifecycle.get(event.action)
    where = f"event {event.id} ({event.action} {event.from_state}→{event.to_state})"
    assert transition.applies_to(event.from_state), where
    assert event.actor_role in transition.roles, where
    if event.from_state is None:
        assert event.to_state == transition.to_state, where
    elif transition.to_state == RESUME:
        assert event.to_state not in FINAL_STATES and event.to_state != "suspended", where
    else:
        assert event.to_state == transition.target(event.from_state), where


def assert_histories(session: Session, lifecycle: Lifecycle) -> dict[int, list[CaseEvent]]:
    """Every case starts with a 'report' event; events are in time order, chain state to state,
    are legal transitions and end in the case's current state."""
    grouped = events_by_case(session)
    cases = {c.id: c for c in session.scalars(select(Case))}
    assert set(grouped) == set(cases)
    for case_id, events in grouped.items():
        case = cases[case_id]
        first = events[0]
        assert first.action == "report" and first.from_state is None, case.number
        assert first.to_state == "reported", case.number
        times = [e.at for e in events]
        assert times == sorted(times), case.number
        for before, after in pairwise(events):
            assert after.from_state == before.to_state, case.number
        for event in events:
            assert_legal(event, lifecycle)
        assert events[-1].to_state == case.state, case.number
    return grouped
