"""A handheld's field tasks read from the database: which cases, whether accepted (签收), fields.

Which cases are a role's tasks is data (resources/gateway/tasks.csv, read by the gateway's
settings into :class:`TaskScope` s): a department's handlers see the cases in the scope's states
dispatched to their department; inspectors the cases in theirs assigned to them (信息核实,
核查任务: cases.assigned_inspector_id) or to no one, and not another inspector's.

Accepting (签收) is the lifecycle's ``accept`` step; a case counts as accepted when one follows
the last event that changed its state (a return rejected, a rework: the case arrives again and
is accepted again) — console.services.acceptance.

Everything here returns plain records (:class:`FieldTask`, :class:`~console.services.cases.
detail.CaseDetail`, :class:`~console.services.cases.dto.CaseSnapshot`); the gateway turns them
into its response bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from console.domain.lifecycle import Lifecycle, state_label
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError, IllegalTransitionError, PermissionDeniedError
from console.models import Case, Category, Department, Region
from console.services.acceptance import accepted_ids
from console.services.actors import Actor
from console.services.case_scope import case_scope
from console.services.cases.detail import CaseDetail, load_detail
from console.services.cases.dto import CaseSnapshot, light_of, snapshot
from console.services.queries import case_category


@dataclass(frozen=True)
class TaskScope:
    """A role's field tasks: the cases in ``states``; ``scope`` own_department (the user's
    department's), assigned (assigned to the user, or to no one), own_region (a street or
    unit seat's region: console.services.case_scope) or all."""

    states: tuple[str, ...]
    scope: str


@dataclass(frozen=True)
class FieldTask:
    """A case as a handheld's task list shows it."""

    id: int
    number: str
    version: int
    state: str
    state_label: str
    category_code: str
    category_name: str
    kind: str
    description: str
    address: str
    lon: float
    lat: float
    street_name: str
    grid_code: str
    department_name: str | None
    reported_at: datetime
    dispatched_at: datetime | None
    deadline_at: datetime | None
    #: Traffic light: green, yellow, red (None while no clock runs)
    light: str | None
    urgent: bool
    rework_count: int
    #: Signed for (签收) since the case entered its current state
    accepted: bool
    #: The inspector its report check or check task is assigned to (None: no one named)
    assigned_inspector_id: int | None = None


# --------------------------------------------------------------------------- who sees what


def scope_of(scopes: Mapping[str, TaskScope], actor: Actor) -> TaskScope:
    """The actor's task scope in ``scopes`` (role → scope); refused when the role has none."""
    scope = scopes.get(actor.role)
    if scope is None:
        raise PermissionDeniedError(
            f"角色 {actor.role} 没有外勤任务（见 resources/gateway/tasks.csv）"
        )
    if scope.scope == "own_department" and actor.department_id is None:
        raise PermissionDeniedError("该用户未归属任何部门，没有任务")
    case_scope(actor).check_region_assigned(actor.role)  # a street, unit or grid seat's own
    return scope


def _check_visible(scopes: Mapping[str, TaskScope], actor: Actor, case: Case) -> TaskScope:
    scope = scope_of(scopes, actor)
    case_scope(actor).check(case)  # a confined seat: another region's case is "none"
    if scope.scope == "own_department" and case.department_id != actor.department_id:
        raise PermissionDeniedError("该案件未派遣给您所在的部门")
    if scope.scope == "assigned" and case.assigned_inspector_id not in (None, actor.id):
        raise PermissionDeniedError("该案件的核实/核查任务已指派给其他监督员")
    return scope


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFoundError(f"案件不存在: {case_id}")
    return case


def check_visible(
    session: Session, scopes: Mapping[str, TaskScope], actor: Actor, case_id: int
) -> None:
    """Refuse a case the actor's tasks do not include (another department's, another
    inspector's); 404 if none."""
    _check_visible(scopes, actor, _case(session, case_id))


# --------------------------------------------------------------------------- accepted (签收)


