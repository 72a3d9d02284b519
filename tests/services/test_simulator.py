"""The simulator's new reports use the taxonomy in force on the simulated day."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Case
from console.services.cases.service import CaseService
from console.services.simulator import Simulator
from tests.conftest import Clock


@pytest.mark.parametrize(
    ("day", "taxonomy", "digits"),
    [
        (datetime(2026, 6, 30, 10, 0, tzinfo=LOCAL_TZ), "cjt214", 4),
        (datetime(2026, 7, 1, 10, 0, tzinfo=LOCAL_TZ), "gbt47678-5-2026", 5),
    ],
)
def test_new_reports_follow_the_schedule(
    demo_db: Database, day: datetime, taxonomy: str, digits: int
) -> None:
    simulator = Simulator(CaseService(demo_db, clock=Clock(day)), seed=3)
    for _ in range(5):
        assert simulator.add_report().startswith("上报 ")
    with demo_db.read() as s:
        rows = s.execute(select(Case.taxonomy, Case.category_code, Case.original_taxonomy)).all()
    assert len(rows) == 5
    assert {r.taxonomy for r in rows} == {taxonomy}
    assert {len(r.category_code) for r in rows} == {digits}
    assert {r.original_taxonomy for r in rows} == {None}


def test_the_moves_follow_the_transition_table() -> None:
    """Who takes each simulated step comes from transitions.csv (its usual role; None: the
    case's department), and every step applies to the state it is listed under."""
    from console.domain.lifecycle import default_lifecycle
    from console.services.simulator import next_steps

    lifecycle = default_lifecycle()
    steps = next_steps(lifecycle)
    assert steps["dispatched"].count(("feedback", None, "已处置完毕")) == 9
    assert set(steps["reported"]) == {
        ("register", "duty_chief", None),
        ("void", "duty_chief", "重复上报"),
    }
    for state, moves in steps.items():
        for action, role, _note in moves:
            transition = lifecycle.get(action)
            assert transition.applies_to(state), (state, action)
            assert (role or "department") == transition.roles[0]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ("handled,dispatch,1,", "第2行: 「派遣」不适用于状态 handled"),
        ("dispatched,feedback,3,", "第2行: 「处置反馈」须填写说明"),
        ("dispatched,teleport,1,", "未知操作: teleport"),
        ("dispatched,feedback,often,已处置", "第2行格式错误"),
    ],
)
def test_a_bad_simulation_row_is_named(tmp_path, row: str, error: str) -> None:
    from console.domain.lifecycle import default_lifecycle
    from console.errors import ConsoleError
    from console.services.simulator import next_steps

    path = tmp_path / "simulation.csv"
    path.write_text(f"state,action,weight,note\n{row}\n", encoding="utf-8")
    with pytest.raises(ConsoleError, match=error):
        next_steps(default_lifecycle(), path)
