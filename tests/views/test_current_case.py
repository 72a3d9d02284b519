"""Issue 12.1: whichever way a case becomes current, the detail shows it and actions act on it.

The real MainWindow on a real SQLite demo database, offscreen, with the real map page: each
test makes a case current the way a user would (row click, arrow keys, Ctrl+J, search, a map
marker through the QWebChannel, an alert's 打开案件, the duplicates box, a live change) and
checks the detail panel's case number, the map, and the case the next action acts on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, QSettings, Qt, QTime, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.scheduler import ConsoleScheduler
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, queue_tabs
from console.services.workbench import Workbench
from console.views.action_dialogs import NoteDialog, ReminderDialog
from console.views.current_case import CurrentCase
from console.views.main_window import MainWindow
from console.views.map_page import build_map_page
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, INTAKE
from tests.views.test_main_window import report

WAIT = 10_000


@pytest.fixture
def scheduler(demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[ConsoleScheduler]:
    """The seat's scheduler (Ctrl+M's reminders); its scan only runs when a test asks."""
    seat = ConsoleScheduler(
        demo_db,
        seat_id="current-case-seat",
        clock=clock,
        jobstore_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        scan_interval_s=3600,
    )
    yield seat
    seat.shutdown(wait=True)


@pytest.fixture
def window(
    qtbot: QtBot,
    demo_db: Database,
    tmp_path: Path,
    clock: Clock,
    scheduler: ConsoleScheduler,
) -> Iterator[MainWindow]:
    bridge = Bridge()
    workbench = Workbench(demo_db, username="duty_chief", clock=clock)
    win = MainWindow(
        bridge,
        workbench,
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        map_page=build_map_page(workbench.map_grids(), tmp_path / "map"),
        scheduler=scheduler,
        settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
        theme="light",
    )
    qtbot.addWidget(win)
    bridge.follow(workbench.poll_changes, interval_ms=100)
    with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
        win.show()
    scheduler.start()
    yield win
    bridge.shutdown()


# -- helpers ---------------------------------------------------------------------------------


def number_of(window: MainWindow, case_id: int) -> str:
    return str(window.workbench.cases.get(case_id).number)


def js(window: MainWindow, qtbot: QtBot, script: str) -> Any:
    box: list[Any] = []
    window.map.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return box[0]


def listed(window: MainWindow, qtbot: QtBot, tab: str, *case_ids: int) -> None:
    """Show queue ``tab`` and wait until every case in ``case_ids`` has its row."""
    window.queue.with_tab(tab)
    model = window.queue.model
    qtbot.waitUntil(
        lambda: (
            model.filter is not None
            and model.filter.tab == tab
            and all(model.row_of(i) is not None for i in case_ids)
        ),
        timeout=WAIT,
    )


def on_map(window: MainWindow, qtbot: QtBot, *case_ids: int) -> None:
    for case_id in case_ids:
        qtbot.waitUntil(
            lambda c=case_id: js(window, qtbot, f"consoleMap.hasCase({c})"), timeout=WAIT
        )


def assert_current(window: MainWindow, qtbot: QtBot, case_id: int) -> None:
    """The detail shows ``case_id`` and the next action (Ctrl+M, 立案, 备注…) acts on it."""
    qtbot.waitUntil(lambda: window.detail.current_case_id == case_id, timeout=WAIT)
    assert window.detail.number_label.text() == number_of(window, case_id)
    assert window.detail.stack.currentIndex() == 1  # the case page, not "loading"
    target = window.current.target()
    assert target is not None and target[0] == case_id
    assert target[1] == window.detail.detail.snapshot.version
    if window.queue.model.row_of(case_id) is not None:
        assert window.queue.selected_ids()[:1] == [case_id]
    else:
        assert window.queue.selected_ids() == []  # no other row may look selected
    qtbot.waitUntil(lambda: js(window, qtbot, "consoleMap.focusedCase()") == case_id, timeout=WAIT)


def select_row(window: MainWindow, qtbot: QtBot, case_id: int) -> None:
    """A mouse click on the case's row in the queue."""
    table = window.queue.table
    row = window.queue.model.row_of(case_id)
    assert row is not None
    index = window.queue.model.index(row, 0)
    table.scrollTo(index)
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
    )


