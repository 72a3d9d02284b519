"""The shared calendar in the database: importing a year, following it, moving open deadlines."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.holiday_schedule import read_schedule_file
from console.domain.worktime import YearSource, YearStatus
from console.errors import PermissionDeniedError
from console.models import Alert, CalendarChange, CalendarDay, CalendarYear, CaseEvent
from console.services.actors import Actor
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.supervision import scan
from console.services.work_calendar import (
    change_log,
    load_calendar,
    provisional_text,
    provisional_year,
    save_year,
    year_view,
)
from tests.conftest import Clock
from tests.integration import test_postgres
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    report_input,
    street_points,
)

ADMIN = Actor(6, "管理员", "admin")
# PostgreSQL fixtures (a fresh schema with the demo district), shared with the integration tests.
demo_pg = test_postgres.demo_pg


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The demo district on SQLite, and on PostgreSQL (locks and UPDATE … FROM differ)."""
    return request.getfixturevalue("demo_db" if request.param == "sqlite" else "demo_pg")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=LOCAL_TZ)


def dispatched(service: CaseService, db: Database) -> CaseSnapshot:
    """A 暴露垃圾 case (4工作时) dispatched at the service clock's now."""
    (_, _, point), _ = street_points(db)
    s = service.report(INTAKE, report_input(point))
    s = service.register(CHIEF, s.id, s.version)
    return service.dispatch(DISPATCHER, s.id, s.version)


def schedule_2027(tmp_path: Path, *extra: str) -> Path:
    path = tmp_path / "2027.csv"
    rows = ["date,kind,name", "2027-01-01,holiday,元旦", *extra]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def deadline_of(db: Database, case_id: int) -> tuple[datetime | None, datetime | None]:
    from console.models import Case

    with db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        return case.warning_at, case.deadline_at


def test_import_moves_the_open_cases_it_touches_and_nothing_else(
    any_db: Database, tmp_path: Path
) -> None:
    demo_db = any_db
    clock = Clock(at(2026, 12, 28, 9))
    service = CaseService(demo_db, clock=clock)
    untouched = dispatched(service, demo_db)  # due Monday 28 December 15:00
    clock.now = at(2026, 12, 31, 16)
    crossing = dispatched(service, demo_db)
    # 2 h on the 31st, 元旦 (law: Friday 1 January), the weekend, then 2 h on Monday the 4th
    assert crossing.deadline_at == at(2027, 1, 4, 10)
    assert crossing.warning_at == at(2027, 1, 4, 9, 12)  # 80 % of 4 h

    # The warning is raised on Monday morning, under the provisional calendar.
    with demo_db.session() as s:
        raised = scan(s, at(2027, 1, 4, 9, 30), service.workflow.calendar)
    assert [a.level for a in raised if a.case_id == crossing.id] == ["warning"]

    parsed = read_schedule_file(schedule_2027(tmp_path, "2027-01-04,holiday,元旦补休"))
    with demo_db.session() as s:
        result = save_year(
            s,
            ADMIN,
            service.workflow.calendar,
            parsed,
            source="2027.csv",
            action="import",
            now=at(2026, 12, 31, 17),
        )
    assert result.previous is YearSource.STATUTORY_RULE
    assert result.moved_cases == 1
    # Only 4 January changed (the law's other days off are the State Council's too, here),
    # and the law's 春节 and other days are no longer off: the official list is complete.
    assert date(2027, 1, 4) in result.changed_days
    assert date(2027, 2, 8) in result.changed_days

    assert deadline_of(demo_db, crossing.id) == (at(2027, 1, 5, 9, 12), at(2027, 1, 5, 10))
    assert deadline_of(demo_db, untouched.id) == (
        untouched.warning_at,
        untouched.deadline_at,
    )
    with demo_db.read() as s:
        events = s.scalars(select(CaseEvent).where(CaseEvent.action == "recompute_deadline")).all()
        assert [e.case_id for e in events] == [crossing.id]
        data = json.loads(events[0].data or "{}")
        assert data["old_deadline"] == "2027-01-04T10:00:00+08:00"
        assert data["new_deadline"] == "2027-01-05T10:00:00+08:00"
        assert events[0].actor_name == "管理员" and "2027" in (events[0].note or "")
        # The alert already raised stays raised, and is not raised a second time.
        raised_for = select(func.count()).where(Alert.case_id == crossing.id)
        assert s.scalar(raised_for) == 1
    with demo_db.session() as s:
        again = scan(s, at(2027, 1, 5, 9, 30), service.workflow.calendar)
    assert [a for a in again if a.case_id == crossing.id] == []
    # The version moved: a seat acting on what it saw before is told, not overwritten.
    assert service.get(crossing.id).version == crossing.version + 1


def test_every_seat_follows_the_database(demo_db: Database, tmp_path: Path) -> None:
    clock = Clock(at(2026, 12, 31, 16))
    seat_a = CaseService(demo_db, clock=clock)
    seat_b = CaseService(demo_db, clock=clock)
    assert seat_b.workflow.calendar.year_status(2027) is YearStatus.PROVISIONAL
    parsed = read_schedule_file(schedule_2027(tmp_path, "2027-01-04,holiday,元旦补休"))
    with demo_db.session() as s:
        save_year(
            s, ADMIN, seat_a.workflow.calendar, parsed, source="f", action="import", now=clock.now
        )
    # Seat B's next dispatch runs on the new schedule without a restart.
    case = dispatched(seat_b, demo_db)
    assert case.deadline_at == at(2027, 1, 5, 10)
    assert seat_b.workflow.calendar.year_status(2027) is YearStatus.OFFICIAL


