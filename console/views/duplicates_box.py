"""The detail pane's list of possible duplicates (疑似重复) and its merge / keep-apart buttons.

It shows the ``DuplicateCandidate`` records of a ``CaseDetail`` (console.services.duplicates)
and, for a seat allowed to decide, asks for an optional note and emits what was chosen; the
detail panel turns that into an action request. Open case (or a double-click) asks for a
candidate to become the current case. Case text is shown as plain text only.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.views import action_dialogs
from console.views.formatting import local_time_text
from console.views.labels import state_text

if TYPE_CHECKING:
    from console.services.duplicates.pairs import DuplicateCandidate


class DuplicatesBox(QGroupBox):
    """Hidden while the case has no open possible duplicates."""

    #: (candidate, note or None): merge the shown case into the candidate.
    merge_requested = Signal(object, object)
    #: (candidate, note or None): the shown case and the candidate are two problems.
    keep_apart_requested = Signal(object, object)
    #: A candidate's case id: make it the current case (to read it before deciding).
    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Possible duplicates"))
        self.setObjectName("duplicatesBox")
        self._candidates: list[DuplicateCandidate] = []
        self._number = ""
        layout = QVBoxLayout(self)
        self.list = QTreeWidget(self)
        self.list.setObjectName("duplicatesList")
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
        self.list.setMaximumHeight(120)
        self.list.currentItemChanged.connect(self._on_list_current_item_changed)
        self.list.itemActivated.connect(self._on_list_item_activated)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open case"), self)
        self.open_button.setObjectName("openDuplicateButton")
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.merge_button = QPushButton(self.tr("Merge into selected…"), self)
        self.merge_button.setObjectName("mergeIntoButton")
        self.merge_button.clicked.connect(self._on_merge_button_clicked)
        self.keep_apart_button = QPushButton(self.tr("Not a duplicate…"), self)
        self.keep_apart_button.setObjectName("keepApartButton")
        self.keep_apart_button.clicked.connect(self._on_keep_apart_button_clicked)
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.merge_button)
        row.addWidget(self.keep_apart_button)
        layout.addLayout(row)
        self.hide()

    def show_candidates(
        self, candidates: Iterable[DuplicateCandidate], allowed: Collection[str], number: str = ""
    ) -> None:
        """List ``candidates`` of case ``number``; buttons for the ``allowed`` pair actions."""
        self._number = number
        self.list.clear()
        self._candidates = list(candidates)
        for cand in self._candidates:
            item = QTreeWidgetItem(
                [
                    cand.number,
                    self.tr("%1 m").replace("%1", f"{cand.distance_m:.0f}"),
                    local_time_text(cand.reported_at),
                    state_text(cand.state),
                    cand.address,
                    " ".join((cand.description or "").split()),
                ]
            )
            # A tool tip may be read as rich text: the case text goes in escaped.
            item.setToolTip(5, f"<p>{html.escape(cand.description or '')}</p>")
            self.list.addTopLevelItem(item)
        self.merge_button.setVisible("merge" in allowed)
        self.keep_apart_button.setVisible("keep_apart" in allowed)
        self.setVisible(bool(self._candidates))
        first = self.list.topLevelItem(0) if self._candidates else None
        if first is not None:
            self.list.setCurrentItem(first)
        self._on_list_current_item_changed(self.list.currentItem(), None)

    def selected(self) -> DuplicateCandidate | None:
        """The candidate selected in the list, or None."""
        item = self.list.currentItem()
        index = -1 if item is None else self.list.indexOfTopLevelItem(item)
        return self._candidates[index] if 0 <= index < len(self._candidates) else None

    def _on_list_current_item_changed(
        self, current: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None
    ) -> None:
        self.open_button.setEnabled(current is not None)
        self.merge_button.setEnabled(current is not None)
        self.keep_apart_button.setEnabled(current is not None)

    def _on_list_item_activated(self, _item: QTreeWidgetItem, _column: int) -> None:
        self._on_open_button_clicked()  # double-click or Enter on a candidate

    def _on_open_button_clicked(self) -> None:
        cand = self.selected()
        if cand is not None:
            self.open_requested.emit(int(cand.case_id))

    def _on_merge_button_clicked(self) -> None:
        cand = self.selected()
        if cand is None:
            return
        title = self.tr("Merge into %1").replace("%1", cand.number)
        prompt = (
            self.tr(
                "Case %1 will be closed as a duplicate of %2, and %2 keeps its report on its "
                "timeline. Note (optional):"
            )
            .replace("%1", self._number)
            .replace("%2", cand.number)
        )
        note = action_dialogs.ask_note(self, title, prompt, required=False)
        if note is not None:
            self.merge_requested.emit(cand, note or None)

    def _on_keep_apart_button_clicked(self) -> None:
        cand = self.selected()
        if cand is None:
            return
        prompt = (
            self.tr("Cases %1 and %2 report different problems. Note (optional):")
            .replace("%1", self._number)
            .replace("%2", cand.number)
        )
        note = action_dialogs.ask_note(self, self.tr("Not a duplicate"), prompt, required=False)
        if note is not None:
            self.keep_apart_requested.emit(cand, note or None)
