"""The connection banner: shown with the last good contact while the database is unreachable,
hidden when it answers again; driven by the real Bridge following a feed that fails and recovers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.errors import DatabaseUnavailableError, ValidationError
from console.views.connection_banner import ConnectionBanner


def banner_in_window(qtbot: QtBot) -> tuple[QMainWindow, ConnectionBanner]:
    window = QMainWindow()
    qtbot.addWidget(window)
    banner = ConnectionBanner(window)
    window.addToolBar(banner)
    window.show()
    return window, banner


def test_the_banner_says_when_the_server_last_answered(qtbot: QtBot) -> None:
    _window, banner = banner_in_window(qtbot)  # keep the window alive
    assert banner.isHidden()
    assert not banner.toggleViewAction().isVisible()  # not in the tool bars' context menu
    last = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)
    banner.on_reachable_changed(False, last)
    assert banner.isVisible()
    assert "09:02:03" in banner.label.text()  # shown in the district's time (UTC+8)
    assert last.astimezone(LOCAL_TZ).strftime("%H:%M:%S") == "09:02:03"
    banner.on_reachable_changed(False, None)  # never reached since the start
    assert "—" in banner.label.text()
    banner.on_reachable_changed(True, datetime.now(UTC))
    assert banner.isHidden()


def test_the_bridge_shows_and_hides_it_as_the_feed_fails_and_recovers(qtbot: QtBot) -> None:
    _window, banner = banner_in_window(qtbot)  # keep the window alive
    bridge = Bridge()
    bridge.database_reachable_changed.connect(banner.on_reachable_changed)
    health: list[bool] = []
    bridge.feed_health_changed.connect(lambda ok, _why: health.append(ok))
    state = {"fail": None, "polls": 0}

    def poll() -> list[int]:
        state["polls"] += 1
        if state["fail"] is not None:
            raise state["fail"]
        return []

    try:
        bridge.follow(poll, interval_ms=20)
        # A refused poll that is not about the server: the feed is down, no banner.
        state["fail"] = ValidationError("坏数据")
        qtbot.waitUntil(lambda: health == [False], timeout=5000)
        qtbot.wait(100)
        assert banner.isHidden()
        state["fail"] = None
        qtbot.waitUntil(lambda: health == [False, True], timeout=5000)

        state["fail"] = DatabaseUnavailableError("与数据库服务器的连接已中断")
        qtbot.waitUntil(lambda: banner.isVisible(), timeout=5000)
        # Backing off: the retries come further and further apart.
        polls = state["polls"]
        qtbot.wait(300)
        assert state["polls"] - polls < 300 // 20
        state["fail"] = None
        qtbot.waitUntil(lambda: banner.isHidden(), timeout=10_000)
        assert health[-1] is True
    finally:
        bridge.shutdown()
