"""The live dashboard dock: big numbers and three pyqtgraph charts, updated in place.

The panel never calls a service. :meth:`DashboardPanel.request_update` (call it on every change
batch) coalesces the calls of :data:`THROTTLE_MS` into one :attr:`update_requested` emission;
the main window answers it with a workbench call on the bridge and hands the result
(console.services.dashboard.DashboardNumbers, read by attribute only) to
:meth:`show_numbers`. The chart items are created once in ``__init__`` and only updated with
``setOpts``/``setData`` afterwards (style anchor 10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from console.views.formatting import local_time_text, tier_rates_text

if TYPE_CHECKING:
    from console.services.dashboard import DashboardNumbers

#: Change batches within this many milliseconds make one update request.
THROTTLE_MS = 2000

#: Bar colours that read on both the light and the dark background.
BAR_BLUE = "#3b82c4"
BAR_GREEN = "#2da44e"
BAR_ORANGE = "#d4762c"
LIGHT_COLOURS = {"green": "#2da44e", "yellow": "#d4a72c", "red": "#cf222e"}

SOURCE_ORDER = ("inspector", "hotline", "video", "public", "opinion", "grid")


def style_plot(plot: pg.PlotWidget, palette: QPalette) -> None:
    """Background, axes and title of a plot in the colours of ``palette`` (light or dark)."""
    background = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.WindowText)
    plot.setBackground(background)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(text))
        axis.setTextPen(pg.mkPen(text))
    title = plot.property("chartTitle")
    if title:
        plot.setTitle(title, color=text.name())


def new_plot(title: str, palette: QPalette) -> pg.PlotWidget:
    """A static chart: no mouse zoom, no context menu, a title."""
    plot = pg.PlotWidget()
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setProperty("chartTitle", title)
    plot.setMinimumHeight(150)
    style_plot(plot, palette)
    return plot


def restyle_on_palette_change(
    event: QEvent, palette: QPalette, plots: tuple[pg.PlotWidget, ...]
) -> None:
    """Recolour ``plots`` when the widget's palette (or the theme) changed."""
    if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
        for plot in plots:
            style_plot(plot, palette)


def category_ticks(labels: list[str]) -> list[list[tuple[float, str]]]:
    return [[(float(i), label) for i, label in enumerate(labels)]]


