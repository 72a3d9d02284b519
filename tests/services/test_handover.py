"""Duty roster and shift handover on a real demo database: shifts, counts, lists, signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import PermissionDeniedError, ValidationError
from console.models import Alert
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.handover import (
    COUNT_KEYS,
    DutyEntry,
    HandoverSummary,
    assign,
    build_summary,
    ensure_demo_roster,
    latest_handovers,
    load_handover,
    on_duty,
    roster,
    save_handover,
    shift_bounds,
    shift_definitions,
    sign,
)
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    handler,
    local,
    report_input,
    street_points,
)

CAL = WorkCalendar()
DAY_START, DAY_END = local(23, 8), local(23, 20)  # Monday's day shift


# --- shifts ---------------------------------------------------------------------------------


def test_shifts_come_from_the_data_file() -> None:
    shifts = {s.code: s for s in shift_definitions()}
    assert (shifts["day"].label_zh, shifts["night"].label_zh) == ("白班", "夜班")
    assert str(shifts["day"].start) == "08:00:00" and str(shifts["night"].end) == "08:00:00"


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (local(23, 8), (local(23, 8), local(23, 20), "day")),
        (local(23, 7, 59), (local(22, 20), local(23, 8), "night")),
        (local(23, 19, 59), (local(23, 8), local(23, 20), "day")),
        (local(23, 20), (local(23, 20), local(24, 8), "night")),
        (local(23, 23, 59), (local(23, 20), local(24, 8), "night")),
        (local(24, 0), (local(23, 20), local(24, 8), "night")),
        (local(24, 0, 1), (local(23, 20), local(24, 8), "night")),
    ],
)
def test_shift_bounds(at: datetime, expected: tuple[datetime, datetime, str]) -> None:
    start, end, code = shift_bounds(at)
    assert (start, end, code) == expected
    assert start.tzinfo == LOCAL_TZ and start.utcoffset() == timedelta(hours=8)


def test_shift_bounds_takes_any_timezone_but_not_naive() -> None:
    assert shift_bounds(local(23, 20).astimezone(UTC))[2] == "night"
    assert shift_bounds(datetime(2026, 11, 23, 0, 0, tzinfo=UTC)) == (
        local(23, 8),
        local(23, 20),
        "day",
    )  # 08:00 in Xi'an
    with pytest.raises(ValidationError):
        shift_bounds(datetime(2026, 11, 23, 9, 0))


# --- roster ---------------------------------------------------------------------------------


def test_assign_validates_role_span_and_overlap(demo_db: Database) -> None:
    with demo_db.session() as s:
        with pytest.raises(ValidationError, match="角色"):
            assign(s, INTAKE.id, "duty_chief", DAY_START, DAY_END)  # 受理员 is no duty chief
        with pytest.raises(ValidationError, match="不参加值班"):
            assign(s, INSPECTOR.id, "inspector", DAY_START, DAY_END)
        with pytest.raises(ValidationError, match="晚于"):
            assign(s, DISPATCHER.id, "dispatcher", DAY_END, DAY_START)
        with pytest.raises(ValidationError):
            assign(s, 9999, "dispatcher", DAY_START, DAY_END)
        with pytest.raises(ValidationError, match="时区"):
            assign(s, DISPATCHER.id, "dispatcher", datetime(2026, 11, 23, 8), DAY_END)
        entry = assign(s, DISPATCHER.id, "dispatcher", DAY_START, DAY_END)
        assert entry == DutyEntry(
            DISPATCHER.id, "dispatcher", entry.display_name, "dispatcher", DAY_START, DAY_END
        )
        assert entry.display_name.startswith("派遣员")
        with pytest.raises(ValidationError, match="已有排班"):
            assign(s, DISPATCHER.id, "dispatcher", local(23, 12), local(23, 22))
        with pytest.raises(ValidationError, match="已有排班"):
            assign(s, DISPATCHER.id, "dispatcher", DAY_START, DAY_END)
        assign(s, DISPATCHER.id, "dispatcher", DAY_END, local(24, 8))  # back to back is fine
        assign(s, CHIEF.id, "duty_chief", DAY_START, DAY_END)
    with demo_db.read() as s:
        assert [(e.username, e.role) for e in on_duty(s, local(23, 19, 59))] == [
            ("duty_chief", "duty_chief"),  # 值班长 first
            ("dispatcher", "dispatcher"),
        ]
        assert [(e.username, e.starts_at) for e in on_duty(s, local(23, 20))] == [
            ("dispatcher", DAY_END)
        ]
        assert on_duty(s, local(23, 7, 59)) == []
        spans = [(e.username, e.starts_at) for e in roster(s, local(23, 0), local(24, 0))]
        assert spans == [
            ("duty_chief", DAY_START),
            ("dispatcher", DAY_START),
            ("dispatcher", DAY_END),
        ]
        assert roster(s, local(24, 8), local(25, 8)) == []


def test_demo_roster_covers_yesterday_to_a_week_ahead_once(demo_db: Database) -> None:
    now = local(23, 9)
    with demo_db.session() as s:
        assert ensure_demo_roster(s, now) == 2 * 2 * 9  # two roles, two shifts, nine days
    with demo_db.session() as s:
        assert ensure_demo_roster(s, now) == 0
        assert ensure_demo_roster(s, now + timedelta(days=1)) == 2 * 2  # only the new day
    with demo_db.read() as s:
        assert [e.username for e in on_duty(s, now)] == ["duty_chief", "dispatcher"]
        # by night the night's officers: a handover has someone else to sign it
        assert [e.username for e in on_duty(s, local(22, 21))] == ["duty_chief2", "dispatcher2"]
        starts = sorted({e.starts_at for e in roster(s, local(22, 0), local(26, 0))})
        assert starts[0] == local(22, 8) and starts[-1] == local(25, 20)
        assert len(starts) == 8


# --- the summary ----------------------------------------------------------------------------


def _alert(
    case_id: int, level: str, raised: datetime, *, acknowledged: datetime | None = None
) -> Alert:
    return Alert(
        case_id=case_id,
        level=level,
        cycle=1,
        due_at=raised,
        raised_at=raised,
        message=f"{level} 提醒",
        recipient_kind="department",
        recipient_name="市容环卫",
        acknowledged_by_id=DISPATCHER.id if acknowledged else None,
        acknowledged_by_name="派遣员" if acknowledged else None,
        acknowledged_at=acknowledged,
    )


@pytest.fixture
def shift_cases(demo_db: Database, clock: Clock) -> dict[str, CaseSnapshot]:
    """Cases moved through the loop before, during and after Monday's day shift, and alerts.

    In the shift [08:00, 20:00): reports B 09:10, C 10:00, D 10:05, F 19:40 (4 new);
    registrations B, D, F (3); dispatches A 09:00, B, D, F 19:50 (4); D closed (1).
    Outside: A reported and registered at 07:30/07:40, E reported at 20:00 and registered.
    """
    service = CaseService(demo_db, calendar=CAL, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    cases: dict[str, CaseSnapshot] = {}

    def at(day: int, hour: int, minute: int = 0) -> None:
        clock.now = local(day, hour, minute)

    def report(name: str, **over: object) -> CaseSnapshot:
        cases[name] = service.report(INTAKE, report_input(point, **over))
        return cases[name]

    at(23, 7, 30)
    a = report("A", address="劳动路1号")
    at(23, 7, 40)
    a = service.register(CHIEF, a.id, a.version)
    at(23, 9)
    cases["A"] = service.dispatch(DISPATCHER, a.id, a.version)
    at(23, 9, 10)
    b = report("B", address="<b>x</b> 西大街88号")
    at(23, 9, 20)
    b = service.register(CHIEF, b.id, b.version)
    at(23, 9, 30)
    cases["B"] = service.dispatch(DISPATCHER, b.id, b.version)
    at(23, 10)
    c = report("C")
    cases["C"] = service.void(CHIEF, c.id, c.version, note="重复上报")
    at(23, 10, 5)
    d = report("D")
    d = service.register(CHIEF, d.id, d.version)
    d = service.dispatch(DISPATCHER, d.id, d.version)
    at(23, 10, 30)
    d = service.feedback(handler(demo_db, d.department_id), d.id, d.version, note="已清运")
    d = service.verify_pass(INSPECTOR, d.id, d.version)
    cases["D"] = service.close(CHIEF, d.id, d.version)
    at(23, 19, 40)
    f = report("F")
    at(23, 19, 45)
    f = service.register(CHIEF, f.id, f.version)
    at(23, 19, 50)
    cases["F"] = service.dispatch(DISPATCHER, f.id, f.version)
    at(23, 20)
    e = report("E")
    at(23, 20, 5)
    cases["E"] = service.register(CHIEF, e.id, e.version)

    with demo_db.session() as s:
        ids = {k: v.id for k, v in cases.items()}
        s.add_all(
            [
                _alert(ids["A"], "supervise_1", local(23, 15)),  # open 督办, unacknowledged
                _alert(ids["A"], "overdue", local(23, 14), acknowledged=local(23, 14, 30)),
                _alert(ids["B"], "overdue", local(23, 15, 30)),  # unacknowledged
                _alert(ids["D"], "supervise_1", local(23, 10, 20)),  # unack., case closed
                _alert(ids["B"], "supervise_1", local(23, 16), acknowledged=local(23, 16, 5)),
                _alert(ids["B"], "supervise_2", local(23, 21)),  # raised after the summary
            ]
        )
    return cases


NOW = local(23, 20)  # the summary is built at the end of the shift


def test_summary_counts_and_lists(demo_db: Database, shift_cases: dict[str, CaseSnapshot]) -> None:
    a, b, f = shift_cases["A"], shift_cases["B"], shift_cases["F"]
    # The premise of the overdue figures: the morning dispatches are past their deadline at
    # 20:00, the one dispatched at 19:50 is not.
    assert a.deadline_at is not None and a.deadline_at <= NOW
    assert b.deadline_at is not None and b.deadline_at <= NOW
    assert f.deadline_at is not None and f.deadline_at > NOW
    with demo_db.session() as s:
        ensure_demo_roster(s, NOW)
    with demo_db.read() as s:
        summary = build_summary(s, DAY_START, DAY_END, NOW)

    assert summary.counts == {
        "new": 4,  # B, C, D, F (A before, E at 20:00 = after)
        "registered": 3,  # B, D, F
        "dispatched": 4,  # A, B, D, F
        "closed": 1,  # D
        "overdue_now": 2,  # A, B
        "open_supervision": 2,  # A's 一级督办, B's (acknowledged but open); D is closed
        "unacknowledged_alerts": 3,  # A supervise_1, B overdue, D supervise_1
    }
    assert list(summary.counts) == list(COUNT_KEYS)
    assert (summary.shift_start, summary.shift_end, summary.built_at) == (DAY_START, DAY_END, NOW)
    assert summary.shift_code == "day"

    overdue = summary.lists["overdue"]
    assert [line.number for line in overdue] == [a.number, b.number]  # by deadline
    assert overdue[1].address == "<b>x</b> 西大街88号"
    assert overdue[0].state_label == "处置中" and overdue[0].state == "dispatched"
    assert overdue[0].category_code == "06010"
    assert overdue[0].detail == a.deadline_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")

    supervision = summary.lists["open_supervision"]
    assert [(line.case_id, line.level) for line in supervision] == [
        (a.id, "supervise_1"),
        (b.id, "supervise_1"),
    ]
    assert supervision[0].detail.startswith("一级督办 2026-11-23 15:00")
    unacknowledged = summary.lists["unacknowledged_alerts"]
    assert [(line.number, line.level) for line in unacknowledged] == [
        (shift_cases["D"].number, "supervise_1"),  # 10:20
        (a.number, "supervise_1"),  # 15:00
        (b.number, "overdue"),  # 15:30
    ]
    assert unacknowledged[0].state_label == "已结案"

    assert [(e.username, e.starts_at, e.ends_at) for e in summary.on_duty] == [
        ("duty_chief", DAY_START, DAY_END),
        ("dispatcher", DAY_START, DAY_END),
    ]


def test_summary_of_other_windows(demo_db: Database, shift_cases: dict[str, CaseSnapshot]) -> None:
    with demo_db.read() as s:
        night_before = build_summary(s, local(22, 20), local(23, 8), local(23, 8))
        night_after = build_summary(s, local(23, 20), local(24, 8), local(23, 21, 30))
    # Before the shift: A reported and registered; nothing on the clock yet, no alerts.
    assert night_before.counts == dict.fromkeys(COUNT_KEYS, 0) | {"new": 1, "registered": 1}
    assert night_before.lists == {
        "overdue": [],
        "open_supervision": [],
        "unacknowledged_alerts": [],
    }
    assert night_before.on_duty == []
    # After: E reported at 20:00 and registered; B's 二级督办 (21:00) now counts too.
    assert night_after.counts["new"] == 1 and night_after.counts["registered"] == 1
    assert night_after.counts["dispatched"] == 0 and night_after.counts["closed"] == 0
    # B's 二级督办 (21:00) is its highest now: still two cases under 督办, B's line at level 2.
    assert night_after.counts["open_supervision"] == 2
    assert [line.level for line in night_after.lists["open_supervision"]] == [
        "supervise_1",
        "supervise_2",
    ]
    assert night_after.counts["unacknowledged_alerts"] == 4


def test_summary_is_a_few_aggregate_queries(
    demo_db: Database, shift_cases: dict[str, CaseSnapshot]
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(demo_db.read_engine, "before_cursor_execute", count)
    try:
        with demo_db.read() as s:
            build_summary(s, DAY_START, DAY_END, NOW)
    finally:
        event.remove(demo_db.read_engine, "before_cursor_execute", count)
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 8  # activity, 3 counts, 3 lists, roster: whatever the row count
    assert sum("count(" in q.lower() for q in selects) == 4


def test_summary_rejects_bad_windows(demo_db: Database) -> None:
    with demo_db.read() as s:
        with pytest.raises(ValidationError):
            build_summary(s, DAY_END, DAY_START, NOW)
        with pytest.raises(ValidationError):
            build_summary(s, datetime(2026, 11, 23, 8), DAY_END, NOW)


# --- handover records -----------------------------------------------------------------------


def _summary(demo_db: Database, start: datetime = DAY_START, end: datetime = DAY_END) -> Any:
    with demo_db.read() as s:
        return build_summary(s, start, end, end)


def test_save_and_load_round_trip(demo_db: Database, shift_cases: dict[str, CaseSnapshot]) -> None:
    with demo_db.session() as s:
        ensure_demo_roster(s, NOW)
    summary = _summary(demo_db)
    with demo_db.session() as s:
        handover_id = save_handover(
            s, summary, CHIEF.id, DISPATCHER.id, "  B 案需跟进 <i>\n夜间注意 "
        )
    with demo_db.read() as s:
        record = load_handover(s, handover_id)
    assert record.id == handover_id
    assert record.summary == summary
    assert isinstance(record.summary, HandoverSummary)
    assert record.summary.lists["overdue"][1].address == "<b>x</b> 西大街88号"
    assert record.notes == "B 案需跟进 <i>\n夜间注意"
    assert (record.outgoing_user_id, record.incoming_user_id) == (CHIEF.id, DISPATCHER.id)
    assert record.outgoing_name.startswith("值班长") and record.incoming_name.startswith("派遣员")
    assert record.outgoing_signed_at is None and record.incoming_signed_at is None
    assert not record.complete
    assert record.created_at == NOW


def test_save_validates(demo_db: Database) -> None:
    summary = _summary(demo_db)
    with demo_db.session() as s:
        with pytest.raises(ValidationError, match="同一人"):
            save_handover(s, summary, CHIEF.id, CHIEF.id, "")
        with pytest.raises(ValidationError):
            save_handover(s, summary, 9999, CHIEF.id, "")
        with pytest.raises(ValidationError, match="过长"):
            save_handover(s, summary, CHIEF.id, DISPATCHER.id, "注" * 4001)


def test_sign_rules(demo_db: Database) -> None:
    summary = _summary(demo_db)
    with demo_db.session() as s:
        handover_id = save_handover(s, summary, CHIEF.id, DISPATCHER.id, None)
    with demo_db.session() as s:
        with pytest.raises(PermissionDeniedError, match="交班人"):
            sign(s, handover_id, DISPATCHER.id, NOW, side="outgoing")
        with pytest.raises(PermissionDeniedError, match="接班人"):
            sign(s, handover_id, CHIEF.id, NOW, side="incoming")
        with pytest.raises(ValidationError):
            sign(s, handover_id, CHIEF.id, NOW, side="both")
        with pytest.raises(ValidationError, match="不存在"):
            sign(s, 9999, CHIEF.id, NOW, side="outgoing")
    with demo_db.session() as s:
        record = sign(s, handover_id, CHIEF.id, local(23, 20, 2), side="outgoing")
    assert record.outgoing_signed_at == local(23, 20, 2) and not record.complete
    with demo_db.session() as s, pytest.raises(ValidationError, match="不能重复签字"):
        sign(s, handover_id, CHIEF.id, local(23, 20, 3), side="outgoing")
    with demo_db.session() as s:
        record = sign(s, handover_id, DISPATCHER.id, local(23, 20, 5), side="incoming")
    assert record.complete
    with demo_db.read() as s:
        stored = load_handover(s, handover_id)
    assert (stored.outgoing_signed_at, stored.incoming_signed_at) == (
        local(23, 20, 2),
        local(23, 20, 5),
    )
    assert stored.complete and stored.notes == ""


def test_sign_needs_an_incoming_officer(demo_db: Database) -> None:
    summary = _summary(demo_db)
    with demo_db.session() as s:
        handover_id = save_handover(s, summary, CHIEF.id, None, "")
        with pytest.raises(ValidationError, match="接班人"):
            sign(s, handover_id, DISPATCHER.id, NOW, side="incoming")


def test_latest_handovers_newest_shift_first(demo_db: Database) -> None:
    day = _summary(demo_db)
    night = _summary(demo_db, DAY_END, local(24, 8))
    with demo_db.session() as s:
        first = save_handover(s, night, CHIEF.id, DISPATCHER.id, "夜班")
        second = save_handover(s, day, CHIEF.id, DISPATCHER.id, "白班")
    with demo_db.read() as s:
        latest = latest_handovers(s, 10)
        assert [r.id for r in latest] == [first, second]
        assert [r.notes for r in latest_handovers(s, 1)] == ["夜班"]
