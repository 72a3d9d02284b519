"""The supervision scan on a real SQLite file with a controlled clock: levels, recipients,
events, suspension, re-dispatch, catch-up, exactly-once under threads and processes, acks."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import ValidationError
from console.models import Alert, CaseEvent, Department
from console.services import supervision
from console.services.actors import Actor
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.reference import data as reference_data
from console.services.supervision import (
    AlertRecord,
    acknowledge,
    alert_levels,
    alerts_for_case,
    load_alert_levels,
    recent_alerts,
    scan,
    unacknowledged,
    unacknowledged_count,
    work_threshold,
)
from tests.conftest import Clock
from tests.integration import test_postgres
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    handler,
    local,
    report_input,
    street_points,
)

ROOT = Path(__file__).resolve().parents[2]
# PostgreSQL fixtures (a fresh schema with the demo district), shared with the integration tests.
demo_pg = test_postgres.demo_pg
LEADER = Actor(5, "领导", "leader")
ALL_LEVELS = ["warning", "overdue", "supervise_1", "supervise_2", "supervise_3"]


@pytest.fixture
def service(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


@pytest.fixture
def cal(service: CaseService) -> WorkCalendar:
    return service.workflow.calendar


def dispatched(service: CaseService, db: Database, **over: object) -> CaseSnapshot:
    """A 暴露垃圾 case (4工作时, routed to 区环境卫生管理中心) dispatched at the clock's now."""
    (_, _, point), _ = street_points(db)
    s = service.report(INTAKE, report_input(point, **over))
    s = service.register(CHIEF, s.id, s.version)
    return service.dispatch(DISPATCHER, s.id, s.version)


def run_scan(db: Database, now: datetime, cal: WorkCalendar) -> list[AlertRecord]:
    with db.session() as s:
        return scan(s, now, cal)


def levels_at(db: Database, now: datetime, cal: WorkCalendar) -> list[str]:
    return [r.level for r in run_scan(db, now, cal)]


def alert_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Alert)) or 0


def test_levels_are_data() -> None:
    levels = alert_levels()
    assert [lv.level for lv in levels] == ALL_LEVELS
    assert [lv.label_zh for lv in levels] == [
        "黄灯预警",
        "超期",
        "一级督办",
        "二级督办",
        "三级督办",
    ]
    assert [lv.after_work_hours for lv in levels] == [0, 0, 4, 8, 16]
    assert [lv.recipient_kind for lv in levels[2:]] == [
        "department",
        "street_leadership",
        "district_office",
    ]


