"""The grid staff dock (一格七员, issue 16 §1) in real windows, offscreen: a street seat opens on its
street's grids' staff beside its alerts, filtered by grid and role; a district seat picks a
street. Real services, real SQLite, real Qt widgets (no map page: the dock does not need it)."""

from __future__ import annotations

import json
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.db import Database
from console.models import Region
from console.services.catalog import grids_of_street
from console.views.main_window import MainWindow
from tests.conftest import Clock
from tests.views.test_main_window import main_window

#: The window of test_main_window, as a context (no map page: the dock does not need it).
window = contextmanager(partial(main_window, with_map=False))


def _street(db: Database, code: str) -> tuple[int, list[str]]:
    """The street's id and its grids' names."""
    with db.read() as s:
        street = s.scalar(select(Region.id).where(Region.code == code))
        assert street is not None
        return street, [name for _, _, name in grids_of_street(s, street)]


def _table(win: MainWindow) -> list[tuple[str, ...]]:
    table = win.staff_panel.table
    return [
        tuple(table.item(r, c).text() for c in range(table.columnCount()))
        for r in range(table.rowCount())
    ]


def test_the_street_seat_sees_its_grids_staff(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    street, grids = _street(demo_db, "610104001")
    with window(qtbot, demo_db, tmp_path, clock, username="street_duty_officer") as win:
        panel = win.staff_panel
        qtbot.waitUntil(lambda: panel.staff is not None, timeout=10_000)
        assert panel.staff is not None and panel.staff.street_id == street
        # Its own dock, beside the alerts rather than behind a tab.
        assert win.staff_dock.isVisible() and win.alerts_dock.isVisible()
        assert win.tabifiedDockWidgets(win.staff_dock) == []
        assert not panel.street_box.isVisible()  # one street: nothing to pick
        rows = _table(win)
        assert len(rows) == 7 * len(grids)
        assert {r[0] for r in rows} == set(grids)  # every grid of the street, none else
        assert all(r[3].startswith("139") for r in rows)  # the demo's phones
        # By role: one 环卫保洁员 a grid.
        panel.role_box.setCurrentIndex(panel.role_box.findText("环卫保洁员"))
        rows = _table(win)
        assert len(rows) == len(grids) and {r[1] for r in rows} == {"环卫保洁员"}
        # By grid and role: the one person; all roles again: the grid's seven.
        first = panel.staff.members[0]
        panel.grid_box.setCurrentIndex(panel.grid_box.findData(first.grid_id))
        assert len(_table(win)) == 1 and _table(win)[0][0] == first.grid_name
        panel.role_box.setCurrentIndex(0)
        seven = _table(win)
        assert len(seven) == 7 and {r[0] for r in seven} == {first.grid_name}
        assert [r[1] for r in seven][:2] == ["网格管理员", "网格督导员"]
        assert "1" in panel.summary.text() and "7" in panel.summary.text()


def test_a_district_seat_picks_a_street(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    other, grids = _street(demo_db, "610104002")
    with window(qtbot, demo_db, tmp_path, clock, username="dispatcher") as win:
        panel = win.staff_panel
        qtbot.waitUntil(lambda: panel.staff is not None, timeout=10_000)
        assert panel.street_box.count() == 9 and not panel.street_box.isHidden()
        # Behind the dashboard's tab: the district's seats open on their alerts.
        assert win.staff_dock in win.tabifiedDockWidgets(win.dashboard_dock)
        index = panel.street_box.findData(other)
        panel.street_box.setCurrentIndex(index)
        panel.street_box.activated.emit(index)
        qtbot.waitUntil(
            lambda: panel.staff is not None and panel.staff.street_id == other, timeout=10_000
        )
        assert {r[0] for r in _table(win)} == set(grids) and len(_table(win)) == 7 * len(grids)
        assert panel.street_box.currentData() == other


def test_choosing_a_grid_fits_the_map_to_it(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> None:
    """With the real map page: the grid chosen in the dock fills the street seat's map."""
    with contextmanager(main_window)(
        qtbot, demo_db, tmp_path, clock, username="street_duty_officer"
    ) as win:
        panel = win.staff_panel
        qtbot.waitUntil(lambda: panel.staff is not None, timeout=10_000)
        assert panel.staff is not None
        grid = panel.staff.members[-1].grid_id
        index = panel.grid_box.findData(grid)
        panel.grid_box.setCurrentIndex(index)
        with qtbot.waitSignal(panel.grid_chosen, timeout=5_000) as chosen:
            panel.grid_box.activated.emit(index)
        assert chosen.args == [grid]

        def on_screen() -> list[float]:
            box: list[str] = []
            script = f"JSON.stringify(consoleMap.gridOnScreen({grid}))"
            win.map.page().runJavaScript(script, 0, box.append)
            qtbot.waitUntil(lambda: bool(box), timeout=5_000)
            return [float(v) for v in json.loads(box[0])]

        def fills_the_map() -> bool:
            x0, y0, x1, y1, w, h = on_screen()
            return 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h and (x1 - x0 > w / 3 or y1 - y0 > h / 3)

        qtbot.waitUntil(fills_the_map, timeout=10_000)
        # A row double-clicked chooses its grid too.
        with qtbot.waitSignal(panel.grid_chosen, timeout=5_000) as chosen:
            panel.table.cellDoubleClicked.emit(0, 2)
        assert chosen.args == [panel.shown_members()[0].grid_id]
