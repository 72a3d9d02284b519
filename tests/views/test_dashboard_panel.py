"""The dashboard dock: real widgets and real pyqtgraph items, offscreen."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from PySide6.QtGui import QPalette
from pytestqt.qtbot import QtBot

from console.config import LOCAL_TZ
from console.db import Database
from console.services.dashboard import DashboardNumbers, dashboard_numbers
from console.views.dashboard_panel import DashboardPanel
from console.views.theme import theme_palette
from tests.services.evaluation.test_patrols import walk_month
from tests.services.test_dashboard_patrols import TUESDAY


def numbers(scale: int = 1, rate: float | None = 0.875) -> DashboardNumbers:
    hourly = [0] * 24
    hourly[9], hourly[10] = 3 * scale, 1 * scale
    return DashboardNumbers(
        built_at=datetime(2026, 11, 25, 15, 0, tzinfo=LOCAL_TZ),
        today_by_source={
            "inspector": 2 * scale,
            "hotline": 1,
            "video": 0,
            "public": 1,
            "opinion": 0,
            "grid": 0,
        },
        open_by_light={"green": 4, "yellow": 2, "red": scale, "none": 3},
        open_by_street=[
            (11, "北院门街道", 5 * scale),
            (12, "青年路街道", 2),
            (13, "桃园路街道", 0),
        ],
        hourly_intake=hourly,
        on_time_rate_month=rate,
        closed_this_month=8 * scale,
    )


@pytest.fixture
def panel(qtbot: QtBot) -> DashboardPanel:
    widget = DashboardPanel(throttle_ms=200)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_shows_the_numbers(panel: DashboardPanel) -> None:
    panel.show_numbers(numbers())
    texts = {k: label.text() for k, label in panel.value_labels.items()}
    assert texts == {
        "open": "10",
        "red": "1",
        "yellow": "2",
        "reported_today": "4",
        "closed_month": "8",
        "on_time": "87.5%",
        # no patrol figures in these numbers
        "patrol_coverage": "—",
        "patrols_open": "0",
        "patrol_km": "0.0",
    }
    assert list(panel.source_bars.opts["height"]) == [2, 1, 0, 1, 0, 0]
    assert list(panel.street_bars.opts["width"]) == [5, 2, 0]
    assert list(panel.street_bars.opts["y"]) == [0, 1, 2]
    ticks = panel.street_plot.getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == ["北院门街道", "青年路街道", "桃园路街道"]
    x, y = panel.hourly_curve.getData()
    assert len(x) == 24 and y[9] == 3 and y[10] == 1 and int(np.sum(y)) == 4
    assert "2026-11-25 15:00" in panel.built_label.text()


def test_shows_todays_patrols(panel: DashboardPanel) -> None:
    base = numbers()
    patrolled = DashboardNumbers(
        **{
            **base.__dict__,
            "patrol_by_street": [(11, "北院门街道", 3, 12), (12, "青年路街道", 0, 8)],
            "patrols_open": 2,
            "patrol_km_today": 12.345,
        }
    )
    panel.show_numbers(patrolled)
    texts = {k: panel.value_labels[k].text() for k in ("patrol_coverage", "patrols_open")}
    assert texts == {"patrol_coverage": "15.0% (3)", "patrols_open": "2"}
    assert panel.value_labels["patrol_km"].text() == "12.3"
    assert list(panel.patrol_bars.opts["width"]) == [25.0, 0.0]
    ticks = panel.patrol_plot.getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == ["北院门街道", "青年路街道"]


def test_no_rate_without_closed_cases(panel: DashboardPanel) -> None:
    panel.show_numbers(numbers(rate=None))
    assert panel.value_labels["on_time"].text() == "—"


def test_items_are_created_once_and_updated(panel: DashboardPanel) -> None:
    items = (panel.source_bars, panel.street_bars, panel.hourly_curve)
    plot_items = [list(p.getPlotItem().items) for p in panel.plots]
    panel.show_numbers(numbers())
    panel.show_numbers(numbers(scale=3))
    assert (panel.source_bars, panel.street_bars, panel.hourly_curve) == items
    assert [list(p.getPlotItem().items) for p in panel.plots] == plot_items
    assert panel.source_bars.opts["height"][0] == 6
    assert panel.street_bars.opts["width"][0] == 15
    assert panel.hourly_curve.getData()[1][9] == 9
    assert panel.value_labels["red"].text() == "3"


def test_throttle_coalesces_requests(panel: DashboardPanel, qtbot: QtBot) -> None:
    emitted: list[int] = []
    panel.update_requested.connect(lambda: emitted.append(1))
    for _ in range(5):
        panel.request_update()
    qtbot.waitUntil(lambda: emitted == [1], timeout=2000)
    qtbot.wait(400)
    assert emitted == [1]  # five calls in one window: one emission
    panel.request_update()
    qtbot.waitUntil(lambda: emitted == [1, 1], timeout=2000)


def test_default_throttle_is_two_seconds(qtbot: QtBot) -> None:
    widget = DashboardPanel()
    qtbot.addWidget(widget)
    assert widget._throttle.interval() == 2000 and widget._throttle.isSingleShot()


def test_background_follows_the_palette(panel: DashboardPanel) -> None:
    dark = theme_palette("dark")
    panel.setPalette(dark)
    base = dark.color(QPalette.ColorRole.Base)
    assert panel.source_plot.backgroundBrush().color() == base


def test_shows_real_patrol_numbers(panel: DashboardPanel, demo_db: Database) -> None:
    """Real patrols through PatrolService on a real SQLite file: Tuesday has one grid walked
    by a patrol still open."""
    month = walk_month(demo_db)
    with demo_db.read() as s:
        real = dashboard_numbers(s, TUESDAY)
    panel.show_numbers(real)
    assert panel.value_labels["patrol_coverage"].text() == "0.3% (1)"  # 1 of 364 grids
    assert panel.value_labels["patrols_open"].text() == "1"
    assert panel.value_labels["patrol_km"].text() == f"{month.open_distance / 1000:.1f}"
    widths = list(panel.patrol_bars.opts["width"])
    assert len(widths) == 9 and sum(1 for w in widths if w > 0) == 1
