"""Issue 12.2: the 新建上报 form through the real widgets.

The real MainWindow on a real SQLite demo database, offscreen, with the real map page: Ctrl+N
opens the form for the intake seat; the category is found by pinyin initials; the point is a
real click on the map (through the QWebChannel) or typed; the open cases nearby are listed
live and the call can be merged into one; a refused report saves nothing and keeps the form.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.bridge import Bridge
from console.db import Database
from console.models import Attachment, Case, CaseEvent, Region
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, queue_tabs
from console.services.workbench import Workbench
from console.views.main_window import MainWindow
from console.views.map_page import build_map_page
from console.views.report_form import ReportFormDialog, looks_swapped
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR, Point, report_input, street_points

WAIT = 10_000
PHONE = "13912345678"


def _png(width: int = 4, height: int = 4) -> bytes:
    """A real, decodable PNG (grey pixels), made without Qt."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def open_window(
    qtbot: QtBot, db: Database, tmp_path: Path, clock: Clock, username: str
) -> tuple[MainWindow, Bridge]:
    bridge = Bridge()
    workbench = Workbench(db, username=username, clock=clock, attachments_dir=tmp_path / "att")
    win = MainWindow(
        bridge,
        workbench,
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        map_page=build_map_page(workbench.map_grids(), tmp_path / "map"),
        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
        theme="light",
    )
    qtbot.addWidget(win)
    bridge.follow(workbench.poll_changes, interval_ms=100)
    with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
        win.show()
    return win, bridge


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[MainWindow]:
    win, bridge = open_window(qtbot, demo_db, tmp_path, clock, "intake")
    yield win
    bridge.shutdown()


@pytest.fixture
def point(demo_db: Database) -> Point:
    return street_points(demo_db)[0][2]


def js(window: MainWindow, qtbot: QtBot, script: str) -> Any:
    box: list[Any] = []
    window.map.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return box[0]


def open_form(window: MainWindow, qtbot: QtBot) -> ReportFormDialog:
    window.activateWindow()
    action = window.actions_by_id["new_report"]
    assert action.shortcut().toString() == "Ctrl+N" and action.isEnabled()
    action.trigger()
    form = window.report_form
    assert form is not None
    qtbot.waitUntil(lambda: form.isVisible() and bool(form.choices), timeout=WAIT)
    return form


def choose_category(form: ReportFormDialog, qtbot: QtBot, typed: str) -> None:
    form.category_search.clear()
    qtbot.keyClicks(form.category_search, typed)
    qtbot.waitUntil(lambda: form.chosen is not None, timeout=WAIT)


def fill_call(form: ReportFormDialog, qtbot: QtBot) -> None:
    form.source.setCurrentIndex(form.source.findData("hotline"))
    # Chinese arrives through the input method, as committed text (QTest types keys only).
    form.caller.insert("王先生")
    qtbot.keyClicks(form.phone, PHONE)
    form.description.insertPlainText("小区门口<b>垃圾箱</b>破损")
    form.address.insert("莲湖路1号")


def type_point(form: ReportFormDialog, qtbot: QtBot, lon: float, lat: float) -> None:
    form.lon.clear()
    form.lat.clear()
    qtbot.keyClicks(form.lon, f"{lon:.6f}")
    qtbot.keyClicks(form.lat, f"{lat:.6f}")


def grid_code(db: Database, grid_id: int) -> str:
    with db.read() as s:
        return str(s.scalar(select(Region.code).where(Region.id == grid_id)))


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (Case, CaseEvent, Attachment)
        )


