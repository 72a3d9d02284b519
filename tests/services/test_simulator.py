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
