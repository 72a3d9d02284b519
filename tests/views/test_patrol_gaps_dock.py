"""The alerts dock's patrol-gap list (巡查缺漏) through the real window: a dispatcher sees one
line per unpatrolled street with the grids in the tooltip and acknowledges one; the case
alerts' list, count and buttons are untouched; the intake seat sees none; the seat's own
scheduler firing the end-of-day job puts them in the dock at once.

The real MainWindow, Bridge and Workbench on a real SQLite demo database, offscreen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.db import Database
from console.models import PatrolAlert
from console.scheduler import PATROL_ALERT_JOB_ID, ConsoleScheduler
from console.services.patrol_alerts import PatrolAlertRecord, PatrolAlertRules, PatrolAlertService
from console.services.queue import QueueFilter, queue_tabs
from console.services.workbench import Workbench
from console.views.alerts_model import PatrolGapsModel
from console.views.main_window import MainWindow
from tests.conftest import Clock
from tests.services.patrol_alert_support import at, district, patrol_grids

WAIT = 10_000
DAY = date(2026, 11, 23)
COL = {name: i for i, name in enumerate(PatrolGapsModel.COLUMNS)}
Opener = Callable[..., MainWindow]


@pytest.fixture
def raised(demo_db: Database, clock: Clock) -> list[PatrolAlertRecord]:
    """Monday's patrol gaps: the first street fully patrolled, the second but for 3 grids."""
    place = district(demo_db)
    full, partly, *_ = sorted(place.streets)
    patrol_grids(demo_db, clock, place.codes(full) + place.codes(partly)[3:])
    clock.now = at(DAY, 22, 10)
    service = PatrolAlertService(demo_db, clock, rules=PatrolAlertRules(time(22, 0), 7))
    records = service.raise_for_day(DAY)
    assert len(records) == len(place.streets) - 1
    return records


@pytest.fixture
def open_window(qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[Opener]:
    bridges: list[Bridge] = []

    def open_as(username: str, scheduler: ConsoleScheduler | None = None) -> MainWindow:
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
            scheduler=scheduler,
        )
        qtbot.addWidget(win)
        bridge.follow(workbench.poll_changes, interval_ms=100)
        with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
            win.show()
        qtbot.waitUntil(lambda: win.night._loaded, timeout=WAIT)
        return win

    yield open_as
    for bridge in bridges:
        bridge.shutdown()


def test_a_dispatcher_sees_each_streets_gap_and_acknowledges_one(
    open_window: Opener, demo_db: Database, raised: list[PatrolAlertRecord], qtbot: QtBot
) -> None:
    win = open_window("dispatcher")
    panel = win.night.panel
    model = panel.patrol_model
    qtbot.waitUntil(lambda: model.rowCount() == len(raised), timeout=WAIT)
    assert panel.patrol_box.isVisibleTo(panel)
    assert panel.patrol_unacknowledged_count() == len(raised)
    assert str(len(raised)) in panel.patrol_count_label.text()

    partly = next(r for r in raised if r.grid_count == 3)
    row = next(i for i in range(model.rowCount()) if model.record(i).id == partly.id)

    def cell(column: str, role: int = Qt.ItemDataRole.DisplayRole) -> str:
        return str(model.index(row, COL[column]).data(role))

    line = " ".join(cell(c) for c in ("kind", "day", "street", "grids"))
    assert line == f"Patrol gap 2026-11-23 {partly.street_name} 3 grids not patrolled"
    tip = cell("grids", Qt.ItemDataRole.ToolTipRole)
    for code, name in zip(partly.grid_codes, partly.grid_names, strict=True):
        assert code in tip and name in tip
    # The case alerts are not touched: none listed, none counted, nothing to acknowledge.
    assert panel.visible_records() == [] and panel.unacknowledged_count() == 0
    assert not panel.acknowledge_all_button.isEnabled()
    assert not win.windowTitle().startswith("(")

    assert not panel.patrol_acknowledge_button.isEnabled()  # nothing selected yet
    panel.patrol_table.selectionModel().select(
        model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert panel.patrol_acknowledge_button.isEnabled()
    qtbot.mouseClick(panel.patrol_acknowledge_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.record(row).acknowledged_at is not None, timeout=WAIT)
    assert cell("ack_by") == win.night.workbench.actor.name
    assert panel.patrol_unacknowledged_count() == len(raised) - 1
    assert not panel.patrol_acknowledge_button.isEnabled()
    with demo_db.read() as s:
        stored = s.scalar(select(PatrolAlert).where(PatrolAlert.id == partly.id))
        assert stored is not None and stored.acknowledged_by_name == cell("ack_by")
        assert stored.acknowledged_at is not None

    # The next refresh (as every 30 s) keeps the acknowledged line and the count.
    win.night.refresh()
    qtbot.wait(300)
    assert model.rowCount() == len(raised)
    assert panel.patrol_unacknowledged_count() == len(raised) - 1


def test_the_intake_seat_has_no_patrol_gaps(
    open_window: Opener, raised: list[PatrolAlertRecord], qtbot: QtBot
) -> None:
    win = open_window("intake")
    panel = win.night.panel
    qtbot.wait(300)
    assert panel.patrol_model.rowCount() == 0
    assert not panel.patrol_box.isVisibleTo(panel)


def test_the_seats_end_of_day_job_fills_the_dock_at_once(
    open_window: Opener, demo_db: Database, clock: Clock, tmp_path: Path, qtbot: QtBot
) -> None:
    place = district(demo_db)
    patrol_grids(demo_db, clock, place.codes(min(place.streets)))  # Monday 09:00
    clock.now = at(DAY, 21, 0)
    scheduler = ConsoleScheduler(
        demo_db,
        seat_id="dock-test",
        jobstore_url=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        scan=lambda _s, _now, _cal: [],
        clock=clock,
        patrol_alert_rules=PatrolAlertRules(time(22, 0), 7),
    )
    win = open_window("duty_chief", scheduler)
    panel = win.night.panel
    scheduler.start()
    try:
        qtbot.wait(300)
        assert panel.patrol_model.rowCount() == 0  # 21:00: the day is not over
        clock.now = at(DAY, 22, 0)
        win.night._refresh.stop()  # no 30 s refresh in between: the job's callback it is
        scheduler._scheduler.modify_job(  # type: ignore[union-attr]
            PATROL_ALERT_JOB_ID, next_run_time=datetime.now(LOCAL_TZ)
        )
        qtbot.waitUntil(
            lambda: panel.patrol_model.rowCount() == len(place.streets) - 1, timeout=WAIT
        )
        assert panel.patrol_box.isVisibleTo(panel)
        message = win.statusBar().currentMessage()
        assert message == f"Patrol gaps: {len(place.streets) - 1} new street alerts"
    finally:
        scheduler.shutdown()
