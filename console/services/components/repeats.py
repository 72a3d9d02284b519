"""Repeat offenders (issue 17): the register's objects named by at least ``repeat_cases`` cases
reported in the last ``repeat_months`` months (resources/components/register.csv) — the lamp that
failed five times this year. Voided and merged cases are not faults of their own and do not count.
One grouped read over ix_cases_component_reported. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from console.models import Case, Component, Department
from console.models.base import UTCDateTime
from console.services.case_scope import DISTRICT, CaseScope
from console.services.components.rules import register_rules

#: Cases that do not count as a fault of the object (a void, a duplicate merged away).
NOT_A_FAULT = ("voided", "merged")
#: A month, for the window: 30.44 days (365.25 / 12).
_MONTH = timedelta(days=365.25 / 12)


@dataclass(frozen=True)
class RepeatOffender:
    component_id: int
    identifier: str
    name: str
    category_code: str
    status: str
    owner_department_id: int
    owner_department: str
    lon: float
    lat: float
    cases: int
    last_reported_at: datetime


def window_start(now: datetime) -> datetime:
    """The first report time the repeat window counts."""
    return now - register_rules().repeat_months * _MONTH


def repeat_offenders(
    s: Session,
    now: datetime,
    *,
    scope: CaseScope = DISTRICT,
    owner_department_id: int | None = None,
) -> list[RepeatOffender]:
    """The repeat offenders among ``scope``'s cases (a street seat: its street's), the most
    cases first; optionally those of one owner department."""
    rules = register_rules()
    counted = (
        select(
            Case.component_id.label("component_id"),
            func.count(Case.id).label("cases"),
            type_coerce(func.max(Case.reported_at), UTCDateTime()).label("last_reported_at"),
        )
        .where(
            Case.component_id.is_not(None),
            Case.reported_at >= window_start(now),
            Case.reported_at <= now,
            Case.state.not_in(NOT_A_FAULT),
            scope.where(Case),
        )
        .group_by(Case.component_id)
        .having(func.count(Case.id) >= rules.repeat_cases)
        .subquery()
    )
    stmt = (
        select(Component, Department.name, counted.c.cases, counted.c.last_reported_at)
        .join(counted, counted.c.component_id == Component.id)
        .join(Department, Department.id == Component.owner_department_id)
        .order_by(counted.c.cases.desc(), counted.c.last_reported_at.desc(), Component.id)
    )
    if owner_department_id is not None:
        stmt = stmt.where(Component.owner_department_id == owner_department_id)
    out = []
    for component, department, cases, last in s.execute(stmt):
        out.append(
            RepeatOffender(
                component_id=component.id,
                identifier=component.identifier,
                name=component.name,
                category_code=component.category_code,
                status=component.status,
                owner_department_id=component.owner_department_id,
                owner_department=department,
                lon=component.lon,
                lat=component.lat,
                cases=int(cases),
                last_reported_at=last,
            )
        )
    return out
