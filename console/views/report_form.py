"""新建上报: the intake seat's form for a call (Ctrl+N).

Source, caller (name and phone), category searched by code, name or pinyin initials (``ljx``
finds 垃圾箱), description, address, the point (clicked on the main window's map, or typed;
the form says the grid it falls in, or why none: outside, lon/lat swapped), photos from disk
and the urgent flag. While the operator types, the open cases nearby of that category are
listed, to merge the call into one of them instead of creating a case. For a 部件 category
the register's objects of that class within 30 m are listed too, to name the one the case is
about, or “not in the register” (issue 17; console.views.component_choice_box).

Every check and the save run in the services on the bridge's worker (Workbench.check_point,
nearby_cases, file_report): the form never validates what the services validate, and the
save is one transaction — a refused report leaves nothing behind and the form keeps its input.
The latest lookup wins: an answer to an older one is dropped.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError
from console.services.category_search import CategoryChoice, search
from console.services.report_input import ReportInput
from console.views.component_choice_box import ComponentChoiceBox
from console.views.labels import source_text
from console.views.map_surface import MapSurface
from console.views.nearby_cases_box import NearbyCasesBox
from console.views.point_picking import PointPickingDialog

if TYPE_CHECKING:
    from console.services.components.nearby import NearbyComponent
    from console.services.report_desk import FiledReport, NearbyCase, PointCheck
    from console.services.workbench import Workbench

#: The sources a call can come from at the intake seat (console.services.report_input).
FORM_SOURCES = ("hotline", "inspector", "video", "public", "opinion")
#: Typing pauses this long before the point and the nearby cases are looked up, ms.
LOOKUP_DELAY_MS = 300
#: The demo district's neighbourhood: a typed point far from it but near it swapped is a slip.
DISTRICT_LON, DISTRICT_LAT = 108.9, 34.27


def looks_swapped(lon: float, lat: float) -> bool:
    """Whether (lon, lat) is far from the district but (lat, lon) is near it."""
    near = abs(lat - DISTRICT_LON) < 1.5 and abs(lon - DISTRICT_LAT) < 1.5
    return near and not (abs(lon - DISTRICT_LON) < 1.5 and abs(lat - DISTRICT_LAT) < 1.5)


class ReportFormDialog(PointPickingDialog):
    """Non-modal, so the operator can click on the map dock beside it."""

    #: A report was saved: its FiledReport (console.services.report_desk).
    report_filed = Signal(object)
    #: A nearby case id to show in the main window.
    open_case_requested = Signal(int)

    def __init__(
        self, bridge: Bridge, workbench: Workbench, map_view: MapSurface, parent: QWidget
    ) -> None:
        super().__init__(map_view, parent)
        self.setObjectName("reportFormDialog")
        self.setWindowTitle(self.tr("New report"))
        self.bridge = bridge
        self.workbench = workbench
        self.choices: list[CategoryChoice] = []
        self.chosen: CategoryChoice | None = None
        self.point: tuple[float, float] | None = None
        self._lookup = 0  # the latest lookup's number: older answers are dropped
        self._saving = False
        self._timer = QTimer(self, singleShot=True, interval=LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self._look_up)
        self._build()
        bridge.submit(workbench.report_categories, self._pull_categories, self._show_error)

    # -- construction ------------------------------------------------------------------

    def _build(self) -> None:
        form = QFormLayout()
        self.source = QComboBox(self)
        self.source.setObjectName("sourceBox")
        for code in FORM_SOURCES:
            self.source.addItem(source_text(code), code)
        form.addRow(self.tr("Source"), self.source)
        self.caller = self._line("callerEdit", 50, self.tr("Caller's name"))
        self.phone = self._line("phoneEdit", 32, self.tr("Caller's phone (staff only)"))
        caller_row = QHBoxLayout()
        caller_row.addWidget(self.caller)
        caller_row.addWidget(self.phone)
        form.addRow(self.tr("Caller"), caller_row)
        self.category_search = self._line(
            "categorySearch", 40, self.tr("Code, name or pinyin initials (ljx: 垃圾箱)")
        )
        self.category_search.textChanged.connect(self._on_category_search_text_changed)
        self.category_list = QListWidget(self)
        self.category_list.setObjectName("categoryList")
        self.category_list.setMaximumHeight(120)
        self.category_list.currentItemChanged.connect(self._on_category_list_current_changed)
        self.category_label = QLabel(self.tr("No category chosen"), self)
        self.category_label.setObjectName("categoryChosen")
        self.category_label.setTextFormat(Qt.TextFormat.PlainText)
        category_box = QVBoxLayout()
        for widget in (self.category_search, self.category_list, self.category_label):
            category_box.addWidget(widget)
        form.addRow(self.tr("Category"), category_box)
        self.description = QPlainTextEdit(self)
        self.description.setObjectName("descriptionEdit")
        self.description.setMaximumHeight(90)
        form.addRow(self.tr("Description"), self.description)
        self.address = self._line("addressEdit", 256, "")
        form.addRow(self.tr("Address"), self.address)
        self.lon = self._line("lonEdit", 20, self.tr("Longitude, e.g. 108.93"))
        self.lat = self._line("latEdit", 20, self.tr("Latitude, e.g. 34.27"))
        for edit in (self.lon, self.lat):
            edit.textEdited.connect(self._on_coordinates_edited)
        point_row = QHBoxLayout()
        point_row.addWidget(self.lon)
        point_row.addWidget(self.lat)
        form.addRow(self.tr("Point"), point_row)
        self.point_status = QLabel(self.tr("Click on the map, or type the coordinates"), self)
        self.point_status.setObjectName("pointStatus")
        self.point_status.setTextFormat(Qt.TextFormat.PlainText)
        self.point_status.setWordWrap(True)
        form.addRow("", self.point_status)
        self.photos = QListWidget(self)
        self.photos.setObjectName("photoList")
        self.photos.setMaximumHeight(70)
        add_photo = QPushButton(self.tr("Add photos…"), self)
        add_photo.clicked.connect(self._on_add_photo_clicked)
        remove_photo = QPushButton(self.tr("Remove"), self)
        remove_photo.clicked.connect(lambda: self.photos.takeItem(self.photos.currentRow()))
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photos, 1)
        photo_buttons = QVBoxLayout()
        photo_buttons.addWidget(add_photo)
        photo_buttons.addWidget(remove_photo)
        photo_row.addLayout(photo_buttons)
        form.addRow(self.tr("Photos"), photo_row)
        self.urgent = QCheckBox(self.tr("Urgent"), self)
        self.urgent.setObjectName("urgentCheck")
        form.addRow("", self.urgent)

        self.components = ComponentChoiceBox(self)
        self.nearby = NearbyCasesBox(self)
        self.nearby.open_requested.connect(self.open_case_requested)
        self.nearby.merge_requested.connect(self._on_nearby_merge_requested)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(
            self.tr("Report"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("saveReportButton")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # A call is typed fast: Enter moves on (or picks the category), it never files the
        # report half-filled; Ctrl+Enter or the button files it.
        for button in (self.save_button, cancel):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.save_button.setToolTip(self.tr("Ctrl+Enter"))
        self.buttons.accepted.connect(lambda: self._save(None))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.components)
        layout.addWidget(self.nearby)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(640, 820)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            super().keyPressEvent(event)
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._save(None)
        elif self.focusWidget() in (self.category_search, self.category_list):
            # The highlighted category is the chosen one already: on to the description.
            self.description.setFocus()
        else:
            self.focusNextChild()

    def _line(self, name: str, length: int, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setMaxLength(length)
        edit.setPlaceholderText(placeholder)
        return edit

    # -- category ----------------------------------------------------------------------

    def _pull_categories(self, choices: list[CategoryChoice]) -> None:
        self.choices = list(choices)
        self._on_category_search_text_changed(self.category_search.text())

    def _on_category_search_text_changed(self, text: str) -> None:
        self.category_list.blockSignals(True)
        self.category_list.clear()
        for choice in search(self.choices, text):
            item = QListWidgetItem(f"{choice.label} · {choice.major_name}")
            item.setData(Qt.ItemDataRole.UserRole, choice)
            self.category_list.addItem(item)
        self.category_list.blockSignals(False)
        if self.category_list.count() and text.strip():
            self.category_list.setCurrentRow(0)  # Enter-free: the best match is chosen

    def _on_category_list_current_changed(
        self, item: QListWidgetItem | None, _prev: QListWidgetItem | None
    ) -> None:
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.category_label.setText(
            self.tr("Chosen: %1").replace("%1", f"{self.chosen.label} · {self.chosen.major_name}")
        )
        self._timer.start()

    # -- the point ---------------------------------------------------------------------

    def set_point(self, lon: float, lat: float) -> None:
        """The point from the map (or a test): into the fields, then looked up."""
        self.lon.setText(f"{lon:.6f}")
        self.lat.setText(f"{lat:.6f}")
        self.point = (lon, lat)
        self._timer.start()

    def _on_coordinates_edited(self, _text: str) -> None:
        try:
            lon, lat = float(self.lon.text()), float(self.lat.text())
        except ValueError:
            self.point = None
            self.point_status.setText(self.tr("Type both coordinates as numbers"))
            return
        if not (math.isfinite(lon) and math.isfinite(lat)):
            self.point = None
            return
        self.point = (lon, lat)
        if looks_swapped(lon, lat):  # said at once; the services say it again on saving
            self.point_status.setText(
                self.tr(
                    "Longitude and latitude look swapped: the district is near "
                    "longitude 108.9, latitude 34.27"
                )
            )
            return
        self._timer.start()  # marked and looked up once the typing pauses

    # -- lookups on the worker -----------------------------------------------------------

    def _look_up(self) -> None:
        if self.point is None or looks_swapped(*self.point) or self.map is None:
            return
        self._lookup += 1
        ticket, (lon, lat), choice = self._lookup, self.point, self.chosen
        if abs(lat) <= 90 and abs(lon) <= 180:
            self.map.show_pick(lon, lat)  # a typed point; a clicked one is there already
        workbench = self.workbench

        def look() -> tuple[PointCheck, list[NearbyCase] | None, list[NearbyComponent] | None]:
            where = workbench.check_point(lon, lat)
            near = workbench.nearby_cases(choice, lon, lat) if choice and where.inside else None
            # A 部件 report may name its object: the register's, of the class, within 30 m.
            objects = (
                workbench.nearby_components(choice, lon, lat)
                if choice and choice.kind == "component" and where.inside
                else None
            )
            return where, near, objects

        self.bridge.submit(
            look, lambda result: self._pull_lookup(ticket, *result), self._show_error
        )

    def _pull_lookup(
        self,
        ticket: int,
        where: PointCheck,
        near: list[NearbyCase] | None,
        objects: list[NearbyComponent] | None = None,
    ) -> None:
        if ticket != self._lookup:
            return  # the operator has moved on
        self.components.show_components(objects)
        if where.inside:
            self.point_status.setText(
                self.tr("In %1, grid %2 %3")
                .replace("%1", where.street_name)
                .replace("%2", where.grid_code)
                .replace("%3", where.grid_name)
            )
        else:
            self.point_status.setText(where.problem)  # the service's words (in Chinese)
        self.nearby.show_cases(near)

    # -- photos ------------------------------------------------------------------------

    def _on_add_photo_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Photos"), "", self.tr("Images (*.jpg *.jpeg *.png *.webp)")
        )
        self.add_photos(paths)

    def add_photos(self, paths: list[str]) -> None:
        for path in paths:
            self.photos.addItem(path)

    def photo_paths(self) -> list[str]:
        return [self.photos.item(i).text() for i in range(self.photos.count())]

    # -- saving ------------------------------------------------------------------------

    def report_input(self) -> ReportInput:
        """The form as a report; the services check it (nothing is checked twice here)."""
        # The text as typed: ReportInput's validate() makes the float (and words the error).
        lon: Any = self.lon.text().strip()
        lat: Any = self.lat.text().strip()
        return ReportInput(
            category_code=self.chosen.code if self.chosen else "",
            kind=self.chosen.kind if self.chosen else None,
            taxonomy=self.chosen.taxonomy if self.chosen else None,
            lon=lon,
            lat=lat,
            description=self.description.toPlainText(),
            address=self.address.text(),
            source=str(self.source.currentData()),
            reporter=self.caller.text() or None,
            reporter_phone=self.phone.text() or None,
            urgent=self.urgent.isChecked(),
            component_id=self.components.chosen_id(),
        )

    def _on_nearby_merge_requested(self, case: NearbyCase) -> None:
        self._save((int(case.case_id), int(case.version)))

    def _save(self, merge_into: tuple[int, int] | None) -> None:
        if self._saving:
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.error.clear()
        report, photos, workbench = self.report_input(), self.photo_paths(), self.workbench
        self.bridge.submit(
            lambda: workbench.file_report(report, photos, merge_into),
            self._on_filed,
            self._on_refused,
        )

    def _on_filed(self, filed: FiledReport) -> None:
        self._saving = False
        self.report_filed.emit(filed)
        self.accept()

    def _on_refused(self, exc: ConsoleError) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self._show_error(exc)
        self._timer.start()  # a case merged into may have changed: list again

    def _show_error(self, exc: ConsoleError) -> None:
        self.error.setText(exc.message)
