"""Reading tasks: whose they are, whether they were accepted (签收), their rows for a handheld.

Accepting is recorded as a note starting with :data:`ACCEPT_MARK` (console.gateway.tasks); a
case counts as accepted when such a note follows the last event that changed its state (a
return rejected, a rework: the case arrives again and is accepted again).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from console.domain.lifecycle import state_label
from console.errors import PermissionDeniedError
from console.gateway.context import GatewayContext
from console.gateway.schemas import AttachmentOut
from console.gateway.settings import TaskScope
from console.models import Case, CaseEvent, Category, Department, Region
from console.services.actors import Actor
from console.services.attachments import AttachmentRecord
from console.services.cases.dto import light_of
from console.services.queries import case_category

ACCEPT_MARK = "【签收】"


def scope_of(ctx: GatewayContext, actor: Actor) -> TaskScope:
    scope = ctx.settings.task_scopes.get(actor.role)
    if scope is None:
        raise PermissionDeniedError(
            f"角色 {actor.role} 没有外勤任务（见 resources/gateway/tasks.csv）"
        )
    if scope.scope == "own_department" and actor.department_id is None:
        raise PermissionDeniedError("该用户未归属任何部门，没有任务")
    return scope


def check_visible(ctx: GatewayContext, actor: Actor, case: Case) -> None:
    scope = scope_of(ctx, actor)
    if scope.scope == "own_department" and case.department_id != actor.department_id:
        raise PermissionDeniedError("该案件未派遣给您所在的部门")


def accepted_ids(session: Session, ids: list[int]) -> set[int]:
    """Cases with an acceptance note after their last step (one grouped query each)."""
    if not ids:
        return set()
    moved = dict(
        session.execute(
            select(CaseEvent.case_id, func.max(CaseEvent.id))
            .where(
                CaseEvent.case_id.in_(ids),
                or_(CaseEvent.from_state.is_(None), CaseEvent.from_state != CaseEvent.to_state),
            )
            .group_by(CaseEvent.case_id)
        ).all()
    )
    accepted = dict(
        session.execute(
            select(CaseEvent.case_id, func.max(CaseEvent.id))
            .where(
                CaseEvent.case_id.in_(ids),
                CaseEvent.action == "add_note",
                CaseEvent.note.startswith(ACCEPT_MARK, autoescape=True),
            )
            .group_by(CaseEvent.case_id)
        ).all()
    )
    return {cid for cid, eid in accepted.items() if eid > moved.get(cid, 0)}


_grid = aliased(Region, name="grid")
_street = aliased(Region, name="street")


def task_rows(session: Session, where: list[Any], limit: int) -> list[Any]:
    stmt = (
        select(Case, Category.name, Department.name, _grid.code, _street.name)
        .outerjoin(
            Category,
            case_category(),
        )
        .outerjoin(Department, Department.id == Case.department_id)
        .outerjoin(_grid, _grid.id == Case.grid_id)
        .outerjoin(_street, _street.id == Case.street_id)
        .where(*where)
        .order_by(Case.deadline_at.is_(None), Case.deadline_at, Case.id)
        .limit(limit)
    )
    return list(session.execute(stmt).all())


def task_fields(row: Any, now: datetime, accepted: set[int]) -> dict[str, Any]:
    case, category_name, department_name, grid_code, street_name = row
    light = light_of(case, now)
    return dict(
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
    )


def attachment_out(record: AttachmentRecord, base_url: str) -> AttachmentOut:
    return AttachmentOut(
        id=record.id,
        case_event_id=record.case_event_id,
        kind=record.kind,
        filename=record.filename,
        content_type=record.content_type,
        size=record.size,
        sha256=record.sha256,
        uploaded_at=record.uploaded_at,
        url=f"{base_url}api/v1/attachments/{record.id}",
    )
