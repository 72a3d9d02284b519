"""待定位 through the real widgets: the intake seat's MainWindow on a real SQLite demo
database, offscreen, with the real map page. An Open311 report that came with an address only
is listed; a real click on the map places it, the case is made and selected, and the staff see
what the client sent in the case detail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.db import Database
from console.models import Case, Open311PendingReport
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import load_services
from console.services.open311_intake import Open311Intake
from console.views.main_window import MainWindow
from console.views.pending_locations_dialog import PendingLocationsDialog
from tests.conftest import Clock
from tests.services.console_support import INTAKE, street_points
from tests.views.test_report_form import WAIT, grid_code, js, open_window

ADDRESS = "西大街与北广济街十字<b>东北角</b>"


def post_reports(db: Database, clock: Clock, descriptions: tuple[str, ...]) -> None:
    """Address-only Open311 reports, as the gateway files them."""
    table = load_services()
    intake = Open311Intake(
        CaseService(db, clock=clock), lambda _s, c: table.get(c), timedelta(minutes=10)
    )
    for description in descriptions:
        intake.submit(
            INTAKE,
            {
                "service_code": "garbage",
                "address_string": ADDRESS,
                "description": description,
                "first_name": "李",
                "email": "li@example.cn",
            },
            source="hotline",
        )


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[MainWindow]:
    post_reports(demo_db, clock, ("垃圾成堆", "井盖缺失"))
    win, bridge = open_window(qtbot, demo_db, tmp_path, clock, "intake")
    yield win
    bridge.shutdown()


def open_dialog(window: MainWindow, qtbot: QtBot) -> PendingLocationsDialog:
    action = window.actions_by_id["place_pending"]
    assert action.isEnabled()
    action.trigger()
    dialog = window.pending_locations
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.table.rowCount() == 2, timeout=WAIT)
    return dialog


def test_a_report_is_placed_with_a_click_on_the_map(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    dialog = open_dialog(window, qtbot)
    assert [dialog.table.item(r, 3).text() for r in range(2)] == ["垃圾成堆", "井盖缺失"]
    assert (
        dialog.table.item(0, 2).text() == ADDRESS and dialog.table.item(0, 1).text() == "暴露垃圾"
    )
    assert not dialog.place_button.isEnabled()  # nothing chosen, no point
    dialog.table.selectRow(0)
    assert ADDRESS in dialog.full_text.text() and "李" in dialog.full_text.text()
    assert dialog.full_text.textFormat() == Qt.TextFormat.PlainText  # <b> stays text
    street, grid, point = street_points(demo_db)[0]
    assert js(window, qtbot, "consoleMap.isReady()")
    assert js(window, qtbot, f"consoleMap._clickMapForTest({point[0]}, {point[1]})")
    qtbot.waitUntil(lambda: dialog.point is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: grid_code(demo_db, grid) in dialog.point_status.text(), timeout=WAIT)
    assert dialog.place_button.isEnabled()
    with qtbot.waitSignal(dialog.case_placed, timeout=WAIT) as placed:
        qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    snap = placed.args[0]
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT)
    assert dialog.table.item(0, 3).text() == "井盖缺失"
    # A report that arrives while the dialog is open is listed by the next refresh.
    post_reports(demo_db, clock, ("路灯不亮",))
    dialog.refresh_timer.setInterval(50)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT)
    assert dialog.table.item(1, 3).text() == "路灯不亮"
    with demo_db.read() as s:
        case = s.get(Case, snap.id)
        assert case is not None and (case.grid_id, case.street_id) == (grid, street)
        assert case.description == "垃圾成堆" and case.address == ADDRESS
        placed_row = s.scalars(
            select(Open311PendingReport).where(Open311PendingReport.case_id == snap.id)
        ).one()
        assert placed_row.placed_by == INTAKE.id
    # The new case is current; the intake seat (staff) sees what the client sent.
    qtbot.waitUntil(lambda: window.detail.current_case_id == snap.id, timeout=WAIT)
    extras = window.detail.fields["open311_extras"]
    assert "li@example.cn" in extras.text() and extras.isVisibleTo(window.detail)


def test_a_point_outside_is_said_and_refused(
    window: MainWindow, qtbot: QtBot, demo_db: Database
) -> None:
    dialog = open_dialog(window, qtbot)
    dialog.table.selectRow(1)
    qtbot.keyClicks(dialog.lon, "116.400000")
    qtbot.keyClicks(dialog.lat, "39.900000")  # Beijing
    qtbot.waitUntil(lambda: "坐标不在辖区内" in dialog.point_status.text(), timeout=WAIT)
    qtbot.mouseClick(dialog.place_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=WAIT)
    assert "坐标不在辖区内" in dialog.error.text()
    assert dialog.table.rowCount() == 2
    with demo_db.read() as s:
        assert s.scalars(select(Case)).first() is None
