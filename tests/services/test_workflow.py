"""The action spec (transitions.csv) drives the workflow: a new step is one row plus its handler.

On a real SQLite file, through CaseService and the detail the seats read (issue 14 §2).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from console.config import resource
from console.db import Database
from console.domain.lifecycle import Lifecycle
from console.errors import IllegalTransitionError, ValidationError
from console.models import CaseEvent
from console.services.cases.detail import load_detail
from console.services.cases.service import CaseService
from console.services.work_calendar import load_calendar
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, INSPECTOR, report_input

HEADER_AND_ROWS = resource("lifecycle", "transitions.csv").read_text(encoding="utf-8")


def table_with(tmp_path: Path, *rows: str) -> Lifecycle:
    path = tmp_path / "transitions.csv"
    path.write_text(HEADER_AND_ROWS + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return Lifecycle.from_file(path)


@pytest.fixture
def point(demo_db: Database) -> tuple[float, float]:
    import shapely

    from console.models import Region

    with demo_db.read() as s:
        geometry = s.scalar(select(Region.geometry).where(Region.level == "grid").limit(1))
    p = shapely.from_geojson(geometry).representative_point()
    return p.x, p.y


def test_a_new_step_is_one_row_and_its_handler(
    demo_db: Database, clock: Clock, tmp_path: Path, point: tuple[float, float]
) -> None:
    """催办: a dispatcher's reminder to the department, an existing handler (noop: the event
    is the record). One row in the table, and the service, the detail's buttons and the
    timeline know it."""
    lifecycle = table_with(tmp_path, "urge,dispatched,=,dispatcher,催办,Urge,1,note,noop,-")
    service = CaseService(demo_db, clock=clock, lifecycle=lifecycle)
    snap = service.report(INSPECTOR, report_input(point))
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)

    with demo_db.read() as s:
        detail = load_detail(
            s, snap.id, clock(), load_calendar(s), role="dispatcher", lifecycle=lifecycle
        )
    urge = [o for o in detail.actions if o.action == "urge"]
    assert len(urge) == 1 and urge[0].input == "note" and urge[0].note_required

    with pytest.raises(ValidationError, match="「催办」须填写说明"):
        service.act(DISPATCHER, snap.id, "urge", snap.version)
    urged = service.act(DISPATCHER, snap.id, "urge", snap.version, note="请今日内处置")
    assert (urged.state, urged.version) == ("dispatched", snap.version + 1)
    with demo_db.read() as s:
        last = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == snap.id).order_by(CaseEvent.id.desc())
        ).first()
        assert last is not None
        assert (last.action, last.from_state, last.to_state, last.note) == (
            "urge", "dispatched", "dispatched", "请今日内处置",
        )  # fmt: skip


def test_a_row_naming_no_handler_is_refused_at_start(demo_db: Database, tmp_path: Path) -> None:
    lifecycle = table_with(
        tmp_path, "teleport,dispatched,closed,dispatcher,传送,Teleport,0,none,beam,-"
    )
    with pytest.raises(ValidationError, match="操作 teleport 的处理程序 beam 不存在"):
        CaseService(demo_db, lifecycle=lifecycle)


def test_a_row_without_a_handler_is_not_applied_to_a_case(
    demo_db: Database, clock: Clock, tmp_path: Path, point: tuple[float, float]
) -> None:
    """handler "-" (the report's own path) on a row that names existing states: refused with
    the step's name, and nothing written."""
    lifecycle = table_with(tmp_path, "relay,reported,=,duty_chief,转报,Relay,0,none,-,-")
    assert lifecycle.get("report").handler == "-"
    service = CaseService(demo_db, clock=clock, lifecycle=lifecycle)
    snap = service.report(INSPECTOR, report_input(point))
    with pytest.raises(IllegalTransitionError, match="「转报」不作用于已有案件"):
        service.act(CHIEF, snap.id, "relay", snap.version)
    assert service.get(snap.id).version == snap.version
