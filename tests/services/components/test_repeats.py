"""Repeat offenders: objects with at least 3 counted cases reported in the last 12 months."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from console.db import Database
from console.models import Case
from console.services.case_scope import CaseScope
from console.services.cases.service import CaseService
from console.services.components.repeats import repeat_offenders
from tests.conftest import Clock
from tests.services.components.test_linking import _component
from tests.services.console_support import INSPECTOR, report_input, street_points


def _report(service: CaseService, point: tuple[float, float], component: int) -> int:
    case = service.report(
        INSPECTOR,
        report_input(point, kind="component", category_code="01001", component_id=component),
    )
    return case.id


def test_three_counted_cases_in_the_window_make_a_repeat_offender(
    demo_db: Database, clock: Clock
) -> None:
    (street_a, _, point_a), (street_b, _, point_b) = street_points(demo_db)[:2]
    a = _component(demo_db, *point_a)
    b = _component(demo_db, *point_b, category="01003")
    service = CaseService(demo_db, clock=clock)
    a_cases = [_report(service, point_a, a) for _ in range(4)]
    for _ in range(3):
        service.report(
            INSPECTOR,
            report_input(point_b, kind="component", category_code="01003", component_id=b),
        )
    with demo_db.session() as s:
        # a: one case voided, one older than 12 months → 2 counted: not a repeat offender yet
        s.execute(update(Case).where(Case.id == a_cases[0]).values(state="voided"))
        s.execute(
            update(Case)
            .where(Case.id == a_cases[1])
            .values(reported_at=clock.now - timedelta(days=370))
        )
    with demo_db.read() as s:
        found = repeat_offenders(s, clock.now)
    assert [(r.component_id, r.cases) for r in found] == [(b, 3)]
    assert found[0].last_reported_at == clock.now
    assert found[0].owner_department

    _report(service, point_a, a)  # a third counted case
    with demo_db.read() as s:
        found = repeat_offenders(s, clock.now)
        assert {(r.component_id, r.cases) for r in found} == {(a, 3), (b, 3)}
        # a street seat sees its street's only
        only_a = repeat_offenders(s, clock.now, scope=CaseScope("street", street_a))
        assert [r.component_id for r in only_a] == [a]
        assert [
            r.component_id
            for r in repeat_offenders(s, clock.now, scope=CaseScope("street", street_b))
        ] == [b]
