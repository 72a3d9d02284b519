"""The tier figures (小事不出网格、大事不出街道) as SQL conditions on the cases table.

Which figures there are and how each is recognised is data: resources/evaluation/tiers.csv
(console.services.evaluation.config.TIER_FIGURES). A closed case is settled at one tier: in the
grid (self-handled by its own staff), in the street (handled by a street committee) or by the
district (anything else, and every case whose 提级 the district accepted: approve_hand_up; a
hand-up it refused sends the case back to the street, which settles it there). The counts are region metrics like
the others (console.services.evaluation.metrics.region_facts), so a count, its drill-down and
its roll-up grid → unit → area → street are the evaluation's own; this module also gives the
month-so-far rates the dashboard and the wall show (:func:`tier_rates`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import Session, aliased

from console.models import Case, CaseEvent, Department
from console.services.evaluation.config import (
    CLOSED_STATES,
    TIER_FIGURES,
    TIER_RATES,
    TierFigure,
)


def _has_event(action: str) -> ColumnElement[bool]:
    """The case has an event of ``action`` (a seek in ix_case_events_case_action_actor): for
    a common action, asked of the few cases that need it."""
    e = aliased(CaseEvent)
    return exists().where(e.case_id == Case.id, e.action == action)


def _among_cases_with(action: str) -> ColumnElement[bool]:
    """The case is among those with an event of ``action``: for a rare action (an accepted
    提级) asked of every closed case, one list of its cases (ix_case_events_action_at), built
    once per query and probed in memory, costs less than a seek per case."""
    return Case.id.in_(select(CaseEvent.case_id).where(CaseEvent.action == action))


def tier_conditions(closed: ColumnElement[bool]) -> dict[str, ColumnElement[bool]]:
    """The condition of every count of tiers.csv, on the cases ``closed`` (the population).

    The cheap column tests come before the event lookups, so that a database which stops at
    the first false term looks events up only for the cases that need it."""
    # "handed up" is what the event rules count (approve_hand_up: an accepted 提级 only)
    handed_up = [f.value for f in TIER_FIGURES if f.rule == "event"]
    not_handed_up = and_(true(), *(not_(_among_cases_with(a)) for a in handed_up))
    out: dict[str, ColumnElement[bool]] = {}
    exclusive: list[ColumnElement[bool]] = []
    for f in TIER_FIGURES:
        if f.rule == "event":
            out[f.key] = and_(closed, _among_cases_with(f.value))
        elif f.rule == "self_handled":
            out[f.key] = and_(
                closed, Case.department_id.is_(None), _has_event(f.value), not_handed_up
            )
            exclusive.append(out[f.key])
        elif f.rule == "department_kind":
            kind = select(Department.id).where(Department.kind == f.value)
            # IS NOT NULL first: NULL IN (…) is NULL, and NOT of it would hide the case from
            # the rest (the district's) as well
            department = and_(Case.department_id.is_not(None), Case.department_id.in_(kind))
            out[f.key] = and_(closed, department, not_handed_up)
            exclusive.append(out[f.key])
        elif f.rule == "any":
            out[f.key] = or_(false(), *(out[a] for a in f.arguments))
    for f in TIER_FIGURES:
        if f.rule == "rest":
            out[f.key] = and_(closed, not_(or_(false(), *exclusive)))
    return out


def closed_in(start: datetime, end: datetime) -> ColumnElement[bool]:
    """结案 of the period: the tier figures' population and their rates' denominator (the same
    condition as the evaluation's 结案数)."""
    return and_(Case.state.in_(CLOSED_STATES), Case.closed_at >= start, Case.closed_at < end)


@dataclass(frozen=True)
class TierRate:
    key: str
    label_zh: str
    label_en: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """In percent, 2 decimals; None when nothing was closed."""
        if not self.denominator:
            return None
        return round(100.0 * self.numerator / self.denominator, 2)


def tier_columns(closed: ColumnElement[bool]) -> list[Any]:
    """结案数 and each tier rate's numerator as conditional counts, to add to a query over the
    cases that another figure of the month already scans (``closed``: what makes a row count
    as closed in the period; true() when that query's WHERE says so). Read them back with
    :func:`tier_rates_from`."""
    conditions = tier_conditions(closed)
    return [
        func.count().filter(closed),
        *(func.count().filter(conditions[numerator]) for _, numerator, _ in TIER_RATES),
    ]


def tier_rates_from(counts: Sequence[Any]) -> tuple[TierRate, ...]:
    """The rates from the values of :func:`tier_columns`, in their order."""
    figures: dict[str, TierFigure] = {f.key: f for f in TIER_FIGURES}
    closed, *numerators = (int(n or 0) for n in counts)
    return tuple(
        TierRate(key, figures[key].label_zh, figures[key].label_en, n, closed)
        for (key, _, _), n in zip(TIER_RATES, numerators, strict=True)
    )


def tier_rates(
    session: Session, start: datetime, end: datetime, where: Any = None
) -> tuple[TierRate, ...]:
    """The tier rates of tiers.csv over the cases closed in [start, end) (and matching
    ``where``, a seat's scope), in one query read from ix_cases_closed_at_state_department
    alone (the department is in it). The state is tested in the counts, not the WHERE: without
    ANALYZE statistics SQLite would otherwise pick a state index and read every closed case
    ever (as the evaluation's daily counts, report._daily)."""
    closed = Case.state.in_(CLOSED_STATES)
    row = session.execute(
        select(*tier_columns(closed)).where(
            Case.closed_at >= start, Case.closed_at < end, true() if where is None else where
        )
    ).one()
    return tier_rates_from(row)
