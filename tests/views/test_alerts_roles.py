"""Issue 12.3 through the real window: each seat's alerts, the buttons it may not use (and why),
the toolbar by role and case state, 确认列表中全部, and the handover counting what the dock counts.

The real MainWindow, Bridge and Workbench on a real SQLite demo database, offscreen (no map page:
the alerts and the toolbar are what is tested here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.bridge import Bridge
from console.db import Database
from console.models import Alert, User
from console.services.cases.service import CaseService
from console.services.handover import COUNT_KEYS
from console.services.queue import QueueFilter, queue_tabs
from console.services.supervision import scan
from console.services.workbench import Workbench
from console.views.main_window import MainWindow
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, department_id, local
from tests.views.test_main_window import report

WAIT = 10_000
Opener = Callable[[str], MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[Opener]:
    bridges: list[Bridge] = []

    def open_as(username: str) -> MainWindow:
        bridge = Bridge()
        bridges.append(bridge)
        workbench = Workbench(demo_db, username=username, clock=clock)
        settings = QSettings(str(tmp_path / f"{username}.ini"), QSettings.Format.IniFormat)
        win = MainWindow(
            bridge,
            workbench,
            tabs=queue_tabs(),
            filter_type=QueueFilter,
            settings=settings,
            theme="light",
        )
        qtbot.addWidget(win)
        bridge.follow(workbench.poll_changes, interval_ms=100)
        with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
            win.show()
        qtbot.waitUntil(lambda: win.night._loaded, timeout=WAIT)  # the dock's first answer
        return win

    yield open_as
    for bridge in bridges:
        bridge.shutdown()


@pytest.fixture
def escalated(demo_db: Database, clock: Clock) -> dict[str, int]:
    """Case ``a`` (routed) under 二级督办 and case ``b`` (PRO04) overdue at Tue 17:00."""
    service = CaseService(demo_db, clock=clock)
    ids: dict[str, int] = {}
    for name, dept in (("a", None), ("b", department_id(demo_db, "PRO04"))):
        if name == "b":
            clock.now = local(24, 11)
        snap = service.register(CHIEF, report(demo_db, clock, f"案件{name}"), None)
        snap = service.dispatch(DISPATCHER, snap.id, snap.version, department_id=dept)
        ids[name], ids[f"dept_{name}"] = snap.id, int(snap.department_id or 0)
    clock.now = local(24, 17)
    with demo_db.session() as s:
        levels = sorted(r.level for r in scan(s, clock(), service.workflow.calendar))
    assert levels == ["overdue", "supervise_2"]
    clock.now = local(24, 17, 5)
    return ids


def handler_username(db: Database, dept_id: int) -> str:
    with db.read() as s:
        name = s.scalar(select(User.username).where(User.department_id == dept_id).limit(1))
    assert name is not None
    return name


def unacknowledged_in_db(db: Database) -> set[tuple[int, str]]:
    with db.read() as s:
        rows = s.execute(select(Alert.case_id, Alert.level).where(Alert.acknowledged_at.is_(None)))
        return {(int(c), str(lv)) for c, lv in rows}


def test_a_department_handler_sees_its_own_alerts_and_why_it_cannot_acknowledge(
    open_window: Opener, demo_db: Database, escalated: dict[str, int]
) -> None:
    win = open_window(handler_username(demo_db, escalated["dept_b"]))
    panel = win.night.panel
    assert [r.case_id for r in panel.visible_records()] == [escalated["b"]]
    assert panel.unacknowledged_count() == 1 and "1" in win.alerts_label.text()
    assert panel.select_case(escalated["b"])
    for button in (panel.acknowledge_button, panel.acknowledge_all_button):
        assert not button.isEnabled()
        assert "处置人员" in button.toolTip()  # the reason names the role
    assert panel.open_case_button.isEnabled()
    # The toolbar's case actions are never a handler's: disabled, saying whose they are.
    for command, whose in (
        ("register", "值班长"),
        ("dispatch", "派遣员"),
        ("verify_pass", "监督员"),
        ("close", "值班长"),
    ):
        action = win.actions_by_id[command]
        assert not action.isEnabled() and whose in action.toolTip(), command


def test_a_department_handler_has_no_dashboard_and_no_refusal_at_start(
    open_window: Opener, demo_db: Database, escalated: dict[str, int], qtbot: QtBot
) -> None:
    """Regression (a shift under Xvfb): the handler's seat opened on 无权查看态势看板."""
    win = open_window(handler_username(demo_db, escalated["dept_b"]))
    errors: list[str] = []
    win.bridge.error_reported.connect(errors.append)
    # The worker runs jobs in order: once this one answers, every start-up read has too.
    with qtbot.waitCallback(timeout=WAIT) as settled:
        win.bridge.submit(lambda: None, settled)
    assert "看板" not in win.statusBar().currentMessage() and errors == []
    assert win.dashboard_dock.isHidden()
    assert not win.dashboard_dock.toggleViewAction().isChecked()
    assert not win.actions_by_id["toggle_dashboard"].isVisible()
    # A role that may read it keeps its dashboard, filled.
    chief = open_window("duty_chief")
    assert chief.dashboard_dock.toggleViewAction().isChecked()  # open (tabbed with alerts)
    assert chief.actions_by_id["toggle_dashboard"].isVisible()


