"""The evaluation of one function (职能, #16 §3), hand-counted on a crafted month.

Five cases in November 2026 on the controlled clock (Monday 23rd from 09:00), all reported by
the intake operator in the first street's first grid:

====  ==========================  =============================================================
u1    06010 暴露垃圾 (城市管理)    registered, dispatched (routing: PRO02), handled, verified,
                                  closed
u2    06010 暴露垃圾 (城市管理)    registered only
s1    14001 矛盾纠纷 (安全稳定)    registered, dispatched (routing: FUN27 综治中心), handled,
                                  verified, closed
s2    14001 矛盾纠纷 (安全稳定)    registered, dispatched (FUN27), left with the department
s3    14002 安全隐患 (安全稳定)    reported only
====  ==========================  =============================================================

安全稳定: reported 3, registered 2, due 2 (s2's 2 working days end on the 25th), closed 1;
FUN27 assigned 2, handled 1; the intake operator received 3, the duty chief registered 2 and
closed 1, the dispatcher dispatched 2, the inspector checked 1 (核查: the verify_pass); PRO02
has no case. 城市管理: reported 2, registered 2, closed 1; PRO02 assigned 1, handled 1; FUN27
has no case.
"""

from __future__ import annotations

import pytest

from console.db import Database
from console.errors import ValidationError
from console.services.cases.service import CaseService
from console.services.evaluation.config import METRICS, metric_family
from console.services.evaluation.report import EvaluationReport, case_ids_for, evaluate
from console.services.reference.files import read_functions
from console.services.workbench import Workbench
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
from tests.services.evaluation.test_report import END, START, score, values


@pytest.fixture
def month(demo_db: Database, clock: Clock) -> dict[str, int]:
    return build_function_month(demo_db, clock)


def build_function_month(db: Database, clock: Clock) -> dict[str, int]:
    """The five cases of the table above, through the workflow; their ids by name."""
    service = CaseService(db, clock=clock)
    (_, _, point), _ = street_points(db)
    ids = {"PRO02": department_id(db, "PRO02"), "FUN27": department_id(db, "FUN27")}

    def new(code: str):  # type: ignore[no-untyped-def]
        clock.advance(minutes=5)
        s = service.report(INTAKE, report_input(point, category_code=code))
        return s

    def register(s):  # type: ignore[no-untyped-def]
        clock.advance(minutes=5)
        return service.register(CHIEF, s.id, s.version)

    def dispatch(s):  # type: ignore[no-untyped-def]
        clock.advance(minutes=5)
        return service.dispatch(DISPATCHER, s.id, s.version)  # by routing.csv

    def finish(s):  # type: ignore[no-untyped-def]
        clock.advance(minutes=30)
        s = service.feedback(handler(db, s.department_id), s.id, s.version, note="已处置")
        clock.advance(minutes=10)
        s = service.verify_pass(INSPECTOR, s.id, s.version)
        clock.advance(minutes=5)
        return service.close(CHIEF, s.id, s.version)

    u1 = dispatch(register(new("06010")))
    assert u1.department_id == ids["PRO02"]
    ids["u1"] = finish(u1).id
    ids["u2"] = register(new("06010")).id
    s1 = dispatch(register(new("14001")))
    assert s1.department_id == ids["FUN27"]
    ids["s1"] = finish(s1).id
    ids["s2"] = dispatch(register(new("14001"))).id
    ids["s3"] = new("14002").id
    return ids


def _report(db: Database, clock: Clock, function: str | None) -> EvaluationReport:
    with db.read() as s:
        return evaluate(s, START, END, clock.now, function=function)


