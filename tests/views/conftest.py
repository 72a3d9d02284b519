"""Qt view tests: offscreen Qt WebEngine (env set in tests/conftest.py), real pages, no mocks.

The ``mbtiles://`` scheme must be declared before the QApplication exists; conftest modules
are imported at collection, before pytest-qt creates the application.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.views.tile_scheme import register_scheme

register_scheme()


@pytest.fixture(scope="session")
def demo_grids(demo_template: Path) -> dict[str, Any]:
    """The demo district's grids as GeoJSON (read once from the session's template DB)."""
    from console.db import Database
    from console.services.map_data import grid_feature_collection

    database = Database(f"sqlite:///{demo_template}", migrate=False)
    try:
        with database.read() as s:
            return grid_feature_collection(s)
    finally:
        database.dispose()


@pytest.fixture
def run_js(qtbot: Any) -> Callable[..., Any]:
    """``run_js(view, script)``: the script's result, waiting for the JS callback."""

    def run(view: Any, script: str, timeout: int = 5000) -> Any:
        box: list[Any] = []
        view.page().runJavaScript(script, 0, box.append)
        qtbot.waitUntil(lambda: bool(box), timeout=timeout)
        return box[0]

    return run


@pytest.fixture(autouse=True)
def delete_widgets_while_the_app_lives(qapp: Any) -> Any:
    """Delete every top-level widget after each test, while the QApplication still runs.

    Left to interpreter shutdown, Qt WebEngine pages outlive their profile and PySide6
    crashes on exit; deleting them here keeps teardown in Qt's order.
    """
    from console.views.gui_gc import collect_on_gui_thread

    collect_on_gui_thread(qapp)  # as the console's application() does
    yield
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
