"""The dispatch dialog's read side: proposed departments and deadlines before anything is written.

For each selected case the default department comes from the routing table (the same
:func:`console.services.reference.data.route` the dispatch itself uses) and the deadline
preview from the same clock maths (:func:`console.domain.traffic_light.clock_marks`) on a
fresh clock started now, as a dispatch restarts the clock.

Each proposal also carries the category's tier (resources/org/tiers.csv,
console.services.tier_routing): for a street matter the target is the case's own street
committee; for a grid matter it names the grid staff role that should self-handle it and
still proposes the routing table's department should the dispatcher send it anyway.

A case naming a register object (issue 17) goes to the object's owner (主管部门) before both,
as the workflow's dispatch does (console.services.components.case_component); the proposal
says why its department (``department_reason``) and its tier is the owner's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from console.domain.lifecycle import state_label
from console.domain.time_limits import LimitUnit, TimeLimit
from console.domain.traffic_light import clock_marks
from console.domain.worktime import WorkCalendar
from console.errors import ConsoleError
from console.models import Case, Component, Department, DepartmentKind, Region
from console.services.components import case_component
from console.services.reference import data as reference_data
from console.services.tier_routing import STREET, TierChoice, owner_tier, tier_table

DISPATCHABLE_STATE = "registered"
#: Department kinds in the order the department picker lists them.
KIND_ORDER = (
    DepartmentKind.STREET_COMMITTEE.value,
    DepartmentKind.PROFESSIONAL.value,
    DepartmentKind.FUNCTIONAL.value,
)


@dataclass(frozen=True)
class DispatchProposal:
    case_id: int
    number: str
    version: int
    state: str
    street_name: str
    department_id: int | None
    department_name: str | None
    limit_text: str | None
    deadline_preview: datetime | None
    error: str | None
    #: The category's tier: grid / street / district (None when the case cannot go).
    tier: str | None = None
    #: The table cell, e.g. "街道" or "网格（环卫保洁员）".
    tier_label: str | None = None
    #: The line under the table, e.g. "建议层级：街道（小事不出网格、大事不出街道）", or why
    #: there is none (a category tiers.csv does not cover).
    tier_text: str | None = None
    #: For a grid matter: the grid staff role that should self-handle it (code, name).
    grid_role: str | None = None
    grid_role_name: str | None = None
    #: Why this department: "部件主管部门" (the case names a register object, issue 17),
    #: "街道城管委" (a street matter) or "默认路由" (routing.csv); None without one.
    department_reason: str | None = None


@dataclass(frozen=True)
class DepartmentOption:
    id: int
    code: str
    name: str
    kind: str


def _limit(case_row: Case) -> TimeLimit | None:
    if case_row.limit_value is None or case_row.limit_unit is None:
        return None
    return TimeLimit(case_row.limit_value, LimitUnit(case_row.limit_unit))


def propose_dispatch(
    session: Session,
    case_ids: Sequence[int],
    now: datetime,
    calendar: WorkCalendar,
    *,
    warning_share: float = 0.8,
) -> list[DispatchProposal]:
    """One proposal per id, in the order given; ``error`` says why a case cannot go as shown."""
    wanted = list(dict.fromkeys(case_ids))
    rows = session.execute(
        select(Case, Region.name)
        .outerjoin(Region, Region.id == Case.street_id)
        .where(Case.id.in_(wanted))
    ).all()
    by_id = {c.id: (c, street_name or "") for c, street_name in rows}
    # The owners of the objects the cases name (issue 17), in one read: they come first.
    owners = {
        case_id: owner
        for case_id, owner in session.execute(
            select(Case.id, Department)
            .join(Component, Component.id == Case.component_id)
            .join(Department, Department.id == Component.owner_department_id)
            .where(Case.id.in_(wanted), Department.active.is_(True))
        )
    }
    routes: dict[tuple[str, str, str, int], Department | None] = {}
    committees: dict[int, Department | None] = {}
    proposals = []
    for case_id in wanted:
        found = by_id.get(case_id)
        if found is None:
            proposals.append(
                DispatchProposal(case_id, "", 0, "", "", None, None, None, None, "案件不存在")
            )
            continue
        c, street_name = found
        limit = _limit(c)
        error: str | None = None
        department: Department | None = None
        deadline: datetime | None = None
        tier: TierChoice | None = None
        tier_problem: str | None = None
        reason: str | None = None
        if c.state != DISPATCHABLE_STATE:
            error = f"案件当前状态为「{state_label(c.state)}」，不能派遣"
        else:
            key = (c.taxonomy, c.kind, c.category_code, c.street_id)
            if key not in routes:
                try:
                    routes[key] = reference_data.route(
                        session, c.taxonomy, c.category_code, c.street_id, kind=c.kind
                    )
                except ConsoleError:
                    routes[key] = None
            department = routes[key]
            reason = "默认路由" if department is not None else None
            try:
                tier = tier_table().tier_of(c.taxonomy, c.kind, c.category_code, urgent=c.urgent)
            except ConsoleError as exc:  # a gap in tiers.csv: said, but no bar to dispatching
                tier_problem = f"建议层级：无（{exc.message}）"
            if tier is not None and tier.tier == STREET and c.street_id is not None:
                # 大事不出街道: the street's own committee, whatever department routing names.
                if c.street_id not in committees:
                    committees[c.street_id] = reference_data.street_committee_for(
                        session, c.street_id
                    )
                if committees[c.street_id] is not None:
                    department, reason = committees[c.street_id], "街道城管委"
            owner = owners.get(c.id)
            if owner is not None:  # the object's owner repairs it: before route and tier
                department, reason = owner, case_component.OWNER_REASON
                tier, tier_problem = owner_tier(owner.name, owner.kind), None
            if department is None:
                error = "该类别没有默认处置部门，请选择部门"
            if limit is None:
                error = "案件尚无处置时限（未立案）"
            else:
                marks = clock_marks(calendar, now, limit, warning_share=warning_share)
                deadline = marks.deadline_at
        proposals.append(
            DispatchProposal(
                case_id=c.id,
                number=c.number,
                version=c.version,
                state=c.state,
                street_name=street_name,
                department_id=department.id if department else None,
                department_name=department.name if department else None,
                limit_text=str(limit) if limit else None,
                deadline_preview=deadline,
                error=error,
                tier=tier.tier if tier else None,
                tier_label=tier.cell() if tier else None,
                tier_text=tier.describe() if tier else tier_problem,
                grid_role=tier.grid_role if tier else None,
                grid_role_name=tier.grid_role_name if tier else None,
                department_reason=reason if department else None,
            )
        )
    return proposals


def department_options(session: Session) -> list[DepartmentOption]:
    """Active departments: street committees first, then professional, then functional."""
    rank = case(
        {k: i for i, k in enumerate(KIND_ORDER)}, value=Department.kind, else_=len(KIND_ORDER)
    )
    stmt = (
        select(Department.id, Department.code, Department.name, Department.kind)
        .where(Department.active.is_(True))
        .order_by(rank, Department.code)
    )
    return [DepartmentOption(*row) for row in session.execute(stmt)]