def test_ctrl_n_files_a_call_with_the_point_clicked_on_the_map(
    window: MainWindow, qtbot: QtBot, demo_db: Database, tmp_path: Path, point: Point
) -> None:
    form = open_form(window, qtbot)
    choose_category(form, qtbot, "ljx")
    assert form.chosen is not None and (form.chosen.code, form.chosen.name) == ("03005", "垃圾箱")
    assert form.category_label.text().startswith(form.tr("Chosen: %1").split("%1")[0])
    fill_call(form, qtbot)
    assert js(window, qtbot, "consoleMap.isReady()")
    # A real click on the map, where the grid is drawn: back through the QWebChannel.
    assert js(window, qtbot, f"consoleMap._clickMapForTest({point[0]}, {point[1]})")
    qtbot.waitUntil(lambda: form.point is not None, timeout=WAIT)
    assert form.point is not None
    # Where the click landed, to the map's pixel (tens of metres at the district's zoom) …
    assert abs(form.point[0] - point[0]) < 5e-4 and abs(form.point[1] - point[1]) < 5e-4
    # … is exactly what the map marks and the fields say.
    picked = json.loads(js(window, qtbot, "JSON.stringify(consoleMap.pickedPoint())"))
    assert abs(picked[0] - form.point[0]) < 1e-9 and abs(picked[1] - form.point[1]) < 1e-9
    assert form.lon.text() == f"{form.point[0]:.6f}" and form.lat.text() == f"{form.point[1]:.6f}"
    street, grid = street_points(demo_db)[0][:2]
    qtbot.waitUntil(lambda: grid_code(demo_db, grid) in form.point_status.text(), timeout=WAIT)
    photo = tmp_path / "破损.png"
    photo.write_bytes(PNG)
    form.add_photos([str(photo)])
    form.urgent.setChecked(True)
    with qtbot.waitSignal(form.report_filed, timeout=WAIT) as filed:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    snap = filed.args[0].snapshot
    assert not form.isVisible()
    # Picking ended with the form: the mark is gone.
    assert js(window, qtbot, "JSON.stringify(consoleMap.pickedPoint())") == "null"
    with demo_db.read() as s:
        case = s.get(Case, snap.id)
        assert case is not None
        assert (case.source, case.reporter, case.reporter_phone) == ("hotline", "王先生", PHONE)
        assert (case.category_code, case.grid_id, case.urgent) == ("03005", grid, True)
        assert case.street_id == street
        assert case.description == "小区门口<b>垃圾箱</b>破损"
        assert (
            s.scalar(select(Attachment.filename).where(Attachment.case_id == snap.id)) == "破损.png"
        )
    # The new case is current, and the intake seat (staff) sees the caller in its detail.
    qtbot.waitUntil(lambda: window.detail.current_case_id == snap.id, timeout=WAIT)
    assert window.detail.number_label.text() == snap.number
    assert window.detail.fields["caller_phone"].text() == PHONE
    assert window.detail.fields["caller_phone"].isVisibleTo(window.detail)
    # ...and the photo taken with the call, as a thumbnail (read on the worker).
    qtbot.waitUntil(lambda: len(window.detail.photos.buttons) == 1, timeout=WAIT)
    assert "破损.png" in window.detail.photos.buttons[0].toolTip()