def test_levels_out_of_order_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "levels.csv"
    path.write_text(
        "level,label_zh,label_en,mark,after_work_hours,recipient_kind,sound\n"
        "supervise_1,一级督办,L1,deadline_at,4,department,x\n"
        "overdue,超期,Overdue,deadline_at,0,department,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="到期先后"):
        load_alert_levels(path)


@pytest.mark.parametrize("hours", [0.5, 1, 4, 8, 16, 40])
@pytest.mark.parametrize(
    "now", [local(24, 9), local(24, 12), local(24, 13, 7), local(28, 10), local(30, 8, 1)]
)
def test_work_threshold_is_the_exact_inverse(
    cal: WorkCalendar, now: datetime, hours: float
) -> None:
    t = work_threshold(cal, now, hours * 3600)
    assert cal.add_work_seconds(t, hours * 3600) <= now
    assert cal.add_work_seconds(t + timedelta(microseconds=1), hours * 3600) > now


def test_walk_green_yellow_red_and_three_supervision_levels(
    demo_db: Database, service: CaseService, cal: WorkCalendar
) -> None:
    case = dispatched(service, demo_db)  # Mon 09:00, 4工作时: yellow 14:12, red 15:00
    assert case.warning_at == local(23, 14, 12) and case.deadline_at == local(23, 15)
    with demo_db.read() as s:
        department = s.get(Department, case.department_id)
        assert department is not None and department.name == "区环境卫生管理中心"
        committee = reference_data.street_committee_for(s, case.street_id)
        assert committee is not None
        committee_name = committee.name
    steps = [
        (local(23, 9, 30), []),
        (local(23, 14, 11), []),
        (local(23, 14, 12), ["warning"]),
        (local(23, 14, 59), []),
        (local(23, 15), ["overdue"]),
        (local(23, 18), []),
        (local(24, 8, 59), []),
        (local(24, 9), ["supervise_1"]),  # 15:00 + 4 work hours: 15–18 Mon, 08–09 Tue
        (local(24, 14, 59), []),
        (local(24, 15), ["supervise_2"]),  # + 8 work hours
        (local(25, 14, 59), []),
        (local(25, 15), ["supervise_3"]),  # + 16 work hours
        (local(26, 15), []),
    ]
    raised: list[AlertRecord] = []
    for now, expected in steps:
        got = run_scan(demo_db, now, cal)
        assert [r.level for r in got] == expected, now
        for r in got:
            assert r.due_at == now and r.raised_at == now
        raised += got
    recipients = [(r.recipient_kind, r.recipient_name) for r in raised]
    assert recipients == [
        ("department", "区环境卫生管理中心"),
        ("department", "区环境卫生管理中心"),
        ("department", "区环境卫生管理中心"),
        ("street_leadership", committee_name),
        ("district_office", "莲湖区网格化管理指挥中心"),
    ]
    assert raised[2].message == (
        f"案件 {case.number}（暴露垃圾，莲湖路1号）已超期 4 工作时，一级督办：区环境卫生管理中心"
    )
    assert "黄灯预警" in raised[0].message and "二级督办" in raised[3].message
    with demo_db.read() as s:
        events = s.execute(
            select(
                CaseEvent.at,
                CaseEvent.from_state,
                CaseEvent.to_state,
                CaseEvent.actor_name,
                CaseEvent.actor_role,
                CaseEvent.actor_id,
                CaseEvent.note,
                CaseEvent.department_id,
                CaseEvent.data,
            )
            .where(CaseEvent.case_id == case.id, CaseEvent.action == "supervise")
            .order_by(CaseEvent.id)
        ).all()
        stored = alerts_for_case(s, case.id)
    assert [e.at for e in events] == [r.raised_at for r in raised]
    for event, record in zip(events, raised, strict=True):
        assert (event.from_state, event.to_state) == ("dispatched", "dispatched")
        assert (event.actor_name, event.actor_role, event.actor_id) == ("系统", "system", None)
        assert event.note == record.message
        assert event.department_id == case.department_id
        data = json.loads(event.data or "{}")
        assert data == {
            "level": record.level,
            "recipient": record.recipient_name,
            "alert_id": record.id,
        }
    assert [a.level for a in stored] == ALL_LEVELS
    assert stored[0].case_number == case.number and stored[0].category_code == "06010"
    assert service.get(case.id).version == case.version  # alerts never bump the case


def test_urgent_cases_escalate_on_the_natural_clock(
    demo_db: Database, service: CaseService, cal: WorkCalendar
) -> None:
    case = dispatched(service, demo_db, category_code="0101", kind="component")  # 6小时
    assert case.deadline_at == local(23, 15)
    assert levels_at(demo_db, local(23, 14), cal) == ["warning"]
    assert levels_at(demo_db, local(23, 18, 59), cal) == ["overdue"]
    got = run_scan(demo_db, local(23, 19), cal)  # 15:00 + 4 natural hours, after office hours
    assert [r.level for r in got] == ["supervise_1"]
    assert "已超期 4 小时" in got[0].message
    assert levels_at(demo_db, local(24, 7), cal) == ["supervise_3"]


def test_suspended_raises_nothing_and_resumes_with_shifted_marks(
    demo_db: Database, service: CaseService, clock: Clock, cal: WorkCalendar
) -> None:
    case = dispatched(service, demo_db)
    clock.now = local(23, 10)
    case = service.suspend(CHIEF, case.id, case.version, note="待规划部门意见")
    assert levels_at(demo_db, local(25, 9), cal) == []
    clock.now = local(25, 10)
    case = service.resume(CHIEF, case.id, case.version)
    # Suspended for 16 working hours (Mon 10:00 → Wed 10:00): both marks move by as much.
    assert case.warning_at == local(25, 14, 12) and case.deadline_at == local(25, 15)
    assert levels_at(demo_db, local(25, 14, 11), cal) == []
    assert levels_at(demo_db, local(25, 14, 30), cal) == ["warning"]
    assert levels_at(demo_db, local(25, 15), cal) == ["overdue"]
    assert levels_at(demo_db, local(26, 9), cal) == ["supervise_1"]


def test_finished_and_unclocked_cases_raise_nothing(
    demo_db: Database, service: CaseService, cal: WorkCalendar
) -> None:
    case = dispatched(service, demo_db)
    service.feedback(handler(demo_db, case.department_id), case.id, case.version, note="已清运")
    (_, _, point), _ = street_points(demo_db)
    service.report(INTAKE, report_input(point))  # reported, never registered
    assert run_scan(demo_db, local(30, 9), cal) == []


def test_redispatch_starts_a_new_cycle(
    demo_db: Database, service: CaseService, clock: Clock, cal: WorkCalendar
) -> None:
    case = dispatched(service, demo_db)
    assert levels_at(demo_db, local(23, 15), cal) == ["overdue"]
    clock.now = local(23, 15, 10)
    case = service.request_return(
        handler(demo_db, case.department_id), case.id, case.version, note="非本部门职责"
    )
    case = service.approve_return(DISPATCHER, case.id, case.version)
    assert levels_at(demo_db, local(23, 15, 20), cal) == []  # not on the clock
    clock.now = local(23, 15, 30)
    case = service.dispatch(DISPATCHER, case.id, case.version)
    assert levels_at(demo_db, local(23, 15, 31), cal) == []  # a fresh, green clock
    assert case.deadline_at is not None
    assert case.warning_at is not None
    assert [r.level for r in run_scan(demo_db, case.warning_at, cal)] == ["warning"]
    assert [r.level for r in run_scan(demo_db, case.deadline_at, cal)] == ["overdue"]
    with demo_db.read() as s:
        cycles = s.execute(
            select(Alert.cycle, Alert.level).where(Alert.case_id == case.id).order_by(Alert.id)
        ).all()
    assert [tuple(c) for c in cycles] == [(1, "overdue"), (2, "warning"), (2, "overdue")]


def test_catch_up_after_ten_hours_down(
    demo_db: Database, service: CaseService, clock: Clock, cal: WorkCalendar
) -> None:
    first = dispatched(service, demo_db)  # Mon 09:00
    clock.now = local(23, 16)
    second = dispatched(service, demo_db)  # Mon 16:00: yellow Tue 09:12, red Tue 10:00
    assert levels_at(demo_db, local(23, 14), cal) == []
    # Down from Mon 14:00 to Tue 00:00 (10 hours): the first case is overdue by then, and
    # only that is raised, not a stale 即将超期 beside it.
    got = run_scan(demo_db, local(24, 0), cal)
    assert [(r.case_id, r.level, r.due_at) for r in got] == [(first.id, "overdue", local(23, 15))]
    # Down again until Wed 16:00: each case gets its current level, once.
    got = run_scan(demo_db, local(25, 16), cal)
    assert sorted((r.case_id, r.level) for r in got) == sorted(
        [(first.id, "supervise_3"), (second.id, "supervise_2")]
    )
    assert all(r.due_at <= local(25, 16) and r.raised_at == local(25, 16) for r in got)
    assert run_scan(demo_db, local(25, 16), cal) == []
    assert alert_count(demo_db) == 3
    with demo_db.read() as s:
        events = s.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "supervise")
        )
    assert events == 3