def test_one_function_s_figures_are_its_cases_only(
    demo_db: Database, clock: Clock, month: dict[str, int]
) -> None:
    ids = month
    report = _report(demo_db, clock, "安全稳定")
    assert (report.function, report.function_en) == ("安全稳定", "Safety and stability")
    assert report.patrols is None  # patrols belong to no function
    district = values(report.district)
    assert (district["reported"], district["registered"], district["closed"]) == (3, 2, 1)
    # 应结案 2: s1, and s2 (矛盾纠纷: 2 working days, due 25 November, still open)
    assert (district["due"], district["close_rate"]) == (2, 50.0)
    fun27 = values(score(report, "department", ids["FUN27"]).metrics)
    assert (fun27["assigned"], fun27["handled"]) == (2, 1)
    graded = {o.object_id for o in report.by_kind["department"] if o.status != "no_cases"}
    assert graded == {ids["FUN27"]}  # the departments that handled its cases
    assert score(report, "department", ids["PRO02"]).status == "no_cases"
    assert values(score(report, "intake", INTAKE.id).metrics)["received"] == 3
    chief = values(score(report, "duty_chief", CHIEF.id).metrics)
    assert (chief["registered"], chief["closed"]) == (2, 1)
    assert values(score(report, "dispatcher", DISPATCHER.id).metrics)["dispatched"] == 2
    assert values(score(report, "inspector", INSPECTOR.id).metrics)["checked"] == 1
    assert report.by_category == [("14001", "矛盾纠纷", 2), ("14002", "安全隐患", 1)]
    assert sum(r for _d, r, _c in report.daily) == 3
    assert sum(c for _d, _r, c in report.daily) == 1
    assert sum(row[2] for row in report.by_street) == 3

    report = _report(demo_db, clock, "城市管理")
    district = values(report.district)
    assert (district["reported"], district["registered"], district["closed"]) == (2, 2, 1)
    pro02 = values(score(report, "department", ids["PRO02"]).metrics)
    assert (pro02["assigned"], pro02["handled"]) == (1, 1)
    assert score(report, "department", ids["FUN27"]).status == "no_cases"
    assert values(score(report, "intake", INTAKE.id).metrics)["received"] == 2

    whole = _report(demo_db, clock, None)
    assert whole.function is None and whole.patrols is not None
    assert values(whole.district)["reported"] == 5


def test_the_functions_add_up_to_the_whole(
    demo_db: Database, clock: Clock, month: dict[str, int]
) -> None:
    """Each case has one function: every count of the five reports sums to the whole's."""
    whole = _report(demo_db, clock, None)
    parts = [_report(demo_db, clock, f) for f in read_functions()]
    for key in METRICS[metric_family("district")][0]:
        total = sum(values(p.district)[key] or 0 for p in parts)  # type: ignore[misc]
        assert total == values(whole.district)[key], key
    # and every object's counts: departments, people, regions
    for kind, scores in whole.by_kind.items():
        for o in scores:
            for key in METRICS[metric_family(kind)][0]:
                total = sum(values(score(p, kind, o.object_id).metrics)[key] or 0 for p in parts)  # type: ignore[misc]
                assert total == values(o.metrics)[key], (kind, o.name, key)


def test_the_drill_down_keeps_to_the_function(
    demo_db: Database, clock: Clock, month: dict[str, int]
) -> None:
    ids = month

    def drill(kind: str, object_id: int, metric: str, function: str | None) -> list[int]:
        with demo_db.read() as s:
            return case_ids_for(
                s,
                START,
                END,
                kind=kind,
                object_id=object_id,
                metric=metric,
                function=function,
            )

    assert drill("district", 0, "reported", "安全稳定") == [ids["s1"], ids["s2"], ids["s3"]]
    assert drill("department", ids["FUN27"], "assigned", "安全稳定") == [ids["s1"], ids["s2"]]
    assert drill("department", ids["FUN27"], "assigned", "城市管理") == []
    assert drill("dispatcher", DISPATCHER.id, "dispatched", "城市管理") == [ids["u1"]]
    assert drill("district", 0, "reported", None) == sorted(
        ids[k] for k in ("u1", "u2", "s1", "s2", "s3")
    )


def test_a_street_leader_s_evaluation_of_one_function(
    demo_db: Database, clock: Clock, month: dict[str, int]
) -> None:
    """The street's cases (all five are in the leader's street) of the function only."""
    leader = Workbench(demo_db, username="street_leader", clock=clock)
    report = leader.evaluation("2026-11", "安全稳定")
    assert report.scope_region_id is not None and report.function == "安全稳定"
    assert report.patrols is None and "department" not in report.by_kind
    assert values(report.district)["reported"] == 3
    assert values(leader.evaluation("2026-11", "经济发展").district)["reported"] == 0
    assert values(leader.evaluation("2026-11").district)["reported"] == 5


def test_an_unknown_function_is_refused_by_the_evaluation(demo_db: Database, clock: Clock) -> None:
    with pytest.raises(ValidationError, match="未知的职能: 城市建设"):
        _report(demo_db, clock, "城市建设")
