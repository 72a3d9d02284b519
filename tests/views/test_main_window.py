"""The main window end to end: real services, real SQLite, real Qt widgets and map, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.services.cases.service import CaseService
from console.services.demo import demo_accounts
from console.services.queue import QueueFilter, queue_tabs
from console.services.report_input import ReportInput
from console.services.workbench import Workbench
from console.views.main_window import MainWindow
from console.views.map_page import build_map_page
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, INTAKE

DEMO_PASSWORD = {a.username: a.password for a in demo_accounts()}


def demo_password(username: str) -> str:
    """The published demo password (one for every department handler, dept-…)."""
    return DEMO_PASSWORD["dept-*" if username.startswith("dept-") else username]


def main_window(
    qtbot: QtBot,
    demo_db: Database,
    tmp_path: Path,
    clock: Clock,
    *,
    username: str = "duty_chief",
    with_map: bool = True,
) -> Iterator[MainWindow]:
    """``username``'s window (the duty chief's) on the demo database, shown, following the
    change feed; with the real map page unless ``with_map`` is False."""
    bridge = Bridge()
    workbench = Workbench(demo_db, username=username, clock=clock)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    page = build_map_page(workbench.map_grids(), tmp_path / "map") if with_map else None
    win = MainWindow(
        bridge,
        workbench,
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        map_page=page,
        settings=settings,
        theme="light",
    )
    qtbot.addWidget(win)
    bridge.follow(workbench.poll_changes, interval_ms=100)
    with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
        win.show()
    yield win
    bridge.shutdown()


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[MainWindow]:
    yield from main_window(qtbot, demo_db, tmp_path, clock)


def _version(window: MainWindow) -> int | None:
    """The version the next action would send (that of the case on screen)."""
    target = window.current.target()
    return None if target is None else target[1]


def report(db: Database, clock: Clock, description: str = "新报垃圾") -> int:
    """A report from another seat: its own Database object, as another process would."""
    import shapely
    from sqlalchemy import select

    from console.models import Region

    other = Database(db.url)
    try:
        with other.read() as s:
            geometry = s.scalar(select(Region.geometry).where(Region.level == "grid").limit(1))
        p = shapely.from_geojson(geometry).representative_point()
        snap = CaseService(other, clock=clock).report(
            INTAKE,
            ReportInput(
                category_code="0102",
                kind="event_type",
                lon=p.x,
                lat=p.y,
                description=description,
                address="莲湖路9号",
            ),
        )
        return snap.id
    finally:
        other.dispose()


def test_new_report_from_another_seat_appears_live(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    model = window.queue.model
    assert window.queue.current_filter().tab == "to_register"
    before = model.rowCount()
    first = report(demo_db, clock)
    qtbot.waitUntil(lambda: model.row_of(first) is not None, timeout=10_000)
    window.queue.select_case(first)
    qtbot.waitUntil(lambda: window.detail.current_case_id == first, timeout=10_000)
    second = report(demo_db, clock, "<script>alert(1)</script>")
    qtbot.waitUntil(lambda: model.row_of(second) is not None, timeout=10_000)
    assert model.rowCount() == before + 2
    # The selection stays on the case the dispatcher was reading.
    assert window.queue.selected_ids() == [first]
    row = model.rows[model.row_of(second)]
    assert row.description == "<script>alert(1)</script>"  # shown as plain item text


def test_change_by_someone_else_refreshes_detail_with_notice(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    case_id = report(demo_db, clock)
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is not None, timeout=10_000)
    window.queue.select_case(case_id)
    qtbot.waitUntil(lambda: window.detail.current_case_id == case_id, timeout=10_000)
    seen = _version(window)
    other = Database(demo_db.url)
    try:
        CaseService(other, clock=clock).add_note(INTAKE, case_id, seen, note="市民再次来电催办")
    finally:
        other.dispose()
    qtbot.waitUntil(lambda: _version(window) == (seen or 0) + 1, timeout=10_000)
    assert window.detail.notice_label.isVisible()
    assert "受理员" in window.detail.notice_label.text()


def test_filters_and_layout_survive_a_restart(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    path = str(tmp_path / "settings.ini")

    def open_window() -> MainWindow:
        bridge = Bridge()
        win = MainWindow(
            bridge,
            Workbench(demo_db, clock=clock),
            tabs=queue_tabs(),
            filter_type=QueueFilter,
            settings=QSettings(path, QSettings.Format.IniFormat),
            theme="dark",
        )
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
            win.show()
        return win

    first = open_window()
    first.queue.with_tab("all_open")
    first.queue.street_box.setCurrentIndex(2)
    street = first.queue.street_box.currentData()
    first.close()
    first.bridge.shutdown()
    again = open_window()
    assert again.queue.current_filter().tab == "all_open"
    assert again.queue.current_filter().street_id == street
    again.close()
    again.bridge.shutdown()


def test_sorting_and_filters_run_in_the_database(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    from sqlalchemy import select

    from console.models import Category
    from console.services.bulk_intake import bulk_report
    from console.services.demo import random_points_in_grids
    from console.services.locator import DbLocator

    with demo_db.read() as s:
        lons, lats = random_points_in_grids(s, 60, seed=5)
        codes = s.execute(
            select(Category.code, Category.kind).where(Category.taxonomy == "cjt214").limit(3)
        ).all()
    bulk_report(
        demo_db,
        INTAKE,
        [
            ReportInput(
                category_code=codes[i % 3][0],
                kind=codes[i % 3][1],
                lon=float(lons[i]),
                lat=float(lats[i]),
                description="批量",
                address=f"路{i}号",
            )
            for i in range(60)
        ],
        now=clock.now,
        locator=DbLocator(demo_db),
    )
    panel = window.queue
    panel.with_tab("all_open")
    model = panel.model
    qtbot.waitUntil(lambda: model.rowCount() > 5, timeout=10_000)
    panel.table.horizontalHeader().sectionClicked.emit(0)  # case no.
    qtbot.waitUntil(lambda: panel.current_filter().sort == "number", timeout=5_000)
    qtbot.waitUntil(
        lambda: (
            [r.number for r in model.rows] == sorted((r.number for r in model.rows), reverse=False)
        ),
        timeout=10_000,
    )
    panel.table.horizontalHeader().sectionClicked.emit(0)
    qtbot.waitUntil(
        lambda: (
            [r.number for r in model.rows] == sorted((r.number for r in model.rows), reverse=True)
        ),
        timeout=10_000,
    )
    # A street enables its grids; a grid narrows the queue to it.
    panel.street_box.setCurrentIndex(1)
    qtbot.waitUntil(
        lambda: panel.grid_box.isEnabled() and panel.grid_box.count() > 1, timeout=10_000
    )
    street = panel.street_box.currentData()
    qtbot.waitUntil(lambda: all(r.street_id == street for r in model.rows), timeout=10_000)
    assert model.rows, "the bulk report put cases in every street"
    kind, category = model.rows[0].kind, model.rows[0].category_code
    panel.category_box.setCurrentIndex(panel.category_box.findData(f"{kind}:{category}"))
    qtbot.waitUntil(
        lambda: (
            model.rowCount() > 0
            and all(
                r.category_code == category and r.kind == kind and r.street_id == street
                for r in model.rows
            )
        ),
        timeout=10_000,
    )


def test_simulate_in_another_process_makes_the_console_live(
    window: MainWindow, qtbot: QtBot, demo_db: Database
) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    panel = window.queue
    panel.with_tab("all_open")
    qtbot.waitUntil(
        lambda: panel.model.filter is not None and panel.model.filter.tab == "all_open",
        timeout=5_000,
    )
    before = panel.model.total
    proc = subprocess.Popen(
        [
            sys.executable,
            str(root / "main.py"),
            "--db",
            demo_db.url,
            "simulate",
            "--rate",
            "240",
            "--duration",
            "3",
            "--seed",
            "4",
        ],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # New reports show up in the open queue without a reload, while the simulator runs.
        qtbot.waitUntil(lambda: panel.model.total >= before + 3, timeout=20_000)
    finally:
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    assert "上报" in out
    window.queue.reload()
    qtbot.waitUntil(lambda: window.queue.model.total >= before + 3, timeout=10_000)


def _js(window: MainWindow, qtbot: QtBot, script: str) -> object:
    box: list[object] = []
    window.map.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return box[0]


def _tab_total(window: MainWindow, qtbot: QtBot, tab: str) -> int:
    window.queue.with_tab(tab)
    qtbot.waitUntil(
        lambda: (
            window.queue.model.filter is not None
            and window.queue.model.filter.tab == tab
            and not window.queue.model._fetching
        ),
        timeout=10_000,
    )
    return window.queue.model.total


def _as_user(window: MainWindow, username: str) -> None:
    window.workbench.switch_user(username, demo_password(username))
    window._after_user_switch()


def _open(window: MainWindow, qtbot: QtBot, tab: str, case_id: int) -> None:
    window.queue.with_tab(tab)
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is not None, timeout=10_000)
    before = window.detail.detail
    window.queue.select_case(case_id)
    window.current.reload()  # as the signed-in user, whatever was selected before
    qtbot.waitUntil(
        lambda: window.detail.detail is not before and window.detail.current_case_id == case_id,
        timeout=10_000,
    )


def _answer_note(text: str) -> None:
    from console.views.action_dialogs import NoteDialog

    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, NoteDialog):
        dialog.note_edit.setPlainText(text)
        dialog.accept()
    else:
        QTimer.singleShot(50, lambda: _answer_note(text))


def test_closed_loop_through_the_widgets(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    from sqlalchemy import select

    from console.models import User

    case_id = report(demo_db, clock, "井盖缺失 <b>危险</b>")
    qtbot.waitUntil(
        lambda: _js(window, qtbot, f"consoleMap.hasCase({case_id})") is True, timeout=10_000
    )
    counts = {
        t: _tab_total(window, qtbot, t)
        for t in ("to_register", "to_dispatch", "in_progress", "to_verify")
    }

    # 值班长 registers from the detail panel's button.
    _open(window, qtbot, "to_register", case_id)
    window.detail.action_buttons["register"].click()
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is None, timeout=10_000)
    assert _tab_total(window, qtbot, "to_register") == counts["to_register"] - 1
    assert _tab_total(window, qtbot, "to_dispatch") == counts["to_dispatch"] + 1

    # 派遣员 dispatches with Ctrl+D's dialog: the case goes to the routed department.
    _as_user(window, "dispatcher")
    _open(window, qtbot, "to_dispatch", case_id)

    def accept_dispatch() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            dialog.accept()
        else:
            QTimer.singleShot(50, accept_dispatch)

    QTimer.singleShot(50, accept_dispatch)
    window.actions_by_id["dispatch"].trigger()
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is None, timeout=10_000)
    assert _tab_total(window, qtbot, "to_dispatch") == counts["to_dispatch"]
    assert _tab_total(window, qtbot, "in_progress") == counts["in_progress"] + 1
    qtbot.waitUntil(
        lambda: _js(window, qtbot, f"consoleMap.caseLight({case_id})") == "green", timeout=10_000
    )

    # The department's handler reports back, with the note the dialog asks for.
    snap = window.workbench.cases.get(case_id)
    with demo_db.read() as s:
        handler_name = s.scalar(
            select(User.username).where(User.department_id == snap.department_id)
        )
    assert handler_name is not None
    _as_user(window, handler_name)
    _open(window, qtbot, "in_progress", case_id)
    QTimer.singleShot(50, lambda: _answer_note("已更换井盖"))
    window.detail.action_buttons["feedback"].click()
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is None, timeout=10_000)
    assert _tab_total(window, qtbot, "to_verify") == counts["to_verify"] + 1

    # 监督员 verifies on site (toolbar), 值班长 closes (toolbar): the marker leaves the map.
    _as_user(window, "inspector")
    _open(window, qtbot, "to_verify", case_id)
    window.actions_by_id["verify_pass"].trigger()
    qtbot.waitUntil(lambda: window.workbench.cases.get(case_id).state == "verified", timeout=10_000)
    _as_user(window, "duty_chief")
    _open(window, qtbot, "to_verify", case_id)
    window.actions_by_id["close"].trigger()
    qtbot.waitUntil(lambda: window.queue.model.row_of(case_id) is None, timeout=10_000)
    assert _tab_total(window, qtbot, "to_verify") == counts["to_verify"]
    qtbot.waitUntil(
        lambda: _js(window, qtbot, f"consoleMap.hasCase({case_id})") is False, timeout=10_000
    )
    timeline = [e.action for e in window.workbench.detail(case_id).timeline]
    assert set(timeline) >= {"report", "register", "dispatch", "feedback", "verify_pass", "close"}


def test_overdue_case_raises_an_alert_the_duty_chief_acknowledges(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    from console.scheduler import ConsoleScheduler

    case_id = report(demo_db, clock)
    service = CaseService(demo_db, clock=clock)
    snap = service.register(CHIEF, case_id, None)
    service.dispatch(DISPATCHER, case_id, snap.version)
    clock.advance(hours=30)  # long past its 4 working hours

    bridge = Bridge()
    workbench = Workbench(demo_db, username="duty_chief", clock=clock)
    scheduler = ConsoleScheduler(
        demo_db,
        seat_id="test-seat",
        clock=clock,
        jobstore_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        scan_interval_s=0.3,
        calendar=workbench.calendar,
    )
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(
        bridge,
        workbench,
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        settings=settings,
        theme="dark",
        scheduler=scheduler,
    )
    qtbot.addWidget(win)
    bridge.follow(workbench.poll_changes, interval_ms=100)
    with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
        win.show()
    scheduler.start()
    try:
        panel = win.night.panel
        # Long overdue at the first scan: its current level is raised, once (no stale warning).
        qtbot.waitUntil(lambda: panel.unacknowledged_count() >= 1, timeout=15_000)
        qtbot.waitUntil(
            lambda: win.windowTitle().startswith(f"({panel.unacknowledged_count()})"), timeout=5_000
        )
        assert str(panel.unacknowledged_count()) in win.alerts_label.text()
        before = panel.unacknowledged_count()
        first = panel.visible_records()[0]
        panel.acknowledge_requested.emit(first.id)
        qtbot.waitUntil(lambda: panel.unacknowledged_count() == before - 1, timeout=10_000)
        # Another scan raises nothing new: exactly once.
        scheduler.run_scan_now()
        qtbot.wait(500)
        assert panel.unacknowledged_count() == before - 1
    finally:
        scheduler.shutdown(wait=True)
        win.close()
        bridge.shutdown()


def test_switch_user_asks_for_a_password_and_the_admin_screen_follows_the_role(
    window: MainWindow, qtbot: QtBot
) -> None:
    from console.views.login_dialog import LoginDialog

    assert window.workbench.actor.role == "duty_chief"
    assert not window.actions_by_id["user_admin"].isVisible()
    window.actions_by_id["switch_user"].trigger()
    dialog = window.findChild(LoginDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.username.setText("admin")
    dialog.password.setText("wrong-pass-1")
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: "用户名或密码错误" in dialog.error.text(), timeout=10_000)
    assert window.workbench.actor.role == "duty_chief"  # nothing changed
    dialog.password.setText(demo_password("admin"))
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000):
        dialog.sign_in_button.click()
    assert window.workbench.actor.role == "admin"
    assert window.actions_by_id["user_admin"].isVisible()
    assert window.workbench.actor.name in window.windowTitle()


def test_a_provisional_year_is_said_in_the_status_bar_and_the_duty_chiefs_alerts(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    from console.domain.holiday_schedule import ScheduleDay
    from console.views.calendar_dialog import CalendarDialog

    notice = window.calendar_notice
    # 23 November: 2027 is the law's (provisional)
    qtbot.waitUntil(lambda: "2027" in notice.status_label.text(), timeout=10_000)
    text = notice.status_label.text()
    assert text in (
        "2027 年节假日安排尚未导入，期限按法定假日推算",
        "The 2027 holiday schedule is not loaded: deadlines count the statutory holidays"
        " (provisional)",
    )
    assert notice.status_label.isVisible()
    assert notice.banner.isVisible() and notice.banner.text() == text
    assert window.night.panel.isAncestorOf(notice.banner) is False
    assert notice.banner.parentWidget() is window.alerts_dock.widget()

    # The duty chief may look at the year, not change it.
    action = window.actions_by_id["calendar"]
    assert action.isVisible()
    action.trigger()
    dialog = window.findChild(CalendarDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.loaded >= 1, timeout=10_000)
    assert dialog.year_box.value() == 2027 and not dialog.save_button.isEnabled()

    # An admin elsewhere loads the State Council's 2027: the notice goes at the next refresh.
    admin = Workbench(demo_db, username="admin", clock=clock)
    admin.save_calendar_year(2027, [ScheduleDay(date(2027, 1, 1), "holiday", "元旦")])
    window._refresh_counts()
    qtbot.waitUntil(lambda: not notice.status_label.isVisible(), timeout=10_000)
    assert not notice.banner.isVisible()


def test_ctrl_q_asks_while_alerts_wait(window: MainWindow, qtbot: QtBot) -> None:
    asked: list[int] = []
    window.confirm_quit = lambda n: bool(asked.append(n))  # type: ignore[method-assign]
    window.unacknowledged = 0
    window.actions_by_id["quit"].trigger()  # nothing waits: no question
    assert asked == [] and not window.isVisible()
    window.show()
    window._quit_confirmed = False
    window.unacknowledged = 3
    window.actions_by_id["quit"].trigger()
    assert asked == [3] and window.isVisible()  # answered no: the console stays
    window.confirm_quit = lambda n: True  # type: ignore[method-assign]
    window.actions_by_id["quit"].trigger()
    assert not window.isVisible()


def test_an_evaluation_drill_down_row_opens_the_case(
    window: MainWindow, qtbot: QtBot, demo_db: Database, clock: Clock
) -> None:
    case_id = report(demo_db, clock)
    window.insight.open_evaluation()
    view = window.insight.evaluation
    assert view is not None
    qtbot.waitUntil(lambda: view.report is not None, timeout=20_000)
    # The rankings are visible without dragging the splitter.
    top, bottom = view.splitter.sizes()
    assert top >= bottom and view.ranking_tabs.height() >= 260
    # A drill-down's case, double-clicked, becomes the console's current case.
    rows = window.workbench.queue_rows([case_id])
    view.show_cases("test", rows)
    view.cases_table.cellDoubleClicked.emit(0, 1)
    qtbot.waitUntil(lambda: window.current.target() is not None, timeout=10_000)
    assert window.current.case_id == case_id
    number = rows[0].number
    qtbot.waitUntil(lambda: window.detail.number_label.text() == number, timeout=10_000)
    view.close()


def test_a_department_handler_opens_on_their_own_departments_cases(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    from sqlalchemy import select

    from console.models import User

    with demo_db.read() as s:
        username, department_id = s.execute(
            select(User.username, User.department_id)
            .where(User.role == "department")
            .order_by(User.id)
            .limit(1)
        ).one()
    bridge = Bridge()
    workbench = Workbench(demo_db, username=username, clock=clock)
    settings = QSettings(str(tmp_path / "dept.ini"), QSettings.Format.IniFormat)
    win = MainWindow(
        bridge,
        workbench,
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        map_page=None,
        settings=settings,
        theme="light",
    )
    qtbot.addWidget(win)
    try:
        with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
            win.show()
        f = win.queue.current_filter()
        assert f.tab == "in_progress" and f.department_id == department_id
    finally:
        bridge.shutdown()