def test_enter_moves_through_the_form_and_only_ctrl_enter_files_it(
    window: MainWindow, qtbot: QtBot, demo_db: Database, point: Point
) -> None:
    """Regression (a call typed under Xvfb): Enter in the category list filed the half-typed
    report and the form answered 缺少经度."""
    form = open_form(window, qtbot)
    before = counts(demo_db)
    form.category_search.setFocus()
    choose_category(form, qtbot, "ljx")
    qtbot.keyClick(form.category_search, Qt.Key.Key_Return)
    assert form.focusWidget() is form.description  # on to the description, category kept
    assert form.chosen is not None and form.chosen.code == "03005"
    fill_call(form, qtbot)
    form.address.setFocus()
    qtbot.keyClick(form.address, Qt.Key.Key_Return)
    assert form.focusWidget() is not form.address  # the next field
    qtbot.wait(200)  # a filing would have been submitted to the worker by now
    assert form.isVisible() and form.error.text() == "" and counts(demo_db) == before
    type_point(form, qtbot, *point)
    with qtbot.waitSignal(form.report_filed, timeout=WAIT):
        qtbot.keyClick(form.lat, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert counts(demo_db)[0] == before[0] + 1


def test_swapped_coordinates_are_said_and_a_refused_report_saves_nothing(
    window: MainWindow, qtbot: QtBot, demo_db: Database, point: Point
) -> None:
    form = open_form(window, qtbot)
    choose_category(form, qtbot, "ljx")
    fill_call(form, qtbot)
    type_point(form, qtbot, point[1], point[0])  # the latitude in the longitude field
    assert looks_swapped(point[1], point[0]) and not looks_swapped(*point)
    assert "108.9" in form.point_status.text() and "34.27" in form.point_status.text()
    before = counts(demo_db)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(form.error.text()), timeout=WAIT)
    assert "写反" in form.error.text()
    assert form.isVisible() and form.save_button.isEnabled()
    assert counts(demo_db) == before
    # Corrected, the point is marked on the map; the same form saves (a bad phone first is
    # refused whole too).
    type_point(form, qtbot, *point)
    qtbot.waitUntil(
        lambda: js(window, qtbot, "JSON.stringify(consoleMap.pickedPoint())") != "null",
        timeout=WAIT,
    )
    marked = json.loads(js(window, qtbot, "JSON.stringify(consoleMap.pickedPoint())"))
    assert marked == pytest.approx([round(point[0], 6), round(point[1], 6)], abs=1e-7)
    form.phone.clear()
    form.phone.insert("电话")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "来电号码" in form.error.text(), timeout=WAIT)
    assert counts(demo_db) == before
    form.phone.setText(PHONE)
    with qtbot.waitSignal(form.report_filed, timeout=WAIT):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert counts(demo_db)[0] == before[0] + 1


def test_open_cases_nearby_are_listed_live_and_the_call_merged_into_one(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock, point: Point
) -> None:
    existing = CaseService(demo_db, clock=clock).report(INSPECTOR, report_input(point))
    form = open_form(window, qtbot)
    fill_call(form, qtbot)
    choose_category(form, qtbot, "bljl")  # 暴露垃圾, 06010: the existing case's category
    assert form.chosen is not None and form.chosen.code == "06010"
    type_point(form, qtbot, point[0] + 0.0002, point[1])  # about 18 m east
    qtbot.waitUntil(lambda: form.nearby.list.topLevelItemCount() == 1, timeout=WAIT)
    assert form.nearby.list.topLevelItem(0).text(0) == existing.number
    # Another category: nobody to merge with.
    choose_category(form, qtbot, "ljx")
    qtbot.waitUntil(lambda: form.nearby.list.topLevelItemCount() == 0, timeout=WAIT)
    choose_category(form, qtbot, "06010")
    qtbot.waitUntil(lambda: form.nearby.list.topLevelItemCount() == 1, timeout=WAIT)
    # Open case shows it in the main window; the form stays.
    qtbot.mouseClick(form.nearby.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.detail.current_case_id == existing.id, timeout=WAIT)
    assert form.isVisible()
    with qtbot.waitSignal(form.report_filed, timeout=WAIT) as filed:
        qtbot.mouseClick(form.nearby.merge_button, Qt.MouseButton.LeftButton)
    result = filed.args[0]
    assert result.merged_into == existing.number and result.snapshot.state == "merged"
    with demo_db.read() as s:
        actions = s.scalars(
            select(CaseEvent.action).where(CaseEvent.case_id == existing.id).order_by(CaseEvent.id)
        ).all()
    assert actions == ["report", "merged_in"]
    assert existing.number in window.statusBar().currentMessage()


def test_the_form_is_offered_only_to_roles_that_report(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    win, bridge = open_window(qtbot, demo_db, tmp_path, clock, "duty_chief")
    try:
        assert not win.actions_by_id["new_report"].isEnabled()
    finally:
        bridge.shutdown()
