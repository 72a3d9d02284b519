"""The evaluation's formulas against shared/reference/evaluation.md, each on a small history
with hand-computed numbers, through evaluate() on a real SQLite file (the console's SQL).

- 准确派遣: a wrong dispatch counts against the dispatcher who made it, not the one who then
  dispatched the case correctly.
- 处置率 / 按时处置率: numerator and denominator are the cases dispatched in the period.
- 应结案数: a case open past its deadline stays due, month after month, until it is closed.
- Grading: below half the weights known, or with no case at all, there is no composite.
- The bulletin (天门, December 2016): 应结案 972, 结案 911, 按期结案 737 → 93.72 % / 75.82 %.
- The averages are working hours on the database's calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.holiday_schedule import read_schedule_file
from console.domain.worktime import WorkCalendar
from console.models import Case, Region, User
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.evaluation.config import EvaluationConfig
from console.services.evaluation.report import (
    EvaluationReport,
    case_ids_for,
    evaluate,
    grading_status,
    metric_values,
    month_period,
)
from console.services.work_calendar import load_calendar, save_year
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    department_id,
    handler,
    report_input,
    street_points,
)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def run(db: Database, month: str) -> EvaluationReport:
    start, end = month_period(month)
    with db.read() as s:
        return evaluate(s, start, end, end)


def values(report: EvaluationReport, kind: str, object_id: int) -> dict[str, object]:
    found = next(o for o in report.by_kind[kind] if o.object_id == object_id)
    return {m.key: m.value for m in found.metrics}


def district(report: EvaluationReport) -> dict[str, object]:
    return {m.key: m.value for m in report.district}


def second_dispatcher(db: Database) -> Actor:
    with db.session() as s:
        user = User(username="paiqian-b", display_name="派遣员乙", role="dispatcher")
        s.add(user)
        s.flush()
        return Actor(user.id, user.display_name, user.role)


def test_a_wrong_dispatch_counts_against_the_first_dispatcher_only(
    demo_db: Database, clock: Clock
) -> None:
    """Case x: 派遣员 sends it to PRO04 (wrong), PRO04 returns it, 派遣员乙 sends it to PRO02
    (the routed department). Case y: 派遣员 sends it to PRO02 straight away.
    派遣员: 2 dispatched, 1 accurate (y) → 50 %; 派遣员乙: 1 dispatched, 1 accurate → 100 %."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    other = second_dispatcher(demo_db)
    pro04 = department_id(demo_db, "PRO04")
    x = service.report(INTAKE, report_input(point))
    x = service.register(CHIEF, x.id, x.version)
    x = service.dispatch(DISPATCHER, x.id, x.version, department_id=pro04)
    clock.advance(minutes=10)
    x = service.request_return(handler(demo_db, pro04), x.id, x.version, note="非本部门职责")
    x = service.approve_return(other, x.id, x.version)
    x = service.dispatch(other, x.id, x.version)
    y = service.report(INTAKE, report_input(point, description="另一处垃圾"))
    y = service.register(CHIEF, y.id, y.version)
    y = service.dispatch(DISPATCHER, y.id, y.version)

    report = run(demo_db, "2026-11")
    first = values(report, "dispatcher", DISPATCHER.id)
    assert (first["dispatched"], first["dispatched_accurate"]) == (2, 1)
    assert first["accurate_dispatch_rate"] == 50.0
    second = values(report, "dispatcher", other.id)
    assert (second["dispatched"], second["dispatched_accurate"]) == (1, 1)
    assert second["accurate_dispatch_rate"] == 100.0
    start, end = month_period("2026-11")
    with demo_db.read() as s:
        kwargs = dict(kind="dispatcher", metric="dispatched_accurate")
        assert case_ids_for(s, start, end, object_id=DISPATCHER.id, **kwargs) == [y.id]  # type: ignore[arg-type]
        assert case_ids_for(s, start, end, object_id=other.id, **kwargs) == [x.id]  # type: ignore[arg-type]