def test_only_an_admin_may_change_the_calendar_and_nothing_is_half_saved(
    demo_db: Database, tmp_path: Path
) -> None:
    parsed = read_schedule_file(schedule_2027(tmp_path))
    with demo_db.session() as s:
        calendar = load_calendar(s)
    with pytest.raises(PermissionDeniedError), demo_db.session() as s:
        save_year(
            s, DISPATCHER, calendar, parsed, source="f", action="import", now=at(2026, 12, 3, 9)
        )
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(CalendarYear)) == 0
        assert s.scalar(select(func.count()).select_from(CalendarDay)) == 0
        assert s.scalar(select(func.count()).select_from(CalendarChange)) == 0
    assert calendar.year_status(2027) is YearStatus.PROVISIONAL


def test_each_change_is_audited_and_a_reimport_replaces_the_year(
    demo_db: Database, tmp_path: Path
) -> None:
    with demo_db.session() as s:
        calendar = load_calendar(s)
    first = read_schedule_file(schedule_2027(tmp_path, "2027-02-05,holiday,春节"))
    second = read_schedule_file(schedule_2027(tmp_path, "2027-02-20,workday,春节调休"))
    for parsed, when in ((first, at(2026, 12, 3, 9)), (second, at(2026, 12, 4, 9))):
        with demo_db.session() as s:
            save_year(s, ADMIN, calendar, parsed, source="2027.csv", action="import", now=when)
    with demo_db.read() as s:
        days = {d.day: d.kind for d in s.scalars(select(CalendarDay))}
        assert days == {date(2027, 1, 1): "holiday", date(2027, 2, 20): "workday"}
        log = change_log(s, ADMIN, 2027)
    assert [r.actor_name for r in log] == ["管理员", "管理员"]
    assert log[0].at == at(2026, 12, 4, 9)
    assert log[0].detail["removed"] == ["2027-02-05 holiday 春节"]
    assert log[0].detail["added"] == ["2027-02-20 workday 春节调休"]
    assert log[1].detail["previous"] == "statutory rule"
    with pytest.raises(PermissionDeniedError), demo_db.read() as s:
        change_log(s, Actor(None, "大屏", "wall"))


def test_year_view_and_the_notice(demo_db: Database, tmp_path: Path) -> None:
    with demo_db.read() as s:
        calendar = load_calendar(s)
        view = year_view(s, calendar, 2027)
    assert view.status is YearStatus.PROVISIONAL
    assert view.notice == "2027 年节假日安排尚未导入，期限按法定假日推算"
    assert view.as_json()["status"] == "provisional"
    assert {d.day for d in view.holidays} >= {date(2027, 1, 1), date(2027, 2, 9)}
    # From 1 November the coming provisional year is said; before, not.
    assert provisional_year(calendar, date(2026, 10, 31)) is None
    assert provisional_text(provisional_year(calendar, date(2026, 11, 1))) == view.notice
    assert provisional_year(calendar, date(2027, 3, 1)) == 2027  # the year itself

    with demo_db.session() as s:
        save_year(
            s,
            ADMIN,
            calendar,
            read_schedule_file(schedule_2027(tmp_path)),
            source="2027.csv",
            action="import",
            now=at(2026, 12, 3, 9),
        )
    with demo_db.read() as s:
        view = year_view(s, load_calendar(s), 2027)
    assert view.status is YearStatus.OFFICIAL and view.source is YearSource.DATABASE
    assert view.notice is None and view.updated_by == "管理员"
    assert view.as_json()["status"] == "official"
    assert provisional_year(calendar, date(2026, 12, 3)) is None


def test_the_seat_shows_and_sets_the_deadline_on_the_database_calendar(
    demo_db: Database, tmp_path: Path
) -> None:
    """The dispatch dialog's preview and the dispatch agree, before and after an import."""
    from console.services.workbench import Workbench

    clock = Clock(at(2026, 12, 31, 16))
    seat = Workbench(demo_db, username="dispatcher", clock=clock)
    (_, _, point), _ = street_points(demo_db)
    case = seat.cases.report(INTAKE, report_input(point))
    case = seat.cases.register(CHIEF, case.id, case.version)
    (before,) = seat.dispatch_proposals([case.id])
    assert before.deadline_preview == at(2027, 1, 4, 10)  # the law's 2027
    assert seat.calendar_notice() == 2027

    admin = Workbench(demo_db, username="admin", clock=clock)
    admin.save_calendar_year(
        2027,
        read_schedule_file(schedule_2027(tmp_path, "2027-01-04,holiday,元旦补休")).days,
    )
    (after,) = seat.dispatch_proposals([case.id])
    assert after.deadline_preview == at(2027, 1, 5, 10)
    assert seat.calendar_notice() is None
    done = seat.cases.dispatch(DISPATCHER, case.id, case.version)
    assert done.deadline_at == after.deadline_preview
    with pytest.raises(PermissionDeniedError):
        seat.save_calendar_year(2027, [])
