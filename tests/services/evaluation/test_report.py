"""绩效评价 on a crafted month: every metric hand-computed, the bulletin cross-check, drill-down.

The dataset (November 2026, driven through CaseService on the controlled clock from Monday
23rd 09:00; 暴露垃圾 has a 4-working-hour limit and is routed to PRO02):

====  ======================================================================================
a     inspector report; register, dispatch, feedback, verify, close: all prompt
b     hotline via intake; registered after 90 min (late), then prompt
c     intake; reworked once (verify_fail), then closed on time
d     intake; dispatched to PRO04, returned, re-dispatched (routed, PRO02), closed on time
e     intake; registered, then voided
f     inspector report; voided without registration
g     grid manager; self-handled, closed
h     intake; dispatched 2 h after registration (late); left open (deadline in the month)
i     intake; handled the next day (late), checked 5 h later (late), closed 2 h later (late)
j     intake, second street; reported only
====  ======================================================================================
"""

from __future__ import annotations

from datetime import datetime

import pytest

from console.config import LOCAL_TZ
from console.db import Database
from console.errors import ValidationError
from console.services.cases.service import CaseService
from console.services.evaluation.config import EvaluationConfig
from console.services.evaluation.positions import last_event_id, position_sessions
from console.services.evaluation.report import (
    EvaluationReport,
    bulletin_rates,
    case_ids_for,
    composite_score,
    evaluate,
    grade,
    metric_values,
    month_period,
    rates,
)
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    GRID,
    INSPECTOR,
    INTAKE,
    department_id,
    handler,
    local,
    own_grid,
    report_input,
    street_points,
)

START, END = month_period("2026-11")


def build_month(db: Database, clock: Clock) -> dict[str, int]:
    service = CaseService(db, clock=clock)
    (street1, _, p1), (street2, _, p2) = street_points(db)
    ids: dict[str, int] = {"street1": street1, "street2": street2}
    pro02, pro04 = department_id(db, "PRO02"), department_id(db, "PRO04")
    ids["PRO02"], ids["PRO04"] = pro02, pro04
    h02, h04 = handler(db, pro02), handler(db, pro04)

    def step(minutes: float = 5) -> None:
        clock.advance(minutes=minutes)

    def new(actor=INTAKE, point=p1, **over):  # type: ignore[no-untyped-def]
        step()
        return service.report(actor, report_input(point, **over))

    def run_prompt(s):  # type: ignore[no-untyped-def]
        step()
        s = service.register(CHIEF, s.id, s.version)
        step()
        s = service.dispatch(DISPATCHER, s.id, s.version)
        step(30)
        s = service.feedback(h02, s.id, s.version, note="已清运")
        step(10)
        s = service.verify_pass(INSPECTOR, s.id, s.version)
        step()
        return service.close(CHIEF, s.id, s.version)

    ids["a"] = run_prompt(new(INSPECTOR, source="inspector")).id

    s = new(source="hotline")
    step(90)
    s = service.register(CHIEF, s.id, s.version)
    step()
    s = service.dispatch(DISPATCHER, s.id, s.version)
    step(30)
    s = service.feedback(h02, s.id, s.version, note="已清运")
    step(10)
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    step()
    ids["b"] = service.close(CHIEF, s.id, s.version).id

    s = new()
    step()
    s = service.register(CHIEF, s.id, s.version)
    step()
    s = service.dispatch(DISPATCHER, s.id, s.version)
    step(20)
    s = service.feedback(h02, s.id, s.version, note="已清运")
    step(10)
    s = service.verify_fail(INSPECTOR, s.id, s.version, note="未清理干净")
    step(20)
    s = service.feedback(h02, s.id, s.version, note="已再次清运")
    step(10)
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    step()
    ids["c"] = service.close(CHIEF, s.id, s.version).id

    s = new()
    step()
    s = service.register(CHIEF, s.id, s.version)
    step()
    s = service.dispatch(DISPATCHER, s.id, s.version, department_id=pro04)
    step(10)
    s = service.request_return(h04, s.id, s.version, note="非本部门职责")
    step(10)
    s = service.approve_return(DISPATCHER, s.id, s.version)
    step()
    s = service.dispatch(DISPATCHER, s.id, s.version)
    step(20)
    s = service.feedback(h02, s.id, s.version, note="已清运")
    step(10)
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    step()
    ids["d"] = service.close(CHIEF, s.id, s.version).id

    s = new()
    step()
    s = service.register(CHIEF, s.id, s.version)
    step()
    ids["e"] = service.void(CHIEF, s.id, s.version, note="重复上报").id

    s = new(INSPECTOR, source="inspector")
    step()
    ids["f"] = service.void(CHIEF, s.id, s.version, note="不属实").id

    s = new(GRID, source="grid")
    s = service.self_handle(own_grid(s), s.id, s.version, note="已自行清理")
    step()
    ids["g"] = service.close(CHIEF, s.id, s.version).id

    s = new()
    step()
    s = service.register(CHIEF, s.id, s.version)
    step(120)
    ids["h"] = service.dispatch(DISPATCHER, s.id, s.version).id

    s = new()
    step()
    s = service.register(CHIEF, s.id, s.version)
    step()
    s = service.dispatch(DISPATCHER, s.id, s.version)
    ids["j"] = new(point=p2).id
    clock.now = local(24, 16)
    s = service.feedback(h02, s.id, s.version, note="已清运")
    step(5 * 60)
    s = service.verify_pass(INSPECTOR, s.id, s.version)
    step(2 * 60)
    ids["i"] = service.close(CHIEF, s.id, s.version).id
    return ids