def test_a_first_start_raises_no_warning_for_a_case_already_overdue(
    demo_db: Database, service: CaseService, clock: Clock, cal: WorkCalendar
) -> None:
    """Regression: 227 即将超期 stamped at one minute on the demo's first start."""
    case = dispatched(service, demo_db)  # Mon 09:00, 4工作时: due 13:00... in office hours
    late = local(26, 9)  # days later, first scan ever
    got = run_scan(demo_db, late, cal)
    assert [r.level for r in got if r.case_id == case.id] == ["supervise_3"]
    assert "即将超期" not in got[0].message


def supervise_events(db: Database) -> int:
    with db.read() as s:
        return (
            s.scalar(
                select(func.count()).select_from(CaseEvent).where(CaseEvent.action == "supervise")
            )
            or 0
        )


def lose_the_race(db: Database, now: datetime, cal: WorkCalendar, mp: pytest.MonkeyPatch) -> None:
    """A scan whose candidates were read before another scan committed the same alerts: the
    unique key turns its inserts into nothing, and it writes no event."""
    with db.read() as s:
        stale = supervision._candidates(s, now, cal, alert_levels())
    assert stale
    first = run_scan(db, now, cal)
    assert first
    alerts, events = alert_count(db), supervise_events(db)
    mp.setattr(supervision, "_candidates", lambda *a: stale)
    mp.setattr(supervision, "_raised_levels", lambda *a: set())
    assert run_scan(db, now, cal) == []
    assert (alert_count(db), supervise_events(db)) == (alerts, events)


