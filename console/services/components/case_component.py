"""A case's register object (issue 17): who its case goes to, what the case detail shows of
it, and what 结案 does to its status. No Qt.

- Routing: a case naming an object goes to the object's 主管部门 (owner_department_id) before
  the category's default route or the street's committee — the owner is who repairs it. The
  workflow's dispatch (no department given) and the dispatch dialog's proposal both ask
  :func:`owner_department`.
- The detail: the object as plain data (:class:`CaseComponent`) with the other cases naming
  it, newest first, within the seat's scope.
- 结案: a case about an object in a broken status (statuses.csv broken=1) may set it to
  another status (after_close by default); :func:`close_component_status` writes the status,
  updated_at and a component_changes row in the close's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.lifecycle import state_label
from console.errors import ValidationError
from console.models import Case, Category, Component, ComponentChange, Department
from console.services.case_scope import DISTRICT, CaseScope
from console.services.components.rules import status_code, statuses

#: The close parameter: a status code (or label) to set, or KEEP to leave the object as it is.
CLOSE_PARAM = "component_status"
KEEP = "keep"
#: The taxonomy whose 5-digit component codes the register's classes are.
REGISTER_TAXONOMY = "gbt47678-5-2026"
#: How many other cases the detail lists (the newest).
HISTORY_MAX = 50
#: Why the dispatch proposal names the owner (the dialog shows it).
OWNER_REASON = "部件主管部门"


@dataclass(frozen=True)
class ComponentCase:
    """Another case naming the same object."""

    case_id: int
    number: str
    state: str
    state_label: str
    reported_at: datetime
    category_code: str


@dataclass(frozen=True)
class CaseComponent:
    """What the case detail shows of the object a case names."""

    id: int
    identifier: str
    name: str
    category_code: str
    class_name: str
    status: str
    status_label: str
    #: The status is a fault (损坏 / 丢失 / 占用): 结案 offers to change it.
    broken: bool
    #: The status 结案 proposes (statuses.csv after_close), or None.
    after_close: str | None
    owner_name: str
    maintainer: str | None
    address: str | None
    #: The other cases naming the object within the seat's scope, newest first.
    history: tuple[ComponentCase, ...] = ()


def owner_department(session: Session, case: Case) -> Department | None:
    """The active owner department of the object ``case`` names, or None (no object, or its
    owner is no longer active: the category's route then applies)."""
    if case.component_id is None:
        return None
    owner = session.scalar(
        select(Department)
        .join(Component, Component.owner_department_id == Department.id)
        .where(Component.id == case.component_id)
    )
    return owner if owner is not None and owner.active else None


def case_component(
    session: Session, case: Case, scope: CaseScope = DISTRICT
) -> CaseComponent | None:
    """The object ``case`` names with its other cases, or None."""
    if case.component_id is None:
        return None
    row = session.execute(
        select(Component, Department.name, Category.name)
        .join(Department, Department.id == Component.owner_department_id)
        .outerjoin(
            Category,
            (Category.taxonomy == REGISTER_TAXONOMY)
            & (Category.kind == "component")
            & (Category.code == Component.category_code),
        )
        .where(Component.id == case.component_id)
    ).first()
    if row is None:
        return None
    component, owner_name, class_name = row
    maintainer = component.maintainer_name
    if component.maintainer_department_id is not None:
        maintainer = session.scalar(
            select(Department.name).where(Department.id == component.maintainer_department_id)
        )
    others = session.execute(
        select(Case.id, Case.number, Case.state, Case.reported_at, Case.category_code)
        .where(Case.component_id == component.id, Case.id != case.id, scope.where(Case))
        .order_by(Case.reported_at.desc(), Case.id.desc())
        .limit(HISTORY_MAX)
    ).all()
    status = statuses().get(component.status)
    return CaseComponent(
        id=component.id,
        identifier=component.identifier,
        name=component.name,
        category_code=component.category_code,
        class_name=class_name or component.category_code,
        status=component.status,
        status_label=status.label_zh if status else component.status,
        broken=bool(status and status.broken),
        after_close=status.after_close if status else None,
        owner_name=owner_name,
        maintainer=maintainer,
        address=component.address,
        history=tuple(
            ComponentCase(r.id, r.number, r.state, state_label(r.state), r.reported_at, r[4])
            for r in others
        ),
    )


def close_component_status(
    session: Session, case: Case, now: datetime, actor_name: str, wanted: Any
) -> dict[str, str] | None:
    """结案's change to the object ``case`` names: ``wanted`` is a status (code or label), KEEP
    (leave it), or None (the default: the status's after_close). Only an object in a broken
    status changes; returns {"from", "to"} for the event's data, or None if nothing changed.
    Raises ValidationError on ``component_status`` for a value that is no status, or one
    given for a case whose object is not broken (or that names none)."""
    component = session.get(Component, case.component_id) if case.component_id else None
    current = statuses().get(component.status) if component is not None else None
    if component is None or current is None or not current.broken:
        if wanted is not None and wanted != KEEP:
            raise ValidationError(
                "只有关联了处于损坏/丢失/占用状态部件的案件，结案时才能更新部件状态",
                field=CLOSE_PARAM,
            )
        return None
    if wanted == KEEP:
        return None
    if wanted is None:
        target = current.after_close
    else:
        target = status_code(wanted) if isinstance(wanted, str) else None
        if target is None:
            known = "、".join(f"{s.code}（{s.label_zh}）" for s in statuses().values())
            raise ValidationError(
                f"部件状态无法识别: {str(wanted)[:20]!r}；可选: {known}", field=CLOSE_PARAM
            )
    if target is None or target == component.status:
        return None
    old = component.status
    component.status = target
    component.updated_at = now
    session.add(
        ComponentChange(
            component_id=component.id,
            at=now,
            field="status",
            old_value=old,
            new_value=target,
            origin="case",
            case_id=case.id,
            actor_name=actor_name,
        )
    )
    return {"from": old, "to": target}