@pytest.fixture
def month(demo_db: Database, clock: Clock) -> tuple[Database, dict[str, int], EvaluationReport]:
    ids = build_month(demo_db, clock)
    with demo_db.read() as s:
        report = evaluate(s, START, END, clock.now)
    return demo_db, ids, report


def values(metrics) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {m.key: m.value for m in metrics}


def score(report: EvaluationReport, kind: str, object_id: int):  # type: ignore[no-untyped-def]
    return next(o for o in report.by_kind[kind] if o.object_id == object_id)


def test_bulletin_cross_check() -> None:
    # 天门, December 2016: 应结案 972, 结案 911, 按期结案 737; both rates over 应结案数.
    assert bulletin_rates(972, 911, 737) == (93.72, 75.82)
    assert rates(911, 972) == 93.72
    assert rates(1, 0) is None


def test_bulletin_rates_from_report_counts(month) -> None:  # type: ignore[no-untyped-def]
    _, _, report = month
    d = {m.key: m for m in report.district}
    assert bulletin_rates(d["due"].value, d["closed"].value, d["closed_on_time"].value) == (
        d["close_rate"].value,
        d["on_time_close_rate"].value,
    )


def test_month_period() -> None:
    assert month_period("2026-10") == (
        datetime(2026, 10, 1, tzinfo=LOCAL_TZ),
        datetime(2026, 11, 1, tzinfo=LOCAL_TZ),
    )
    assert month_period("2026-12")[1] == datetime(2027, 1, 1, tzinfo=LOCAL_TZ)
    assert month_period(datetime(2026, 10, 31, 20, tzinfo=LOCAL_TZ))[0].month == 10
    for bad in ("2026-13", "2026/10", "October", ""):
        with pytest.raises(ValidationError):
            month_period(bad)


def test_grades_and_bands() -> None:
    assert [grade(x) for x in (100, 90, 89.99, 75, 60, 59.5, 40, 39.9, 0)] == [
        "A", "A", "B", "B", "C", "D", "D", "E", "E"
    ]  # fmt: skip
    assert grade(None) is None
    cfg = EvaluationConfig.load()
    assert [cfg.band_score("intake_count", n) for n in (2001, 2000, 501, 300, 100)] == [
        100, 90, 75, 40, 0
    ]  # fmt: skip
    assert [cfg.band_score("department_cases", n) for n in (50, 51, 1000, 1001)] == [
        100, 90, 40, 0
    ]  # fmt: skip
    assert [cfg.band_score("region_class1", n) for n in (0, 2.9, 3, 8, 9)] == [100, 90, 75, 40, 0]
    assert [cfg.band_score("region_class2", n) for n in (0, 3, 4, 9, 10)] == [100, 90, 75, 40, 0]
    # 区域 weights add up to 70 in the source; the composite is normalised by Σ weights.
    assert sum(t.weight for t in cfg.weights["region"]) == 70
    metrics = metric_values("street", {"registered": 0, "due": 10, "closed": 10,
                                       "closed_on_time": 10})  # fmt: skip
    assert composite_score("street", metrics, cfg, grids=5) == 100.0


