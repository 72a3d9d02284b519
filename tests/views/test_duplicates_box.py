"""The detail panel's possible duplicates with real widgets on a real SQLite demo database:
the list, the merge through the real note dialog and the Workbench, and both reports on the
surviving case's timeline afterwards."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.db import Database
from console.domain.geography_rules import EARTH_RADIUS_KM
from console.services.cases.service import CaseService
from console.services.workbench import Workbench
from console.views.action_dialogs import NoteDialog
from console.views.case_detail_panel import CaseDetailPanel
from console.views.i18n import set_language
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR, INTAKE, report_input, street_points

HOSTILE = "<img src=x onerror=alert(1)> 同一堆垃圾"


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture
def pair(demo_db: Database, clock: Clock) -> tuple[Any, Any]:
    """An earlier report and a later one 15 m north of it: a possible duplicate."""
    service = CaseService(demo_db, clock=clock)
    lon, lat = street_points(demo_db)[0][2]
    first = service.report(INTAKE, report_input((lon, lat), description="路口垃圾成堆"))
    clock.advance(minutes=30)
    north = lat + 15 / (EARTH_RADIUS_KM * 1000 * math.pi / 180)
    second = service.report(
        INSPECTOR, report_input((lon, north), source="hotline", description=HOSTILE)
    )
    return first, second


@pytest.fixture
def panel(qtbot: Any) -> CaseDetailPanel:
    widget = CaseDetailPanel()
    qtbot.addWidget(widget)
    return widget


def test_merge_from_the_panel_keeps_both_reports(
    panel: CaseDetailPanel, qtbot: Any, demo_db: Database, clock: Clock, pair: tuple[Any, Any]
) -> None:
    first, second = pair
    bench = Workbench(demo_db, username="dispatcher", clock=clock)
    # What the main window does with the request: the same Workbench.act call.
    done: list[Any] = []
    panel.action_with_input_requested.connect(
        lambda action, case_id, version, params: done.append(
            bench.act(action, case_id, version, note=params.pop("note"), **params)
        )
    )
    panel.show_detail(bench.detail(second.id))
    box = panel.duplicates
    assert not box.isHidden() and box.list.topLevelItemCount() == 1
    row = box.list.topLevelItem(0)
    assert [row.text(i) for i in (0, 1, 3)] == [first.number, "15 m", "待立案"]
    assert row.text(5) == "路口垃圾成堆"
    assert not box.merge_button.isHidden() and box.merge_button.isEnabled()
    assert "merge" not in panel.action_buttons  # a pair action, not in the action bar

    def note_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NoteDialog)
        assert dialog.ok_button.isEnabled()  # the note is optional
        dialog.note_edit.setPlainText("同一处，合并")
        dialog.ok_button.click()

    QTimer.singleShot(0, note_and_accept)
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=3000) as blocker:
        box.merge_button.click()
    assert blocker.args[:3] == ["merge", second.id, second.version]
    assert done[0].state == "merged"

    panel.show_detail(bench.detail(second.id))
    assert box.isHidden()  # merged: nothing left to decide
    assert panel.state_chip.text() == "已合并"
    newest = panel.timeline.topLevelItem(0)
    assert newest.text(1) == "合并" and first.number in newest.text(4)

    panel.show_detail(bench.detail(first.id))
    assert box.isHidden()
    newest = panel.timeline.topLevelItem(0)
    assert newest.text(1) == "并入重复上报"
    panel.timeline.setCurrentItem(newest)
    full = panel.timeline_note.toPlainText()
    # The merged report, verbatim as plain text: number, source, text; then the note.
    assert second.number in full and "12345" in full and HOSTILE in full
    assert full.endswith("同一处，合并")
    assert [panel.timeline.topLevelItem(i).text(1) for i in (0, 1)] == ["并入重复上报", "上报"]


def test_keep_apart_and_roles_on_the_panel(
    panel: CaseDetailPanel,
    qtbot: Any,
    demo_db: Database,
    clock: Clock,
    pair: tuple[Any, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = pair
    inspector = Workbench(demo_db, username="inspector", clock=clock)
    panel.show_detail(inspector.detail(first.id))
    box = panel.duplicates
    # An inspector sees the possible duplicate but may not decide.
    assert box.list.topLevelItemCount() == 1 and box.list.topLevelItem(0).text(0) == second.number
    assert box.merge_button.isHidden() and box.keep_apart_button.isHidden()
    # A hostile description is shown as plain text, and escaped in the tool tip.
    assert box.list.topLevelItem(0).text(5) == HOSTILE
    assert "<img" not in box.list.topLevelItem(0).toolTip(5)

    intake = Workbench(demo_db, username="intake", clock=clock)
    panel.show_detail(intake.detail(first.id))
    assert not box.keep_apart_button.isHidden()
    from console.views import duplicates_box

    monkeypatch.setattr(duplicates_box.action_dialogs, "ask_note", lambda *a, **k: "")
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=3000) as blocker:
        box.keep_apart_button.click()
    action, case_id, version, params = blocker.args
    assert (action, case_id, version) == ("keep_apart", first.id, first.version)
    intake.act(action, case_id, version, note=params.pop("note"), **params)
    panel.show_detail(intake.detail(first.id))
    assert box.isHidden()
    newest = panel.timeline.topLevelItem(0)
    assert newest.text(1) == "不是重复" and second.number in newest.text(4)


def test_open_case_makes_the_candidate_current(
    panel: CaseDetailPanel, qtbot: Any, demo_db: Database, clock: Clock, pair: tuple[Any, Any]
) -> None:
    """Open case (or a double-click) on a candidate: the panel follows, showing that case."""
    from PySide6.QtCore import Qt

    from console.bridge import Bridge
    from console.views.current_case import CurrentCase

    first, second = pair
    bridge = Bridge()
    try:
        current = CurrentCase(bridge, Workbench(demo_db, username="dispatcher", clock=clock).detail)
        panel.follow(current)
        panel.show()  # the double-click needs the list on screen
        with qtbot.waitSignal(current.loaded, timeout=10_000):
            current.set(second.id)
        box = panel.duplicates
        assert panel.current_case_id == second.id and not box.isHidden()
        assert box.open_button.isEnabled()
        with qtbot.waitSignal(current.loaded, timeout=10_000):
            qtbot.mouseClick(box.open_button, Qt.MouseButton.LeftButton)
        assert panel.current_case_id == first.id == current.target()[0]  # type: ignore[index]
        assert panel.number_label.text() == first.number

        # From the earlier report, the later one is its candidate: a double-click opens it.
        assert box.list.topLevelItem(0).text(0) == second.number
        pos = box.list.visualItemRect(box.list.topLevelItem(0)).center()
        with qtbot.waitSignal(current.loaded, timeout=10_000):
            qtbot.mouseClick(box.list.viewport(), Qt.MouseButton.LeftButton, pos=pos)
            qtbot.mouseDClick(box.list.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert panel.current_case_id == second.id == current.target()[0]  # type: ignore[index]
    finally:
        bridge.shutdown()
