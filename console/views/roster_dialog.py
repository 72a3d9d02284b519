"""The duty roster (值班表) as a week: one row a day, one column per shift and duty role.

The duty chief (and an admin) picks who stands each shift from the accounts of that role; the
services check the choice again (the account's own role, no double booking) and the grid is
read back after each change. Everyone else sees the same week read-only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError
from console.services.handover import DUTY_ROLES, shift_definitions
from console.services.workbench import RosterWeek, Workbench
from console.views.i18n import pick
from console.views.labels import role_text

if TYPE_CHECKING:
    from console.services.handover import DutyEntry

_WEEKDAYS_ZH = "一二三四五六日"


class RosterDialog(QDialog):
    """Seven days of duties; editable when the seat may edit the roster."""

    #: A week was (re)loaded: tests and the window wait on it.
    loaded = Signal()

    def __init__(self, bridge: Bridge, workbench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rosterDialog")
        self.setWindowTitle(self.tr("Duty roster"))
        self.bridge = bridge
        self.workbench = workbench
        self.week: RosterWeek | None = None
        self.first_day: date | None = None
        self._filling = False
        #: Column → (shift code, role).
        self.columns = [(s.code, role) for s in shift_definitions() for role in DUTY_ROLES]
        layout = QVBoxLayout(self)
        nav = QHBoxLayout()
        self.prev_button = QPushButton(self.tr("◀ Previous week"), self)
        self.next_button = QPushButton(self.tr("Next week ▶"), self)
        self.range_label = QLabel(self)
        nav.addWidget(self.prev_button)
        nav.addWidget(self.range_label, 1)
        nav.addWidget(self.next_button)
        layout.addLayout(nav)
        self.table = QTableWidget(7, len(self.columns), self)
        self.table.setObjectName("rosterTable")
        shifts = {s.code: (s.label_zh, s.label_en) for s in shift_definitions()}
        self.table.setHorizontalHeaderLabels(
            [f"{pick(*shifts[code])} {role_text(role)}" for code, role in self.columns]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.message = QLabel(self)
        self.message.setObjectName("rosterMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.reject)
        layout.addWidget(close)
        self.prev_button.clicked.connect(lambda: self.load(self._shifted(-7)))
        self.next_button.clicked.connect(lambda: self.load(self._shifted(7)))
        self.resize(900, 420)
        self.load(None)

    def _shifted(self, days: int) -> date | None:
        return self.first_day + timedelta(days=days) if self.first_day else None

    def load(self, first_day: date | None) -> None:
        self.bridge.submit(lambda: self.workbench.roster_week(first_day), self._on_week)

    def _on_week(self, week: RosterWeek) -> None:
        self.week = week
        self.first_day = week.first_day
        last = week.first_day + timedelta(days=6)
        self.range_label.setText(f"{week.first_day:%Y-%m-%d} – {last:%Y-%m-%d}")
        if not week.editable:
            self.message.setText(self.tr("Only the duty chief may change the roster"))
        by_cell: dict[tuple[date, str, str], DutyEntry] = {}
        for e in week.entries:
            code = self._shift_code(e)
            if code is not None:
                by_cell[(e.starts_at.date(), code, e.role)] = e
        self._filling = True
        try:
            for row in range(7):
                day = week.first_day + timedelta(days=row)
                label = pick(f"{day:%m-%d} 周{_WEEKDAYS_ZH[day.weekday()]}", f"{day:%a %m-%d}")
                self.table.setVerticalHeaderItem(row, QTableWidgetItem(label))
                for col, (code, role) in enumerate(self.columns):
                    self._fill_cell(row, col, day, code, role, by_cell.get((day, code, role)))
        finally:
            self._filling = False
        self.loaded.emit()

    @staticmethod
    def _shift_code(entry: DutyEntry) -> str | None:
        for s in shift_definitions():
            if (entry.starts_at.hour, entry.starts_at.minute) == (s.start.hour, s.start.minute):
                return s.code
        return None

    def _fill_cell(
        self, row: int, col: int, day: date, code: str, role: str, entry: DutyEntry | None
    ) -> None:
        assert self.week is not None
        if not self.week.editable:
            self.table.removeCellWidget(row, col)
            self.table.setItem(row, col, QTableWidgetItem(entry.display_name if entry else "—"))
            return
        combo = QComboBox(self.table)
        combo.setObjectName(f"duty-{day.isoformat()}-{code}-{role}")
        combo.addItem("—", None)
        for c in self.week.candidates:
            if c.role == role:
                combo.addItem(f"{c.display_name}（{c.username}）", c.user_id)
        combo.setCurrentIndex(max(combo.findData(entry.user_id), 0) if entry else 0)
        combo.currentIndexChanged.connect(
            lambda _i, d=day, s=code, r=role, box=combo: self._on_choice(d, s, r, box)
        )
        self.table.setCellWidget(row, col, combo)

    def cell(self, day: date, shift_code: str, role: str) -> QComboBox | QTableWidgetItem | None:
        """The cell of one shift and role (a combo box when editable)."""
        if self.first_day is None:
            return None
        row = (day - self.first_day).days
        col = self.columns.index((shift_code, role))
        widget = self.table.cellWidget(row, col)
        return widget if isinstance(widget, QComboBox) else self.table.item(row, col)

    def _on_choice(self, day: date, shift_code: str, role: str, box: QComboBox) -> None:
        if self._filling:
            return
        user_id = box.currentData()
        self.bridge.submit(
            lambda: self.workbench.set_duty(day, shift_code, role, user_id),
            lambda _entries: self._saved(),
            self._failed,
        )

    def _saved(self) -> None:
        self.message.setProperty("error", False)
        self.message.setText(self.tr("Saved"))
        self.load(self.first_day)

    def _failed(self, exc: ConsoleError) -> None:
        self.message.setProperty("error", True)
        self.message.setText(exc.message)
        self.load(self.first_day)  # back to what the database holds
