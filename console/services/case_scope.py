"""Which cases a seat may read and act on: the street tier's confinement, in the services. No Qt.

A street seat (街道值班员, 街道领导) sees its street, a unit head (单元长) its unit; every other
role sees the district (a handler's department confinement is older and lives with the task
steps: console.services.field_tasks, console.services.workflow). The role's level is data
(resources/org/roles.csv, column scope), the region is the account's (users.region_id).

Every reader filters through :meth:`CaseScope.where` and every single-case call through
:meth:`CaseScope.check`, so a hidden button or a filtered view is never the only guard
(ARCHITECTURE: "Scope is data on the actor … and a filter every service applies").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from console.errors import CaseNotFoundError, PermissionDeniedError
from console.models import Case, Region
from console.services.actors import Actor
from console.services.reference.files import read_roles

#: roles.csv scopes that confine a seat to one region, and the region level each names.
REGION_LEVELS = {"street": "street", "unit": "unit"}


@cache
def role_scopes() -> dict[str, str]:
    """Role code → its scope (district, street, unit or department), from roles.csv."""
    return {r.code: r.scope for r in read_roles()}


def scope_level(role: str) -> str:
    """The scope of ``role``; an unknown role is confined to nothing it could name: "district"
    would widen it, so it counts as a street role without a street (sees nothing)."""
    return role_scopes().get(role, "street")


@dataclass(frozen=True)
class CaseScope:
    """``level``: "district" (every case), "street" or "unit" (``region_id``'s cases)."""

    level: str
    region_id: int | None = None

    @property
    def confined(self) -> bool:
        return self.level in REGION_LEVELS

    def where(self, cases: Any = Case) -> ColumnElement[bool]:
        """The condition on ``cases`` rows (the table or an alias of it) this scope may see
        (true() for the district)."""
        if self.level == "street":
            return cast(ColumnElement[bool], cases.street_id == (self.region_id or -1))
        if self.level == "unit":
            return cast(ColumnElement[bool], cases.unit_id == (self.region_id or -1))
        return true()

    def holds(self, street_id: int | None, unit_id: int | None) -> bool:
        """Whether a case (or a point) in this street and unit lies inside the scope."""
        if self.level == "street":
            return self.region_id is not None and street_id == self.region_id
        if self.level == "unit":
            return self.region_id is not None and unit_id == self.region_id
        return True

    def check(self, case: Case) -> None:
        """Refuse ``case`` outside the scope as if it did not exist: a street seat must not learn
        another street's case numbers by probing ids."""
        if not self.holds(case.street_id, case.unit_id):
            raise CaseNotFoundError(f"案件不存在: {case.id}")

    def check_street(self, street_id: int) -> None:
        """Refuse a filter or a report naming another street."""
        if self.level == "street" and street_id != self.region_id:
            raise PermissionDeniedError("街道席位只能查看和处理本街道的案件")

    def street_id(self, session: Session) -> int | None:
        """The street the scope lies in (its own, or its unit's), None for the district."""
        if self.level == "street":
            return self.region_id
        if self.level == "unit" and self.region_id is not None:
            unit = session.get(Region, self.region_id)
            area = session.get(Region, unit.parent_id) if unit and unit.parent_id else None
            return area.parent_id if area is not None else None
        return None


DISTRICT = CaseScope("district")


def case_scope(actor: Actor) -> CaseScope:
    """The cases ``actor`` may see, from the role's scope and the account's region."""
    level = scope_level(actor.role)
    if level in REGION_LEVELS:
        return CaseScope(level, actor.region_id)
    return DISTRICT
