"""The map's 职能 box (#16 §3) in the real main window, offscreen: real SQLite, real services,
real Leaflet page. Picking a function leaves that function's cases on the map, live reports of
another function stay off it, and 全部职能 brings every open case back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.cases.service import CaseService
from console.views.main_window import MainWindow
from console.views.map_filter import SETTINGS_KEY
from tests.conftest import Clock
from tests.services.console_support import INTAKE, report_input, street_points
from tests.services.test_queue_functions import cases  # noqa: F401  (the fixture)
from tests.views.test_main_window import _js, main_window


@pytest.fixture
def window(
    qtbot: QtBot,
    demo_db: Database,
    tmp_path: Path,
    clock: Clock,
    cases: dict[str, int],  # noqa: F811
) -> Iterator[MainWindow]:
    yield from main_window(qtbot, demo_db, tmp_path, clock)


def _on_map(window: MainWindow, qtbot: QtBot, ids: set[int]) -> bool:
    """The map's case layer is exactly ``ids``."""
    if _js(window, qtbot, "consoleMap.caseCount()") != len(ids):
        return False
    return all(_js(window, qtbot, f"consoleMap.hasCase({i})") for i in ids)


def _report(db: Database, clock: Clock, code: str) -> int:
    """A report from another seat (its own Database object, as another process would)."""
    other = Database(db.url)
    try:
        (_, _, point), _ = street_points(other)
        clock.advance(minutes=1)
        return (
            CaseService(other, clock=clock)
            .report(INTAKE, report_input(point, category_code=code))
            .id
        )
    finally:
        other.dispose()


def test_the_map_s_function_box_narrows_the_case_layer(
    window: MainWindow,
    qtbot: QtBot,
    demo_db: Database,
    clock: Clock,
    cases: dict[str, int],  # noqa: F811
) -> None:
    c = cases
    box = window.findChild(QComboBox, "mapFunctionFilter")
    assert box is not None and box.isVisibleTo(window)
    qtbot.waitUntil(lambda: box.count() == 6, timeout=10_000)
    # 全部职能, then the five (resources/org/functions.csv), shown in Chinese by default.
    assert [box.itemData(i) for i in range(box.count())] == [
        None,
        "党的建设",
        "经济发展",
        "城市管理",
        "公共服务",
        "安全稳定",
    ]
    assert box.itemText(5) == "安全稳定"
    qtbot.waitUntil(lambda: _on_map(window, qtbot, set(c.values())), timeout=20_000)

    box.setCurrentIndex(box.findData("安全稳定"))  # as the dispatcher picks it
    qtbot.waitUntil(lambda: _on_map(window, qtbot, {c["dispute"], c["hazard"]}), timeout=10_000)
    assert window.settings.value(SETTINGS_KEY) == "安全稳定"

    # Live: a new 暴露垃圾 reaches the queue but not this map; a new 矛盾纠纷 reaches both.
    rubbish = _report(demo_db, clock, "06010")
    qtbot.waitUntil(lambda: window.queue.model.row_of(rubbish) is not None, timeout=10_000)
    dispute = _report(demo_db, clock, "14001")
    qtbot.waitUntil(
        lambda: _on_map(window, qtbot, {c["dispute"], c["hazard"], dispute}), timeout=10_000
    )
    assert _js(window, qtbot, f"consoleMap.hasCase({rubbish})") is False

    box.setCurrentIndex(box.findData("经济发展"))
    qtbot.waitUntil(lambda: _on_map(window, qtbot, {c["business"]}), timeout=10_000)

    box.setCurrentIndex(0)  # 全部职能
    everything = {*c.values(), rubbish, dispute}
    qtbot.waitUntil(lambda: _on_map(window, qtbot, everything), timeout=10_000)
    assert window.settings.value(SETTINGS_KEY) == ""