def test_handle_rates_count_one_population(demo_db: Database, clock: Clock) -> None:
    """PRO02 (暴露垃圾 is routed there, 4 working hours). a and b are dispatched on Friday
    30 October and handled in November; c is dispatched and handled in November (on time); d
    is dispatched in November and never handled. November: 应处置 {c, d}, 处置 {c}, 按时 {c}:
    50 % and 50 % (counting a and b's November feedback over November's dispatches would give
    3 / 2 = 150 %). October: 应处置 {a, b}, nothing handled by its end: 0 %."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    pro02 = department_id(demo_db, "PRO02")
    worker = handler(demo_db, pro02)

    def dispatched(when: datetime, text: str):  # type: ignore[no-untyped-def]
        clock.now = when
        s = service.report(INTAKE, report_input(point, description=text))
        s = service.register(CHIEF, s.id, s.version)
        return service.dispatch(DISPATCHER, s.id, s.version)

    a = dispatched(at(10, 30, 9), "a")
    b = dispatched(at(10, 30, 9, 5), "b")
    c = dispatched(at(11, 23, 9), "c")
    d = dispatched(at(11, 23, 9, 5), "d")
    clock.now = at(11, 23, 10)
    for case in (a, b, c):
        service.feedback(worker, case.id, case.version, note="已清运")

    november = values(run(demo_db, "2026-11"), "department", pro02)
    assert (november["assigned"], november["handled"], november["handled_on_time"]) == (2, 1, 1)
    assert november["handled_late"] == 0
    assert november["handle_rate"] == 50.0 and november["on_time_handle_rate"] == 50.0
    # c: dispatched 09:00, handled 10:00 → 1 working hour
    assert november["avg_handle_hours"] == 1.0
    october = values(run(demo_db, "2026-10"), "department", pro02)
    assert (october["assigned"], october["handled"], october["handle_rate"]) == (2, 0, 0.0)
    start, end = month_period("2026-11")
    with demo_db.read() as s:
        ids = case_ids_for(
            s, start, end, kind="department", object_id=pro02, metric="on_time_handle_rate"
        )
    assert ids == [c.id] and d.id not in ids


def test_due_carries_over_until_the_case_is_closed(demo_db: Database, clock: Clock) -> None:
    """k is dispatched on Friday 30 October 09:00 with 4 working hours: due 30 October 15:00.
    Nobody handles it in November; it is handled, checked and closed on 1 December.
    October, November and December each count it as 应结案; October and November as 超期未处置;
    December closes it late (超期结案)."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    worker = handler(demo_db, department_id(demo_db, "PRO02"))
    clock.now = at(10, 30, 9)
    k = service.report(INTAKE, report_input(point))
    k = service.register(CHIEF, k.id, k.version)
    k = service.dispatch(DISPATCHER, k.id, k.version)
    assert k.deadline_at == at(10, 30, 15)

    def counts(month: str) -> tuple[object, ...]:
        d = district(run(demo_db, month))
        keys = ("due", "closed", "closed_on_time", "closed_late", "overdue_unhandled")
        return tuple(d[key] for key in keys)

    # while it is still open, November carries it over
    assert counts("2026-11") == (1, 0, 0, 0, 1)
    clock.now = at(12, 1, 9)
    k = service.feedback(worker, k.id, k.version, note="已清运")
    k = service.verify_pass(INSPECTOR, k.id, k.version)
    service.close(CHIEF, k.id, k.version)
    assert counts("2026-10") == (1, 0, 0, 0, 1)
    assert counts("2026-11") == (1, 0, 0, 0, 1)  # closed after November: still due there
    assert counts("2026-12") == (1, 1, 0, 1, 0)
    assert district(run(demo_db, "2026-12"))["close_rate"] == 100.0
    assert counts("2027-01") == (0, 0, 0, 0, 0)


def test_composites_need_half_their_weights() -> None:
    """监督员 weights: 有效上报率 40, 漏报率 20 and 按时核实率 20 (not derivable), 按时核查率 20."""
    config = EvaluationConfig.load()
    assert config.min_weight_share == 0.5
    no_checks = metric_values("inspector", {"reported": 4, "valid_reported": 4})
    assert grading_status("inspector", no_checks, config) == "insufficient"  # 40 of 100
    checks = metric_values(
        "inspector", {"reported": 4, "valid_reported": 4, "checked": 2, "checked_on_time": 1}
    )
    assert grading_status("inspector", checks, config) == "graded"  # 60 of 100
    assert grading_status("inspector", metric_values("inspector", {}), config) == "no_cases"
    # 区域 (70 in all): registered cases, none due: 监督举报率 10 + 立案数 20 = 30 < 35
    region = metric_values("grid", {"reported": 3, "registered": 3})
    assert grading_status("grid", region, config) == "insufficient"
    region = metric_values("grid", {"reported": 3, "registered": 3, "due": 1, "closed": 1})
    assert grading_status("grid", region, config) == "graded"


# -- the bulletin --------------------------------------------------------------------------


