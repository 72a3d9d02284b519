"""The evaluation's register figures per department (issue 17), hand-counted.

Department A owns objects a1 and a2, department B owns b1 (all 01001 供水井盖 beside the first
street's point). Cases, reported by the inspector on the controlled clock:

====  =========================================  ==========================================
a1    three cases in November                    A: 3 cases; a1 is a repeat offender
a2    one case in November, one more voided      A: +1 (the voided one is no fault)
b1    one case on 2 November, one in November    B: 2 cases; with the December one below,
      (23rd), and one on 1 December              b1 has 3 in 12 months at December's end
—     one 01001 case naming no object            nobody's
====  =========================================  ==========================================

November: A 4 cases, 1 repeat offender (a1); B 2 cases, no repeat offender yet (b1 has two
by the end of November). December: A 0 cases, 1 repeat offender (a1's three are within 12
months of January 1st); B 1 case, 1 repeat offender (b1). Every other department: 0 and 0.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Component
from console.services.cases.service import CaseService
from console.services.evaluation.components import COMPONENT_CASES, REPEAT_OFFENDERS
from console.services.evaluation.report import EvaluationReport, case_ids_for, evaluate
from tests.conftest import Clock
from tests.models.test_components import _row
from tests.services.console_support import (
    CHIEF,
    INSPECTOR,
    department_id,
    report_input,
    street_points,
)
from tests.services.evaluation.test_report import END, START, score

DEG_PER_M = 1 / 111_195
DECEMBER = (datetime(2026, 12, 1, tzinfo=LOCAL_TZ), datetime(2027, 1, 1, tzinfo=LOCAL_TZ))


def _component(db: Database, point: tuple[float, float], serial: int, owner: int) -> int:
    row = _row(db, f"61010401001{serial:06d}") | {
        "lon": point[0],
        "lat": point[1] + serial * DEG_PER_M,
        "owner_department_id": owner,
    }
    with db.session() as s:
        return int(s.execute(insert(Component).returning(Component.id), [row]).scalar_one())


@pytest.fixture
def crafted(demo_db: Database, clock: Clock) -> dict[str, object]:
    point = street_points(demo_db)[0][2]
    a, b = department_id(demo_db, "PRO01"), department_id(demo_db, "PRO04")
    objects = {
        "a1": _component(demo_db, point, 1, a),
        "a2": _component(demo_db, point, 2, a),
        "b1": _component(demo_db, point, 3, b),
    }
    service = CaseService(demo_db, clock=clock)
    cases: dict[str, list[int]] = {k: [] for k in objects}

    def new(name: str | None) -> int:
        clock.advance(minutes=5)
        over = {"component_id": objects[name]} if name else {}
        report = report_input(point, kind="component", category_code="01001", **over)
        case = service.report(INSPECTOR, report)
        if name:
            cases[name].append(case.id)
        return case.id

    clock.now = datetime(2026, 11, 2, 9, 0, tzinfo=LOCAL_TZ)
    new("b1")
    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ)
    for name in ("a1", "a1", "a1", "a2", "b1", None):
        new(name)
    voided = service.report(
        INSPECTOR,
        report_input(point, kind="component", category_code="01001", component_id=objects["a2"]),
    )
    service.void(CHIEF, voided.id, voided.version, note="重复上报")
    clock.now = datetime(2026, 12, 1, 10, 0, tzinfo=LOCAL_TZ)
    december = new("b1")
    return {"a": a, "b": b, "cases": cases, "december": december}


def _figures(report: EvaluationReport) -> dict[int, tuple[object, object]]:
    out = {}
    for o in report.by_kind["department"]:
        extras = {m.key: m.value for m in o.extras}
        out[o.object_id] = (extras[COMPONENT_CASES], extras[REPEAT_OFFENDERS])
    return out


def test_november_and_december_by_hand(
    demo_db: Database, clock: Clock, crafted: dict[str, object]
) -> None:
    a, b = crafted["a"], crafted["b"]
    with demo_db.read() as s:
        november = _figures(evaluate(s, START, END, clock()))
        december = _figures(evaluate(s, *DECEMBER, clock()))
    assert november.pop(a) == (4, 1) and november.pop(b) == (2, 0)  # type: ignore[call-overload]
    assert december.pop(a) == (0, 1) and december.pop(b) == (1, 1)  # type: ignore[call-overload]
    assert set(november.values()) == {(0, 0)} and set(december.values()) == {(0, 0)}


def test_the_figures_are_in_no_composite(
    demo_db: Database, clock: Clock, crafted: dict[str, object]
) -> None:
    a = crafted["a"]
    with demo_db.read() as s:
        report = evaluate(s, START, END, clock())
    pro01 = score(report, "department", a)
    assert [m.key for m in pro01.extras] == [COMPONENT_CASES, REPEAT_OFFENDERS]
    assert [m.label_zh for m in pro01.extras] == ["本部门部件案件", "重复故障部件"]
    assert COMPONENT_CASES not in {m.key for m in pro01.metrics}
    # The cases never reached a department: nothing to grade it on, whatever the figures say.
    assert pro01.status == "no_cases" and pro01.composite is None


def test_the_drill_down_gives_the_counted_cases(
    demo_db: Database, clock: Clock, crafted: dict[str, object]
) -> None:
    a, b, cases = crafted["a"], crafted["b"], crafted["cases"]
    assert isinstance(cases, dict) and isinstance(a, int) and isinstance(b, int)
    with demo_db.read() as s:

        def ids(department: int, metric: str, period: tuple[datetime, datetime]) -> list[int]:
            return case_ids_for(s, *period, kind="department", object_id=department, metric=metric)

        assert ids(a, COMPONENT_CASES, (START, END)) == sorted(cases["a1"] + cases["a2"])
        assert ids(a, REPEAT_OFFENDERS, (START, END)) == sorted(cases["a1"])
        assert ids(b, REPEAT_OFFENDERS, (START, END)) == []
        assert ids(b, REPEAT_OFFENDERS, DECEMBER) == sorted(cases["b1"])
        assert ids(b, COMPONENT_CASES, DECEMBER) == [crafted["december"]]
