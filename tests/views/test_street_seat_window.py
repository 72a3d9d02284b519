"""A street seat's real window (issue 16 §1): the same console, opening on its street — its
cases in the queue, its grids on the map (fitted to them), its name in the title, no one's
patrol tracks. Real services, real SQLite, real Qt widgets and Leaflet, offscreen."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.db import Database
from console.models import Region
from console.services.cases.service import CaseService
from console.views.main_window import MainWindow
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    department_id,
    report_input,
    street_points,
)
from tests.views.test_main_window import main_window


@pytest.fixture
def street_window(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> Iterator[tuple[MainWindow, dict[str, list[int]]]]:
    service = CaseService(demo_db, clock=clock)
    made: dict[str, list[int]] = {"own": [], "other": []}
    for key, (_street, _grid, point) in zip(("own", "other"), street_points(demo_db), strict=True):
        for n in range(2):
            clock.advance(minutes=1)
            s = service.report(INTAKE, report_input(point, description=f"{key} {n}"))
            made[key].append(service.register(CHIEF, s.id, s.version).id)
    for win in main_window(qtbot, demo_db, tmp_path, clock, username="street_duty_officer"):
        yield win, made


def _js(win: MainWindow, qtbot: QtBot, script: str) -> object:
    box: list[object] = []
    win.map.page().runJavaScript(script, 0, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=5_000)
    return box[0]


def test_the_street_seat_opens_on_its_street(
    street_window: tuple[MainWindow, dict[str, list[int]]], qtbot: QtBot, demo_db: Database
) -> None:
    win, made = street_window
    assert "青年路街道" in win.windowTitle()
    assert win.patrols is None  # people's tracks are the command center's
    panel = win.queue
    panel.with_tab("all_open")
    qtbot.waitUntil(
        lambda: (
            panel.model.filter is not None
            and panel.model.filter.tab == "all_open"
            and not panel.model._fetching
        ),
        timeout=10_000,
    )
    shown = {row.id for row in panel.model.rows}
    assert {row.street_name for row in panel.model.rows} == {"青年路街道"}
    assert shown == set(made["own"])
    assert panel.model.total == 2
    # The map: the street's cases drawn, the other street's not, the street's grids fitted.
    qtbot.waitUntil(lambda: _js(win, qtbot, "consoleMap.isReady()") is True, timeout=20_000)
    qtbot.waitUntil(
        lambda: all(_js(win, qtbot, f"consoleMap.hasCase({i})") for i in made["own"]),
        timeout=10_000,
    )
    assert not any(_js(win, qtbot, f"consoleMap.hasCase({i})") for i in made["other"])
    with demo_db.read() as s:
        grids = s.scalars(
            select(Region.id).where(Region.level == "grid", Region.code.startswith("610104001"))
        ).all()
        elsewhere = s.scalar(
            select(Region.id)
            .where(Region.level == "grid", Region.code.not_like("610104001%"))
            .limit(1)
        )
    assert _js(win, qtbot, f"consoleMap.gridFill({grids[0]}) !== null") is True
    assert _js(win, qtbot, f"consoleMap.gridFill({elsewhere}) === null") is True
    box = _js(win, qtbot, "JSON.stringify(consoleMap.gridBoundsOnScreen())")
    x0, y0, x1, y1, width, height = json.loads(str(box))
    # Fitted: the street fills the map (within its padding) instead of a speck of the district.
    assert max(x1 - x0, y1 - y0) >= 0.8 * min(width, height)


def _answer(kind: type, fill: Callable[[Any], None]) -> None:
    """Fill and accept the modal dialog of ``kind`` once it is up."""
    dialog = QApplication.activeModalWidget()
    if isinstance(dialog, kind):
        fill(dialog)
        dialog.accept()
    else:
        QTimer.singleShot(50, lambda: _answer(kind, fill))


def test_the_street_seat_sends_a_case_on_and_hands_another_up_through_its_window(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    from console.views.action_dialogs import ForceDialog, NoteDialog

    service = CaseService(demo_db, clock=clock)
    point = street_points(demo_db)[0][2]
    ids = []
    for _ in range(2):
        s = service.report(INTAKE, report_input(point))
        s = service.register(CHIEF, s.id, s.version)
        committee = department_id(demo_db, "SC610104001")
        ids.append(service.dispatch(DISPATCHER, s.id, s.version, department_id=committee).id)
    sent_on, handed_up = ids
    windows = main_window(
        qtbot, demo_db, tmp_path, clock, username="street_duty_officer", with_map=False
    )
    win = next(windows)
    workbench = win.workbench
    try:

        def open_case(case_id: int) -> None:
            win.queue.with_tab("in_progress")
            qtbot.waitUntil(lambda: win.queue.model.row_of(case_id) is not None, timeout=10_000)
            win.queue.select_case(case_id)
            qtbot.waitUntil(
                lambda: (
                    win.detail.detail is not None
                    and win.detail.current_case_id == case_id
                    and "sub_dispatch" in win.detail.action_buttons
                ),
                timeout=10_000,
            )

        # 二级派遣: the dialog lists the case's unit, its grid's staff and the stations.
        open_case(sent_on)
        offered: list[str] = []

        def choose_unit(dialog: Any) -> None:
            combo = dialog.force_combo
            offered.extend(combo.itemText(i) for i in range(combo.count()))
            combo.setCurrentIndex(
                next(i for i in range(combo.count()) if "单元长" in combo.itemText(i))
            )
            dialog.hours_spin.setValue(6)

        QTimer.singleShot(50, lambda: _answer(ForceDialog, choose_unit))
        win.detail.action_buttons["sub_dispatch"].click()
        qtbot.waitUntil(lambda: workbench.detail(sent_on).sub_task is not None, timeout=10_000)
        assert any(o.endswith("环卫所") for o in offered)
        task = workbench.detail(sent_on).sub_task
        assert task is not None and task.deadline_at == clock() + timedelta(hours=6)
        qtbot.waitUntil(
            lambda: win.detail.fields["sub_task"].text().startswith(task.target_name),
            timeout=10_000,
        )

        # 提级: the note dialog, then the case waits on the district.
        open_case(handed_up)
        QTimer.singleShot(
            50,
            lambda: _answer(
                NoteDialog, lambda d: d.note_edit.setPlainText("主干道塌陷，超出街道能力")
            ),
        )
        win.detail.action_buttons["hand_up"].click()
        qtbot.waitUntil(
            lambda: workbench.cases.get(handed_up).state == "hand_up_requested", timeout=10_000
        )
        # The window reloads the case (and then its photos) after the step: let that finish
        # before the bridge stops, or the photo read is submitted to a stopped worker.
        qtbot.waitUntil(
            lambda: (
                win.detail.detail is not None
                and win.detail.detail.snapshot.state == "hand_up_requested"
            ),
            timeout=10_000,
        )
        qtbot.wait(500)
        win.close()
    finally:
        next(windows, None)  # on to the helper's teardown: the bridge stops
