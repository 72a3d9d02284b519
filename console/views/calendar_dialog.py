"""节假日安排: a year of the working calendar, toggled day by day and saved as official.

A 12 × 31 grid, one row a month: weekends grey, days off red, adjusted working weekends (调休上班)
blue. An admin clicks a day to toggle it (a weekday: worked ↔ off; a weekend day: off ↔ worked),
or loads the State Council's notice typed as CSV, and saves: the year becomes *official* for
every seat and the open cases whose clocks cross a changed day get new deadlines (the services
do that, and check the admin's right again). Everyone else who may look sees the year read-only.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.domain.holiday_schedule import ScheduleDay, read_schedule_file
from console.errors import ConsoleError
from console.services.work_calendar import CalendarChangeResult, YearView
from console.services.workbench import Workbench
from console.views.i18n import pick

_OFF = QColor("#f4c7c3")
_WORKED_WEEKEND = QColor("#c6dafc")
_WEEKEND = QColor("#e8e8e8")


def default_year(today: date) -> int:
    """From November the coming year is the one to look at (the notice is due)."""
    return today.year + 1 if today.month >= 11 else today.year


class CalendarDialog(QDialog):
    """One year's days off and adjusted workdays; editable for those who may manage them."""

    #: Emitted after a successful save (the change's result).
    saved = Signal(object)

    def __init__(self, bridge: Bridge, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarDialog")
        self.setWindowTitle(self.tr("Holiday calendar"))
        self.bridge = bridge
        self.workbench = workbench
        self.editable = workbench.can("manage_calendar")
        self.view: YearView | None = None
        #: The year as edited on screen: date → name.
        self.holidays: dict[date, str] = {}
        self.workdays: dict[date, str] = {}
        self.dirty = False
        self.loaded = 0  # loads finished (tests wait on it)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Year")))
        self.year_box = QSpinBox(self)
        self.year_box.setObjectName("calendarYear")
        self.year_box.setRange(2000, 2100)
        self.year_box.setValue(default_year(datetime.now(LOCAL_TZ).date()))
        top.addWidget(self.year_box)
        self.status = QLabel(self)
        self.status.setObjectName("calendarStatus")
        self.status.setWordWrap(True)
        top.addWidget(self.status, 1)
        layout.addLayout(top)

        self.grid = QTableWidget(12, 31, self)
        self.grid.setObjectName("calendarGrid")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grid.setHorizontalHeaderLabels([str(d) for d in range(1, 32)])
        self.grid.setVerticalHeaderLabels(
            [pick(f"{m}月", date(2000, m, 1).strftime("%b")) for m in range(1, 13)]
        )
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.cellClicked.connect(self._on_cell_clicked)
        layout.addWidget(self.grid, 1)

        legend = QLabel(
            self.tr("Red: day off · Blue: worked weekend day (adjusted) · Grey: weekend"), self
        )
        layout.addWidget(legend)

        edit_row = QHBoxLayout()
        edit_row.addWidget(QLabel(self.tr("Name for days you mark")))
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("calendarDayName")
        self.name_edit.setMaxLength(40)
        self.name_edit.setPlaceholderText(self.tr("e.g. 春节"))
        edit_row.addWidget(self.name_edit, 1)
        self.load_button = QPushButton(self.tr("Load the notice (CSV)…"), self)
        self.load_button.clicked.connect(self._choose_file)
        edit_row.addWidget(self.load_button)
        self.save_button = QPushButton(self.tr("Save as the official schedule"), self)
        self.save_button.setObjectName("calendarSave")
        self.save_button.clicked.connect(self.save)
        edit_row.addWidget(self.save_button)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)
        edit_row.addWidget(close)
        layout.addLayout(edit_row)
        self.message = QLabel(self)
        self.message.setObjectName("calendarMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        if not self.editable:
            reason = self.tr("Only an administrator may change the holiday calendar")
            for widget in (self.save_button, self.load_button, self.name_edit):
                widget.setEnabled(False)
                widget.setToolTip(reason)
        self.year_box.valueChanged.connect(lambda _v: self.reload())
        self.resize(1100, 520)
        self.reload()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        year = self.year_box.value()
        self.bridge.submit(
            lambda: self.workbench.calendar_year(year), self._on_year, self._show_error
        )

    def _on_year(self, view: YearView) -> None:
        self.view = view
        self.holidays = {d.day: d.name for d in view.holidays}
        self.workdays = {d.day: d.name for d in view.workdays}
        self.dirty = False
        if view.status.value == "official":
            source = {
                "database": self.tr("imported"),
                "chinese-calendar": self.tr("State Council schedule (chinese-calendar)"),
            }.get(view.source.value, view.source.value)
            text = self.tr("%1: official (%2)").replace("%1", str(view.year)).replace("%2", source)
            if view.updated_by and view.updated_at:
                text += " — " + self.tr("by %1 at %2").replace("%1", view.updated_by).replace(
                    "%2", view.updated_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
                )
            self.status.setProperty("error", False)
        else:
            text = self.tr("%1: provisional").replace("%1", str(view.year))
            # In the interface's language (the service's notice is the CLI's Chinese).
            text += " — " + self.tr(
                "the State Council's schedule is not imported: deadlines count the statutory "
                "holidays"
            )
            self.status.setProperty("error", True)
        self.status.setText(text)
        self.status.style().polish(self.status)
        self._paint()
        self.loaded += 1

    def _paint(self) -> None:
        year = self.year_box.value()
        for month in range(1, 13):
            for day in range(1, 32):
                try:
                    d = date(year, month, day)
                except ValueError:
                    blank = QTableWidgetItem("")
                    blank.setFlags(Qt.ItemFlag.NoItemFlags)
                    self.grid.setItem(month - 1, day - 1, blank)
                    continue
                item = QTableWidgetItem(pick("一二三四五六日"[d.weekday()], d.strftime("%a")[:2]))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setData(Qt.ItemDataRole.UserRole, d.isoformat())
                color, tip = self._day_look(d)
                if color is not None:
                    item.setBackground(QBrush(color))
                    item.setForeground(QBrush(QColor("#202124")))
                item.setToolTip(tip)
                self.grid.setItem(month - 1, day - 1, item)

    def _day_look(self, d: date) -> tuple[QColor | None, str]:
        stamp = d.isoformat()
        if d in self.workdays:
            worked = self.tr("worked (adjusted)")
            return _WORKED_WEEKEND, f"{stamp} {worked} {self.workdays[d]}"
        if d in self.holidays:
            off = self.tr("day off")
            return _OFF, f"{stamp} {off} {self.holidays[d]}"
        if d.weekday() >= 5:
            weekend = self.tr("weekend")
            return _WEEKEND, f"{stamp} {weekend}"
        working = self.tr("working day")
        return None, f"{stamp} {working}"

    # -- editing ---------------------------------------------------------------------------

    def is_off(self, d: date) -> bool:
        if d in self.workdays:
            return False
        return d in self.holidays or d.weekday() >= 5

    def toggle(self, d: date) -> None:
        """Worked ↔ off for ``d``, on screen only until :meth:`save`."""
        if not self.editable or d.year != self.year_box.value():
            return
        name = self.name_edit.text().strip()
        if d.weekday() >= 5:
            if d in self.workdays:
                del self.workdays[d]
            else:
                self.workdays[d] = name
                self.holidays.pop(d, None)
        elif d in self.holidays:
            del self.holidays[d]
        else:
            self.holidays[d] = name
        self.dirty = True
        self._paint()
        self.message.setText(self.tr("Not saved yet"))

    def _on_cell_clicked(self, row: int, column: int) -> None:
        item = self.grid.item(row, column)
        stamp = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if stamp:
            self.toggle(date.fromisoformat(stamp))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("The State Council's schedule"), "", "CSV (*.csv)"
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        """Put a ``date,kind,name`` file's year on screen, to check and then save."""
        try:
            parsed = read_schedule_file(path)
        except ConsoleError as exc:
            self._show_error(exc)
            return
        if parsed.year != self.year_box.value():
            self.year_box.blockSignals(True)
            self.year_box.setValue(parsed.year)
            self.year_box.blockSignals(False)
        self.holidays, self.workdays = parsed.holidays, parsed.workdays
        self.dirty = True
        self._paint()
        notes = "；".join(parsed.notes[:3])
        self.message.setText(
            self.tr("Loaded %1, not saved yet").replace("%1", path.name)
            + (f"（{notes}）" if notes else "")
        )

    def days(self) -> list[ScheduleDay]:
        """The year as on screen, in the schedule file's terms."""
        days = [ScheduleDay(d, "holiday", n) for d, n in self.holidays.items()]
        days += [ScheduleDay(d, "workday", n) for d, n in self.workdays.items()]
        return sorted(days, key=lambda x: x.day)

    def save(self) -> None:
        year, days = self.year_box.value(), self.days()
        self.save_button.setEnabled(False)
        self.bridge.submit(
            lambda: self.workbench.save_calendar_year(year, days), self._on_saved, self._on_failed
        )

    def _on_saved(self, result: CalendarChangeResult) -> None:
        self.save_button.setEnabled(self.editable)
        self.message.setProperty("error", False)
        self.message.setText(
            self.tr("Saved: %1 days changed, %2 open cases got new deadlines")
            .replace("%1", str(len(result.changed_days)))
            .replace("%2", str(result.moved_cases))
        )
        self.saved.emit(result)
        self.reload()

    def _on_failed(self, exc: ConsoleError) -> None:
        self.save_button.setEnabled(self.editable)
        self._show_error(exc)

    def _show_error(self, exc: ConsoleError) -> None:
        problems = [str(p) for p in getattr(exc, "problems", [])][:5]  # ScheduleImportError's
        self.message.setProperty("error", True)
        self.message.setText("\n".join([exc.message, *problems]))
        self.message.style().polish(self.message)