def double_click(qtbot: QtBot, viewport: Any, pos: Any) -> None:
    """A real double click: press and release, then the double-click event."""
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=pos)


def answer_modal(kind: type, fill: Callable[[Any], None]) -> None:
    """Fill and accept the next modal dialog of ``kind`` once it is open."""

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            fill(dialog)
            dialog.accept()
        else:
            QTimer.singleShot(50, attempt)

    QTimer.singleShot(50, attempt)


def add_note_from_the_panel(window: MainWindow, qtbot: QtBot, text: str) -> None:
    """备注 through the detail panel's button and its note dialog."""
    answer_modal(NoteDialog, lambda d: d.note_edit.setPlainText(text))
    window.detail.action_buttons["add_note"].click()


def notes_on(window: MainWindow, case_id: int) -> list[str]:
    return [
        e.note or "" for e in window.workbench.detail(case_id).timeline if e.action == "add_note"
    ]


def two_listed_cases(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> tuple[int, int]:
    """Two new reports in the 待立案 queue and on the map; the first is current."""
    first, second = report(demo_db, clock, "甲：垃圾满溢"), report(demo_db, clock, "乙：井盖缺失")
    listed(window, qtbot, "to_register", first, second)
    on_map(window, qtbot, first, second)
    select_row(window, qtbot, first)
    assert_current(window, qtbot, first)
    return first, second


# -- the ways a case becomes current ---------------------------------------------------------


def test_marker_click_on_a_listed_case_reloads_the_detail_and_moves_every_action(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock, scheduler: ConsoleScheduler
) -> None:
    """The regression: the marker's case is in the loaded queue; the detail used to stay."""
    first, second = two_listed_cases(window, qtbot, demo_db, clock)
    window.map.focus_case(second)  # zoomed in: the marker's icon is in the DOM
    qtbot.waitUntil(
        lambda: js(window, qtbot, "!!document.querySelector('.cm-case.cm-focus')"), timeout=WAIT
    )
    assert js(window, qtbot, f"consoleMap._clickForTest({second})") in ("dom", "handler")
    assert_current(window, qtbot, second)

    # 备注 typed in the panel lands on the case the panel shows.
    add_note_from_the_panel(window, qtbot, "乙：市民再次来电")
    qtbot.waitUntil(lambda: notes_on(window, second) == ["乙：市民再次来电"], timeout=WAIT)
    assert notes_on(window, first) == []

    # Ctrl+M reminds about the case on screen (at a time still ahead on the scheduler's clock,
    # which is the real one, so the reminder stays pending).
    named: list[str] = []

    def remind_later(dialog: ReminderDialog) -> None:
        named.append(dialog.case_label.text())  # the dialog names the case it is for
        dialog.at_time.setChecked(True)
        dialog.when.setDateTime(QDateTime(QDate(2040, 1, 2), QTime(9, 0)))
        dialog.note.setText("回访")

    answer_modal(ReminderDialog, remind_later)
    window.actions_by_id["remind"].trigger()
    qtbot.waitUntil(lambda: bool(scheduler.reminders()), timeout=WAIT)
    assert [r.case_id for r in scheduler.reminders()] == [second]
    assert named == [window.current.detail.snapshot.number]


def test_marker_click_on_a_case_outside_the_queue_leaves_no_row_selected(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    first, second = two_listed_cases(window, qtbot, demo_db, clock)
    listed(window, qtbot, "to_dispatch")
    qtbot.waitUntil(lambda: window.queue.model.row_of(first) is None, timeout=WAIT)
    assert_current(window, qtbot, first)  # a new tab keeps the case on screen
    js(window, qtbot, f"consoleMap._clickForTest({second})")
    assert_current(window, qtbot, second)
    assert window.queue.selected_ids() == []  # Ctrl+D would otherwise dispatch another case


def test_alert_open_case_on_a_listed_case_reloads_the_detail(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock, scheduler: ConsoleScheduler
) -> None:
    """The regression through the alerts dock: its 打开案件 button and a double-click."""
    first, second = report(demo_db, clock, "甲"), report(demo_db, clock, "乙：超期")
    service = CaseService(demo_db, clock=clock)
    snap = service.register(CHIEF, second, None)
    service.dispatch(DISPATCHER, second, snap.version)
    clock.advance(hours=30)  # far past its time limit
    scheduler.run_scan_now()  # raises its alerts; the change feed brings them to the dock
    panel = window.night.panel
    qtbot.waitUntil(lambda: any(r.case_id == second for r in panel.visible_records()), timeout=WAIT)
    listed(window, qtbot, "all_open", first, second)
    select_row(window, qtbot, first)
    assert_current(window, qtbot, first)

    assert panel.select_case(second)
    panel.open_case_button.click()
    assert_current(window, qtbot, second)

    select_row(window, qtbot, first)
    assert_current(window, qtbot, first)
    row = next(i for i, r in enumerate(panel.visible_records()) if r.case_id == second)
    index = panel.proxy.index(row, 0)
    panel.table.scrollTo(index)
    double_click(qtbot, panel.table.viewport(), panel.table.visualRect(index).center())
    assert_current(window, qtbot, second)
    add_note_from_the_panel(window, qtbot, "督办已知悉")
    qtbot.waitUntil(lambda: notes_on(window, second) == ["督办已知悉"], timeout=WAIT)


def test_row_click_and_keyboard_in_the_queue(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    _first, second = two_listed_cases(window, qtbot, demo_db, clock)
    select_row(window, qtbot, second)
    assert_current(window, qtbot, second)

    table, rows = window.queue.table, window.queue.model.rows
    table.setFocus()
    at = window.queue.model.row_of(second)
    assert at is not None
    below = rows[at + 1].id if at + 1 < len(rows) else rows[at - 1].id
    key = Qt.Key.Key_Down if at + 1 < len(rows) else Qt.Key.Key_Up
    qtbot.keyClick(table, key)
    assert_current(window, qtbot, below)
    qtbot.keyClick(table, Qt.Key.Key_Up if key == Qt.Key.Key_Down else Qt.Key.Key_Down)
    assert_current(window, qtbot, second)


def test_ctrl_j_moves_to_the_next_case_after_the_current_one(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    first, second = two_listed_cases(window, qtbot, demo_db, clock)
    rows = window.queue.model.rows
    select_row(window, qtbot, rows[0].id)
    assert_current(window, qtbot, rows[0].id)
    following = rows[1].id
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)
    window.queue.table.setFocus()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert_current(window, qtbot, following)

    # From a case opened on the map and not in the queue, Ctrl+J starts at the top.
    CaseService(demo_db, clock=clock).register(CHIEF, first, None)
    listed(window, qtbot, "to_dispatch", first)
    js(window, qtbot, f"consoleMap._clickForTest({second})")
    assert_current(window, qtbot, second)
    assert window.queue.model.row_of(second) is None
    window.actions_by_id["next_case"].trigger()
    assert_current(window, qtbot, window.queue.model.rows[0].id)


def test_ctrl_j_after_the_current_case_left_the_queue_takes_the_row_in_its_place(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    ids = [report(demo_db, clock, f"第{i}件") for i in range(3)]
    listed(window, qtbot, "to_register", *ids)
    on_map(window, qtbot, *ids)
    rows = window.queue.model.rows
    middle, below = rows[1].id, rows[2].id
    select_row(window, qtbot, middle)
    assert_current(window, qtbot, middle)
    window.actions_by_id["register"].trigger()  # 立案: it leaves 待立案
    qtbot.waitUntil(lambda: window.queue.model.row_of(middle) is None, timeout=WAIT)
    window.actions_by_id["next_case"].trigger()
    assert_current(window, qtbot, below)


def test_search_and_enter_opens_the_case_found(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    _first, second = two_listed_cases(window, qtbot, demo_db, clock)
    window.actions_by_id["focus_search"].trigger()
    edit = window.queue.search_edit
    qtbot.keyClicks(edit, number_of(window, second))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert_current(window, qtbot, second)
    assert window.queue.model.filter.text == number_of(window, second)
    assert window.queue.model.rows[0].id == second

    # A search that does not find the current case leaves it on screen, and no row selected.
    edit.clear()
    qtbot.keyClicks(edit, "no-such-case")
    qtbot.waitUntil(
        lambda: (
            window.queue.model.filter.text == "no-such-case" and window.queue.model.rowCount() == 0
        ),
        timeout=WAIT,
    )
    assert_current(window, qtbot, second)


def test_duplicates_box_opens_the_candidate(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    # The test reports share a place and a category: the second is flagged against the first.
    first, second = two_listed_cases(window, qtbot, demo_db, clock)
    select_row(window, qtbot, second)
    assert_current(window, qtbot, second)
    box = window.detail.duplicates
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    wanted = number_of(window, first)

    def candidate() -> Any:
        items = [box.list.topLevelItem(i) for i in range(box.list.topLevelItemCount())]
        return next(item for item in items if item.text(0) == wanted)

    box.list.setCurrentItem(candidate())
    assert box.selected().case_id == first
    box.open_button.click()
    assert_current(window, qtbot, first)

    select_row(window, qtbot, second)
    assert_current(window, qtbot, second)
    qtbot.waitUntil(lambda: box.isVisible(), timeout=WAIT)
    rect = box.list.visualItemRect(candidate())
    double_click(qtbot, box.list.viewport(), rect.center())
    assert_current(window, qtbot, first)


def test_live_change_of_the_current_case_moves_the_target_version(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    first, second = two_listed_cases(window, qtbot, demo_db, clock)
    target = window.current.target()
    assert target is not None
    other = Database(demo_db.url)
    try:
        CaseService(other, clock=clock).add_note(INTAKE, first, target[1], note="市民补充照片")
        CaseService(other, clock=clock).add_note(INTAKE, second, None, note="另一件")
    finally:
        other.dispose()
    qtbot.waitUntil(lambda: window.current.target() == (first, target[1] + 1), timeout=WAIT)
    assert_current(window, qtbot, first)
    assert window.detail.notice_label.isVisible()
    assert "市民补充照片" in [e.note for e in window.detail.detail.timeline]

    # 立案 from the toolbar acts on that case, at the version on screen.
    untouched = window.workbench.cases.get(second).state
    window.actions_by_id["register"].trigger()
    qtbot.waitUntil(lambda: window.workbench.cases.get(first).state == "registered", timeout=WAIT)
    assert window.workbench.cases.get(second).state == untouched


def test_the_current_case_arriving_in_the_queue_later_gets_its_row_selected(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    """Regression (a call filed under Xvfb): the new case was current in the detail while its
    row, arriving with the feed a moment later, stayed unselected."""
    case_id = report(demo_db, clock, "丙：路灯不亮")
    listed(window, qtbot, "to_dispatch")
    on_map(window, qtbot, case_id)
    window.current.set(case_id)  # current, not in this queue: no row selected
    qtbot.waitUntil(lambda: window.detail.current_case_id == case_id, timeout=WAIT)
    assert window.queue.selected_ids() == []
    other = Database(demo_db.url)
    try:  # another seat registers it: the live change brings it into 待派遣
        CaseService(other, clock=clock).register(CHIEF, case_id, None)
    finally:
        other.dispose()
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.queue.selected_ids()[:1] == [case_id], timeout=WAIT)
    assert_current(window, qtbot, case_id)


def test_a_seats_own_action_refreshes_the_queue_and_the_detail_once(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    """The seat's own 立案 shows through the change feed, once: not a refresh when the action
    returns and another when the feed echoes the same event (issue 14 §1)."""
    first, _second = two_listed_cases(window, qtbot, demo_db, clock)
    reloads: list[str] = []
    applied: list[list[int]] = []
    model = window.queue.model
    real_reload, real_apply = window.current.reload, model.apply_read_changes
    real_direct = model.apply_changes

    def reload(notice: str = "") -> None:
        reloads.append(notice)
        real_reload(notice)

    def apply(generation: int, ids: Any, *rest: Any) -> None:
        applied.append(list(ids))
        real_apply(generation, ids, *rest)

    def direct(ids: Any) -> None:
        applied.append(list(ids))
        real_direct(ids)

    window.current.reload = reload  # type: ignore[method-assign]
    model.apply_read_changes = apply  # type: ignore[method-assign]
    model.apply_changes = direct  # type: ignore[method-assign]
    window.actions_by_id["register"].trigger()
    qtbot.waitUntil(lambda: window.queue.model.row_of(first) is None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.detail.detail.snapshot.state == "registered", timeout=WAIT)
    qtbot.wait(800)  # the feed polls every 100 ms: an echo would have come by now
    assert reloads == [""]  # once, and no "updated by …" notice for one's own step
    assert sum(first in ids for ids in applied) == 1


def test_a_change_batch_is_read_once_for_the_queue_the_map_and_the_counts(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    """One read per feed batch (Workbench.live_batch), not one per view (issue 14 §1)."""
    first, _second = two_listed_cases(window, qtbot, demo_db, clock)
    calls: list[str] = []
    workbench = window.workbench
    for name in ("live_batch", "queue_changes", "light_counts"):
        real = getattr(workbench, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kw: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kw)

        setattr(workbench, name, spy)
    other = Database(demo_db.url)
    try:
        CaseService(other, clock=clock).register(CHIEF, first, None)
    finally:
        other.dispose()
    qtbot.waitUntil(lambda: window.queue.model.row_of(first) is None, timeout=WAIT)  # left 待立案
    qtbot.waitUntil(lambda: js(window, qtbot, f"consoleMap.hasCase({first})"), timeout=WAIT)
    qtbot.wait(300)
    assert calls == ["live_batch"]
    assert window.lights_label.text()  # the counts came with it


def test_a_request_from_the_panel_for_another_case_is_refused(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    _first, second = two_listed_cases(window, qtbot, demo_db, clock)
    stale = window.workbench.cases.get(second)
    window.detail.action_requested.emit("register", second, stale.version)
    qtbot.wait(300)
    assert window.workbench.cases.get(second).state == stale.state
    assert window.statusBar().currentMessage() == window.tr("The case on screen changed: try again")


# -- CurrentCase on its own ------------------------------------------------------------------


def test_latest_choice_wins_and_nothing_is_a_target_while_loading(
    qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    first, second = report(demo_db, clock, "甲"), report(demo_db, clock, "乙")
    bridge = Bridge()
    try:
        current = CurrentCase(bridge, Workbench(demo_db, username="duty_chief").detail)
        shown: list[int] = []
        current.loaded.connect(lambda detail, _notice: shown.append(detail.snapshot.id))
        current.set(first)
        assert current.target() is None  # not on screen yet: no action may use it
        current.set(second)
        with qtbot.waitSignal(current.loaded, timeout=WAIT):
            pass
        qtbot.wait(200)  # the first answer arrives too, and is dropped
        assert shown == [second]
        assert current.target() == (second, current.detail.snapshot.version)
        current.set(second)  # already current: no new read
        qtbot.wait(200)
        assert shown == [second]
    finally:
        bridge.shutdown()


def test_a_fired_reminder_opens_its_case(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    from datetime import UTC, datetime

    from console.scheduler import Reminder

    first, second = two_listed_cases(window, qtbot, demo_db, clock)
    window.current.set(first)
    assert_current(window, qtbot, first)
    reminder = Reminder("job-1", second, "E-2", datetime.now(UTC), "回访", "duty_chief")
    window.night.reminder_due(reminder)
    box = window.night.reminder_box
    assert box is not None and box.isVisible() and "E-2" in box.text()
    opener = next(b for b in box.buttons() if b.text() in ("Open case", "打开案件"))
    opener.click()
    assert_current(window, qtbot, second)