def test_the_intake_seat_lists_no_alert(
    open_window: Opener, escalated: dict[str, int], qtbot: QtBot
) -> None:
    win = open_window("intake")
    panel = win.night.panel
    assert panel.visible_records() == [] and panel.unacknowledged_count() == 0
    assert not panel.acknowledge_all_button.isEnabled()
    assert not win.windowTitle().startswith("(")


def test_switching_user_brings_the_new_seats_alerts(
    open_window: Opener, demo_db: Database, escalated: dict[str, int], qtbot: QtBot
) -> None:
    win = open_window("duty_chief")
    panel = win.night.panel
    assert {r.case_id for r in panel.visible_records()} == {escalated["a"], escalated["b"]}
    assert panel.acknowledge_all_button.isEnabled()
    win.workbench.switch_user("intake", "shouli-2026")
    win._after_user_switch()
    qtbot.waitUntil(lambda: panel.visible_records() == [], timeout=WAIT)
    assert panel.unacknowledged_count() == 0 and not panel.acknowledge_all_button.isEnabled()


def test_the_dock_lists_supervision_first_and_acknowledge_all_leaves_it_unless_ticked(
    open_window: Opener, demo_db: Database, escalated: dict[str, int], qtbot: QtBot
) -> None:
    win = open_window("duty_chief")
    panel = win.night.panel
    heads = panel.visible_records()
    assert [(r.case_id, r.level) for r in heads] == [
        (escalated["a"], "supervise_2"),
        (escalated["b"], "overdue"),  # newer than nothing: by level first
    ]
    qtbot.mouseClick(panel.acknowledge_all_button, Qt.MouseButton.LeftButton)
    dialog = panel.acknowledge_all_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.include_supervision.isChecked()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.unacknowledged_count() == 1, timeout=WAIT)
    assert unacknowledged_in_db(demo_db) == {(escalated["a"], "supervise_2")}

    # The handover's summary counts what the dock counts, in its dialog as in the status bar.
    win.actions_by_id["handover"].trigger()
    qtbot.waitUntil(lambda: getattr(win.night, "handover_dialog", None) is not None, timeout=WAIT)
    table = win.night.handover_dialog.counts_table  # type: ignore[union-attr]
    shown = table.item(COUNT_KEYS.index("unacknowledged_alerts"), 1).text()
    assert shown == str(panel.unacknowledged_count()) == "1"
    assert "1" in win.alerts_label.text()


def test_the_toolbar_follows_the_role_and_the_current_cases_state(
    open_window: Opener, demo_db: Database, clock: Clock, qtbot: QtBot
) -> None:
    win = open_window("duty_chief")
    register, verify, close = (win.actions_by_id[c] for c in ("register", "verify_pass", "close"))
    assert win.current.case_id is None
    nothing = QCoreApplication.translate("CaseActionGate", "Select a case first")
    assert not register.isEnabled() and register.toolTip() == nothing
    case_id = report(demo_db, clock)
    qtbot.waitUntil(lambda: win.queue.model.row_of(case_id) is not None, timeout=WAIT)
    win.current.set(case_id)
    qtbot.waitUntil(lambda: win.current.target() is not None, timeout=WAIT)
    assert register.isEnabled()
    assert not verify.isEnabled() and "监督员" in verify.toolTip()  # by role
    assert not close.isEnabled() and "待立案" in close.toolTip()  # by state
    register.trigger()
    qtbot.waitUntil(
        lambda: (
            win.current.detail is not None and win.current.detail.snapshot.state == "registered"
        ),
        timeout=WAIT,
    )
    assert not register.isEnabled() and "待派遣" in register.toolTip()


def test_an_alert_acknowledged_at_another_seat_leaves_the_count_at_the_next_refresh(
    open_window: Opener, demo_db: Database, clock: Clock, escalated: dict[str, int], qtbot: QtBot
) -> None:
    win = open_window("duty_chief")
    panel = win.night.panel
    assert panel.unacknowledged_count() == 2
    other_seat = Workbench(demo_db, username="leader", clock=clock)
    alert = next(r for r in other_seat.alerts_for_panel().records if r.case_id == escalated["b"])
    other_seat.acknowledge_alert(alert.id)
    win.night.refresh()
    qtbot.waitUntil(lambda: panel.unacknowledged_count() == 1, timeout=WAIT)
    assert "1" in win.alerts_label.text() and win.windowTitle().startswith("(1)")
    row = next(r for r in panel.visible_records() if r.case_id == escalated["b"])
    assert row.acknowledged_by_name == other_seat.actor.name
