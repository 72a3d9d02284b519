"""The grid staff dock (一格七员): each grid of the seat's street with its seven staff, their role
and phone, filtered by grid and role (issue 16 §1: a street seat opens on its grids' staff).
Choosing a grid (in the grid box, or a row double-clicked) emits :attr:`grid_chosen`, which the
main window sends to the map (it fits that grid).

What a seat may read is the services' (console.services.grid_staff_roster, through
``Workbench.grid_staff`` on the bridge): a street seat gets its street, a unit head its unit,
a district seat picks a street here. The panel holds frozen records only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from console.bridge import Bridge
    from console.services.grid_staff_roster import StaffMember, StreetStaff

#: The table's columns, in order.
COLUMNS = ("grid", "role", "name", "phone")


class GridStaffPanel(QWidget):
    """``load(street_id)`` is the workbench's read (None: the seat's own street or the
    district's first); it runs on the bridge's worker, never here."""

    #: A grid was chosen (in the grid box, or a row double-clicked): the map fits it.
    grid_chosen = Signal(int)

    def __init__(
        self,
        bridge: Bridge,
        load: Callable[[int | None], StreetStaff],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("GridStaffPanel")
        self.bridge = bridge
        self._load = load
        self.staff: StreetStaff | None = None
        #: Bumped by every read asked for: an older read's answer is dropped.
        self._generation = 0

        self.street_box = QComboBox(self)
        self.street_box.setObjectName("staffStreet")
        self.street_box.setToolTip(self.tr("Street"))
        self.grid_box = QComboBox(self)
        self.grid_box.setObjectName("staffGrid")
        self.grid_box.setToolTip(self.tr("Grid"))
        self.role_box = QComboBox(self)
        self.role_box.setObjectName("staffRole")
        self.role_box.setToolTip(self.tr("Role"))
        self.summary = QLabel(self)
        self.summary.setObjectName("staffSummary")
        bar = QHBoxLayout()
        bar.addWidget(self.street_box)
        bar.addWidget(self.grid_box, 1)
        bar.addWidget(self.role_box)
        bar.addWidget(self.summary)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("staffTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Grid"), self.tr("Role"), self.tr("Name"), self.tr("Phone")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self.street_box.activated.connect(self._on_street_chosen)
        self.grid_box.currentIndexChanged.connect(self._fill_table)
        self.grid_box.activated.connect(self._on_grid_chosen)
        self.table.cellDoubleClicked.connect(self._on_row_chosen)
        self.role_box.currentIndexChanged.connect(self._fill_table)

    # -- reading ---------------------------------------------------------------------------

    def reload(self, street_id: int | None = None) -> None:
        """Read the staff again (after sign-in or a user switch: the seat's own street)."""
        self._generation += 1
        generation = self._generation
        load = self._load

        def show(staff: StreetStaff) -> None:
            if generation == self._generation:
                self.show_staff(staff)

        self.bridge.submit(lambda: load(street_id), show)

    def _on_street_chosen(self, index: int) -> None:
        street_id = self.street_box.itemData(index)
        if isinstance(street_id, int) and (self.staff is None or street_id != self.staff.street_id):
            self.reload(street_id)

    def _on_grid_chosen(self, index: int) -> None:
        grid_id = self.grid_box.itemData(index)
        if isinstance(grid_id, int):
            self.grid_chosen.emit(grid_id)

    def _on_row_chosen(self, row: int, _column: int) -> None:
        members = self.shown_members()
        if 0 <= row < len(members):
            self.grid_chosen.emit(members[row].grid_id)

    # -- showing ---------------------------------------------------------------------------

    def show_staff(self, staff: StreetStaff) -> None:
        """Fill the filters and the table from ``staff``; a grid or role still offered stays
        chosen."""
        grid_before = self.grid_box.currentData()
        role_before = self.role_box.currentData()
        self.staff = staff
        for box in (self.street_box, self.grid_box, self.role_box):
            box.blockSignals(True)
        self.street_box.clear()
        for street_id, name in staff.streets:
            self.street_box.addItem(name, street_id)
        self.street_box.setCurrentIndex(self.street_box.findData(staff.street_id))
        # A street or unit seat has one street: the box would offer nothing to choose.
        self.street_box.setVisible(len(staff.streets) > 1)
        self.grid_box.clear()
        self.grid_box.addItem(self.tr("All grids"), None)
        seen: set[int] = set()
        for m in staff.members:
            if m.grid_id not in seen:
                seen.add(m.grid_id)
                self.grid_box.addItem(m.grid_name, m.grid_id)
        self.role_box.clear()
        self.role_box.addItem(self.tr("All roles"), None)
        for code, label in staff.roles:
            self.role_box.addItem(label, code)
        self.grid_box.setCurrentIndex(max(0, self.grid_box.findData(grid_before)))
        self.role_box.setCurrentIndex(max(0, self.role_box.findData(role_before)))
        for box in (self.street_box, self.grid_box, self.role_box):
            box.blockSignals(False)
        self._fill_table()

    def shown_members(self) -> list[StaffMember]:
        """The members the filters let through, in the table's order."""
        if self.staff is None:
            return []
        grid, role = self.grid_box.currentData(), self.role_box.currentData()
        return [
            m
            for m in self.staff.members
            if (grid is None or m.grid_id == grid) and (role is None or m.role == role)
        ]

    def _fill_table(self) -> None:
        members = self.shown_members()
        self.table.setRowCount(len(members))
        for row, m in enumerate(members):
            for column, text in enumerate((m.grid_name, m.role_label, m.name, m.phone)):
                item = QTableWidgetItem(text)  # plain text: names are shown, never rendered
                if column == 0:
                    item.setToolTip(m.grid_code)
                self.table.setItem(row, column, item)
        grids = len({m.grid_id for m in members})
        self.summary.setText(self.tr("{0} grids, {1} staff").format(grids, len(members)))
