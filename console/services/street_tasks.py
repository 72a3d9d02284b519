"""二级派遣 inside a street (issue 16 §2): the forces a street seat may send a case on to, and
the sub-task's own steps. No Qt.

A case the district dispatched to a street committee is the street's; the street seat may
send it on to one of its own forces — the case's unit (its 单元长 answers), a staff member of
the case's grid (一格七员), or one of the street's stations (resources/org/street_stations.csv)
— with a limit that ends no later than the district's deadline. The force's feedback
(sub_feedback) comes back to the street, which then feeds back to the district (feedback).
The case's events carry both steps, so the district's timeline shows the whole chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ, csv_rows, resource
from console.errors import PermissionDeniedError, ValidationError
from console.models import Case, GridStaff, Region, SubTask
from console.services.actors import Actor
from console.services.case_scope import case_scope
from console.services.reference.files import read_grid_staff_roles

#: The longest limit a street may give its force, in hours (the district's deadline caps it).
MAX_HOURS = 24 * 30


@dataclass(frozen=True)
class Station:
    code: str
    name_zh: str
    name_en: str
    duty: str


@dataclass(frozen=True)
class ForceOption:
    """A force the dispatch dialog lists: ``key`` is what the step's param ``force`` sends
    ("unit:<region id>", "staff:<grid staff id>", "station:<code>")."""

    key: str
    label: str
    kind: str


@dataclass(frozen=True)
class OpenSubTask:
    """The sub-task a case is waiting on, as the detail pane shows it."""

    id: int
    target_kind: str
    target_name: str
    dispatched_at: datetime
    deadline_at: datetime


@cache
def stations() -> tuple[Station, ...]:
    """The street's stations (resources/org/street_stations.csv), in file order."""
    path = resource("org", "street_stations.csv")
    found: list[Station] = []
    for row in csv_rows(path):
        code = (row.get("code") or "").strip()
        name = (row.get("name_zh") or "").strip()
        if not code or not name or any(s.code == code for s in found):
            raise ValidationError(f"{path.name}: 站所代码为空或重复: {code!r}")
        found.append(Station(code, name, (row.get("name_en") or "").strip(), row.get("duty", "")))
    return tuple(found)


def forces_of(session: Session, case: Case) -> list[ForceOption]:
    """Whom the street may send ``case`` on to: its unit, its grid's staff, the stations."""
    street = session.get(Region, case.street_id)
    unit = session.get(Region, case.unit_id)
    options: list[ForceOption] = []
    if unit is not None:
        options.append(ForceOption(f"unit:{unit.id}", f"{unit.name}（单元长）", "unit"))
    role_names = {r.code: r.name_zh for r in read_grid_staff_roles()}
    for staff in session.scalars(
        select(GridStaff).where(GridStaff.grid_id == case.grid_id).order_by(GridStaff.id)
    ):
        role = role_names.get(staff.role, staff.role)
        options.append(ForceOption(f"staff:{staff.id}", f"{role} {staff.name}", "staff"))
    prefix = street.name if street is not None else ""
    options += [
        ForceOption(f"station:{s.code}", f"{prefix}{s.name_zh}", "station") for s in stations()
    ]
    return options


def open_sub_task(session: Session, case_id: int) -> SubTask | None:
    return session.scalar(
        select(SubTask).where(SubTask.case_id == case_id, SubTask.done_at.is_(None))
    )


def open_summary(session: Session, case_id: int) -> OpenSubTask | None:
    task = open_sub_task(session, case_id)
    if task is None:
        return None
    return OpenSubTask(
        task.id, task.target_kind, task.target_name, task.dispatched_at, task.deadline_at
    )


def sub_dispatch(
    session: Session, case: Case, actor_name: str, now: datetime, force: object, hours: object
) -> dict[str, object]:
    """Open a sub-task of ``case`` to ``force`` for ``hours``; the event's data."""
    if open_sub_task(session, case.id) is not None:
        raise ValidationError("该案件已有未反馈的二级派遣任务，待其反馈后再派", field="force")
    chosen = next((f for f in forces_of(session, case) if f.key == force), None)
    if chosen is None:
        raise ValidationError(f"不是本案件可派的街道力量: {force}", field="force")
    if not isinstance(hours, int | float) or isinstance(hours, bool) or not 0 < hours <= MAX_HOURS:
        raise ValidationError(f"处置时限须为 0 至 {MAX_HOURS} 小时之间的数", field="hours")
    deadline = now + timedelta(hours=float(hours))
    if case.deadline_at is not None and deadline > case.deadline_at:
        raise ValidationError(
            "二级派遣的时限不能晚于区里给街道的处置时限"
            f"（{case.deadline_at.astimezone(LOCAL_TZ).strftime('%m-%d %H:%M')}）",
            field="hours",
        )
    kind, _, ref = chosen.key.partition(":")
    session.add(
        SubTask(
            case_id=case.id,
            target_kind=kind,
            target_id=int(ref) if kind != "station" else None,
            target_code=ref if kind == "station" else None,
            target_name=chosen.label,
            dispatched_at=now,
            deadline_at=deadline,
            dispatched_by_name=actor_name,
        )
    )
    session.flush()  # found by its feedback in the same session, autoflush or not (the seed)
    return {"force": chosen.label, "kind": kind, "deadline": deadline}


def sub_feedback(
    session: Session, case: Case, actor: Actor, now: datetime, note: str | None
) -> dict[str, object]:
    """The force's feedback closes the open sub-task; the event's data."""
    task = open_sub_task(session, case.id)
    if task is None:
        raise ValidationError("该案件没有待反馈的二级派遣任务")
    scope = case_scope(actor)
    if scope.level == "unit" and not (
        task.target_kind == "unit" and task.target_id == scope.region_id
    ):
        raise PermissionDeniedError("该二级派遣任务不是派给您所在单元的，不能反馈")
    task.done_at, task.done_by_name, task.note = now, actor.name, note
    session.flush()  # as in sub_dispatch: the street's feedback reads it next
    return {
        "force": task.target_name,
        "on_time": now <= task.deadline_at,
    }


def refuse_feedback_while_open(session: Session, case: Case) -> None:
    """The street feeds back to the district only after its force has fed back."""
    task = open_sub_task(session, case.id)
    if task is not None:
        raise ValidationError(f"二级派遣任务（{task.target_name}）尚未反馈，街道还不能向区里反馈")
