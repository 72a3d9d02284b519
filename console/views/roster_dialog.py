"""The duty roster (值班表): who is on duty in each shift, read-only.

The caller passes the entries (``console.services.handover.roster`` over
``roster_span(now)``: today and tomorrow); the dialog only shows them, one row per person and
shift, shifts in time order.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.services.handover import DutyEntry, role_labels, shift_bounds, shift_labels
from console.views.formatting import local_time_text
from console.views.i18n import pick


def _shift_name(entry: DutyEntry) -> str:
    """``11-23 白班``: the shift the duty starts in, by its start day."""
    start, _end, code = shift_bounds(entry.starts_at)
    return f"{start:%m-%d} {pick(*shift_labels().get(code, (code, code)))}"


class RosterDialog(QDialog):
    """A read-only table of the duty roster."""

    def __init__(self, entries: list[DutyEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rosterDialog")
        self.setWindowTitle(self.tr("Duty roster"))
        layout = QVBoxLayout(self)
        roles = role_labels()
        ordered = sorted(entries, key=lambda e: (e.starts_at, e.role != "duty_chief", e.username))
        headers = [
            self.tr("Shift"),
            self.tr("From"),
            self.tr("To"),
            self.tr("Role"),
            self.tr("Name"),
        ]
        self.table = QTableWidget(len(ordered), len(headers), self)
        self.table.setObjectName("rosterTable")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for row, entry in enumerate(ordered):
            values = [
                _shift_name(entry),
                local_time_text(entry.starts_at),
                local_time_text(entry.ends_at),
                pick(*roles.get(entry.role, (entry.role, entry.role))),
                entry.display_name,
            ]
            for col, text in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(text))
        layout.addWidget(self.table)
        if not ordered:
            empty = QLabel(self.tr("Nobody is on the roster for today and tomorrow."), self)
            empty.setObjectName("emptyLabel")
            layout.addWidget(empty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 420)