def test_a_scan_that_lost_the_race_raises_nothing(
    demo_db: Database, service: CaseService, cal: WorkCalendar, monkeypatch: pytest.MonkeyPatch
) -> None:
    dispatched(service, demo_db)
    lose_the_race(demo_db, local(24, 10), cal, monkeypatch)


def _several_overdue(service: CaseService, db: Database, clock: Clock, n: int) -> None:
    for _ in range(n):
        dispatched(service, db)
        clock.advance(minutes=7)


def scan_in_threads(url: str, now: datetime, cal: WorkCalendar) -> list[int]:
    """Three seats, each with its own Database, scanning the same moment at once: the ids."""
    barrier = threading.Barrier(3)
    results: list[list[AlertRecord]] = []
    errors: list[BaseException] = []

    def seat() -> None:
        db = Database(url, migrate=False)
        try:
            barrier.wait()
            results.append(run_scan(db, now, cal))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=seat) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and len(results) == 3
    return [r.id for batch in results for r in batch]


def test_concurrent_thread_scans_raise_each_alert_once(
    demo_db: Database, service: CaseService, clock: Clock, cal: WorkCalendar
) -> None:
    _several_overdue(service, demo_db, clock, 6)
    ids = scan_in_threads(demo_db.url, local(27, 9), cal)
    # One alert per case (its current level), whichever seat raised it.
    assert len(ids) == len(set(ids)) == 6
    assert alert_count(demo_db) == 6 and supervise_events(demo_db) == 6


@pytest.mark.slow
def test_three_processes_raise_each_alert_once(
    demo_db: Database, service: CaseService, clock: Clock
) -> None:
    _several_overdue(service, demo_db, clock, 4)
    command = [
        sys.executable,
        "main.py",
        "--db",
        demo_db.url,
        "scan",
        "--now",
        local(27, 9).isoformat(),
        "--json",
    ]
    procs = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err.decode()
    ids = [a["id"] for out, _ in outputs for a in json.loads(out)]
    assert len(ids) == len(set(ids)) == 4
    assert alert_count(demo_db) == 4


def test_acknowledge_and_the_unacknowledged_list(
    demo_db: Database, service: CaseService, clock: Clock, cal: WorkCalendar
) -> None:
    case = dispatched(service, demo_db)
    run_scan(demo_db, local(23, 14, 30), cal)
    run_scan(demo_db, local(23, 15), cal)
    with demo_db.read() as s:
        pending = unacknowledged(s)
        assert [a.level for a in pending] == ["overdue", "warning"]  # newest first
        assert unacknowledged_count(s) == 2
        assert [a.level for a in recent_alerts(s, since=local(23, 14, 45))] == ["overdue"]
    with demo_db.session() as s:
        done = acknowledge(s, pending[0].id, LEADER, local(23, 15, 5))
    assert done.acknowledged_by_name == "领导" and done.acknowledged_at == local(23, 15, 5)
    assert done.case_id == case.id
    with (
        demo_db.session() as s,
        pytest.raises(ValidationError, match="已由 领导 于 2026-11-23 15:05"),
    ):
        acknowledge(s, pending[0].id, DISPATCHER, local(23, 15, 6))
    with demo_db.session() as s, pytest.raises(ValidationError, match="不存在"):
        acknowledge(s, 99_999, LEADER, local(23, 15, 6))
    with demo_db.read() as s:
        assert [a.level for a in unacknowledged(s)] == ["warning"]
        assert unacknowledged_count(s) == 1
        assert alerts_for_case(s, case.id)[1].acknowledged_by_name == "领导"


def test_naive_now_is_refused(demo_db: Database, cal: WorkCalendar) -> None:
    with demo_db.session() as s, pytest.raises(ValueError, match="timezone-aware"):
        scan(s, datetime(2026, 11, 23, 9), cal)


@pytest.mark.postgres
def test_concurrent_scans_on_postgresql_raise_each_alert_once(
    demo_pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the scans really overlap: the unique key and ON CONFLICT decide."""
    clock = Clock(local(23, 9))
    service = CaseService(demo_pg, clock=clock)
    _several_overdue(service, demo_pg, clock, 4)
    cal = service.workflow.calendar
    ids = scan_in_threads(demo_pg.url, local(27, 9), cal)
    assert len(ids) == len(set(ids)) == 4
    assert alert_count(demo_pg) == 4 and supervise_events(demo_pg) == 4
    dispatched(service, demo_pg)
    lose_the_race(demo_pg, local(30, 9), cal, monkeypatch)
