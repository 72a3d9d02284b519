"""Starting the main window (console.views.app): maximised the first time, as left after."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.services.queue import QueueFilter, queue_tabs
from console.services.workbench import Workbench
from console.views.app import show_window
from console.views.main_window import MainWindow
from tests.conftest import Clock


def test_first_start_maximised_then_the_saved_layout(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    path = str(tmp_path / "settings.ini")

    def start() -> MainWindow:
        settings = QSettings(path, QSettings.Format.IniFormat)
        settings.beginGroup("user/duty_chief")  # as run_gui keeps each user's layout
        win = MainWindow(
            Bridge(),
            Workbench(demo_db, username="duty_chief", clock=clock),
            tabs=queue_tabs(),
            filter_type=QueueFilter,
            settings=settings,
            theme="light",
        )
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
            show_window(win, settings)
        return win

    def stop(win: MainWindow) -> None:
        win.close()  # saves the layout
        win.bridge.shutdown()

    first = start()
    assert first.isMaximized()  # no layout saved yet: the whole screen
    first.showNormal()
    first.resize(1400, 820)
    qtbot.waitUntil(lambda: not first.isMaximized() and first.width() == 1400)
    stop(first)

    again = start()
    assert not again.isMaximized()  # the seat's own layout, not maximised over it
    # (Its size is the saved one as far as the screen allows: Qt fits a restored window to the
    # offscreen platform's 800×800 screen.)
    again.showMaximized()
    qtbot.waitUntil(again.isMaximized)
    stop(again)

    third = start()
    assert third.isMaximized()  # left maximised: restored maximised
    stop(third)


def test_a_screenshot_gets_the_size_asked(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(
        Bridge(),
        Workbench(demo_db, username="duty_chief", clock=clock),
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        settings=settings,
    )
    qtbot.addWidget(win)
    show_window(win, settings, (1280, 720))
    assert not win.isMaximized() and (win.width(), win.height()) == (1280, 720)
    win.bridge.shutdown()
