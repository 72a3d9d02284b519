"""The demo seed across the changeover to GB/T 47678.5-2026, on a real SQLite database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Case
from console.services.cases import CaseService
from console.services.demo import seed_cases

CHANGEOVER = datetime(2026, 7, 1, tzinfo=LOCAL_TZ)


def test_cases_before_july_2026_use_cjt214_and_after_it_2026_codes(demo_db: Database) -> None:
    now = datetime(2026, 7, 11, 12, 0, tzinfo=LOCAL_TZ)
    workflow = CaseService(demo_db).workflow
    with demo_db.session() as s:
        assert seed_cases(s, workflow, cases=120, days=20, seed=4, now=now) == 120
    with demo_db.read() as s:
        rows = s.execute(
            select(Case.reported_at, Case.taxonomy, Case.category_code, Case.original_taxonomy)
        ).all()
    before = [r for r in rows if r.reported_at < CHANGEOVER]
    after = [r for r in rows if r.reported_at >= CHANGEOVER]
    assert len(before) > 20 and len(after) > 20  # about half of 20 days on each side
    assert {r.taxonomy for r in before} == {"cjt214"}
    assert all(len(r.category_code) == 4 for r in before)
    assert {r.taxonomy for r in after} == {"gbt47678-5-2026"}
    assert all(len(r.category_code) == 5 for r in after)
    assert {r.original_taxonomy for r in rows} == {None}