def test_district_metrics(month) -> None:  # type: ignore[no-untyped-def]
    _, _, report = month
    assert values(report.district) == {
        "reported": 10,
        "registered": 7,
        "public_registered": 1,
        "due": 7,
        "closed": 6,
        "closed_on_time": 5,
        "closed_late": 1,
        "overdue_unhandled": 1,
        "self_handled": 1,
        "close_rate": 85.71,
        "on_time_close_rate": 71.43,
        "public_report_rate": 14.29,
        # 受理 (report → 立案, working minutes) a 5, b 90, c 0 (lunch), d 0, e 5, h 5, i 5:
        # 110 / 7 min; 处置 (dispatch → feedback) a 30, b 20 (11:40→12:10 over lunch), c 0,
        # d 20, i 360 (18:00 → next day 16:00): 430 / 5 min.
        "avg_receive_hours": round(110 / 7 / 60, 2),
        "avg_handle_hours": round(430 / 5 / 60, 2),
        # no rating in the month: 群众满意率 unknown (never 0 %)
        "rated": 0,
        "satisfied": 0,
        "satisfaction_rate": None,
        # the tiers of the 6 closed: g self-handled in the grid, the rest by PRO02 (the
        # district); nothing by a street committee, nothing handed up
        "handed_up": 0,
        "settled_in_grid": 1,
        "settled_in_street": 0,
        "kept_in_street": 1,
        "settled_in_district": 5,
        "grid_settle_rate": 16.67,
        "street_settle_rate": 16.67,
        "avg_street_handle_hours": None,
    }
    close_rate = report.district_metric("close_rate")
    assert (close_rate.numerator, close_rate.denominator) == (6, 7)


def test_street_metrics_composite_and_rank(month) -> None:  # type: ignore[no-untyped-def]
    _, ids, report = month
    s1 = score(report, "street", ids["street1"])
    assert values(s1.metrics) == {
        "reported": 9,
        "registered": 7,
        "public_registered": 1,
        "due": 7,
        "closed": 6,
        "closed_on_time": 5,
        "closed_late": 1,
        "overdue_unhandled": 1,
        "self_handled": 1,
        "close_rate": 85.71,
        "on_time_close_rate": 71.43,
        "public_report_rate": 14.29,
        "avg_receive_hours": 0.26,
        "avg_handle_hours": 1.43,
        # no rating in the month: 群众满意率 unknown (never 0 %)
        "rated": 0,
        "satisfied": 0,
        "satisfaction_rate": None,
        # the tiers of the 6 closed: g self-handled in the grid, the rest by PRO02 (the
        # district); nothing by a street committee, nothing handed up
        "handed_up": 0,
        "settled_in_grid": 1,
        "settled_in_street": 0,
        "kept_in_street": 1,
        "settled_in_district": 5,
        "grid_settle_rate": 16.67,
        "street_settle_rate": 16.67,
        "avg_street_handle_hours": None,
    }
    # 7 registrations over the street's grids (≥ 3) is < 3 per grid → 90; weights sum to 70.
    expected = (10 * (100 - 14.29) + 20 * 90 + 30 * 85.71 + 10 * 71.43) / 70
    assert s1.composite == pytest.approx(round(expected, 2))
    assert s1.grade == "B"
    assert s1.status == "graded" and s1.rank == 1
    # Street 2 has one report and nothing registered: only the 立案数 band (20 of 70) would
    # carry a composite, less than half the weights: not graded, not ranked.
    s2 = score(report, "street", ids["street2"])
    assert values(s2.metrics)["reported"] == 1
    assert (s2.composite, s2.grade, s2.rank, s2.status) == (None, None, None, "insufficient")
    assert s2.status_zh == "依据不足"
    # The other 7 streets had no case: 无案件, no grade, no rank, listed last.
    assert len(report.by_kind["street"]) == 9
    empty = [o for o in report.by_kind["street"] if o.object_id not in (s1.object_id, s2.object_id)]
    assert {(o.status, o.status_zh, o.composite, o.grade, o.rank) for o in empty} == {
        ("no_cases", "无案件", None, None, None)
    }
    assert [o.object_id for o in report.by_kind["street"][:2]] == [s1.object_id, s2.object_id]
    # Grids: the one grid with cases is the only one ranked or graded.
    graded = [o for o in report.by_kind["grid"] if o.grade is not None]
    assert [o.rank for o in graded] == [1]
    assert (
        sum(o.status == "no_cases" for o in report.by_kind["grid"])
        == len(report.by_kind["grid"]) - 2
    )
    assert report.by_street[[r[0] for r in report.by_street].index(ids["street1"])][2:] == (9, 6, 5)
    # The levels below roll up to the same totals.
    for kind in ("area", "unit", "grid"):
        total = sum(values(o.metrics)["closed"] for o in report.by_kind[kind])  # type: ignore[misc]
        assert total == 6, kind


