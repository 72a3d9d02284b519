"""The evaluation's register figures per department (issue 17): 部件 cases on its own objects
and its repeat offenders. Informational (``ObjectScore.extras``): in no composite, no grade.

- 本部门部件案件 (``component_cases``): cases reported in the period that name an object the
  department owns (components.owner_department_id); voided and merged cases are not faults
  and do not count (as for repeat offenders).
- 重复故障部件 (``repeat_offenders``): its objects named by at least register.csv's
  repeat_cases counted cases reported in the repeat_months before the period's end —
  console.services.components.repeats' rule, at the period's end (the running month's end
  holds no later case, so it is the rule as of now).

Two grouped reads for every department at once (never one per department); the report's case
condition (a function's cases) applies to both. No Qt.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from console.models import Case, Component
from console.services.components.repeats import NOT_A_FAULT, window_start
from console.services.components.rules import register_rules

if TYPE_CHECKING:
    from console.services.evaluation.report import ObjectScore

COMPONENT_CASES = "component_cases"
REPEAT_OFFENDERS = "repeat_offenders"
LABELS = {
    COMPONENT_CASES: ("本部门部件案件", "Cases on own components"),
    REPEAT_OFFENDERS: ("重复故障部件", "Repeat-offender components"),
}
KEYS = (COMPONENT_CASES, REPEAT_OFFENDERS)


def _counted(where: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    parts: list[ColumnElement[bool]] = [
        Case.component_id.is_not(None),
        Case.state.not_in(NOT_A_FAULT),
    ]
    return [*parts, where] if where is not None else parts


def _reported(start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    # The report time through coalesce(): no term the planner can take ix_cases_reported_at
    # for, so it reads the few cases naming an object (ix_cases_component_reported) instead of
    # every case of the month or the 12 months (SQLite: 0.45 s → 2 ms on a 100,000-case month).
    reported = func.coalesce(Case.reported_at, Case.reported_at)
    return [reported >= start, reported < end]


def _per_owner(
    session: Session, start: datetime, end: datetime, where: ColumnElement[bool] | None, least: int
) -> dict[int, int]:
    """owner department → its counted cases reported in [start, end) (``least`` 0), or → its
    objects named by at least ``least`` of them."""
    per = (
        select(Case.component_id.label("component_id"), func.count(Case.id).label("cases"))
        .where(*_reported(start, end), *_counted(where))
        .group_by(Case.component_id)
    )
    if least:
        per = per.having(func.count(Case.id) >= least)
    grouped = per.subquery()
    counted = func.sum(grouped.c.cases) if least == 0 else func.count()
    rows = session.execute(
        select(Component.owner_department_id, counted)
        .join(grouped, grouped.c.component_id == Component.id)
        .group_by(Component.owner_department_id)
    ).all()
    return {department_id: int(n) for department_id, n in rows}


def component_figures(
    session: Session,
    start: datetime,
    end: datetime,
    where: ColumnElement[bool] | None = None,
) -> dict[int, dict[str, int]]:
    """department id → {component_cases, repeat_offenders}, for departments with any."""
    cases = _per_owner(session, start, end, where, 0)
    repeats = _per_owner(session, window_start(end), end, where, register_rules().repeat_cases)
    return {
        department_id: {
            COMPONENT_CASES: cases.get(department_id, 0),
            REPEAT_OFFENDERS: repeats.get(department_id, 0),
        }
        for department_id in cases.keys() | repeats.keys()
    }


def with_component_figures(
    scores: tuple[ObjectScore, ...], figures: dict[int, dict[str, int]]
) -> tuple[ObjectScore, ...]:
    """The departments' scores with the two figures as extras (0 where it has none)."""
    # Here, not at the top: the report imports this module (evaluate adds the figures).
    from console.services.evaluation.report import MetricValue

    zero = dict.fromkeys(KEYS, 0)
    return tuple(
        replace(
            score,
            extras=tuple(
                MetricValue(key, *LABELS[key], figures.get(score.object_id, zero)[key])
                for key in KEYS
            ),
        )
        for score in scores
    )


def component_case_ids(
    session: Session,
    start: datetime,
    end: datetime,
    department_id: int,
    metric: str,
    where: ColumnElement[bool] | None = None,
) -> list[int]:
    """The cases behind one of the figures (the drill-down): the period's cases on the
    department's objects, or the counted cases of its repeat offenders in the window."""
    owned = Component.owner_department_id == department_id
    if metric == COMPONENT_CASES:
        stmt = (
            select(Case.id)
            .join(Component, Component.id == Case.component_id)
            .where(owned, *_reported(start, end), *_counted(where))
        )
        return list(session.scalars(stmt.order_by(Case.id)))
    in_window = _reported(window_start(end), end)
    offenders = (
        select(Case.component_id)
        .join(Component, Component.id == Case.component_id)
        .where(owned, *in_window, *_counted(where))
        .group_by(Case.component_id)
        .having(func.count(Case.id) >= register_rules().repeat_cases)
    )
    stmt = select(Case.id).where(Case.component_id.in_(offenders), *in_window, *_counted(where))
    return list(session.scalars(stmt.order_by(Case.id)))
