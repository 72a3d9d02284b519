"""The video wall: a read-only, full-screen, dark view of the district for the command center.

Left the district map (the console's offline map page), right a stack of panels that rotate on a
timer (key numbers, street ranking, on-time closure), a scrolling ticker of red and 督办 cases at
the bottom, a top bar with the district, a live clock and the last-update time. Nothing needs a
pointer. Every refresh runs on the bridge's worker; when it fails the wall keeps the last numbers,
shows a banner and retries with backoff (10 s, 20 s, 40 s, 60 s …) until the database is back.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from console.config import LOCAL_TZ
from console.errors import ConsoleError
from console.services.supervision import alert_levels
from console.services.wall_data import TickerLine, WallNumbers, WallSnapshot, WallSource
from console.views.formatting import tier_rates_text
from console.views.i18n import use_english
from console.views.labels import source_text
from console.views.map_fallback import create_map_view
from console.views.theme import theme_palette

if TYPE_CHECKING:
    from console.bridge import Bridge
    from console.services.workbench import Workbench

PANELS = 3
MAX_BACKOFF_MS = 60_000

_STYLE = """
WallWindow, QWidget#wallPanel {{ background-color: #14181d; color: #e6e9ed; }}
QLabel {{ color: #e6e9ed; font-size: {body}px; }}
QLabel#wallTitle {{ font-size: {title}px; font-weight: bold; color: #9cc9ff; }}
QLabel#wallClock {{ font-size: {title}px; font-weight: bold; }}
QLabel#wallUpdated {{ color: #8b949e; }}
QLabel#panelTitle {{ font-size: {title}px; font-weight: bold; color: #9cc9ff; }}
QLabel#wallNumber {{ font-size: {number}px; font-weight: bold; }}
QLabel#wallNumber[tone="red"] {{ color: #ff6b63; }}
QLabel#wallNumber[tone="yellow"] {{ color: #e3b341; }}
QLabel#wallNumber[tone="green"] {{ color: #56d364; }}
QLabel#wallCaption {{ color: #a8b1bb; }}
QLabel#rankCell[head="true"] {{ color: #8b949e; }}
QLabel#rankCell[hot="true"] {{ color: #ff6b63; font-weight: bold; }}
QFrame#wallBanner {{ background-color: #8b1e1e; border: 3px solid #ff6b63; }}
QLabel#wallBannerText {{ color: #ffffff; font-size: {title}px; font-weight: bold; }}
"""


#: 督办 level names (zh, en) from resources/supervision/levels.csv, for the ticker.
LEVEL_NAMES = {level.level: (level.label_zh, level.label_en) for level in alert_levels()}


class Ticker(QWidget):
    """A marquee: ``text`` scrolls right to left on a timer, around and around."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._offset = 0.0
        self.step = 3.0
        self._timer = QTimer(self, interval=30)
        self._timer.timeout.connect(self._advance)
        self._timer.start()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text, self._offset = text, 0.0
            self.update()

    def offset(self) -> float:
        return self._offset

    def _advance(self) -> None:
        if not self._text:
            return
        width = self.fontMetrics().horizontalAdvance(self._text + "      ")
        self._offset = (self._offset + self.step) % max(width, 1)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#2a0f10"))
        painter.setPen(QColor("#ffd2cf"))
        painter.setFont(self.font())
        gap = self._text + "      "
        width = max(self.fontMetrics().horizontalAdvance(gap), 1)
        x = -self._offset
        baseline = (self.height() + self.fontMetrics().ascent() - self.fontMetrics().descent()) // 2
        while x < self.width():
            painter.drawText(int(x), baseline, gap)
            x += width
        painter.end()


class TrendBars(QWidget):
    """The last seven days as pairs of bars (reported, closed), each with its count and day."""

    REPORTED = QColor("#58a6ff")
    CLOSED = QColor("#56d364")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[tuple[date, int, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_days(self, days: list[tuple[date, int, int]]) -> None:
        self.days = list(days)
        self.update()

    def label_room(self) -> float:
        """The width a count above its bar may take (its bar and the gap after it)."""
        slot = self.width() / max(len(self.days), 1)
        return slot * 0.34 + slot * 0.08

    def label_font(self) -> QFont:
        """The panel's font, made smaller until the widest count fits above its bar (a
        three-digit day was cut at 1080p, seen under Xvfb)."""
        font = QFont(self.font())
        widest = max((str(v) for _, r, c in self.days for v in (r, c)), key=len, default="0")
        room = self.label_room()
        while QFontMetricsF(font).horizontalAdvance(widest) > room:
            if font.pixelSize() > 0:  # sized in pixels (a style sheet's font-size: …px)
                if font.pixelSize() <= 8:
                    break
                font.setPixelSize(max(8, int(font.pixelSize() * 0.9)))
            else:
                if font.pointSizeF() <= 6:
                    break
                font.setPointSizeF(font.pointSizeF() * 0.9)
        return font

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.days:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = self.label_font()
        painter.setFont(font)
        metrics = painter.fontMetrics()
        text_h = metrics.height()
        top, bottom = text_h + 4, self.height() - text_h - 6
        slot = self.width() / len(self.days)
        peak = max((max(r, c) for _, r, c in self.days), default=0) or 1
        for i, (day, reported, closed) in enumerate(self.days):
            x0 = i * slot
            bar_w = slot * 0.34
            for j, (value, color) in enumerate(((reported, self.REPORTED), (closed, self.CLOSED))):
                x = x0 + slot * 0.12 + j * (bar_w + slot * 0.08)
                h = (bottom - top) * value / peak
                painter.fillRect(int(x), int(bottom - h), int(bar_w), int(h), color)
                painter.setPen(color)
                painter.drawText(
                    int(x),
                    int(bottom - h - 4 - text_h),
                    int(bar_w + slot * 0.08),
                    text_h,
                    Qt.AlignmentFlag.AlignLeft,
                    str(value),
                )
            painter.setPen(QColor("#a8b1bb"))
            painter.drawText(
                int(x0),
                int(bottom + 4),
                int(slot),
                text_h,
                Qt.AlignmentFlag.AlignHCenter,
                f"{day:%m-%d}",
            )
        painter.end()


def _label(text: str = "", name: str = "", **props: Any) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    for key, value in props.items():
        label.setProperty(key, value)
    return label


class WallWindow(QWidget):
    """The wall. Signals: ``refreshed`` (after each successful refresh), ``first_view_ready``."""

    refreshed = Signal()
    #: The map has its markers and the numbers are in: ready to be seen (and screenshot).
    first_view_ready = Signal()

    def __init__(
        self,
        bridge: Bridge,
        workbench: Workbench,
        *,
        map_page: Path | None = None,
        mbtiles: Path | None = None,
        district: str = "",
        rotate_ms: int = 30_000,
        refresh_ms: int = 10_000,
        max_backoff_ms: int = MAX_BACKOFF_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.source = WallSource(workbench)
        self.refresh_ms = refresh_ms
        self.max_backoff_ms = max_backoff_ms
        self.numbers: WallNumbers | None = None
        self.last_error = ""
        self.failures = 0
        self._busy = False
        self._shown_ids: frozenset[int] = frozenset()
        self._map_ready = map_page is None
        self._numbers_ready = False
        self._announced = False
        self._scale_height = 0
        self.setWindowTitle(self.tr("Grid management wall"))
        self.setPalette(theme_palette("dark"))
        self.setAutoFillBackground(True)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.title = _label(district or self.tr("District grid management"), "wallTitle")
        self.clock_label = _label("", "wallClock")
        self.updated_label = _label(self.tr("Waiting for data…"), "wallUpdated")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for widget in (self.updated_label, self.clock_label):
            top.addWidget(widget)

        self.banner = QFrame()
        self.banner.setObjectName("wallBanner")
        lost = self.tr("Database connection lost, reconnecting…")
        self.banner_text = _label(lost, "wallBannerText")
        self.banner_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QHBoxLayout(self.banner).addWidget(self.banner_text)
        self.banner.hide()

        self.map = create_map_view()  # a banner instead where WebEngine cannot run
        self.map.ready.connect(self._on_map_ready)
        self.stack = QStackedWidget()
        for panel in (self._numbers_panel(), self._ranking_panel(), self._closure_panel()):
            self.stack.addWidget(panel)
        middle = QHBoxLayout()
        middle.addWidget(self.map, 3)
        middle.addWidget(self.stack, 2)

        self.ticker = Ticker()
        self.status_label = _label("", "wallUpdated")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addLayout(middle, 1)
        for line in (self.ticker, self.status_label):
            layout.addWidget(line)
        self.apply_scale(1080)

        self._clock_timer = QTimer(self, interval=1000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        self._tick()
        self._rotate_timer = QTimer(self, interval=max(rotate_ms, 100))
        self._rotate_timer.timeout.connect(self.rotate)
        self._rotate_timer.start()
        self._refresh_timer = QTimer(self, singleShot=True)
        self._refresh_timer.timeout.connect(self.refresh)

        if map_page is not None:
            if mbtiles is not None:
                self.map.use_mbtiles(mbtiles)
            self.map.load_page(map_page)
        self.refresh()

    # -- panels ------------------------------------------------------------------------

    def _panel(self, title: str) -> tuple[QWidget, QVBoxLayout]:
        panel = QWidget()
        panel.setObjectName("wallPanel")
        box = QVBoxLayout(panel)
        box.addWidget(_label(title, "panelTitle"))
        return panel, box

    def _numbers_panel(self) -> QWidget:
        panel, box = self._panel(self.tr("Key numbers"))
        grid = QGridLayout()
        self.tiles: dict[str, QLabel] = {}
        specs = [
            ("open_total", self.tr("Open cases"), ""),
            ("red", self.tr("Red (overdue)"), "red"),
            ("yellow", self.tr("Yellow (warning)"), "yellow"),
            ("unacknowledged_alerts", self.tr("Unacknowledged alerts"), "red"),
            ("reported_today", self.tr("Reported today"), ""),
            ("closed_today", self.tr("Closed today"), "green"),
        ]
        for i, (key, caption, tone) in enumerate(specs):
            self.tiles[key] = _label("–", "wallNumber", tone=tone)
            cell = QVBoxLayout()
            cell.addWidget(self.tiles[key])
            cell.addWidget(_label(caption, "wallCaption"))
            grid.addLayout(cell, i // 2, i % 2)
        box.addLayout(grid)
        # Below the numbers: where today's reports came from, and the week's trend.
        box.addWidget(_label(self.tr("Reported today, by source"), "panelTitle"))
        self.sources_label = _label("", "wallCaption")
        self.sources_label.setWordWrap(True)
        box.addWidget(self.sources_label)
        box.addWidget(_label(self.tr("Last 7 days: reported / closed"), "panelTitle"))
        self.trend = TrendBars()
        self.trend.setObjectName("wallTrend")
        box.addWidget(self.trend, 1)
        return panel

    def _ranking_panel(self) -> QWidget:
        panel, box = self._panel(self.tr("Streets: open, overdue, closed this month"))
        self.ranking_grid = QGridLayout()
        box.addLayout(self.ranking_grid)
        box.addStretch(1)
        return panel

    def _closure_panel(self) -> QWidget:
        panel, box = self._panel(self.tr("On time this month"))
        self.on_time_label = _label("–", "wallNumber", tone="green")
        self.closed_month_label = _label("", "wallCaption")
        box.addWidget(self.on_time_label)
        box.addWidget(_label(self.tr("handled by the deadline"), "wallCaption"))
        box.addWidget(self.closed_month_label)
        # 小事不出网格率 / 大事不出街道率 of the month so far, one line each
        self.tier_label = _label("", "wallCaption")
        box.addWidget(self.tier_label)
        self.evaluation_grid = QGridLayout()
        box.addLayout(self.evaluation_grid)
        box.addStretch(1)
        return panel

    def _fill_grid(
        self, grid: QGridLayout, head: list[str], rows: list[list[str]], hot: int
    ) -> None:
        while grid.count():
            item = grid.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        for col, text in enumerate(head):
            cell = _label(text, "rankCell", head=True)
            if col:  # aligned like the numbers under it
                cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(cell, 0, col)
        for r, row in enumerate(rows, start=1):
            for col, text in enumerate(row):
                cell = _label(text, "rankCell", hot=(col == hot and text not in ("0", "")))
                if col:
                    cell.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                grid.addWidget(cell, r, col)

    # -- rotating ----------------------------------------------------------------------

    def rotate(self) -> None:
        self.stack.setCurrentIndex((self.stack.currentIndex() + 1) % self.stack.count())

    def current_panel(self) -> int:
        return self.stack.currentIndex()

    # -- refreshing --------------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        return self.failures == 0

    def refresh(self) -> None:
        """Read a snapshot on the worker; the next refresh is scheduled when it returns."""
        self._refresh_timer.stop()
        if self._busy:
            return
        self._busy = True
        self.bridge.submit(self.source.snapshot, self._on_snapshot, self._on_failure)

    def _on_snapshot(self, snapshot: WallSnapshot) -> None:
        self._busy, self.failures, self.last_error = False, 0, ""
        self.banner.hide()
        self.show_numbers(snapshot.numbers, snapshot.evaluation)
        self._show_map(snapshot)
        self._refresh_timer.start(self.refresh_ms)
        self._numbers_ready = True
        self._maybe_ready()
        self.refreshed.emit()

    def _on_failure(self, exc: ConsoleError) -> None:
        self._busy = False
        self.failures += 1
        self.show_error(exc.message)
        self._refresh_timer.start(self.retry_delay_ms())

    def retry_delay_ms(self) -> int:
        """10 s, 20 s, 40 s, then every 60 s (with the default intervals)."""
        return min(self.refresh_ms * 2 ** max(self.failures - 1, 0), self.max_backoff_ms)

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.banner.show()
        seconds = max(self.retry_delay_ms() // 1000, 1)
        self.status_label.setText(
            self.tr("Refresh failed (%1 times), next attempt in %2 s: %3")
            .replace("%1", str(max(self.failures, 1)))
            .replace("%2", str(seconds))
            .replace("%3", message[:200])
        )

    def show_numbers(
        self,
        numbers: WallNumbers,
        evaluation: list[tuple[str, float, str, int]] | None = None,
    ) -> None:
        self.numbers = numbers
        for key, label in self.tiles.items():
            label.setText(str(getattr(numbers, key)))
        rows = [
            [r.name, str(r.open), str(r.overdue), str(r.closed_month)]
            for r in numbers.street_ranking[:12]
        ]
        head = [
            self.tr("Street"),
            self.tr("Open"),
            self.tr("Overdue"),
            self.tr("Closed this month"),
        ]
        self._fill_grid(self.ranking_grid, head, rows, hot=2)
        rate = numbers.on_time_rate_month
        self.on_time_label.setText("–" if rate is None else f"{rate * 100:.1f}%")
        self.closed_month_label.setText(
            self.tr("%1 cases closed this month").replace("%1", str(numbers.closed_month))
        )
        self.tier_label.setText(tier_rates_text(numbers.tier_rates_month, separator="\n"))
        if evaluation:
            head = [self.tr("Rank"), self.tr("Street"), self.tr("Score"), self.tr("Grade")]
            rows = [[str(k), name, f"{score:.1f}", grade] for name, score, grade, k in evaluation]
            self._fill_grid(self.evaluation_grid, head, rows[:6], hot=-1)
        self.sources_label.setText(
            "    ".join(
                f"{source_text(code)} {count}" for code, count in numbers.today_by_source.items()
            )
        )
        self.trend.set_days(numbers.trend)
        self.ticker.set_text("      ".join(self._ticker_text(t) for t in numbers.ticker))
        at = numbers.built_at.astimezone(LOCAL_TZ).strftime("%H:%M:%S")
        self.updated_label.setText(self.tr("Data updated at %1").replace("%1", at))
        self.status_label.setText("")

    def _ticker_text(self, line: TickerLine) -> str:
        if line.kind == "red":
            kind = self.tr("Overdue")
        else:
            # The level's own name from resources/supervision/levels.csv (一级督办 …).
            kind = LEVEL_NAMES.get(line.kind, (line.kind, line.kind))[1 if use_english() else 0]
        return f"【{kind}】 {line.number}  {line.street}  {line.address}"

    # -- the map -----------------------------------------------------------------------

    def _on_map_ready(self) -> None:
        self._shown_ids = frozenset()  # a (re)loaded page starts empty
        self.map.set_dark(True)
        self.map.wall_mode(self._map_scale())
        self.refresh()
        self._map_ready = True

    def _map_scale(self) -> float:
        """Cluster size on the wall: 1 at 1080p, 2 at 4K (readable from the back of the hall)."""
        return max(self._scale_height / 1080, 1.0)

    def _show_map(self, snapshot: WallSnapshot) -> None:
        if not self.map.is_ready:
            return  # the page's ready signal asks for a fresh snapshot
        self.map.upsert_cases(snapshot.markers_json)
        gone = self._shown_ids - snapshot.marker_ids
        if gone:
            self.map.remove_cases(sorted(gone))
        self._shown_ids = snapshot.marker_ids
        self.map.set_grid_style(snapshot.grid_counts)

    def _maybe_ready(self) -> None:
        if self._map_ready and self._numbers_ready and not self._announced:
            self._announced = True
            self.first_view_ready.emit()

    # -- the clock and the size of things ----------------------------------------------

    def _tick(self) -> None:
        self.clock_label.setText(datetime.now(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S"))

    def apply_scale(self, height: int) -> None:
        """Type readable from 5 m: sizes grow with the window's height (1080 p: 28/40/84 px)."""
        if height == self._scale_height:
            return
        self._scale_height = height
        k = max(height / 1080, 0.6)
        body, title, number = max(28, round(30 * k)), max(32, round(42 * k)), max(64, round(88 * k))
        self.setStyleSheet(_STYLE.format(body=body, title=title, number=number))
        font = QFont(self.font())
        font.setPixelSize(body)
        font.setBold(True)
        self.ticker.setFont(font)
        self.ticker.setFixedHeight(round(body * 2))
        plain = QFont(font)
        plain.setBold(False)
        self.trend.setFont(plain)
        if self.map.is_ready:
            self.map.wall_mode(self._map_scale())

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.apply_scale(event.size().height())
        super().resizeEvent(event)

    def stop(self) -> None:
        """Stop every timer (before teardown)."""
        for timer in (self._clock_timer, self._rotate_timer, self._refresh_timer):
            timer.stop()
