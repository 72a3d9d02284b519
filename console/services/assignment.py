"""信息核实 / 核查任务: the inspector a case's field check is assigned to.

The intake seat or the duty chief names an inspector (the ``assign_inspector`` handler of
``request_report_check`` and ``assign_check``, param ``inspector_id``); the case keeps them in
``cases.assigned_inspector_id`` until the task's step is taken. While one is named, only they
take the steps of :data:`ASSIGNED_STEPS` (console.services.workflow refuses the others; the
case detail does not offer them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import Case, User

#: The steps of an assigned inspector's task: 信息核实's answers and 核查's.
ASSIGNED_STEPS = frozenset({"confirm_report", "reject_report", "verify_pass", "verify_fail"})
#: The role a task is assigned to.
INSPECTOR_ROLE = "inspector"


@dataclass(frozen=True)
class InspectorOption:
    """An inspector a seat may name for a task."""

    id: int
    name: str
    username: str


def assigned_elsewhere(case: Case, action: str, actor_id: int | None) -> bool:
    """Whether ``action`` on ``case`` is another inspector's assigned task (not ``actor_id``'s)."""
    return (
        action in ASSIGNED_STEPS
        and case.assigned_inspector_id is not None
        and case.assigned_inspector_id != actor_id
    )


def inspector_options(session: Session) -> tuple[InspectorOption, ...]:
    """The active inspectors, by name."""
    rows = session.execute(
        select(User.id, User.display_name, User.username)
        .where(User.role == INSPECTOR_ROLE, User.active.is_(True))
        .order_by(User.display_name, User.id)
    )
    return tuple(InspectorOption(*row) for row in rows)


def assigned_name(session: Session, case: Case) -> str | None:
    """The display name of the inspector the case is assigned to, if any."""
    if case.assigned_inspector_id is None:
        return None
    user = session.get(User, case.assigned_inspector_id)
    return user.display_name if user is not None else str(case.assigned_inspector_id)