class DashboardPanel(QWidget):
    #: Emitted at most once per throttle window: fetch fresh numbers now.
    update_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, throttle_ms: int = THROTTLE_MS) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardPanel")
        self.numbers: DashboardNumbers | None = None
        self._throttle = QTimer(self)
        self._throttle.setSingleShot(True)
        self._throttle.setInterval(throttle_ms)
        self._throttle.timeout.connect(self.update_requested.emit)

        palette = self.palette()
        self.value_labels: dict[str, QLabel] = {}
        numbers_row = QHBoxLayout()
        captions = {
            "open": self.tr("Open cases"),
            "red": self.tr("Red"),
            "yellow": self.tr("Yellow"),
            "reported_today": self.tr("Reported today"),
            "closed_month": self.tr("Closed this month"),
            "on_time": self.tr("On time this month"),
            "patrol_coverage": self.tr("Grids patrolled today"),
            "patrols_open": self.tr("Patrols now"),
            "patrol_km": self.tr("Patrol km today"),
        }
        for key, caption in captions.items():
            box = QVBoxLayout()
            value = QLabel("—")
            value.setObjectName("bigNumber")
            value.setProperty("key", key)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            font = QFont(value.font())
            font.setPointSizeF(max(font.pointSizeF(), 9.0) * 2)
            font.setBold(True)
            value.setFont(font)
            label = QLabel(caption)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(value)
            box.addWidget(label)
            numbers_row.addLayout(box)
            self.value_labels[key] = value
        self.built_label = QLabel()
        self.built_label.setObjectName("dashboardBuilt")
        # 小事不出网格率 / 大事不出街道率 this month (informational, like the evaluation's)
        self.tier_label = QLabel()
        self.tier_label.setObjectName("dashboardTiers")
        self.tier_label.setTextFormat(Qt.TextFormat.PlainText)
        self.tier_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.source_plot = new_plot(self.tr("Reported today by source"), palette)
        self.source_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=BAR_BLUE)
        self.source_plot.addItem(self.source_bars)

        self.street_plot = new_plot(self.tr("Open cases by street"), palette)
        self.street_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6, brush=BAR_ORANGE)
        self.street_plot.addItem(self.street_bars)
        self.street_plot.getViewBox().invertY(True)  # the first street on top

        self.hourly_plot = new_plot(self.tr("Reports per hour today"), palette)
        self.hourly_curve = self.hourly_plot.plot(
            [],
            [],
            pen=pg.mkPen(BAR_GREEN, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=BAR_GREEN,
        )
        self.hourly_plot.setXRange(0, 23, padding=0.02)
        self.hourly_plot.getAxis("bottom").setTicks([[(h, f"{h}") for h in range(0, 24, 3)]])

        self.patrol_plot = new_plot(self.tr("Grids patrolled today by street (%)"), palette)
        self.patrol_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6, brush=BAR_GREEN)
        self.patrol_plot.addItem(self.patrol_bars)
        self.patrol_plot.getViewBox().invertY(True)
        self.patrol_plot.setXRange(0, 100, padding=0.05)

        charts = QGridLayout()
        charts.addWidget(self.source_plot, 0, 0)
        charts.addWidget(self.street_plot, 0, 1, 2, 1)
        charts.addWidget(self.hourly_plot, 1, 0)
        charts.addWidget(self.patrol_plot, 0, 2, 2, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(numbers_row)
        layout.addWidget(self.tier_label)
        layout.addLayout(charts, 1)
        layout.addWidget(self.built_label)

    @property
    def plots(self) -> tuple[pg.PlotWidget, ...]:
        return (self.source_plot, self.street_plot, self.hourly_plot, self.patrol_plot)

    # -- throttling --------------------------------------------------------------------

    def request_update(self) -> None:
        """Ask for fresh numbers; every call within the window makes one emission."""
        if not self._throttle.isActive():
            self._throttle.start()

    def cleanup(self) -> None:
        self._throttle.stop()

    # -- model to widget ---------------------------------------------------------------

    def show_numbers(self, numbers: DashboardNumbers) -> None:
        """Show a DashboardNumbers: texts and chart data only, no new items."""
        self.numbers = numbers
        self.blockSignals(True)
        try:
            self._pull_numbers(numbers)
        finally:
            self.blockSignals(False)

    def _pull_numbers(self, n: DashboardNumbers) -> None:
        lights = n.open_by_light
        rate = n.on_time_rate_month
        texts = {
            "open": str(sum(lights.values())),
            "red": str(lights.get("red", 0)),
            "yellow": str(lights.get("yellow", 0)),
            "reported_today": str(sum(n.today_by_source.values())),
            "closed_month": str(n.closed_this_month),
            "on_time": "—" if rate is None else f"{rate * 100:.1f}%",
            **self._patrol_texts(n),
        }
        for key, text in texts.items():
            self.value_labels[key].setText(text)
        self.tier_label.setText(tier_rates_text(n.tier_rates_month))
        colours = {"red": LIGHT_COLOURS["red"], "yellow": LIGHT_COLOURS["yellow"]}
        for key, colour in colours.items():
            busy = lights.get(key, 0) > 0
            self.value_labels[key].setStyleSheet(f"color: {colour};" if busy else "")
        self.built_label.setText(self.tr("Updated %1").replace("%1", local_time_text(n.built_at)))

        sources = [s for s in SOURCE_ORDER if s in n.today_by_source]
        sources += [s for s in n.today_by_source if s not in sources]
        self.source_bars.setOpts(
            x=list(range(len(sources))), height=[n.today_by_source[s] for s in sources]
        )
        self.source_plot.getAxis("bottom").setTicks(
            category_ticks([self.source_label(s) for s in sources])
        )
        self._fit(self.source_plot, len(sources), [n.today_by_source[s] for s in sources])

        streets = list(n.open_by_street)
        counts = [c for _, _, c in streets]
        self.street_bars.setOpts(
            x0=[0] * len(streets), y=list(range(len(streets))), width=counts, height=0.6
        )
        self.street_plot.getAxis("left").setTicks(category_ticks([name for _, name, _ in streets]))
        self.street_plot.setYRange(-0.6, max(len(streets), 1) - 0.4, padding=0)
        self.street_plot.setXRange(0, max(counts, default=0) + 1, padding=0.05)

        hourly = list(n.hourly_intake)
        self.hourly_curve.setData(list(range(len(hourly))), hourly)
        self.hourly_plot.setYRange(0, max(hourly, default=0) + 1, padding=0.05)

        patrol = list(n.patrol_by_street)
        shares = [100.0 * v / g if g else 0.0 for _, _, v, g in patrol]
        self.patrol_bars.setOpts(
            x0=[0] * len(patrol), y=list(range(len(patrol))), width=shares, height=0.6
        )
        self.patrol_plot.getAxis("left").setTicks(
            category_ticks([name for _, name, _, _ in patrol])
        )
        self.patrol_plot.setYRange(-0.6, max(len(patrol), 1) - 0.4, padding=0)

    @staticmethod
    def _patrol_texts(n: DashboardNumbers) -> dict[str, str]:
        """Today's patrols: the share of grids visited (and how many), open patrols, km."""
        share = n.patrol_coverage_today
        visited = n.grids_patrolled_today
        return {
            "patrol_coverage": "—" if share is None else f"{share * 100:.1f}% ({visited})",
            "patrols_open": str(n.patrols_open),
            "patrol_km": f"{n.patrol_km_today:.1f}",
        }

    @staticmethod
    def _fit(plot: pg.PlotWidget, count: int, values: list[int]) -> None:
        plot.setXRange(-0.6, max(count, 1) - 0.4, padding=0)
        plot.setYRange(0, max(values, default=0) + 1, padding=0.05)

    def source_label(self, code: str) -> str:
        labels = {
            "inspector": self.tr("Inspector"),
            "hotline": "12345",
            "video": self.tr("Video"),
            "public": self.tr("Public"),
            "opinion": self.tr("Opinion"),
            "grid": self.tr("Grid staff"),
        }
        return labels.get(code, code)

    # -- theme -------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        restyle_on_palette_change(event, self.palette(), self.plots)
        super().changeEvent(event)
