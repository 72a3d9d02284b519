"""The video wall offscreen: real widgets, the real map page, real SQLite; rotation, recovery."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.cli import main
from console.db import Database
from console.services.cases.service import CaseService
from console.services.workbench import Workbench
from console.views.map_page import build_map_page
from console.views.wall import WallWindow
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    local,
    report_input,
    street_points,
)


def seed_cases(db: Database, clock: Clock) -> list[str]:
    """Two dispatched cases (red a week later) and one new report; their numbers."""
    service = CaseService(db, clock=clock)
    (_, _, p1), (_, _, p2) = street_points(db)
    numbers = []
    for point in (p1, p2):
        s = service.report(INTAKE, report_input(point))
        s = service.register(CHIEF, s.id, s.version)
        numbers.append(service.dispatch(DISPATCHER, s.id, s.version).number)
    clock.now = local(30, 10)
    numbers.append(service.report(INTAKE, report_input(p1)).number)
    return numbers


def make_wall(
    qtbot: QtBot, db: Database, clock: Clock, tmp_path: Path, **kwargs: Any
) -> tuple[WallWindow, Bridge]:
    bridge = Bridge()
    workbench = Workbench(db, clock=clock)
    page = build_map_page(workbench.map_grids(), tmp_path / "map")
    wall = WallWindow(bridge, workbench, map_page=page, district="莲湖区", **kwargs)
    qtbot.addWidget(wall)
    wall.resize(1600, 900)
    return wall, bridge


def test_the_wall_renders_rotates_and_scrolls(
    qtbot: QtBot, demo_db: Database, clock: Clock, tmp_path: Path, run_js: Callable[..., Any]
) -> None:
    numbers = seed_cases(demo_db, clock)
    wall, bridge = make_wall(qtbot, demo_db, clock, tmp_path, rotate_ms=200)
    try:
        with qtbot.waitSignal(wall.first_view_ready, timeout=30_000):
            wall.show()
        assert wall.healthy and wall.banner.isHidden()
        assert wall.tiles["open_total"].text() == "3"
        assert wall.tiles["red"].text() == "2"
        assert wall.tiles["reported_today"].text() == "1"
        assert numbers[0] in wall.ticker.text() and numbers[1] in wall.ticker.text()
        assert numbers[2] not in wall.ticker.text()  # not red, not under 督办
        assert "10:00:00" in wall.updated_label.text()
        qtbot.waitUntil(lambda: run_js(wall.map, "consoleMap.caseCount()") == 3, timeout=10_000)
        # Read-only, for a wall: no pointer, big type.
        assert wall.cursor().shape().name == "BlankCursor"
        assert wall.tiles["red"].fontInfo().pixelSize() >= 64
        assert wall.updated_label.fontInfo().pixelSize() >= 28
        # Panels rotate on their own; the ticker moves.
        seen = {wall.current_panel()}
        qtbot.waitUntil(lambda: seen.add(wall.current_panel()) or len(seen) == 3, timeout=5000)
        start = wall.ticker.offset()
        qtbot.waitUntil(lambda: wall.ticker.offset() != start, timeout=2000)
        wall.rotate()  # by hand too
        image = wall.grab().toImage()
        assert image.pixelColor(5, 5).lightness() < 80  # dark
    finally:
        wall.stop()
        bridge.shutdown()


def test_the_wall_recovers_when_the_database_comes_back(
    qtbot: QtBot, demo_template: Path, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "dbdir"
    folder.mkdir()
    shutil.copy(demo_template, folder / "demo.sqlite3")
    db = Database(f"sqlite:///{folder / 'demo.sqlite3'}")
    seed_cases(db, clock)
    wall, bridge = make_wall(
        qtbot, db, clock, tmp_path, refresh_ms=200, max_backoff_ms=600, rotate_ms=60_000
    )
    try:
        with qtbot.waitSignal(wall.first_view_ready, timeout=30_000):
            wall.show()
        assert wall.tiles["open_total"].text() == "3"
        # The database goes away: the file's folder is moved and the connections dropped.
        folder.rename(tmp_path / "away")
        db.dispose()
        qtbot.waitUntil(lambda: not wall.healthy, timeout=5000)
        assert wall.banner.isVisible()
        assert wall.tiles["open_total"].text() == "3"  # the last numbers stay up
        assert "数据库" in wall.last_error
        qtbot.waitUntil(lambda: wall.failures >= 3, timeout=5000)
        assert wall.retry_delay_ms() == 600  # backed off to the cap
        # It comes back, with a new case reported meanwhile: the wall recovers on its own.
        (tmp_path / "away").rename(folder)
        other = Database(db.url)
        CaseService(other, clock=clock).report(INTAKE, report_input(street_points(other)[0][2]))
        other.dispose()
        with qtbot.waitSignal(wall.refreshed, timeout=5000):
            pass
        assert wall.healthy and wall.banner.isHidden()
        qtbot.waitUntil(lambda: wall.tiles["open_total"].text() == "4", timeout=5000)
    finally:
        wall.stop()
        bridge.shutdown()
        db.dispose()


@pytest.mark.slow
def test_wall_command_screenshot(
    qapp: object,
    tmp_path: Path,
    demo_template: Path,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    db = Database(f"sqlite:///{path}")
    seed_cases(db, clock)
    db.dispose()
    png = tmp_path / "wall.png"
    url = f"sqlite:///{path}"
    # A process of its own, as the wall is started: Qt WebEngine does not take a second
    # event loop run in one process (the gui command's test already ran one here).
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [
            sys.executable,
            str(root / "main.py"),
            "--db",
            url,
            "wall",
            "--screenshot",
            str(png),
            "--size",
            "1280x720",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"screenshot: {png}" in run.stdout
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 720)
    assert image.pixelColor(3, 3).lightness() < 80
    # No such monitor, and an empty database: clear errors.
    assert main(["--db", url, "wall", "--screen", "7"]) == 2
    assert "--screen 7" in capsys.readouterr().err
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["--db", empty, "wall", "--screenshot", str(png)]) == 2
    assert "seed-demo" in capsys.readouterr().err


def test_the_wall_fills_a_4k_hall_screen(
    qtbot: QtBot, demo_db: Database, clock: Clock, tmp_path: Path, run_js: Callable[..., Any]
) -> None:
    """3840×2160: the district fills its panel, no map controls, clusters readable across the
    hall, the right panel's lower part holds today's sources and the week's trend."""
    seed_cases(demo_db, clock)
    wall, bridge = make_wall(qtbot, demo_db, clock, tmp_path)
    try:
        wall.resize(3840, 2160)
        with qtbot.waitSignal(wall.first_view_ready, timeout=30_000):
            wall.show()
        qtbot.waitUntil(lambda: run_js(wall.map, "consoleMap.caseCount()") == 3, timeout=10_000)
        assert run_js(wall.map, "consoleMap.hasControls()") is False
        box = run_js(wall.map, "JSON.stringify(consoleMap.gridBoundsOnScreen())")
        x0, y0, x1, y1, width, height = json.loads(box)
        # fitted: the district touches two opposite sides of the panel (within the padding)
        fills_width = x0 <= 20 and x1 >= width - 20
        fills_height = y0 <= 20 and y1 >= height - 20
        assert fills_width or fills_height, (x0, y0, x1, y1, width, height)
        # case dots twice their console size at 4K (14 px at 1080p)
        assert wall._map_scale() == 2.0
        # the numbers panel's lower part is not empty
        assert "12345" in wall.sources_label.text() or "热线" in wall.sources_label.text()
        assert len(wall.trend.days) == 7 and wall.trend.days[-1][0].day == 30
        assert wall.trend.height() > 200
        # ranking: the numeric heads align with their numbers; "closed" means this month's
        wall.stack.setCurrentIndex(1)
        head = wall.ranking_grid.itemAtPosition(0, 3).widget()
        number = wall.ranking_grid.itemAtPosition(1, 3).widget()
        assert head.alignment() == number.alignment()
        assert head.text() in ("本月结案", "Closed this month")
    finally:
        wall.stop()
        bridge.shutdown()


def test_the_weeks_counts_fit_above_their_bars(qtbot: QtBot) -> None:
    """Regression (the wall at 1080p under Xvfb): a day's 192 reports was cut to "19"."""
    from datetime import date

    from PySide6.QtGui import QFont, QFontMetricsF

    from console.views.wall import TrendBars

    bars = TrendBars()
    qtbot.addWidget(bars)
    big = QFont(bars.font())
    big.setPixelSize(36)  # the wall's size for its numbers
    bars.setFont(big)
    bars.resize(560, 160)
    bars.set_days([(date(2026, 12, d), 192 if d == 3 else 70, 65) for d in range(1, 8)])
    font = bars.label_font()
    assert QFontMetricsF(font).horizontalAdvance("192") <= bars.label_room()
    assert font.pixelSize() < 36  # it had to shrink at this width
    bars.resize(2400, 400)  # room enough: the wall's own size is kept
    assert bars.label_font().pixelSize() == 36
    bars.show()
    qtbot.waitExposed(bars)
    bars.grab()  # paints with the fitted font
