"""结案 of a case about a broken register object in the duty chief's real window (issue 17): the
toolbar's 结案 and the detail's button both ask what becomes of the object, and the answer goes
through the Workbench to the close step (real SQLite demo database, real dialog, offscreen)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.db import Database
from console.models import Case, Component, ComponentChange
from console.services.cases.service import CaseService
from console.views.component_close_dialog import ComponentStatusDialog
from console.views.main_window import MainWindow
from tests.conftest import Clock
from tests.services.components.test_case_component import _component, _report, _to_verified
from tests.services.console_support import street_points
from tests.views.test_main_window import main_window

WAIT = 15_000
DEG_PER_M = 1 / 111_195


@pytest.fixture
def verified(demo_db: Database, clock: Clock) -> dict[str, int]:
    """Two verified cases, each about its own damaged object owned by PRO01."""
    lon, lat = street_points(demo_db)[0][2]
    service = CaseService(demo_db, clock=clock)
    out = {}
    for serial in (1, 2):
        obj = _component(demo_db, lon, lat + serial * DEG_PER_M, owner="PRO01", serial=serial)
        case = _to_verified(service, demo_db, _report(service, (lon, lat), obj))
        out[f"case{serial}"], out[f"object{serial}"] = case.id, obj
    return out


@pytest.fixture
def window(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock, verified: dict[str, int]
) -> Iterator[MainWindow]:
    yield from main_window(qtbot, demo_db, tmp_path, clock, with_map=False)


def _show(window: MainWindow, qtbot: QtBot, case_id: int) -> None:
    window.current.set(case_id)
    qtbot.waitUntil(
        lambda: (
            window.current.detail is not None
            and window.current.detail.snapshot.id == case_id
            and not window.current.loading
        ),
        timeout=WAIT,
    )


def _answer(choice: str, seen: dict[str, Any]) -> None:
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ComponentStatusDialog)
        seen["proposed"] = dialog.choice.currentData()
        dialog.choice.setCurrentIndex(dialog.choice.findData(choice))
        dialog.accept()

    QTimer.singleShot(0, answer)


def _state_and_status(db: Database, case_id: int, obj: int) -> tuple[str, str, int]:
    with db.read() as s:
        state = s.scalar(select(Case.state).where(Case.id == case_id))
        status = s.scalar(select(Component.status).where(Component.id == obj))
        changes = len(
            s.scalars(select(ComponentChange.id).where(ComponentChange.component_id == obj)).all()
        )
    return str(state), str(status), changes


def test_the_toolbar_and_the_button_ask_and_close(
    window: MainWindow, qtbot: QtBot, demo_db: Database, verified: dict[str, int]
) -> None:
    _show(window, qtbot, verified["case1"])
    assert window.detail.component_box.isVisible()
    seen: dict[str, Any] = {}
    _answer("keep", seen)
    window.actions_by_id["close"].trigger()  # the toolbar's 结案 (Ctrl+Shift+C)
    qtbot.waitUntil(
        lambda: _state_and_status(demo_db, verified["case1"], verified["object1"])[0] == "closed",
        timeout=WAIT,
    )
    assert seen == {"proposed": "intact"}
    assert _state_and_status(demo_db, verified["case1"], verified["object1"]) == (
        "closed",
        "damaged",
        0,
    )

    _show(window, qtbot, verified["case2"])
    _answer("intact", seen)
    window.detail.action_buttons["close"].click()
    qtbot.waitUntil(
        lambda: _state_and_status(demo_db, verified["case2"], verified["object2"])[0] == "closed",
        timeout=WAIT,
    )
    assert _state_and_status(demo_db, verified["case2"], verified["object2"]) == (
        "closed",
        "intact",
        1,
    )
