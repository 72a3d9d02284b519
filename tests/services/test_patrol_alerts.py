"""Patrol-gap alerts on a real SQLite file: a day with one street fully patrolled and another
partly, raised per street exactly once, the catch-up after downtime, and acknowledging."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import PermissionDeniedError, ValidationError
from console.models import Department, PatrolAlert, PatrolAlertDay
from console.models.org import DepartmentKind
from console.services import patrol_alerts
from console.services.actors import Actor
from console.services.patrol_alerts import (
    PatrolAlertRules,
    PatrolAlertRulesError,
    PatrolAlertService,
    load_alert_rules,
)
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, INTAKE, handler
from tests.services.patrol_alert_support import at, district, patrol_grids

DAY = date(2026, 11, 23)  # the clock fixture's Monday


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> PatrolAlertService:
    return PatrolAlertService(demo_db, clock, rules=PatrolAlertRules(time(22, 0), 7))


def alert_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(PatrolAlert)) or 0)


def committee_handler(db: Database, street_id: int) -> Actor:
    with db.read() as s:
        dept = s.scalar(
            select(Department.id).where(
                Department.street_id == street_id,
                Department.kind == DepartmentKind.STREET_COMMITTEE.value,
            )
        )
    return handler(db, dept)


def test_the_shipped_rules_end_the_day_at_22() -> None:
    rules = load_alert_rules()
    assert rules.day_ends_at == time(22, 0) and rules.catch_up_days == 7


def test_bad_rules_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "alerts.csv"
    path.write_text("# c\nkey,value\nday_ends_at,25:00\ncatch_up_days,7\n", encoding="utf-8")
    with pytest.raises(PatrolAlertRulesError, match=r"alerts\.csv"):
        load_alert_rules(path)
    path.write_text("key,value\nday_ends_at,22:00\n", encoding="utf-8")
    with pytest.raises(PatrolAlertRulesError, match="缺少 catch_up_days"):
        load_alert_rules(path)


def test_a_day_raises_one_alert_per_street_with_its_unpatrolled_grids_once(
    service: PatrolAlertService, demo_db: Database, clock: Clock
) -> None:
    place = district(demo_db)
    full, partly, *others = sorted(place.streets)
    visited = place.codes(partly)[:3]
    patrol_grids(demo_db, clock, place.codes(full) + visited)

    clock.now = at(DAY, 21, 59)
    with pytest.raises(ValidationError, match="尚未结束"):
        service.raise_for_day(DAY)
    assert alert_count(demo_db) == 0

    clock.now = at(DAY, 22, 0)
    raised = service.raise_for_day(DAY)
    by_street = {r.street_id: r for r in raised}
    assert set(by_street) == {partly, *others}  # the fully patrolled street has none
    assert list(by_street[partly].grid_codes) == place.codes(partly)[3:]
    assert by_street[partly].grid_count == len(place.codes(partly)) - 3
    for street in others:
        assert list(by_street[street].grid_codes) == place.codes(street)
    record = by_street[partly]
    name = place.streets[partly][0]
    assert record.street_name == name and record.day == DAY
    assert record.message.startswith(f"巡查缺漏 2026-11-23 {name} {record.grid_count} 个网格")
    assert record.recipient_name.endswith("城管委") or record.recipient_name == name
    assert len(record.grid_names) == record.grid_count and all(record.grid_names)
    assert record.acknowledged_at is None and record.raised_at == clock.now

    # Again, from another seat's service a minute later: nothing new, nothing twice.
    clock.advance(minutes=1)
    again = PatrolAlertService(demo_db, clock, rules=service.rules)
    assert again.raise_for_day(DAY) == []
    assert alert_count(demo_db) == len(raised)
    with demo_db.read() as s:
        checked = s.get(PatrolAlertDay, DAY)
        assert checked is not None and checked.streets == len(raised)
        assert checked.grids == sum(r.grid_count for r in raised)
    assert again.due_days() == []


def test_catch_up_after_downtime_raises_the_missed_days_within_the_bound(
    service: PatrolAlertService, demo_db: Database, clock: Clock
) -> None:
    place = district(demo_db)
    assert service.due_days() == []  # nobody ever patrolled: nothing is due, ever
    patrol_grids(demo_db, clock, place.codes(min(place.streets))[:2])  # Monday 09:00

    clock.now = at(DAY, 21, 0)
    assert service.due_days() == []  # Monday is not over
    clock.now = at(DAY + timedelta(days=3), 10, 0)  # Thursday: the console was down since
    monday, tuesday, wednesday = (DAY + timedelta(days=k) for k in range(3))
    assert service.due_days() == [monday, tuesday, wednesday]  # not Sunday, before any patrol
    raised = service.catch_up()
    assert {r.day for r in raised} == {monday, tuesday, wednesday}
    streets = len(place.streets)
    assert len([r for r in raised if r.day == tuesday]) == streets  # nobody patrolled then
    assert service.catch_up() == [] and service.due_days() == []

    clock.now = at(DAY + timedelta(days=3), 22, 30)
    assert [r.day for r in service.catch_up()] == [DAY + timedelta(days=3)] * streets

    # Three weeks down: only the last 7 days before today are checked.
    clock.now = at(DAY + timedelta(days=24), 8, 0)
    today = clock.now.date()
    due = service.due_days()
    assert due == [today - timedelta(days=k) for k in range(7, 0, -1)]


def test_the_board_and_acknowledging(
    service: PatrolAlertService, demo_db: Database, clock: Clock
) -> None:
    place = district(demo_db)
    patrol_grids(demo_db, clock, place.codes(min(place.streets))[:1])
    clock.now = at(DAY, 22, 5)
    raised = service.raise_for_day(DAY)
    one = raised[0]
    now = clock.now

    with demo_db.read() as s:
        chief_board = patrol_alerts.board(s, CHIEF, now)
        intake_board = patrol_alerts.board(s, INTAKE, now)
        street_handler = committee_handler(demo_db, one.street_id)
        own = patrol_alerts.board(s, street_handler, now)
    assert chief_board.unacknowledged == len(raised) == len(chief_board.records)
    assert intake_board.records == [] and intake_board.unacknowledged == 0
    assert [r.id for r in own.records] == [one.id]  # a street committee: its own street

    with demo_db.session() as s, pytest.raises(PermissionDeniedError):
        patrol_alerts.acknowledge(s, one.id, INTAKE, now)  # not the intake seat's to answer
    with demo_db.session() as s, pytest.raises(PermissionDeniedError):
        patrol_alerts.acknowledge(s, one.id, street_handler, now)  # no acknowledge_alert
    with demo_db.session() as s:
        done = patrol_alerts.acknowledge(s, one.id, DISPATCHER, now)
    assert done.acknowledged_by_name == DISPATCHER.name and done.acknowledged_at == now
    with demo_db.session() as s, pytest.raises(ValidationError, match="已由 派遣员 于"):
        patrol_alerts.acknowledge(s, one.id, CHIEF, now)
    with demo_db.session() as s, pytest.raises(ValidationError, match="不存在"):
        patrol_alerts.acknowledge(s, 99_999, CHIEF, now)

    with demo_db.read() as s:
        after = patrol_alerts.board(s, CHIEF, now)
        assert after.unacknowledged == len(raised) - 1
        assert one.id in {r.id for r in after.records}  # acknowledged today: still listed
        assert one.id not in {r.id for r in patrol_alerts.unacknowledged(s, CHIEF)}
        later = patrol_alerts.board(s, CHIEF, now + timedelta(days=2))
        assert one.id not in {r.id for r in later.records}  # a day later it leaves the list
        assert later.unacknowledged == len(raised) - 1
