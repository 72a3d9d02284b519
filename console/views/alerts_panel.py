"""The alerts dock: one row per case at its highest open level, to acknowledge or open.

The panel holds alert records (console.services.supervision.AlertRecord, read by attribute
only) in :class:`~console.views.alerts_model.AlertsModel`, grouped by case and sorted by level
then time. It never calls a service: "Acknowledge" emits :attr:`AlertsPanel.acknowledge_requested`
once per alert id, and the night shift submits the use case and then calls
:meth:`AlertsPanel.mark_acknowledged` with the updated record. The unacknowledged count is the
service's (the handover's definition), kept current here as alerts are acknowledged.

Under the case alerts, a second list shows the patrol-gap alerts (巡查缺漏: one line per day and
street whose grids were left unpatrolled, console.services.patrol_alerts.PatrolAlertRecord) when
the seat has any; they are acknowledged on their own (:attr:`patrol_acknowledge_requested`,
:meth:`mark_patrol_acknowledged`) and are not in the case alerts' count, alarm or
"acknowledge all".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from console.views.acknowledge_all_dialog import AcknowledgeAllDialog
from console.views.alerts_model import (
    LEVEL_COLOURS,
    MAX_ROWS,
    AlertsModel,
    AlertsProxy,
    PatrolGapsModel,
    is_acknowledged,
)

if TYPE_CHECKING:
    from console.services.patrol_alerts import PatrolAlertRecord
    from console.services.supervision import AlertRecord

__all__ = ["LEVEL_COLOURS", "MAX_ROWS", "AlertsModel", "AlertsPanel"]


class AlertsPanel(QWidget):
    """The list of supervision alerts; emits what the user asked for."""

    #: One alert id per alert to acknowledge.
    acknowledge_requested = Signal(int)
    #: The case to open.
    open_case_requested = Signal(int)
    #: The number of unacknowledged alerts after a change.
    unacknowledged_count_changed = Signal(int)
    #: One patrol-gap alert id per patrol-gap alert to acknowledge.
    patrol_acknowledge_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsPanel")
        self._last_count = 0
        self._beyond = 0  # unacknowledged alerts the service counted but did not send (cap)
        self._refusal = ""  # why this seat may not acknowledge ("" = it may)
        self.acknowledge_all_dialog: AcknowledgeAllDialog | None = None
        self.model = AlertsModel(self)
        self.proxy = AlertsProxy(self)
        self.proxy.setSourceModel(self.model)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._build_toolbar())
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self._build_table())
        self.splitter.addWidget(self._build_patrol_gaps())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)
        self._pull_theme()
        self._update_buttons()

    # -- construction ------------------------------------------------------------------

    def _build_toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("alertsCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.only_unacknowledged = QCheckBox(self.tr("Only unacknowledged"), self)
        self.only_unacknowledged.toggled.connect(self._on_only_unacknowledged_toggled)
        self.acknowledge_button = QPushButton(self.tr("Acknowledge"), self)
        self.acknowledge_button.clicked.connect(self._on_acknowledge_button_clicked)
        self.acknowledge_all_button = QPushButton(self.tr("Acknowledge all visible"), self)
        self.acknowledge_all_button.clicked.connect(self._on_acknowledge_all_button_clicked)
        self.open_case_button = QPushButton(self.tr("Open case"), self)
        self.open_case_button.clicked.connect(self._on_open_case_button_clicked)
        row.addWidget(self.count_label)
        row.addWidget(self.only_unacknowledged)
        row.addStretch(1)
        for button in (
            self.acknowledge_button,
            self.acknowledge_all_button,
            self.open_case_button,
        ):
            row.addWidget(button)
        self._pull_count()
        return row

    def _build_table(self) -> QTreeView:
        self.table = QTreeView(self)
        self.table.setObjectName("alertsTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setExpandsOnDoubleClick(False)  # a double click opens the case
        self.table.setUniformRowHeights(True)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(AlertsModel.COLUMNS.index("level"), Qt.SortOrder.DescendingOrder)
        header = self.table.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        message = AlertsModel.COLUMNS.index("message")
        header.setSectionResizeMode(message, QHeaderView.ResizeMode.Stretch)
        for column, width in (("time", 175), ("level", 90), ("case", 150), ("recipient", 110)):
            header.resizeSection(AlertsModel.COLUMNS.index(column), width)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        return self.table

    def _build_patrol_gaps(self) -> QWidget:
        """The patrol-gap list (巡查缺漏) with its count and its own acknowledge button; hidden
        while the seat has none."""
        self._patrol_beyond = 0
        self.patrol_box = QWidget(self)
        self.patrol_box.setObjectName("patrolGaps")
        box = QVBoxLayout(self.patrol_box)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.patrol_count_label = QLabel(self.patrol_box)
        self.patrol_count_label.setObjectName("patrolGapsCount")
        self.patrol_count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.patrol_acknowledge_button = QPushButton(
            self.tr("Acknowledge patrol gap"), self.patrol_box
        )
        self.patrol_acknowledge_button.clicked.connect(self._on_patrol_acknowledge_clicked)
        row.addWidget(self.patrol_count_label)
        row.addStretch(1)
        row.addWidget(self.patrol_acknowledge_button)
        box.addLayout(row)
        self.patrol_model = PatrolGapsModel(self)
        self.patrol_table = QTreeView(self.patrol_box)
        self.patrol_table.setObjectName("patrolGapsTable")
        self.patrol_table.setModel(self.patrol_model)
        self.patrol_table.setRootIsDecorated(False)
        self.patrol_table.setUniformRowHeights(True)
        self.patrol_table.setAlternatingRowColors(True)
        self.patrol_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.patrol_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.patrol_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.patrol_table.header()
        header.setStretchLastSection(False)
        widths = (("kind", 90), ("day", 100), ("street", 130), ("grids", 150), ("recipient", 170))
        for column, width in widths:
            header.resizeSection(PatrolGapsModel.COLUMNS.index(column), width)
        self.patrol_table.selectionModel().selectionChanged.connect(self._update_buttons)
        box.addWidget(self.patrol_table, 1)
        self.patrol_box.setVisible(False)
        self._pull_patrol_count()
        return self.patrol_box

    # -- model → widget ----------------------------------------------------------------

    def set_patrol_alerts(
        self, records: Iterable[PatrolAlertRecord], total: int | None = None
    ) -> None:
        """Replace the patrol-gap list; ``total``: the service's unacknowledged count."""
        chosen = {int(r.id) for r in self.selected_patrol_alerts()}
        self.patrol_model.set_records(records)
        selection = QItemSelection()
        for row in range(self.patrol_model.rowCount()):
            if int(self.patrol_model.record(row).id) in chosen:
                index = self.patrol_model.index(row, 0)
                selection.select(index, index)
        if not selection.isEmpty():
            self.patrol_table.selectionModel().select(
                selection,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        loaded = self.patrol_model.unacknowledged_count()
        self._patrol_beyond = max(0, total - loaded) if total is not None else 0
        showing = self.patrol_model.rowCount() > 0
        if showing and self.patrol_box.isHidden():  # a third of the dock, not a sliver
            total = sum(self.splitter.sizes()) or self.splitter.height()
            self.patrol_box.setVisible(True)
            self.splitter.setSizes([total - total // 3, total // 3])
        self.patrol_box.setVisible(showing)
        self._pull_patrol_count()
        self._update_buttons()

    def mark_patrol_acknowledged(self, record: PatrolAlertRecord) -> bool:
        """Show the acknowledged patrol-gap alert (who, when); False when it is not listed."""
        updated = self.patrol_model.update_record(record)
        self._pull_patrol_count()
        self._update_buttons()
        return updated

    def patrol_unacknowledged_count(self) -> int:
        return self.patrol_model.unacknowledged_count() + self._patrol_beyond

    def selected_patrol_alerts(self) -> list[PatrolAlertRecord]:
        rows = {i.row() for i in self.patrol_table.selectionModel().selectedRows()}
        return [self.patrol_model.record(row) for row in sorted(rows)]

    def _pull_patrol_count(self) -> None:
        count = self.patrol_unacknowledged_count()
        self.patrol_count_label.setText(
            self.tr("Patrol gaps unacknowledged: %1").replace("%1", str(count))
        )

    def set_alerts(self, records: Iterable[AlertRecord], total: int | None = None) -> None:
        """Replace the list (after signing in); ``total``: the service's unacknowledged count."""
        with self._keeping_view():
            self.model.set_records(records)
        self._fit_level_column()
        self._set_total(total)

    def _fit_level_column(self) -> None:
        """Wide enough for the longest level shown (bold when unacknowledged): in English
        “Supervision level 3” was cut to “Supervisio…”. Only ever widened."""
        column = AlertsModel.COLUMNS.index("level")
        font = QFont(self.table.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        texts = {
            str(self.model.index(row, column).data() or "") for row in range(self.model.rowCount())
        }
        needed = max((metrics.horizontalAdvance(t) for t in texts), default=0) + 28
        header = self.table.header()
        if needed > header.sectionSize(column):
            header.resizeSection(column, needed)

    def add_alerts(
        self, records: Iterable[AlertRecord], total: int | None = None
    ) -> list[AlertRecord]:
        """Add new alerts; known ids are updated, not repeated. Returns the new ones."""
        with self._keeping_view():
            added = self.model.add_records(records)
        self._fit_level_column()
        self._set_total(total)
        return added

    def mark_acknowledged(self, record: AlertRecord) -> bool:
        """Show the acknowledged record (who, when); False when the alert is not listed."""
        with self._keeping_view():
            updated = self.model.update_record(record)
        self._pull_count()
        self._update_buttons()
        return updated

    def set_permission(self, refusal: str) -> None:
        """Why this seat may not acknowledge alerts ("" when it may): shown on the buttons."""
        self._refusal = refusal
        self._update_buttons()

    def unacknowledged_count(self) -> int:
        """The service's count: loaded unacknowledged alerts plus those beyond the list's cap."""
        return self.model.unacknowledged_count() + self._beyond

    def select_case(self, case_id: int) -> bool:
        """Select the row of ``case_id`` (False when it is not listed)."""
        row = self.model.case_row(case_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def selected_records(self) -> list[AlertRecord]:
        """The alert on each selected row (a case row: its head)."""
        return [self.model.record_at(i) for i in self._selected_source()]

    def selected_alerts(self) -> list[AlertRecord]:
        """Every alert the selection stands for (a case row: all of its case's)."""
        seen: dict[int, AlertRecord] = {}
        for index in self._selected_source():
            for record in self.model.alerts_at(index):
                seen[int(record.id)] = record
        return list(seen.values())

    def visible_records(self) -> list[AlertRecord]:
        """The head alert of each listed case, in the list's order."""
        return [
            self.model.record_at(self.proxy.mapToSource(self.proxy.index(row, 0)))
            for row in range(self.proxy.rowCount())
        ]

    def visible_alerts(self) -> list[AlertRecord]:
        """Every alert of the listed cases, in the list's order (folded ones included)."""
        out = []
        for row in range(self.proxy.rowCount()):
            out += self.model.alerts_at(self.proxy.mapToSource(self.proxy.index(row, 0)))
        return out

    def _selected_source(self) -> list[QModelIndex]:
        return [
            self.proxy.mapToSource(index) for index in self.table.selectionModel().selectedRows()
        ]

    @contextmanager
    def _keeping_view(self) -> Iterator[None]:
        """Keep the selected and expanded cases and the scroll position across a model reset
        (a refresh, an acknowledgement)."""
        scrolled = self.table.verticalScrollBar().value()
        chosen = {(int(r.case_id), int(r.id)) for r in self.selected_records()}
        expanded = {
            int(self.model.record(row).case_id)
            for row in range(self.model.rowCount())
            if self.table.isExpanded(self.proxy.mapFromSource(self.model.index(row, 0)))
        }
        yield
        selection = QItemSelection()
        for row in range(self.model.rowCount()):
            top = self.model.index(row, 0)
            case_id = int(self.model.record(row).case_id)
            if case_id in expanded:
                self.table.expand(self.proxy.mapFromSource(top))
            indexes = [top] + [self.model.index(c, 0, top) for c in range(self.model.rowCount(top))]
            for index in indexes:
                if (case_id, int(self.model.record_at(index).id)) in chosen:
                    proxied = self.proxy.mapFromSource(index)
                    if proxied.isValid():
                        selection.select(proxied, proxied)
        if not selection.isEmpty():
            flags = (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
            self.table.selectionModel().select(selection, flags)
        self.table.verticalScrollBar().setValue(scrolled)
        self._update_buttons()

    def _set_total(self, total: int | None) -> None:
        loaded = self.model.unacknowledged_count()
        self._beyond = max(0, total - loaded) if total is not None else 0
        self._pull_count()
        self._update_buttons()

    def _pull_count(self) -> None:
        count = self.unacknowledged_count()
        self.count_label.setText(self.tr("Unacknowledged: %1").replace("%1", str(count)))
        self.count_label.setProperty("alarm", "true" if count else "false")
        if count != self._last_count:
            self._last_count = count
            self.unacknowledged_count_changed.emit(count)

    def _pull_theme(self) -> None:
        self.model.set_dark(self.palette().color(QPalette.ColorRole.Base).lightness() < 128)

    def _update_buttons(self, *_args: object) -> None:
        selected = self.selected_alerts()
        open_selected = any(not is_acknowledged(r) for r in selected)
        open_listed = any(not is_acknowledged(r) for r in self.visible_alerts())
        cases = {int(r.case_id) for r in selected}
        self._gate(
            self.acknowledge_button,
            self._refusal or ("" if open_selected else self.tr("Select an unacknowledged alert")),
            self.tr("Acknowledge the selected alerts (a case row: all of its alerts)"),
        )
        self._gate(
            self.acknowledge_all_button,
            self._refusal or ("" if open_listed else self.tr("Nothing to acknowledge in the list")),
            self.tr("Acknowledge the alerts in the list; asks first, supervision only if ticked"),
        )
        open_patrol = any(r.acknowledged_at is None for r in self.selected_patrol_alerts())
        self._gate(
            self.patrol_acknowledge_button,
            self._refusal
            or ("" if open_patrol else self.tr("Select an unacknowledged patrol gap")),
            self.tr("Acknowledge the selected patrol gaps"),
        )
        self._gate(
            self.open_case_button,
            "" if len(cases) == 1 else self.tr("Select the alerts of one case"),
            self.tr("Open the selected case"),
        )

    @staticmethod
    def _gate(button: QPushButton, refusal: str, help_text: str) -> None:
        """Enabled with its help, or disabled with the reason as tooltip."""
        button.setEnabled(not refusal)
        button.setToolTip(refusal or help_text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._pull_theme()
        super().changeEvent(event)

    # -- widget → signals --------------------------------------------------------------

    def _on_only_unacknowledged_toggled(self, on: bool) -> None:
        self.proxy.set_only_unacknowledged(on)
        self._update_buttons()

    def _on_acknowledge_button_clicked(self) -> None:
        self._request_acknowledge(self.selected_alerts())

    def _on_acknowledge_all_button_clicked(self) -> None:
        """Ask first (non-blocking: the shift goes on while the question is open)."""
        pending = [r for r in self.visible_alerts() if not is_acknowledged(r)]
        if not pending:
            return
        dialog = AcknowledgeAllDialog(pending, self)
        dialog.accepted.connect(lambda: self._request_acknowledge(dialog.chosen()))
        dialog.finished.connect(dialog.deleteLater)
        self.acknowledge_all_dialog = dialog
        dialog.open()

    def _on_patrol_acknowledge_clicked(self) -> None:
        for record in self.selected_patrol_alerts():
            if record.acknowledged_at is None:
                self.patrol_acknowledge_requested.emit(int(record.id))

    def _request_acknowledge(self, records: list[AlertRecord]) -> None:
        for record in records:
            if not is_acknowledged(record):
                self.acknowledge_requested.emit(int(record.id))

    def _on_open_case_button_clicked(self) -> None:
        cases = {int(r.case_id) for r in self.selected_alerts()}
        if len(cases) == 1:
            self.open_case_requested.emit(cases.pop())

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            record = self.model.record_at(self.proxy.mapToSource(index))
            self.open_case_requested.emit(int(record.case_id))
