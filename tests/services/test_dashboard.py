"""The dashboard's numbers on a real demo database, with cases driven at controlled times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.config import LOCAL_TZ
from console.db import Database
from console.errors import ValidationError
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.dashboard import dashboard_numbers, day_bounds, month_bounds
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    Point,
    handler,
    local,
    report_input,
    street_points,
)


def _report(service: CaseService, clock: Clock, at: datetime, point: Point, source: str) -> int:
    clock.now = at
    return service.report(INTAKE, report_input(point, source=source)).id


def _dispatch(service: CaseService, clock: Clock, case_id: int) -> CaseSnapshot:
    s = service.register(CHIEF, case_id, None)
    return service.dispatch(DISPATCHER, s.id, s.version)


def _finish(
    service: CaseService, db: Database, clock: Clock, s: CaseSnapshot, handled: datetime
) -> CaseSnapshot:
    clock.now = handled
    s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    return service.close(CHIEF, s.id, s.version)


def test_bounds_are_local_days_and_months() -> None:
    at = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 2026-12-01 01:00 in Xi'an
    assert day_bounds(at) == (
        datetime(2026, 12, 1, tzinfo=LOCAL_TZ),
        datetime(2026, 12, 2, tzinfo=LOCAL_TZ),
    )
    assert month_bounds(at) == (
        datetime(2026, 12, 1, tzinfo=LOCAL_TZ),
        datetime(2027, 1, 1, tzinfo=LOCAL_TZ),
    )


def test_naive_now_is_refused(demo_db: Database) -> None:
    with demo_db.read() as s, pytest.raises(ValidationError):
        dashboard_numbers(s, datetime(2026, 11, 25, 15, 0))


def test_empty_district(demo_db: Database) -> None:
    with demo_db.read() as s:
        n = dashboard_numbers(s, local(25, 15))
    assert n.reported_today == 0 and n.open_total == 0
    assert n.open_by_light == {"green": 0, "yellow": 0, "red": 0, "none": 0}
    assert n.hourly_intake == [0] * 24
    assert n.on_time_rate_month is None and n.closed_this_month == 0
    assert len(n.open_by_street) == 9 and all(c == 0 for _, _, c in n.open_by_street)


def test_dashboard_numbers_hand_computed(demo_db: Database, clock: Clock) -> None:
    service = CaseService(demo_db, clock=clock)
    (street1, _, p1), (street2, _, p2) = street_points(demo_db)

    # October: one case closed on time (another month: not counted).
    oct_id = _report(service, clock, datetime(2026, 10, 28, 9, 0, tzinfo=LOCAL_TZ), p1, "video")
    s = _dispatch(service, clock, oct_id)
    _finish(service, demo_db, clock, s, datetime(2026, 10, 28, 10, 0, tzinfo=LOCAL_TZ))

    # Sunday evening: a hotline report nobody registered (open, no light, not today).
    _report(service, clock, local(22, 20), p2, "hotline")
    # Monday: A closed on time on Monday, B handled late on Wednesday, F never handled.
    a = _dispatch(service, clock, _report(service, clock, local(23, 9, 1), p1, "inspector"))
    _finish(service, demo_db, clock, a, local(23, 10))
    b = _dispatch(service, clock, _report(service, clock, local(23, 9, 30), p1, "hotline"))
    f = _dispatch(service, clock, _report(service, clock, local(23, 9, 40), p2, "inspector"))
    _finish(service, demo_db, clock, b, local(25, 9, 5))
    # A voided case is finished but not closed.
    v = _report(service, clock, local(25, 9, 10), p1, "public")
    service.void(CHIEF, v, None, note="重复上报")
    # Wednesday: H dispatched at 09:20 (yellow by 15:00), G at 14:30 (green), C/D/E unregistered.
    h = _dispatch(service, clock, _report(service, clock, local(25, 9, 20), p1, "video"))
    _report(service, clock, local(25, 10, 30), p2, "video")
    _report(service, clock, local(25, 10, 45), p1, "grid")
    _report(service, clock, local(25, 14, 10), p1, "public")
    g = _dispatch(service, clock, _report(service, clock, local(25, 14, 30), p2, "hotline"))

    now = local(25, 15)
    assert f.deadline_at is not None and f.deadline_at <= now  # red
    assert h.warning_at is not None and h.deadline_at is not None
    assert h.warning_at <= now < h.deadline_at  # yellow
    assert g.warning_at is not None and now < g.warning_at  # green
    assert b.deadline_at is not None and b.deadline_at < local(25, 9, 5)  # B was late

    with demo_db.read() as s:
        n = dashboard_numbers(s, now)

    assert n.built_at == now
    # Today (Wed): v public 09:10, h video 09:20, video 10:30, grid 10:45, public 14:10,
    # g hotline 14:30.
    assert n.today_by_source == {
        "inspector": 0,
        "hotline": 1,
        "video": 2,
        "public": 2,
        "opinion": 0,
        "grid": 1,
    }
    assert n.reported_today == 6
    expected_hours = [0] * 24
    expected_hours[9], expected_hours[10], expected_hours[14] = 2, 2, 2
    assert n.hourly_intake == expected_hours
    # Open: Sunday's + C, D, E (no clock), F red, H yellow, G green.
    assert n.open_by_light == {"green": 1, "yellow": 1, "red": 1, "none": 4}
    assert n.open_total == 7
    counts = {sid: c for sid, _, c in n.open_by_street}
    assert counts[street1] == 3  # D, E, H
    assert counts[street2] == 4  # Sunday's, F, C, G
    assert sum(counts.values()) == 7
    # November: A (on time) and B (late) closed; October's case is not this month.
    assert n.closed_this_month == 2
    assert n.on_time_rate_month == pytest.approx(0.5)


def test_workbench_dashboard_and_evaluation(demo_db: Database, clock: Clock) -> None:
    from console.services.workbench import Workbench

    service = CaseService(demo_db, clock=clock)
    (_, _, p1), _ = street_points(demo_db)
    s = _dispatch(service, clock, _report(service, clock, local(23, 9, 1), p1, "inspector"))
    _finish(service, demo_db, clock, s, local(23, 10))
    clock.now = local(23, 11)
    bench = Workbench(demo_db, username="leader", clock=clock)
    numbers = bench.dashboard_numbers()
    assert numbers.closed_this_month == 1 and numbers.on_time_rate_month == 1.0
    assert numbers.today_by_source["inspector"] == 1

    report = bench.evaluation("2026-11")
    street = next(o for o in report.by_kind["street"] if o.metrics[0].value)
    rows = bench.evaluation_cases(
        report.period_start, report.period_end, "street", street.object_id, street.metrics[0].key
    )
    assert [r.id for r in rows] == [s.id]
    assert rows[0].address == "莲湖路1号"
