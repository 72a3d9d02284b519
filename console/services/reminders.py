"""A seat's reminders ("remind me about case X at 15:00", "in 2 working hours"): the rules.

Who may set one (permission ``set_reminder``), when it is due (an aware time not in the past,
or a number of working hours on the working-time calendar), its note, and the case it names.
The scheduler (console.scheduler.reminders) keeps them as jobs in the seat's own job store and
stores a reminder as the plain values of :func:`job_kwargs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.worktime import WorkCalendar
from console.errors import CaseNotFoundError, TextTooLongError, ValidationError
from console.models import Case
from console.services.actors import Actor
from console.services.permissions import require

#: "At 15:00" typed at 15:00:02 is still accepted: how far in the past a reminder may be.
PAST_TOLERANCE = timedelta(seconds=5)
#: Longest reminder note.
MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class Reminder:
    """One pending (or firing) reminder of a seat."""

    job_id: str
    case_id: int
    case_number: str | None
    #: When it fires (aware, local time).
    due_at: datetime
    note: str
    username: str


def due_at(actor: Actor, at: datetime, now: datetime) -> datetime:
    """When a reminder ``actor`` sets for ``at`` fires (local): ``at`` must be aware, not past."""
    require(actor, "set_reminder")
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("提醒时间必须带时区（不接受无时区的时间）", field="at")
    if at < now - PAST_TOLERANCE:
        shown = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        raise ValidationError(f"提醒时间 {shown} 已经过去，请选择将来的时间", field="at")
    return at.astimezone(LOCAL_TZ)


def due_in_work_hours(
    actor: Actor, hours: float, now: datetime, calendar: WorkCalendar
) -> datetime:
    """When a reminder set ``hours`` of working time (工作时) after ``now`` fires (local)."""
    require(actor, "set_reminder")
    if not hours > 0:  # also refuses NaN
        raise ValidationError(f"提醒间隔必须大于 0 工作时，收到 {hours}", field="hours")
    return calendar.add_work_seconds(now, hours * 3600).astimezone(LOCAL_TZ)


def new_reminder(
    session: Session, case_id: int, due: datetime, note: str, username: str
) -> Reminder:
    """A reminder about a case (its number read now), with a fresh job id."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise TextTooLongError(f"提醒内容不能超过 {MAX_NOTE_CHARS} 字", field="note")
    if not username:
        raise ValidationError("提醒必须指定用户", field="username")
    case_number = session.scalar(select(Case.number).where(Case.id == case_id))
    if case_number is None:
        raise CaseNotFoundError(f"案件不存在: {case_id}")
    return Reminder(
        job_id=f"reminder-{uuid4().hex}",
        case_id=case_id,
        case_number=case_number,
        due_at=due,
        note=note,
        username=username,
    )


def job_kwargs(reminder: Reminder, seat_id: str) -> dict[str, Any]:
    """A reminder as the plain values its job keeps (and hands to the job function)."""
    return {
        "seat_id": seat_id,
        "job_id": reminder.job_id,
        "case_id": reminder.case_id,
        "case_number": reminder.case_number,
        "due_at": reminder.due_at.isoformat(),
        "note": reminder.note,
        "username": reminder.username,
    }


def reminder_of(kwargs: dict[str, Any]) -> Reminder:
    """The reminder a job's kwargs (:func:`job_kwargs`) keep; ``seat_id`` is ignored."""
    return Reminder(
        job_id=kwargs["job_id"],
        case_id=kwargs["case_id"],
        case_number=kwargs["case_number"],
        due_at=datetime.fromisoformat(kwargs["due_at"]),
        note=kwargs["note"],
        username=kwargs["username"],
    )
