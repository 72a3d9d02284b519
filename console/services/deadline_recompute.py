"""Open cases' deadlines moved when a year's holiday schedule changes.

A case's limit is kept in working time (its rule's limit, approved extensions, the clock time it
spent suspended); its ``warning_at`` and ``deadline_at`` are that limit laid on the calendar from
its dispatch. When days change between worked and off, every open case whose clock crosses one
of them gets both marks laid again on the new calendar, with a ``recompute_deadline`` event
(old → new) on its timeline. Alerts already raised stay raised. One set-based pass: 100,000
cases in well under two seconds (``bench``), beside :func:`recompute_per_case`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.lifecycle import FINAL_STATES
from console.domain.time_limits import LimitUnit, TimeLimit
from console.domain.traffic_light import clock_marks
from console.domain.worktime import WorkCalendar
from console.domain.worktime_batch import add_work_seconds_many, from_epoch_us, to_epoch_us
from console.models import Case, CaseEvent
from console.services.actors import Actor

ACTION = "recompute_deadline"
_CASES = Case.__table__


@dataclass(frozen=True)
class MovedCase:
    case_id: int
    old_deadline: datetime
    new_deadline: datetime


def _candidates(session: Session, changed: Collection[date]) -> list:  # type: ignore[type-arg]
    """Open cases on the working clock whose span from dispatch to deadline meets a changed day.

    A day after the old deadline cannot move it; one before the dispatch neither. Locked for
    the transaction on PostgreSQL, so a seat acting meanwhile waits and then sees the new marks.
    """
    first = datetime.combine(min(changed), time(0), tzinfo=LOCAL_TZ)
    after_last = datetime.combine(max(changed) + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
    query = (
        select(
            Case.id,
            Case.state,
            Case.department_id,
            Case.dispatched_at,
            Case.limit_value,
            Case.limit_unit,
            Case.extension_value,
            Case.suspended_seconds,
            Case.warning_at,
            Case.deadline_at,
        )
        .where(
            Case.state.not_in(FINAL_STATES),
            Case.deadline_at.is_not(None),
            Case.dispatched_at.is_not(None),
            Case.limit_value.is_not(None),
            Case.limit_unit != LimitUnit.HOURS.value,
            Case.dispatched_at < after_last,
            Case.deadline_at >= first,
        )
        .order_by(Case.id)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Case)
    return list(session.execute(query))


def recompute_open_deadlines(
    session: Session,
    calendar: WorkCalendar,
    changed: Collection[date],
    actor: Actor,
    now: datetime,
    *,
    warning_share: float = 0.8,
    note: str,
) -> list[MovedCase]:
    """Lay every affected open case's marks on ``calendar`` again; returns the cases that moved."""
    if not changed:
        return []
    rows = _candidates(session, changed)
    if not rows:
        return []
    day_s = calendar.workday_seconds
    total = np.array(
        [
            (r.limit_value + (r.extension_value or 0.0))
            * (day_s if r.limit_unit == LimitUnit.WORKDAYS.value else 3600.0)
            for r in rows
        ],
        dtype=np.float64,
    )
    suspended = np.array([r.suspended_seconds or 0.0 for r in rows], dtype=np.float64)
    starts = to_epoch_us([r.dispatched_at for r in rows])
    new_warning = add_work_seconds_many(calendar, starts, total * warning_share + suspended)
    new_deadline = add_work_seconds_many(calendar, starts, total + suspended)
    old_warning = to_epoch_us([r.warning_at or r.deadline_at for r in rows])
    old_deadline = to_epoch_us([r.deadline_at for r in rows])
    moved_idx = np.nonzero((new_warning != old_warning) | (new_deadline != old_deadline))[0]
    if len(moved_idx) == 0:
        return []
    warnings_at = from_epoch_us(new_warning[moved_idx])
    deadlines_at = from_epoch_us(new_deadline[moved_idx])
    picked = [rows[i] for i in moved_idx]
    session.execute(
        update(_CASES)
        .where(_CASES.c.id == bindparam("b_id"))
        .values(
            warning_at=bindparam("b_warning"),
            deadline_at=bindparam("b_deadline"),
            updated_at=bindparam("b_now"),
            version=_CASES.c.version + 1,
        ),
        [
            {"b_id": r.id, "b_warning": w, "b_deadline": d, "b_now": now}
            for r, w, d in zip(picked, warnings_at, deadlines_at, strict=True)
        ],
    )
    session.execute(
        insert(CaseEvent),
        [
            {
                "case_id": r.id,
                "at": now,
                "action": ACTION,
                "from_state": r.state,
                "to_state": r.state,
                "actor_id": actor.id,
                "actor_name": actor.name,
                "actor_role": actor.role,
                "department_id": r.department_id,
                "note": note,
                "data": json.dumps(
                    {
                        "old_deadline": _local(r.deadline_at),
                        "new_deadline": _local(d),
                        "old_warning": _local(r.warning_at) if r.warning_at else None,
                        "new_warning": _local(w),
                    },
                    ensure_ascii=False,
                ),
            }
            for r, w, d in zip(picked, warnings_at, deadlines_at, strict=True)
        ],
    )
    return [MovedCase(r.id, r.deadline_at, d) for r, d in zip(picked, deadlines_at, strict=True)]


def _local(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def recompute_per_case(
    session: Session, calendar: WorkCalendar, changed: Collection[date], *, warning_share: float
) -> int:
    """The naive baseline: each case loaded as an object and its marks laid one by one.

    Kept for the benchmark (same answers, measured beside the set-based pass); writes the
    marks only, no events.
    """
    ids = [r.id for r in _candidates(session, changed)]
    moved = 0
    for case in (
        case
        for i in range(0, len(ids), 500)  # under SQLite's bound-parameter limit
        for case in session.scalars(select(Case).where(Case.id.in_(ids[i : i + 500])))
    ):
        assert case.dispatched_at is not None and case.limit_value is not None
        marks = clock_marks(
            calendar,
            case.dispatched_at,
            TimeLimit(case.limit_value, LimitUnit(case.limit_unit)),
            extension=case.extension_value,
            suspended_seconds=case.suspended_seconds,
            warning_share=warning_share,
        )
        if (marks.warning_at, marks.deadline_at) != (case.warning_at, case.deadline_at):
            case.warning_at, case.deadline_at = marks.warning_at, marks.deadline_at
            moved += 1
    session.flush()
    return moved