def bulletin_month(db: Database) -> None:
    """November 2026 shaped like the 天门 bulletin of December 2016, written straight into the
    cases table (every column the evaluation reads), in one grid:

    - 737 registered in November, due 10 November, handled 9th, closed 12th: on time;
    - 174 the same but handled on 11 November: closed late;
    - 41 registered in November, due 20 November, still open;
    - 20 registered in October, due 20 October, still open: carried over into November;
    - 44 registered in November, due in December: not due yet;
    - 30 registered and closed in October: nothing to do with November.

    立案 737 + 174 + 41 + 44 = 996; 应结案 737 + 174 + 41 + 20 = 972; 结案 911; 按期 737.
    """
    (_, grid, _), _ = street_points(db)
    with db.read() as s:
        unit = s.scalar(select(Region.parent_id).where(Region.id == grid))
        area = s.scalar(select(Region.parent_id).where(Region.id == unit))
        street = s.scalar(select(Region.parent_id).where(Region.id == area))
    pro02 = department_id(db, "PRO02")
    rows: list[dict[str, object]] = []

    def add(n: int, registered: datetime, deadline: datetime, **over: object) -> None:
        for _ in range(n):
            i = len(rows)
            row: dict[str, object] = {
                "number": f"B{i:08d}", "source": "inspector", "reporter": "test",
                "taxonomy": "cjt214", "kind": "event_type", "category_code": "0102",
                "urgent": False, "description": "通报核对", "address": "莲湖路",
                "lon": 108.9, "lat": 34.27, "grid_id": grid, "unit_id": unit, "area_id": area,
                "street_id": street, "state": "dispatched", "department_id": pro02,
                "reported_at": registered - timedelta(minutes=30),
                "registered_at": registered, "dispatched_at": registered + timedelta(hours=1),
                "handled_at": None, "closed_at": None, "deadline_at": deadline,
                "updated_at": registered, "extension_value": 0.0, "suspended_seconds": 0.0,
                "rework_count": 0, "return_count": 0, "dispatch_count": 1, "version": 1,
            }  # fmt: skip
            row.update(over)
            rows.append(row)

    closed = {"state": "closed", "closed_at": at(11, 12, 10)}
    add(737, at(11, 2, 9), at(11, 10, 18), handled_at=at(11, 9, 10), **closed)
    add(174, at(11, 2, 9), at(11, 10, 18), handled_at=at(11, 11, 10), **closed)
    add(41, at(11, 3, 9), at(11, 20, 18))
    add(20, at(10, 12, 9), at(10, 20, 18))
    add(44, at(11, 30, 9), at(12, 8, 18))
    add(30, at(10, 12, 9), at(10, 20, 18), handled_at=at(10, 15, 9),
        state="closed", closed_at=at(10, 16, 9))  # fmt: skip
    with db.session() as s:
        s.connection().execute(Case.__table__.insert(), rows)


def test_the_bulletin_through_the_console_sql(demo_db: Database) -> None:
    bulletin_month(demo_db)
    d = district(run(demo_db, "2026-11"))
    assert (d["registered"], d["due"], d["closed"], d["closed_on_time"]) == (996, 972, 911, 737)
    assert d["close_rate"] == 93.72 and d["on_time_close_rate"] == 75.82
    assert (d["closed_late"], d["overdue_unhandled"]) == (174, 61)
    report = run(demo_db, "2026-11")
    rate = report.district_metric("on_time_close_rate")
    assert (rate.numerator, rate.denominator) == (737, 972)
    # the same population for the street, and for the department (by the case's department)
    street = next(o for o in report.by_kind["street"] if o.metric("due").value)
    assert street.metric("close_rate").value == 93.72
    assert street.metric("on_time_close_rate").value == 75.82
    pro02 = next(o for o in report.by_kind["department"] if o.metric("due").value)
    assert (pro02.metric("due").value, pro02.metric("close_rate").value) == (972, 93.72)


def test_averages_follow_the_database_calendar(
    demo_db: Database, clock: Clock, tmp_path: Path
) -> None:
    """A case dispatched on Monday 23 November 17:00 and handled on Tuesday 09:00 took 2
    working hours (17–18, 8–9). Once the official 2026 schedule in the database makes that
    Tuesday a holiday, it took 1, and evaluate() without a calendar reads the database's."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    worker = handler(demo_db, department_id(demo_db, "PRO02"))
    clock.now = at(11, 23, 17)
    s = service.report(INTAKE, report_input(point))
    s = service.register(CHIEF, s.id, s.version)
    s = service.dispatch(DISPATCHER, s.id, s.version)
    clock.now = at(11, 24, 9)
    service.feedback(worker, s.id, s.version, note="已清运")
    start, end = month_period("2026-11")
    assert district(run(demo_db, "2026-11"))["avg_handle_hours"] == 2.0

    path = tmp_path / "2026.csv"
    path.write_text("date,kind,name\n2026-11-24,holiday,测试假日\n", encoding="utf-8")
    with demo_db.session() as session:
        save_year(
            session, Actor(6, "管理员", "admin"), load_calendar(session),
            read_schedule_file(path), source="2026.csv", action="import", now=at(11, 30, 9),
        )  # fmt: skip
    assert district(run(demo_db, "2026-11"))["avg_handle_hours"] == 1.0
    with demo_db.read() as session:  # a calendar handed in is the one used
        report = evaluate(session, start, end, end, calendar=WorkCalendar())
    assert report.district_metric("avg_handle_hours").value == 2.0
