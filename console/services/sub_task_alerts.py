"""The street's own alert (issue 16: supervision follows the tier): a sub-task (二级派遣) whose
force has not fed back by its limit alerts the street's seats and its committee, once. No Qt.

What is due and what its alert says is here; raising it (once, by the alerts' unique key) and
reading it back are console.services.supervision's, as for every alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from console.config import LOCAL_TZ, csv_rows, resource
from console.errors import ValidationError
from console.models import Alert, Case, Region, SubTask


@dataclass(frozen=True)
class SubTaskLevel:
    level: str
    label_zh: str
    label_en: str
    recipient_kind: str


@dataclass(frozen=True)
class DueAlert:
    """An alert to raise: its row's values, and the case facts its record shows."""

    values: dict[str, Any]
    case_number: str
    address: str
    category_code: str


@cache
def sub_task_level() -> SubTaskLevel:
    """The level of resources/supervision/sub_tasks.csv (one row)."""
    path = resource("supervision", "sub_tasks.csv")
    rows = csv_rows(path)
    if len(rows) != 1:
        raise ValidationError(f"{path.name}: 应恰有一行（二级派遣超时的级别）")
    r = rows[0]
    return SubTaskLevel(r["level"], r["label_zh"], r["label_en"], r["recipient_kind"])


def overdue(session: Session, now: datetime) -> list[DueAlert]:
    """Open sub-tasks past their limit and not alerted yet, in one query. The alert's cycle is
    the sub-task's id: the unique key then raises each sub-task's alert once."""
    lv = sub_task_level()
    raised = aliased(Alert)
    street = aliased(Region)
    rows = session.execute(
        select(
            SubTask.id,
            SubTask.case_id,
            SubTask.target_name,
            SubTask.deadline_at,
            Case.number,
            Case.address,
            Case.category_code,
            Case.department_id,
            street.name.label("street_name"),
        )
        .join(Case, Case.id == SubTask.case_id)
        .outerjoin(street, street.id == Case.street_id)
        .where(
            SubTask.done_at.is_(None),
            SubTask.deadline_at <= now,
            Case.state == "dispatched",
            ~select(raised.id)
            .where(
                raised.case_id == SubTask.case_id,
                raised.level == lv.level,
                raised.cycle == SubTask.id,
            )
            .exists(),
        )
    ).all()
    due = []
    for r in rows:
        message = (
            f"案件 {r.number} 的二级派遣任务（{r.target_name}）已超过街道给定的时限"
            f"（{r.deadline_at.astimezone(LOCAL_TZ).strftime('%m-%d %H:%M')}），尚未反馈"
        )
        values = {
            "case_id": r.case_id,
            "level": lv.level,
            "cycle": r.id,
            "due_at": r.deadline_at,
            "raised_at": now,
            "message": message,
            "recipient_kind": lv.recipient_kind,
            "recipient_department_id": r.department_id,
            "recipient_name": f"{r.street_name or ''}（街道值班）",
        }
        due.append(DueAlert(values, r.number, r.address, r.category_code))
    return due
