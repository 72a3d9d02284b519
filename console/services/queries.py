"""Read-side queries: counts for `stats`, the traffic light in SQL, the queue and overdue reads."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from console.domain.lifecycle import CLOCK_STATES, OPEN_STATES
from console.models import Case, Category, Department, GridStaff, Region, User
from console.services.reference.functions import codes_of_function


def case_category() -> ColumnElement[bool]:
    """The join of a case to its category: codes repeat across taxonomies and 部件/事件."""
    return and_(
        Category.taxonomy == Case.taxonomy,
        Category.kind == Case.kind,
        Category.code == Case.category_code,
    )


def function_condition(function: str) -> ColumnElement[bool]:
    """The cases whose category has ``function`` (categories.function, as the reference files
    give it): per taxonomy and kind, the code in that function's list, or not in the other
    functions' when that is shorter (城市管理: all of CJ/T 214, all but 13 of 2026). The queues,
    the map and the evaluation filter on it; an unknown function is refused by name."""
    parts: list[ColumnElement[bool]] = []
    for group in codes_of_function(function):
        same = and_(Case.taxonomy == group.taxonomy, Case.kind == group.kind)
        if not group.but:
            parts.append(and_(same, Case.category_code.in_(group.codes)))
        elif group.codes:
            parts.append(and_(same, Case.category_code.not_in(group.codes)))
        else:
            parts.append(same)
    return or_(false(), *parts)


def light_expression(now: datetime) -> ColumnElement[Any]:
    """The traffic light of a case as SQL, matching console.services.cases.dto.light_of."""
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


def light_counts(
    session: Session, now: datetime, where: ColumnElement[bool] | None = None
) -> dict[str, int]:
    """Open cases per traffic light ("none": off the clock), in one query (the status bar's
    three numbers after every change batch); ``where``: a seat's scope (case_scope)."""
    light = light_expression(now).label("light")
    query = select(light, func.count()).where(Case.state.in_(OPEN_STATES))
    if where is not None:
        query = query.where(where)
    rows = session.execute(query.group_by(light)).all()
    return {k or "none": v for k, v in rows}


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
