"""Possible duplicates on PostgreSQL: flagging at report and at bulk import (ids from the
sequence), the queue tab's SQL, and a merge with both versions checked. Each test runs in a
fresh schema of the server named by $GRID_TEST_PG_URL; skipped without one, except in CI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import StaleVersionError
from console.models import CaseEvent
from console.models.case import PossibleDuplicate
from console.services.actors import Actor
from console.services.bulk_intake import bulk_report
from console.services.cases.service import CaseService
from console.services.demo import random_points_in_grids
from console.services.locator import DbLocator
from console.services.queue import QueueFilter, count_queue, fetch_queue
from console.services.report_input import ReportInput

pytestmark = pytest.mark.postgres

INTAKE = Actor(id=None, name="受理员甲", role="intake")
DISPATCHER = Actor(id=None, name="派遣员丙", role="dispatcher")
M_PER_DEGREE = 111_195.0


@pytest.fixture
def demo_pg(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def report(point: tuple[float, float], metres_north: float = 0, **kw: object) -> ReportInput:
    fields: dict[str, object] = {
        "category_code": "0102",
        "kind": "event_type",
        "lon": point[0],
        "lat": point[1] + metres_north / M_PER_DEGREE,
        "description": "暴露垃圾",
        "address": "莲湖路1号",
    }
    fields.update(kw)
    return ReportInput(**fields)  # type: ignore[arg-type]


def pairs(db: Database) -> set[tuple[int, int, str]]:
    with db.read() as s:
        rows = s.execute(
            select(PossibleDuplicate.case_id, PossibleDuplicate.other_case_id,
                   PossibleDuplicate.status)
        )  # fmt: skip
        return {tuple(r) for r in rows}  # type: ignore[misc]


def test_flag_tab_and_merge_on_postgresql(demo_pg: Database) -> None:
    with demo_pg.read() as s:
        lons, lats = random_points_in_grids(s, 1, seed=4)
    p = (float(lons[0]), float(lats[0]))
    service = CaseService(demo_pg)
    first = service.report(INTAKE, report(p))
    second = service.report(INTAKE, report(p, 20, source="hotline"))
    service.report(INTAKE, report(p, 80))  # beyond 50 m of both? 60 m from second: no pair
    batch = bulk_report(
        demo_pg,
        INTAKE,
        [report(p, 10, external_id="X1", source="hotline"), report(p, 5000, external_id="X2")],
        now=datetime.now(UTC),
        locator=DbLocator(demo_pg),
    )
    x1 = batch.case_ids[0]
    assert batch.possible_duplicates == 2
    assert pairs(demo_pg) == {
        (second.id, first.id, "open"),
        (x1, first.id, "open"),
        (x1, second.id, "open"),
    }
    f = QueueFilter(tab="duplicates")
    now = datetime.now(UTC)
    with demo_pg.read() as s:
        shown = fetch_queue(s, f, now, WorkCalendar(), offset=0, limit=50)
        assert count_queue(s, f, now) == 2
    assert {r.id for r in shown} == {second.id, x1}

    with pytest.raises(StaleVersionError):
        service.merge(DISPATCHER, second.id, second.version, first.id, first.version + 1)
    assert service.get(second.id).state == "reported"
    service.merge(DISPATCHER, second.id, second.version, first.id, first.version)
    assert service.get(second.id).state == "merged"
    with demo_pg.read() as s:
        last = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == first.id).order_by(CaseEvent.id.desc())
        ).first()
        assert last is not None and last.action == "merged_in"
        assert json.loads(last.data or "{}")["merged_report"]["source"] == "hotline"
    assert (second.id, first.id, "merged") in pairs(demo_pg)
