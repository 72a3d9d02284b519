"""重复问题部件: the register's objects named by ≥ 3 cases in 12 months (resources/components/
register.csv), most cases first, in a dock of the main window. Choosing a row asks the map to
centre on the object and open its popup (console.views.map_components)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.config import LOCAL_TZ
from console.services.components.repeats import RepeatOffender
from console.services.components.rules import register_rules

#: Where a row keeps its object's id, longitude and latitude.
_ROLE = Qt.ItemDataRole.UserRole


class RepeatOffendersPanel(QWidget):
    """The list. ``chosen(id, lon, lat)`` when a row is selected; ``refresh_requested`` from
    its button."""

    chosen = Signal(int, float, float)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rules = register_rules()
        self.summary = QLabel()
        self.summary.setObjectName("repeatSummary")
        self.rule = (
            self.tr("At least %1 cases in %2 months")
            .replace("%1", str(rules.repeat_cases))
            .replace("%2", str(rules.repeat_months))
        )
        refresh = QPushButton(self.tr("Refresh"))
        refresh.clicked.connect(self.refresh_requested)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("repeatTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Identifier"),
                self.tr("Name"),
                self.tr("Owner department"),
                self.tr("Cases"),
                self.tr("Last reported"),
            ]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.show_offenders([])

    def show_offenders(self, offenders: Sequence[RepeatOffender]) -> None:
        """Fill the list (the selection is kept on the same object if it is still listed)."""
        kept = self.selected_id()
        self.table.blockSignals(True)
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(offenders))
        for row, o in enumerate(offenders):
            last = o.last_reported_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
            # Text items only: register names are imported data, never rich text.
            cells = [o.identifier, o.name, o.owner_department, None, last]
            for col, text in enumerate(cells):
                item = QTableWidgetItem()
                if text is None:
                    item.setData(Qt.ItemDataRole.DisplayRole, o.cases)
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                else:
                    item.setText(text)
                item.setData(_ROLE, (o.component_id, o.lon, o.lat))
                self.table.setItem(row, col, item)
            if o.component_id == kept:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self.summary.setText(
            self.tr("%1 repeat offenders (%2)")
            .replace("%1", str(len(offenders)))
            .replace("%2", self.rule)
        )

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        if not items:
            return None
        return int(items[0].data(_ROLE)[0])

    def row_of(self, component_id: int) -> int | None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and int(item.data(_ROLE)[0]) == component_id:
                return row
        return None

    def _on_selection(self) -> None:
        items = self.table.selectedItems()
        if items:
            component_id, lon, lat = items[0].data(_ROLE)
            self.chosen.emit(int(component_id), float(lon), float(lat))