def test_department_metrics(month) -> None:  # type: ignore[no-untyped-def]
    _, ids, report = month
    pro02 = score(report, "department", ids["PRO02"])
    assert values(pro02.metrics) == {
        "assigned": 6,
        "handled": 5,
        "handled_on_time": 4,
        "handled_late": 1,
        "reworked": 1,
        "due": 6,
        "closed": 5,
        "closed_late": 1,
        "overdue_unhandled": 1,
        "handle_rate": 83.33,
        "on_time_handle_rate": 66.67,
        "close_rate": 83.33,
        "rework_rate": 16.67,
        "avg_handle_hours": 1.43,  # a, b, c, d, i as for the district: 430 / 5 min
        # no rating in the month: 群众满意率 unknown (never 0 %)
        "rated": 0,
        "satisfied": 0,
        "satisfaction_rate": None,
    }
    assert pro02.composite == pytest.approx(
        round((10 * 100 + 30 * 83.33 + 30 * 66.67 + 30 * (100 - 16.67)) / 100, 2)
    )
    assert pro02.grade == "B"
    pro04 = score(report, "department", ids["PRO04"])
    v = values(pro04.metrics)
    assert (v["assigned"], v["handled"], v["due"], v["closed"]) == (1, 0, 0, 0)
    assert v["close_rate"] is None and v["rework_rate"] is None and v["avg_handle_hours"] is None
    # only 立案数 (10) and 按时处置率 (30) have a value: 40 of 100 weights, not graded
    assert (pro04.composite, pro04.grade, pro04.status) == (None, None, "insufficient")


