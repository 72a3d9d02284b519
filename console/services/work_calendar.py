"""The working calendar as every seat shares it: official years in the database.

An admin loads the State Council's schedule of a year (``grid-console calendar import`` or the
console's year view); from then on the year is *official* for every seat, the command line and
the gateway alike. A year the database does not hold is the chinese-calendar package's, or else
the law's statutory days (*provisional*; console.domain.statutory_holidays).

Seats keep one :class:`WorkCalendar` each and follow the database with :func:`sync_calendar`: a
one-row read of the change log's newest id, done before each write and on each feed poll, so a
dispatch right after another seat's import already runs on the new schedule. The reading itself
is console.services.calendar_read's (which `grid-console deadline` uses without the models).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ, LifecycleSettings
from console.domain.holiday_schedule import ParsedSchedule
from console.domain.worktime import WorkCalendar, YearSchedule, YearSource, YearStatus
from console.models import CalendarChange, CalendarDay, CalendarYear
from console.services import calendar_read
from console.services.actors import Actor
from console.services.calendar_read import provisional_text, session_query
from console.services.deadline_recompute import recompute_open_deadlines
from console.services.permissions import require

#: From this day of the year on, a provisional next year is said on screen (the State Council
#: usually publishes in late October or November).
NOTICE_FROM = (11, 1)


def calendar_revision(session: Session) -> int:
    """The newest change's id: changes whenever any year's schedule does."""
    return calendar_read.revision(session_query(session))


def official_years(session: Session) -> dict[int, YearSchedule]:
    return calendar_read.official_years(session_query(session))


def sync_calendar(session: Session, calendar: WorkCalendar) -> bool:
    """Bring ``calendar``'s official years up to the database's; True when they changed."""
    return calendar_read.sync(session_query(session), calendar)


def load_calendar(session: Session, **kw: Any) -> WorkCalendar:
    """A calendar with the database's official years (``kw``: office hours, tz)."""
    return calendar_read.calendar_from(session_query(session), **kw)


@dataclass(frozen=True)
class DayEntry:
    day: date
    kind: str  # holiday | workday
    name: str


@dataclass(frozen=True)
class YearView:
    """A year as ``calendar show`` and the admin's year view present it."""

    year: int
    status: YearStatus
    source: YearSource
    holidays: tuple[DayEntry, ...]
    workdays: tuple[DayEntry, ...]
    updated_at: datetime | None
    updated_by: str | None
    notice: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "status": self.status.value,
            "source": self.source.value,
            "holidays": [{"date": d.day.isoformat(), "name": d.name} for d in self.holidays],
            "workdays": [{"date": d.day.isoformat(), "name": d.name} for d in self.workdays],
            "updated_at": self.updated_at.astimezone(LOCAL_TZ).isoformat(timespec="seconds")
            if self.updated_at
            else None,
            "updated_by": self.updated_by,
            "notice": self.notice,
        }


def provisional_year(calendar: WorkCalendar, today: date) -> int | None:
    """The year to warn about: the current one if provisional, or from 1 November the next."""
    if calendar.year_status(today.year) is YearStatus.PROVISIONAL:
        return today.year
    if (today.month, today.day) >= NOTICE_FROM and (
        calendar.year_status(today.year + 1) is YearStatus.PROVISIONAL
    ):
        return today.year + 1
    return None


def year_view(session: Session, calendar: WorkCalendar, year: int) -> YearView:
    sync_calendar(session, calendar)
    schedule = calendar.schedule(year)
    row = session.get(CalendarYear, year)
    return YearView(
        year=year,
        status=schedule.status,
        source=schedule.source,
        holidays=tuple(DayEntry(d, "holiday", n) for d, n in sorted(schedule.holidays.items())),
        workdays=tuple(DayEntry(d, "workday", n) for d, n in sorted(schedule.workdays.items())),
        updated_at=row.updated_at if row else None,
        updated_by=row.updated_by if row else None,
        notice=provisional_text(year) if schedule.status is YearStatus.PROVISIONAL else None,
    )