def acceptance(
    session: Session,
    scopes: Mapping[str, TaskScope],
    actor: Actor,
    case_id: int,
    now: datetime,
) -> tuple[CaseSnapshot, bool]:
    """The case a handheld is to accept, and whether it was accepted already in this state.

    Refused for a case not among the actor's tasks: another department's (403), or one in a
    state that is not a task of theirs (409).
    """
    case = _case(session, case_id)
    scope = _check_visible(scopes, actor, case)
    if case.state not in scope.states:
        raise IllegalTransitionError(
            f"案件当前状态为「{state_label(case.state)}」，不在您的任务中，无需签收"
        )
    return snapshot(case, now), case_id in accepted_ids(session, [case_id])


# --------------------------------------------------------------------------- tasks


_grid = aliased(Region, name="grid")
_street = aliased(Region, name="street")


def list_tasks(
    session: Session,
    scopes: Mapping[str, TaskScope],
    actor: Actor,
    now: datetime,
    limit: int,
) -> list[FieldTask]:
    """The actor's tasks, soonest deadline first (no deadline last), at most ``limit``."""
    scope = scope_of(scopes, actor)
    where: list[Any] = [Case.state.in_(scope.states), case_scope(actor).where()]
    if scope.scope == "own_department":
        where.append(Case.department_id == actor.department_id)
    elif scope.scope == "assigned":
        where.append(
            or_(Case.assigned_inspector_id.is_(None), Case.assigned_inspector_id == actor.id)
        )
    stmt = (
        select(Case, Category.name, Department.name, _grid.code, _street.name)
        .outerjoin(Category, case_category())
        .outerjoin(Department, Department.id == Case.department_id)
        .outerjoin(_grid, _grid.id == Case.grid_id)
        .outerjoin(_street, _street.id == Case.street_id)
        .where(*where)
        .order_by(Case.deadline_at.is_(None), Case.deadline_at, Case.id)
        .limit(limit)
    )
    rows = session.execute(stmt).all()
    accepted = accepted_ids(session, [case.id for case, *_ in rows])
    return [field_task(*row, now=now, accepted=accepted) for row in rows]


def load_task(
    session: Session,
    scopes: Mapping[str, TaskScope],
    actor: Actor,
    case_id: int,
    now: datetime,
    calendar: WorkCalendar,
    lifecycle: Lifecycle | None = None,
) -> tuple[FieldTask, CaseDetail]:
    """One task as listed, with the case's detail (timeline, actions) for the actor's role."""
    case = _case(session, case_id)
    _check_visible(scopes, actor, case)
    detail = load_detail(
        session,
        case_id,
        now,
        calendar,
        role=actor.role,
        department_id=actor.department_id,
        lifecycle=lifecycle,
        user_id=actor.id,
        scope=case_scope(actor),
    )
    # The names list_tasks joins for come with the detail: no second query for them.
    task = field_task(
        case,
        detail.category_name,
        detail.department_name,
        detail.grid_code,
        detail.street_name,
        now=now,
        accepted=accepted_ids(session, [case_id]),
    )
    return task, detail


def field_task(
    case: Case,
    category_name: str | None,
    department_name: str | None,
    grid_code: str | None,
    street_name: str | None,
    *,
    now: datetime,
    accepted: set[int],
) -> FieldTask:
    light = light_of(case, now)
    return FieldTask(
        id=case.id,
        number=case.number,
        version=case.version,
        state=case.state,
        state_label=state_label(case.state),
        category_code=case.category_code,
        category_name=category_name or case.category_code,
        kind=case.kind,
        description=case.description,
        address=case.address,
        lon=case.lon,
        lat=case.lat,
        street_name=street_name or "",
        grid_code=grid_code or "",
        department_name=department_name,
        reported_at=case.reported_at,
        dispatched_at=case.dispatched_at,
        deadline_at=case.deadline_at,
        light=light.value if light is not None else None,
        urgent=case.urgent,
        rework_count=case.rework_count,
        accepted=case.id in accepted,
        assigned_inspector_id=case.assigned_inspector_id,
    )