def test_position_metrics(month) -> None:  # type: ignore[no-untyped-def]
    _, _, report = month
    inspector = score(report, "inspector", INSPECTOR.id)
    assert values(inspector.metrics) == {
        "reported": 2,
        "valid_reported": 2,
        "checked": 5,
        "checked_on_time": 4,
        "verified": 0,
        "verified_on_time": 0,
        "valid_report_rate": 100.0,
        "missed_report_rate": None,
        "on_time_verify_rate": None,  # no report check this month: no denominator
        "on_time_check_rate": 80.0,
    }
    assert inspector.metric("missed_report_rate").note  # not derivable: said so, not faked
    assert inspector.composite == pytest.approx(round((40 * 100 + 20 * 80) / 60, 2))
    assert inspector.grade == "A"

    intake = score(report, "intake", INTAKE.id)
    assert values(intake.metrics)["received"] == 7
    # Only 受理数 (25 of 100) is derivable for an intake operator: never graded on it alone.
    assert (intake.composite, intake.grade, intake.status) == (None, None, "insufficient")

    chief = score(report, "duty_chief", CHIEF.id)
    assert values(chief.metrics) == {
        "registered": 7,
        "registered_on_time": 6,
        "voided_after_register": 1,
        "registered_kept": 6,
        "closed": 6,
        "closed_on_time": 5,
        "on_time_register_rate": 85.71,
        "accurate_register_rate": 85.71,
        "on_time_close_rate": 83.33,
    }
    assert chief.composite == pytest.approx(round((25 * 85.71 + 40 * 85.71 + 35 * 83.33) / 100, 2))
    assert chief.grade == "B"

    dispatcher = score(report, "dispatcher", DISPATCHER.id)
    assert values(dispatcher.metrics) == {
        "dispatched": 6,
        "dispatched_on_time": 5,
        "dispatched_accurate": 5,
        "on_time_dispatch_rate": 83.33,
        "accurate_dispatch_rate": 83.33,
    }
    assert dispatcher.composite == pytest.approx(round((20 * 0 + 40 * 83.33 + 40 * 83.33) / 100, 2))
    assert dispatcher.grade == "C"


def test_daily_and_categories(month) -> None:  # type: ignore[no-untyped-def]
    _, _, report = month
    assert len(report.daily) == 30
    by_day = {d.day: (r, c) for d, r, c in report.daily}
    assert by_day[23] == (10, 5) and by_day[24] == (0, 1)
    assert sum(r for _, r, _ in report.daily) == 10
    code = report_input((0.0, 0.0)).category_code  # 暴露垃圾, whichever taxonomy is in force
    assert report.by_category == [(code, report.by_category[0][1], 10)]
    assert report.by_category[0][1]


def test_drill_down_matches_the_numbers(month) -> None:  # type: ignore[no-untyped-def]
    db, ids, report = month
    with db.read() as s:

        def cases(kind: str, object_id: int, metric: str) -> set[int]:
            return set(case_ids_for(s, START, END, kind=kind, object_id=object_id, metric=metric))

        assert cases("district", 0, "closed") == {ids[k] for k in "abcdgi"}
        assert cases("district", 0, "due") == {ids[k] for k in "abcdghi"}
        assert cases("street", ids["street1"], "on_time_close_rate") == {ids[k] for k in "abcdg"}
        assert cases("department", ids["PRO02"], "reworked") == {ids["c"]}
        assert cases("department", ids["PRO02"], "handled_late") == {ids["i"]}
        # the new figures and the cases an average is taken over
        assert cases("district", 0, "closed_late") == {ids["i"]}
        assert cases("district", 0, "overdue_unhandled") == {ids["h"]}
        assert cases("street", ids["street1"], "self_handled") == {ids["g"]}
        assert cases("district", 0, "avg_receive_hours") == {ids[k] for k in "abcdehi"}
        assert cases("district", 0, "avg_handle_hours") == {ids[k] for k in "abcdi"}
        assert cases("department", ids["PRO02"], "avg_handle_hours") == {ids[k] for k in "abcdi"}
        assert cases("duty_chief", CHIEF.id, "voided_after_register") == {ids["e"]}
        assert cases("dispatcher", DISPATCHER.id, "dispatched_accurate") == {
            ids[k] for k in "abchi"
        }
        assert cases("inspector", INSPECTOR.id, "missed_report_rate") == set()
        # Every count of every object equals its drill-down, for a sample of kinds.
        for kind in ("street", "department", "duty_chief", "dispatcher"):
            for o in report.by_kind[kind]:
                for m in o.metrics:
                    if m.numerator is None and isinstance(m.value, int) and m.value:
                        assert len(cases(kind, o.object_id, m.key)) == m.value, (kind, m.key)
        with pytest.raises(ValidationError):
            case_ids_for(s, START, END, kind="street", object_id=1, metric="nonsense")


