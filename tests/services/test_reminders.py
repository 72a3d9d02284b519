"""A seat's reminder rules: who may set one, when it is due, its note, the case it names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import (
    CaseNotFoundError,
    PermissionDeniedError,
    TextTooLongError,
    ValidationError,
)
from console.services import reminders
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.reminders import MAX_NOTE_CHARS, Reminder
from tests.services.console_support import DISPATCHER, INTAKE, report_input, street_points

NOW = datetime(2031, 6, 6, 17, 0, tzinfo=LOCAL_TZ)  # a Friday past the holiday data: Mon–Fri


def test_due_at_is_an_aware_time_not_in_the_past() -> None:
    in_utc = datetime(2031, 6, 6, 10, 0, tzinfo=UTC)
    due = reminders.due_at(DISPATCHER, in_utc, NOW)
    assert due == in_utc and due.tzinfo == LOCAL_TZ and due.hour == 18
    assert reminders.due_at(DISPATCHER, NOW - timedelta(seconds=4), NOW)  # just typed
    with pytest.raises(ValidationError, match="时区") as raised:
        reminders.due_at(DISPATCHER, datetime(2031, 6, 6, 18, 0), NOW)
    assert raised.value.field == "at"
    with pytest.raises(ValidationError, match="已经过去"):
        reminders.due_at(DISPATCHER, NOW - timedelta(minutes=5), NOW)


def test_due_in_work_hours_counts_on_the_calendar() -> None:
    calendar = WorkCalendar()
    assert reminders.due_in_work_hours(DISPATCHER, 2, NOW, calendar) == datetime(
        2031, 6, 9, 9, 0, tzinfo=LOCAL_TZ
    )
    holiday = WorkCalendar(overrides={date(2031, 6, 9): False})
    assert reminders.due_in_work_hours(DISPATCHER, 2, NOW, holiday) == datetime(
        2031, 6, 10, 9, 0, tzinfo=LOCAL_TZ
    )
    for hours in (0, -1, float("nan")):
        with pytest.raises(ValidationError, match="大于 0"):
            reminders.due_in_work_hours(DISPATCHER, hours, NOW, calendar)


def test_only_roles_with_set_reminder_may_set_one() -> None:
    for role in ("wall", "department"):
        someone = Actor(9, "某人", role)
        with pytest.raises(PermissionDeniedError, match="无权设置案件提醒"):
            reminders.due_at(someone, NOW + timedelta(hours=1), NOW)
        with pytest.raises(PermissionDeniedError, match="无权设置案件提醒"):
            reminders.due_in_work_hours(someone, 1, NOW, WorkCalendar())


def test_new_reminder_names_the_case_and_keeps_its_note(demo_db: Database) -> None:
    _, _, point = street_points(demo_db)[0]
    snap = CaseService(demo_db).report(INTAKE, report_input(point))
    due = NOW + timedelta(hours=1)
    with demo_db.read() as s:
        reminder = reminders.new_reminder(s, snap.id, due, "  回访当事人 ", "派遣员")
        other = reminders.new_reminder(s, snap.id, due, "", "派遣员")
        with pytest.raises(CaseNotFoundError):
            reminders.new_reminder(s, 999_999, due, "", "派遣员")
        with pytest.raises(TextTooLongError, match=str(MAX_NOTE_CHARS)):
            reminders.new_reminder(s, snap.id, due, "长" * (MAX_NOTE_CHARS + 1), "派遣员")
        with pytest.raises(ValidationError, match="指定用户"):
            reminders.new_reminder(s, snap.id, due, "", "")
    assert reminder == Reminder(reminder.job_id, snap.id, snap.number, due, "回访当事人", "派遣员")
    assert reminder.job_id.startswith("reminder-") and other.job_id != reminder.job_id


def test_job_kwargs_round_trip() -> None:
    reminder = Reminder("reminder-1", 7, "E0001", NOW, "核查", "派遣员")
    kwargs = reminders.job_kwargs(reminder, "seat-7")
    assert kwargs["seat_id"] == "seat-7" and kwargs["due_at"] == NOW.isoformat()
    assert all(isinstance(v, str | int) for v in kwargs.values())  # plain values in the store
    assert reminders.reminder_of(kwargs) == reminder
