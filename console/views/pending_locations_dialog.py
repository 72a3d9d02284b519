"""待定位: the intake seat places Open311 reports that came with an address but no point.

The list is the services' (Workbench.open311_pending, oldest first): each report's time,
category, address and description, the caller for staff. The operator picks one, clicks its
place on the main window's map (or types the point; the dialog says the grid it falls in, or
why none) and files it: Workbench.place_open311 makes the case and marks the report placed in
one transaction. A report another seat placed meanwhile is refused by the services and the
list is read again. Non-modal, like the 新建上报 form, so the map beside it takes the click.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError
from console.views.formatting import local_time_text
from console.views.map_surface import MapSurface
from console.views.point_picking import PointPickingDialog

if TYPE_CHECKING:
    from console.services.cases.dto import CaseSnapshot
    from console.services.open311_pending import PendingReport
    from console.services.report_desk import PointCheck
    from console.services.workbench import Workbench

#: How much of a description the list shows (the whole text is below the list).
SHORT_TEXT = 40
#: New reports arrive from the gateway without a case event to follow: the list is read again
#: this often while the dialog is open, ms.
REFRESH_MS = 30_000


class PendingLocationsDialog(PointPickingDialog):
    #: A pending report became a case: its CaseSnapshot.
    case_placed = Signal(object)

    def __init__(
        self, bridge: Bridge, workbench: Workbench, map_view: MapSurface, parent: QWidget
    ) -> None:
        super().__init__(map_view, parent)
        self.setObjectName("pendingLocationsDialog")
        self.setWindowTitle(self.tr("Reports to place on the map"))
        self.bridge = bridge
        self.workbench = workbench
        self.reports: list[PendingReport] = []
        self.point: tuple[float, float] | None = None
        self._lookup = 0  # the latest point lookup: older answers are dropped
        self._placing = False
        self._build()
        self.refresh_timer = QTimer(self, interval=REFRESH_MS)
        self.refresh_timer.timeout.connect(self.reload)
        self.refresh_timer.start()
        self.reload()

    def _build(self) -> None:
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("pendingTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Received"), self.tr("Category"), self.tr("Address"), self.tr("Description")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._on_selection_changed)
        self.empty = QLabel(self.tr("No report is waiting for its place"), self)
        self.empty.setObjectName("pendingEmpty")
        self.full_text = QLabel(self)
        self.full_text.setObjectName("pendingText")
        self.full_text.setTextFormat(Qt.TextFormat.PlainText)  # the public's words, as text
        self.full_text.setWordWrap(True)
        self.lon = self._line("pendingLon", self.tr("Longitude, e.g. 108.93"))
        self.lat = self._line("pendingLat", self.tr("Latitude, e.g. 34.27"))
        for edit in (self.lon, self.lat):
            edit.textEdited.connect(self._on_coordinates_edited)
        point_row = QHBoxLayout()
        point_row.addWidget(self.lon)
        point_row.addWidget(self.lat)
        self.point_status = QLabel(self.tr("Choose a report, then click its place on the map"))
        self.point_status.setObjectName("pendingPointStatus")
        self.point_status.setTextFormat(Qt.TextFormat.PlainText)
        self.point_status.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("pendingError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.place_button = QPushButton(self.tr("Place and report"), self)
        self.place_button.setObjectName("placeButton")
        self.place_button.setEnabled(False)
        self.place_button.clicked.connect(self._on_place_clicked)
        refresh = QPushButton(self.tr("Refresh"), self)
        refresh.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        buttons.addWidget(refresh)
        buttons.addStretch(1)
        buttons.addWidget(self.place_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.full_text)
        layout.addLayout(point_row)
        layout.addWidget(self.point_status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(720, 560)

    def _line(self, name: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setMaxLength(20)
        edit.setPlaceholderText(placeholder)
        return edit

    # -- the list ----------------------------------------------------------------------

    def reload(self) -> None:
        self.bridge.submit(self.workbench.open311_pending, self._pull_reports, self._show_error)

    def _pull_reports(self, reports: list[PendingReport]) -> None:
        chosen = self.selected()
        self.reports = list(reports)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.reports))
        for row, report in enumerate(self.reports):
            short = report.description[:SHORT_TEXT]
            if len(report.description) > SHORT_TEXT:
                short += "…"
            cells = (
                local_time_text(report.received_at),
                report.category_name,
                report.address,
                short,
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.blockSignals(False)
        self.empty.setVisible(not self.reports)
        again = next((i for i, r in enumerate(self.reports) if chosen and r.id == chosen.id), None)
        if again is not None:
            self.table.selectRow(again)
        else:
            self.table.clearSelection()
        self._on_selection_changed()

    def selected(self) -> PendingReport | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.reports):
            return None
        return self.reports[rows[0].row()]

    def select_report(self, report_id: int) -> None:
        for row, report in enumerate(self.reports):
            if report.id == report_id:
                self.table.selectRow(row)
                return

    def _on_selection_changed(self) -> None:
        report = self.selected()
        if report is None:
            self.full_text.clear()
        else:
            lines = [report.address, report.description]
            if report.reporter:
                lines.append(self.tr("Caller: %1").replace("%1", report.reporter))
            self.full_text.setText("\n".join(lines))
        self._update_button()

    def _update_button(self) -> None:
        self.place_button.setEnabled(
            not self._placing and self.selected() is not None and self.point is not None
        )

    # -- the point ---------------------------------------------------------------------

    def set_point(self, lon: float, lat: float) -> None:
        """The point from the map (or a test): into the fields, then looked up."""
        self.lon.setText(f"{lon:.6f}")
        self.lat.setText(f"{lat:.6f}")
        self._use_point(lon, lat)

    def _on_coordinates_edited(self, _text: str) -> None:
        try:
            lon, lat = float(self.lon.text()), float(self.lat.text())
        except ValueError:
            self.point = None
            self.point_status.setText(self.tr("Type both coordinates as numbers"))
            self._update_button()
            return
        if not (math.isfinite(lon) and math.isfinite(lat)):
            self.point = None
            self._update_button()
            return
        if self.map is not None and abs(lat) <= 90 and abs(lon) <= 180:
            self.map.show_pick(lon, lat)
        self._use_point(lon, lat)

    def _use_point(self, lon: float, lat: float) -> None:
        self.point = (lon, lat)
        self._update_button()
        self._lookup += 1
        ticket, workbench = self._lookup, self.workbench
        self.bridge.submit(
            lambda: workbench.check_point(lon, lat),
            lambda where: self._pull_point(ticket, where),
            self._show_error,
        )

    def _pull_point(self, ticket: int, where: PointCheck) -> None:
        if ticket != self._lookup:
            return  # the operator has moved on
        if where.inside:
            self.point_status.setText(
                self.tr("In %1, grid %2 %3")
                .replace("%1", where.street_name)
                .replace("%2", where.grid_code)
                .replace("%3", where.grid_name)
            )
        else:
            self.point_status.setText(where.problem)  # the service's words (in Chinese)

    # -- placing -----------------------------------------------------------------------

    def _on_place_clicked(self) -> None:
        report, point = self.selected(), self.point
        if self._placing or report is None or point is None:
            return
        self._placing = True
        self._update_button()
        self.error.clear()
        workbench, report_id = self.workbench, report.id
        self.bridge.submit(
            lambda: workbench.place_open311(report_id, *point),
            self._on_placed,
            self._on_refused,
        )

    def _on_placed(self, snap: CaseSnapshot) -> None:
        self._placing = False
        self.point = None
        self.lon.clear()
        self.lat.clear()
        self.point_status.setText(self.tr("Reported: %1").replace("%1", snap.number))
        self.case_placed.emit(snap)
        self.reload()

    def _on_refused(self, exc: ConsoleError) -> None:
        self._placing = False
        self._show_error(exc)
        self.reload()  # placed by another seat meanwhile: off the list

    def _show_error(self, exc: ConsoleError) -> None:
        self.error.setText(exc.message)
        self._update_button()
