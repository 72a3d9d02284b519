"""Read-side queries: counts for `stats`, the traffic light in SQL, the queue and overdue reads."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Select,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from console.domain.lifecycle import CLOCK_STATES, OPEN_STATES
from console.models import Case, Category, Department, GridStaff, Region, User


def case_category() -> ColumnElement[bool]:
    """The join of a case to its category: codes repeat across taxonomies and 部件/事件."""
    return and_(
        Category.taxonomy == Case.taxonomy,
        Category.kind == Case.kind,
        Category.code == Case.category_code,
    )


def light_expression(now: datetime) -> ColumnElement[Any]:
    """The traffic light of a case as SQL, matching console.services.case_dto.light_of."""
    at = case(
        (Case.state.in_(CLOCK_STATES), literal(now, Case.deadline_at.type)),
        (Case.state == "suspended", Case.suspended_at),
        else_=Case.handled_at,
    )
    return case(
        (Case.deadline_at.is_(None), literal(None)),
        (at.is_(None), literal(None)),
        (at >= Case.deadline_at, literal("red")),
        (and_(Case.warning_at.is_not(None), at >= Case.warning_at), literal("yellow")),
        else_=literal("green"),
    )


def stats(session: Session, now: datetime) -> dict[str, dict[str, int]]:
    """Counts per level, organisation, state and (open cases) traffic light."""
    levels = dict(session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
    departments = dict(
        session.execute(select(Department.kind, func.count()).group_by(Department.kind)).all()
    )
    staff = {
        "grid_staff": session.scalar(select(func.count()).select_from(GridStaff)) or 0,
        "users": session.scalar(select(func.count()).select_from(User)) or 0,
    }
    states = dict(session.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    return {
        "regions": {
            lvl: levels.get(lvl, 0) for lvl in ("district", "street", "area", "unit", "grid")
        },
        "departments": departments,
        "staff": staff,
        "states": states,
        "lights": light_counts(session, now),
    }


def light_counts(session: Session, now: datetime) -> dict[str, int]:
    """Open cases per traffic light ("none": off the clock), in one query (the status bar's
    three numbers after every change batch)."""
    light = light_expression(now).label("light")
    rows = session.execute(
        select(light, func.count()).where(Case.state.in_(OPEN_STATES)).group_by(light)
    ).all()
    return {k or "none": v for k, v in rows}


def open_queue_page(
    *,
    states: tuple[str, ...] = OPEN_STATES,
    street_id: int | None = None,
    department_id: int | None = None,
    limit: int = 50,
    after_reported: datetime | None = None,
) -> Select[int, str, str, str, str, datetime, datetime | None, datetime | None]:
    """One page of an open queue, newest first, keyset-paged on reported_at."""
    query = select(
        Case.id,
        Case.number,
        Case.state,
        Case.category_code,
        Case.address,
        Case.reported_at,
        Case.deadline_at,
        Case.warning_at,
    )
    query = query.where(Case.state.in_(states))
    if street_id is not None:
        query = query.where(Case.street_id == street_id)
    if department_id is not None:
        query = query.where(Case.department_id == department_id)
    if after_reported is not None:
        query = query.where(Case.reported_at < after_reported)
    return query.order_by(Case.reported_at.desc()).limit(limit)


def overdue_candidates(now: datetime, since: datetime) -> CompoundSelect[Any]:
    """Cases on the clock that crossed their warning or deadline mark in (since, now].

    This is what the supervision scan reads each minute (``since`` = its previous run, or the
    time the console went down, to catch up): two indexed range scans, whatever the backlog.
    """
    columns = (Case.id, Case.state, Case.warning_at, Case.deadline_at)
    crossed_warning = select(*columns).where(
        Case.state.in_(CLOCK_STATES), Case.warning_at > since, Case.warning_at <= now
    )
    crossed_deadline = select(*columns).where(
        Case.state.in_(CLOCK_STATES), Case.deadline_at > since, Case.deadline_at <= now
    )
    return union(crossed_warning, crossed_deadline)


def light_filter(
    now: datetime, lights: Collection[str], states: Collection[str]
) -> ColumnElement[bool]:
    """Cases in ``states`` whose traffic light at ``now`` is one of ``lights``.

    For states on the clock the light depends only on ``warning_at``/``deadline_at`` against
    ``now``, so the condition is written as range comparisons the (state, warning_at) and
    (state, deadline_at) indexes can serve; other states go through :func:`light_expression`.
    """
    wanted = set(lights)
    on_clock = [s for s in states if s in CLOCK_STATES]
    others = [s for s in states if s not in CLOCK_STATES]
    parts: list[ColumnElement[bool]] = []
    if on_clock:
        ranges: list[ColumnElement[bool]] = []
        if "red" in wanted:
            ranges.append(Case.deadline_at <= now)
        if "yellow" in wanted:
            ranges.append(and_(Case.warning_at <= now, Case.deadline_at > now))
        if "green" in wanted:
            ranges.append(
                and_(
                    Case.deadline_at > now,
                    or_(Case.warning_at.is_(None), Case.warning_at > now),
                )
            )
        if ranges:
            parts.append(and_(Case.state.in_(on_clock), or_(*ranges)))
    if others:
        parts.append(and_(Case.state.in_(others), light_expression(now).in_(sorted(wanted))))
    return or_(*parts) if parts else false()
