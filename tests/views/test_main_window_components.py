"""The main window's repeat-offender list (issue 17): a dock behind the alerts, and a chosen row
brings the map back to show the object. Real window, services, SQLite and map page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from console.db import Database
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import INSPECTOR, report_input
from tests.views.test_main_window import main_window
from tests.views.test_map_components import counts, register, wait_loaded

__all__ = ["register"]  # the fixture, used by name


def test_the_main_window_has_the_list_and_a_chosen_row_shows_the_map(
    demo_db: Database,
    register: dict[str, Any],
    clock: Clock,
    qtbot: Any,
    tmp_path: Path,
    run_js: Callable[..., Any],
) -> None:
    target = register["a"][1]  # 01003, 5 m from the point
    service = CaseService(demo_db, clock=clock)
    for _ in range(3):
        clock.advance(minutes=5)
        service.report(
            INSPECTOR,
            report_input(
                register["point_a"], kind="component", category_code="01003", component_id=target
            ),
        )
    windows = main_window(qtbot, demo_db, tmp_path, clock)
    window = next(windows)
    try:
        assert window.repeats_dock.windowTitle() == "Repeat offenders"
        table = window.components.panel.table
        qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=10000)
        wait_loaded(qtbot, run_js, window.map, 400)
        window.map_dock.hide()
        table.selectRow(0)
        assert window.map_dock.isVisible()  # the map comes back to show the object
        qtbot.waitUntil(
            lambda: run_js(window.map, "!!consoleComponents.popupElement()") is True,
            timeout=10000,
        )
        assert counts(run_js, window.map)["marked"] == target
    finally:
        next(windows, None)