@dataclass(frozen=True)
class CalendarChangeResult:
    year: int
    #: Days whose worked/off status changed (what moves deadlines).
    changed_days: tuple[date, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    moved_cases: int
    notes: tuple[str, ...]
    previous: YearSource


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _describe(schedule: YearSchedule) -> set[str]:
    return {f"{d} holiday {n}" for d, n in schedule.holidays.items()} | {
        f"{d} workday {n}" for d, n in schedule.workdays.items()
    }


def save_year(
    session: Session,
    actor: Actor,
    calendar: WorkCalendar,
    parsed: ParsedSchedule,
    *,
    source: str,
    action: str,
    now: datetime,
    settings: LifecycleSettings | None = None,
) -> CalendarChangeResult:
    """Make ``parsed`` the official schedule of its year; move the open cases it touches.

    One transaction (the caller's session): the year's days replaced, the year marked official,
    every open case whose clock crosses a changed day recomputed with a timeline event, and one
    audit row (who, when, what). ``calendar`` is the seat's: brought up to date first, and
    switched to the new schedule on success.
    """
    require(actor, "manage_calendar")
    sync_calendar(session, calendar)
    year = parsed.year
    before = calendar.schedule(year)
    new_schedule = YearSchedule(
        year=year,
        status=YearStatus.OFFICIAL,
        source=YearSource.DATABASE,
        holidays=parsed.holidays,
        workdays=parsed.workdays,
    )
    changed = tuple(d for d in _days_of(year) if before.is_workday(d) != new_schedule.is_workday(d))
    old_lines, new_lines = _describe(before), _describe(new_schedule)

    session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row = session.get(CalendarYear, year)
    verb = "导入" if row is None else "更新"
    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    row.updated_at, row.updated_by, row.source = now, actor.name[:50], source[:200]
    session.flush()
    session.add_all(
        CalendarDay(day=d.day, year=year, kind=d.kind, name=d.name) for d in parsed.days
    )
    session.flush()

    after = WorkCalendar(calendar.office_hours, calendar.tz, calendar.overrides)
    after.set_official({**calendar.official_years, year: new_schedule})
    moved = recompute_open_deadlines(
        session,
        after,
        changed,
        actor,
        now,
        warning_share=(settings or LifecycleSettings()).warning_share,
        note=f"{year} 年节假日安排已{verb}（{source}），期限按新安排重算",
    )
    audit = CalendarChange(
        at=now,
        year=year,
        actor_id=actor.id,
        actor_name=actor.name[:50],
        action=action,
        detail=json.dumps(
            {
                "source": source,
                "previous": before.source.value,
                "added": sorted(new_lines - old_lines),
                "removed": sorted(old_lines - new_lines),
                "changed_days": [d.isoformat() for d in changed],
                "moved_cases": moved,
            },
            ensure_ascii=False,
        ),
    )
    session.add(audit)
    session.flush()
    calendar.set_official(after.official_years, audit.id)
    return CalendarChangeResult(
        year=year,
        changed_days=changed,
        added=tuple(sorted(new_lines - old_lines)),
        removed=tuple(sorted(old_lines - new_lines)),
        moved_cases=moved,
        notes=parsed.notes,
        previous=before.source,
    )


@dataclass(frozen=True)
class ChangeRecord:
    id: int
    at: datetime
    year: int
    actor_name: str
    action: str
    detail: dict[str, Any]


def change_log(session: Session, actor: Actor, year: int | None = None) -> list[ChangeRecord]:
    """The audit of calendar changes, newest first."""
    require(actor, "view_calendar")
    query = select(CalendarChange).order_by(CalendarChange.id.desc())
    if year is not None:
        query = query.where(CalendarChange.year == year)
    return [
        ChangeRecord(c.id, c.at, c.year, c.actor_name, c.action, json.loads(c.detail))
        for c in session.scalars(query)
    ]
