"""Which cases a seat may read and act on: the street tier's confinement, in the services. No Qt.

A street seat (街道值班员, 街道领导) sees its street, a unit head (单元长) its unit, a grid's
staff (一格七员) its grid; every other role sees the district (a handler's department
confinement is older and lives with the task steps: console.services.field_tasks,
console.services.workflow). The role's level is data (resources/org/roles.csv, column scope),
the region is the account's (users.region_id). A grid's staff still reports anywhere; its
自处置 is confined to its grid (:meth:`CaseScope.check_own_grid`).

Every reader filters through :meth:`CaseScope.where` and every single-case call through
:meth:`CaseScope.check`, so a hidden button or a filtered view is never the only guard
(ARCHITECTURE: "Scope is data on the actor … and a filter every service applies").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from console.errors import CaseNotFoundError, PermissionDeniedError
from console.models import Case, Region
from console.services.actors import Actor
from console.services.reference.files import read_roles

#: roles.csv scopes that confine a seat to one region, and the region level each names.
REGION_LEVELS = {"street": "street", "unit": "unit", "grid": "grid"}
#: How a refusal names the confined seat and its own region, by scope.
SEAT_WORDS = {
    "street": ("街道席位", "本街道"),
    "unit": ("单元长", "本单元"),
    "grid": ("网格员", "本网格"),
}


@cache
def role_label(role: str) -> str:
    """The role's Chinese name (roles.csv), or its code."""
    return next((r.name_zh for r in read_roles() if r.code == role), role)


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
    """``level``: "district" (every case), "street", "unit" or "grid" (``region_id``'s
    cases; None: an account of a confined role without its region sees nothing)."""

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
        if self.level == "grid":
            return cast(ColumnElement[bool], cases.grid_id == (self.region_id or -1))
        return true()

    def holds(self, street_id: int | None, unit_id: int | None, grid_id: int | None = None) -> bool:
        """Whether a case (or a point) in this street, unit and grid lies inside the scope."""
        if self.level == "street":
            return self.region_id is not None and street_id == self.region_id
        if self.level == "unit":
            return self.region_id is not None and unit_id == self.region_id
        if self.level == "grid":
            return self.region_id is not None and grid_id == self.region_id
        return True

    def admits_report(self, street_id: int | None, unit_id: int | None) -> bool:
        """Whether the seat may report a case found here: a street or unit seat inside its
        region; a grid's staff anywhere (what they find next door is a report like any other;
        acting on it, 自处置, is confined to their grid: CaseWorkflow.apply)."""
        return self.level == "grid" or self.holds(street_id, unit_id)

    def refusal(self, what: str) -> str:
        """The message refusing a confined seat ``what`` outside its region."""
        seat, own = SEAT_WORDS.get(self.level, ("该席位", "本辖区"))
        return f"{seat}只能查看{own}的{what}"

    def check_region_assigned(self, role: str) -> None:
        """Refuse an account of a confined role that has no region, naming what is missing: it
        would otherwise act nowhere without knowing why (or, worse, everywhere)."""
        if self.confined and self.region_id is None:
            level = {"street": "街道", "unit": "单元（社区）", "grid": "网格"}[self.level]
            raise PermissionDeniedError(
                f"您的账号（{role_label(role)}）尚未指定所在{level}，不能查看或处理案件；"
                f"请管理员在“用户管理”中为该账号指定所在{level}"
            )

    def check_own_grid(self, session: Session, case: Case, role: str) -> None:
        """A grid's staff self-handles (自处置) its own grid's cases only, told which grid the
        case is in and which is theirs (a district-wide role is not confined)."""
        if self.level != "grid":
            return
        self.check_region_assigned(role)
        if case.grid_id == self.region_id:
            return
        ids = [case.grid_id, self.region_id]
        rows = session.execute(select(Region.id, Region.name).where(Region.id.in_(ids)))
        names: dict[int | None, str] = {rid: name for rid, name in rows}
        raise PermissionDeniedError(
            f"该案件位于「{names.get(case.grid_id, str(case.grid_id))}」，不在您负责的网格"
            f"「{names.get(self.region_id, str(self.region_id))}」内，不能自行处置；"
            "请按普通上报提交（不选自行处置），由指挥中心立案派遣"
        )

    def check(self, case: Case) -> None:
        """Refuse ``case`` outside the scope as if it did not exist: a street seat must not learn
        another street's case numbers by probing ids."""
        if not self.holds(case.street_id, case.unit_id, case.grid_id):
            raise CaseNotFoundError(f"案件不存在: {case.id}")

    def check_street(self, street_id: int) -> None:
        """Refuse a filter or a report naming another street."""
        if self.level == "street" and street_id != self.region_id:
            raise PermissionDeniedError("街道席位只能查看和处理本街道的案件")

    def street_id(self, session: Session) -> int | None:
        """The street the scope lies in (its own, or its unit's or grid's), None for the
        district."""
        if self.level == "street":
            return self.region_id
        region = session.get(Region, self.region_id) if self.confined and self.region_id else None
        while region is not None and region.level != "street":  # grid → unit → area → street
            region = session.get(Region, region.parent_id) if region.parent_id else None
        return region.id if region is not None else None


DISTRICT = CaseScope("district")


def case_scope(actor: Actor) -> CaseScope:
    """The cases ``actor`` may see, from the role's scope and the account's region."""
    level = scope_level(actor.role)
    if level in REGION_LEVELS:
        return CaseScope(level, actor.region_id)
    return DISTRICT
