"""自处置 from the console follows the grid staff's duties (resources/org/grid_staff_duties.csv),
as the field app's does: 小事不出网格 for the small things a grid role may settle, the rest
goes to the command center (issue 16 §2, §4). Real services on the real demo SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console.db import Database
from console.errors import PermissionDeniedError
from console.models import CaseEvent
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import GRID, own_grid, report_input, street_points


def test_the_grid_manager_self_handles_what_its_duties_list_only(
    demo_db: Database, clock: Clock
) -> None:
    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    rubbish = service.report(GRID, report_input(point, source="grid"))  # 06010 暴露垃圾
    assert service.self_handle(
        own_grid(rubbish), rubbish.id, rubbish.version, note="已清理"
    ).state == ("self_handled")
    cover = service.report(
        GRID,
        report_input(point, source="grid", kind="component", category_code="01001"),
    )
    with pytest.raises(PermissionDeniedError, match=r"网格管理员.*职责不含自行处置.*01001"):
        service.self_handle(own_grid(cover), cover.id, cover.version, note="自行更换井盖")
    with demo_db.read() as s:
        actions = list(s.scalars(select(CaseEvent.action).where(CaseEvent.case_id == cover.id)))
    assert actions == ["report"]  # refused, nothing written