def test_other_periods_see_nothing(month) -> None:  # type: ignore[no-untyped-def]
    db, _, _ = month
    start, end = month_period("2026-10")
    with db.read() as s:
        report = evaluate(s, start, end, end)
    assert all(m.value in (0, None) for m in report.district)


def test_positions_run_on_extra_connections_only_over_the_same_snapshot(month) -> None:  # type: ignore[no-untyped-def]
    """The positions pass is split over two more SQLite connections when they see exactly the
    evaluating session's data; after another seat's commit they do not, and it runs alone."""
    db, ids, report = month
    with db.read() as s:
        seen = last_event_id(s)
        with position_sessions(s, seen) as extra:
            assert len(extra) == 2 and all(last_event_id(e) == seen for e in extra)
        # another seat commits a note: sessions opened now would see more than ``s`` does
        case = CaseService(db).get(ids["h"])
        CaseService(db).add_note(CHIEF, case.id, case.version, note="复盘")
        with position_sessions(s, seen) as extra:
            assert extra == []
        # either way the figures are the same as the first run's
        again = evaluate(s, START, END, report.built_at)
    for kind, objects in report.by_kind.items():
        assert [(o.object_id, values(o.metrics)) for o in again.by_kind[kind]] == [
            (o.object_id, values(o.metrics)) for o in objects
        ], kind


def test_a_merged_duplicate_counts_as_voided(demo_db: Database, clock: Clock) -> None:
    """合并 is a 作废 as 重复上报: the report was still a valid report of the inspector's (it
    ended in a decision), and a registration later merged away was not an accurate one."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    first = service.register(CHIEF, service.report(INSPECTOR, report_input(point)).id, 1)
    clock.advance(minutes=10)
    second = service.report(INSPECTOR, report_input(point, description="同一处，又报一次"))
    second = service.register(CHIEF, second.id, second.version)
    clock.advance(minutes=10)
    merged = service.merge(CHIEF, second.id, second.version, first.id, first.version)
    assert merged.state == "merged"
    with demo_db.read() as s:
        report = evaluate(s, START, END, clock.now)
    inspector = values(score(report, "inspector", INSPECTOR.id).metrics)
    assert inspector["reported"] == 2 and inspector["valid_reported"] == 2
    chief = values(score(report, "duty_chief", CHIEF.id).metrics)
    assert chief["registered"] == 2
    assert chief["voided_after_register"] == 1 and chief["registered_kept"] == 1


def test_report_checks_count_for_the_inspector_who_answers_them(
    demo_db: Database, clock: Clock
) -> None:
    """按时核实率 (信息核实, issue 15): confirm_report / reject_report by the inspector, on time
    within `verify` hours (time_limits.csv) of the latest request_report_check before it; a
    case checked twice (complex: counted event by event) counts once."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)

    def asked(description: str):  # type: ignore[no-untyped-def]
        s = service.report(INTAKE, report_input(point, source="hotline", description=description))
        return service.act(INTAKE, s.id, "request_report_check", s.version, inspector_id=4)

    on_time, late, twice = asked("路口垃圾"), asked("桥下垃圾"), asked("巷口垃圾")
    clock.advance(hours=1)
    twice = service.act(INSPECTOR, twice.id, "confirm_report", twice.version)
    twice = service.act(CHIEF, twice.id, "request_report_check", twice.version, inspector_id=4)
    clock.advance(hours=2)
    service.act(INSPECTOR, on_time.id, "confirm_report", on_time.version, note="属实")
    service.act(INSPECTOR, twice.id, "confirm_report", twice.version)
    clock.advance(hours=2)  # 5 h after it was asked: over the 4 h limit
    service.act(INSPECTOR, late.id, "reject_report", late.version, note="现场无此问题")
    assert EvaluationConfig.load().limit_hours["verify"] == 4
    with demo_db.read() as s:
        report = evaluate(s, START, END, clock.now)
    inspector = score(report, "inspector", INSPECTOR.id)
    v = values(inspector.metrics)
    assert (v["verified"], v["verified_on_time"], v["on_time_verify_rate"]) == (3, 2, 66.67)
    assert not inspector.metric("on_time_verify_rate").note
