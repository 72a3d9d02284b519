"""The report form's live list of open cases nearby that the new report may repeat (疑似重复).

It shows ``NearbyCase`` records (console.services.report_desk) and asks for one to be opened
or for the call to be merged into it instead of creating a new case. Case text is shown as
plain text; a tool tip, which Qt may read as rich text, gets it escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.views.formatting import local_time_text
from console.views.labels import state_text

if TYPE_CHECKING:
    from console.services.report_desk import NearbyCase


class NearbyCasesBox(QGroupBox):
    #: A listed case id: make it the current case, to read it.
    open_requested = Signal(int)
    #: The listed case (a NearbyCase) the call should be merged into.
    merge_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Possible duplicates nearby"))
        self.setObjectName("nearbyCasesBox")
        self._cases: list[NearbyCase] = []
        layout = QVBoxLayout(self)
        self.status = QLabel(self.tr("Choose a category and a point to look for them"), self)
        self.status.setObjectName("nearbyStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.status)
        self.list = QTreeWidget(self)
        self.list.setObjectName("nearbyList")
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels(
            [
                self.tr("Case no."),
                self.tr("Distance"),
                self.tr("Reported"),
                self.tr("State"),
                self.tr("Address"),
                self.tr("Description"),
            ]
        )
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.setMaximumHeight(130)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemActivated.connect(lambda *_: self._on_open_button_clicked())
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open case"), self)
        self.open_button.setObjectName("openNearbyButton")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.merge_button = QPushButton(self.tr("Merge this call into the selected case"), self)
        self.merge_button.setObjectName("mergeIntoNearbyButton")
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.merge_button)
        layout.addLayout(row)
        self.show_cases(None)

    def show_cases(self, cases: Iterable[NearbyCase] | None) -> None:
        """List ``cases`` (None: nothing to look for yet)."""
        self.list.clear()
        self._cases = list(cases or [])
        if cases is None:
            self.status.setText(self.tr("Choose a category and a point to look for them"))
        elif not self._cases:
            self.status.setText(self.tr("No open case of this category nearby"))
        else:
            self.status.setText(
                self.tr(
                    "%1 open case(s) of this category nearby: merge instead of a new case?"
                ).replace("%1", str(len(self._cases)))
            )
        for case in self._cases:
            item = QTreeWidgetItem(
                [
                    case.number,
                    self.tr("%1 m").replace("%1", f"{case.distance_m:.0f}"),
                    local_time_text(case.reported_at),
                    state_text(case.state, case.state_label),
                    case.address,
                    " ".join((case.description or "").split()),
                ]
            )
            item.setToolTip(5, f"<p>{html.escape(case.description or '')}</p>")
            self.list.addTopLevelItem(item)
        first = self.list.topLevelItem(0) if self._cases else None
        if first is not None:
            self.list.setCurrentItem(first)
        self._on_list_current_item_changed(self.list.currentItem(), None)

    def selected(self) -> NearbyCase | None:
        item = self.list.currentItem()
        index = -1 if item is None else self.list.indexOfTopLevelItem(item)
        return self._cases[index] if 0 <= index < len(self._cases) else None

    def _on_list_current_item_changed(
        self, current: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None
    ) -> None:
        self.open_button.setEnabled(current is not None)
        self.merge_button.setEnabled(current is not None)

    def _on_open_button_clicked(self) -> None:
        case = self.selected()
        if case is not None:
            self.open_requested.emit(int(case.case_id))

    def _on_merge_button_clicked(self) -> None:
        case = self.selected()
        if case is not None:
            self.merge_requested.emit(case)
