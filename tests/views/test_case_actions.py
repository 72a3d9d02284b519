"""The seat's case actions (console.views.case_actions) through the real main window: the
toolbar's steps, a step refused because the case moved, batch dispatch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.cases.service import CaseService
from console.services.workbench import Workbench
from console.views.main_window import MainWindow
from tests.conftest import Clock
from tests.services.console_support import CHIEF
from tests.views.test_main_window import DEMO_PASSWORD, _version, main_window, report


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[MainWindow]:
    yield from main_window(qtbot, demo_db, tmp_path, clock)


def test_register_from_the_toolbar_moves_the_case(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    case_id = report(demo_db, clock)
    model = window.queue.model
    qtbot.waitUntil(lambda: model.row_of(case_id) is not None, timeout=10_000)
    window.queue.select_case(case_id)
    qtbot.waitUntil(
        lambda: window.detail.current_case_id == case_id and window.current.target() is not None,
        timeout=10_000,
    )
    window.actions_by_id["register"].trigger()
    # The to-register queue drops it once registered.
    qtbot.waitUntil(lambda: model.row_of(case_id) is None, timeout=10_000)
    assert Workbench(demo_db, username="duty_chief").cases.get(case_id).state == "registered"


def test_stale_action_shows_conflict_and_refreshes(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    case_id = report(demo_db, clock)
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is not None, timeout=10_000)
    window.queue.select_case(case_id)
    qtbot.waitUntil(lambda: window.detail.current_case_id == case_id, timeout=10_000)
    window.bridge.follow(lambda: [], interval_ms=100_000)  # this seat misses the change
    stale = _version(window)
    other = Database(demo_db.url)
    try:
        CaseService(other, clock=clock).register(CHIEF, case_id, stale)
    finally:
        other.dispose()
    titles: list[str] = []

    def close_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            titles.append(box.windowTitle() + "|" + box.text())
            box.accept()
        else:
            QTimer.singleShot(50, close_box)

    QTimer.singleShot(50, close_box)
    window.actions_by_id["register"].trigger()
    qtbot.waitUntil(lambda: bool(titles), timeout=10_000)
    assert "已被他人修改" in titles[0]
    qtbot.waitUntil(lambda: _version(window) == (stale or 0) + 1, timeout=10_000)


def test_dispatch_several_cases_at_once(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    service = CaseService(demo_db, clock=clock)
    ids = [report(demo_db, clock) for _ in range(2)]
    for case_id in ids:
        service.register(CHIEF, case_id, None)
    window.workbench.switch_user("dispatcher", DEMO_PASSWORD["dispatcher"])
    window.queue.with_tab("to_dispatch")
    model = window.queue.model
    qtbot.waitUntil(lambda: all(model.row_of(i) is not None for i in ids), timeout=10_000)

    def accept_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            dialog.accept()
        else:
            QTimer.singleShot(50, accept_dialog)

    QTimer.singleShot(50, accept_dialog)
    window.case_actions.open_dispatch(ids)
    qtbot.waitUntil(lambda: all(model.row_of(i) is None for i in ids), timeout=15_000)
    for case_id in ids:
        snap = service.get(case_id)
        assert snap.state == "dispatched" and snap.deadline_at is not None


def test_a_report_check_from_the_detail_panel_names_the_inspector(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    """信息核实 from the seat: the panel's inspector dialog (real), its params through
    CaseActions and the Workbench to CaseService.act."""
    from console.models import Case
    from console.views.action_dialogs import InspectorDialog

    case_id = report(demo_db, clock)
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is not None, timeout=10_000)
    window.queue.select_case(case_id)
    qtbot.waitUntil(
        lambda: (
            window.detail.current_case_id == case_id
            and "request_report_check" in window.detail.action_buttons
        ),
        timeout=10_000,
    )
    seen: list[list[str]] = []

    def choose() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, InspectorDialog):
            QTimer.singleShot(50, choose)
            return
        combo = dialog.inspector_combo
        seen.append([combo.itemText(i) for i in range(combo.count())])
        dialog.note_edit.setPlainText("请现场核实")
        dialog.ok_button.click()

    QTimer.singleShot(0, choose)
    window.detail.action_buttons["request_report_check"].click()
    qtbot.waitUntil(
        lambda: (
            Workbench(demo_db, username="duty_chief").cases.get(case_id).state == "report_check"
        ),
        timeout=10_000,
    )
    assert len(seen) == 1 and len(seen[0]) == 1 and seen[0][0].startswith("监督员")
    with demo_db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.assigned_inspector_id == 4
    # The seat's detail now offers no step of the inspector's, only to reassign (改派).
    qtbot.waitUntil(
        lambda: window.detail.action_buttons.keys() == {"request_report_check", "add_note"},
        timeout=10_000,
    )
