"""The alerts dock: supervision alerts newest first, coloured by level, to acknowledge or open.

The panel holds alert records (console.services.supervision.AlertRecord, read by attribute
only) in :class:`AlertsModel`. It never calls a service: "Acknowledge" emits
:attr:`AlertsPanel.acknowledge_requested` once per alert id, and the main window submits the use
case and then calls :meth:`AlertsPanel.mark_acknowledged` with the updated record.

Alert messages, addresses and names are untrusted text: cells are plain text, and tooltips
(which Qt would otherwise guess to be rich text) are escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.views.formatting import local_time_text
from console.views.i18n import pick

#: At most this many alerts are kept; beyond it the oldest acknowledged ones are dropped.
MAX_ROWS = 500

# level → (background, text) for the light theme and the dark theme. Each pair keeps a WCAG
# contrast of at least 4.5:1; the 督办 levels darken from red towards purple.
LEVEL_COLOURS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "warning": (("#e0a800", "#1f1600"), ("#d29922", "#1c1400")),
    "overdue": (("#cf222e", "#ffffff"), ("#d1302d", "#ffffff")),
    "supervise_1": (("#a40e26", "#ffffff"), ("#b0203f", "#ffffff")),
    "supervise_2": (("#7d0f45", "#ffffff"), ("#8e2a6a", "#ffffff")),
    "supervise_3": (("#3f1668", "#ffffff"), ("#58288a", "#ffffff")),
}

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def _sort_key(record: Any) -> tuple[datetime, int]:
    raised = record.raised_at
    if raised is None:
        raised = datetime.min.replace(tzinfo=UTC)
    elif raised.tzinfo is None:
        raised = raised.replace(tzinfo=UTC)
    return raised, int(record.id)


def _is_acknowledged(record: Any) -> bool:
    return record.acknowledged_at is not None


def _plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` verbatim (Qt would render a tag-like string as HTML)."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


class AlertsModel(QAbstractTableModel):
    """Alert records newest first (by raised time, then id), one row each, unique by id."""

    COLUMNS = ("time", "level", "case", "recipient", "message", "ack_by", "ack_at")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._dark = False

    # -- reading -----------------------------------------------------------------------

    def record(self, row: int) -> Any:
        return self._rows[row]

    def records(self) -> list[Any]:
        return list(self._rows)

    def row_of(self, alert_id: int) -> int:
        for row, record in enumerate(self._rows):
            if int(record.id) == alert_id:
                return row
        return -1

    def unacknowledged_count(self) -> int:
        return sum(1 for record in self._rows if not _is_acknowledged(record))

    # -- changing ----------------------------------------------------------------------

    def set_records(self, records: Iterable[Any]) -> None:
        unique = {int(r.id): r for r in records}
        self.beginResetModel()
        self._rows = sorted(unique.values(), key=_sort_key, reverse=True)
        self.endResetModel()
        self._trim()

    def add_records(self, records: Iterable[Any]) -> list[Any]:
        """Insert new records in order, update known ones; returns the newly inserted ones."""
        added = []
        for record in records:
            row = self.row_of(int(record.id))
            if row >= 0:
                self._replace(row, record)
                continue
            key = _sort_key(record)
            at = 0
            while at < len(self._rows) and _sort_key(self._rows[at]) > key:
                at += 1
            self.beginInsertRows(_ROOT, at, at)
            self._rows.insert(at, record)
            self.endInsertRows()
            added.append(record)
        self._trim()
        return added

    def update_record(self, record: Any) -> bool:
        row = self.row_of(int(record.id))
        if row < 0:
            return False
        self._replace(row, record)
        return True

    def _replace(self, row: int, record: Any) -> None:
        self._rows[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def set_dark(self, dark: bool) -> None:
        if dark != self._dark:
            self._dark = dark
            if self._rows:
                column = self.COLUMNS.index("level")
                self.dataChanged.emit(
                    self.index(0, column), self.index(len(self._rows) - 1, column)
                )

    def _trim(self) -> None:
        while len(self._rows) > MAX_ROWS:
            victims = [r for r, rec in enumerate(self._rows) if _is_acknowledged(rec)]
            if not victims:
                return
            row = victims[-1]
            self.beginRemoveRows(_ROOT, row, row)
            del self._rows[row]
            self.endRemoveRows()

    # -- Qt model interface -------------------------------------------------------------

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            "time": self.tr("Time"),
            "level": self.tr("Level"),
            "case": self.tr("Case"),
            "recipient": self.tr("Recipient"),
            "message": self.tr("Message"),
            "ack_by": self.tr("Acknowledged by"),
            "ack_at": self.tr("Acknowledged at"),
        }
        return titles[self.COLUMNS[section]]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column)
        if column == "level" and role in (
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            colours = LEVEL_COLOURS.get(record.level)
            if colours is None:
                return None
            background, text = colours[1 if self._dark else 0]
            chosen = background if role == Qt.ItemDataRole.BackgroundRole else text
            return QBrush(QColor(chosen))
        if role == Qt.ItemDataRole.FontRole and not _is_acknowledged(record):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return int(record.id)
        return None

    def _text(self, record: Any, column: str) -> str:
        if column == "time":
            return local_time_text(record.raised_at)
        if column == "level":
            return pick(record.level_label_zh or "", record.level_label_en or "") or record.level
        if column == "case":
            return str(record.case_number or "")
        if column == "recipient":
            return str(record.recipient_name or "")
        if column == "message":
            return " ".join(str(record.message or "").split())
        if column == "ack_by":
            return str(record.acknowledged_by_name or "") if _is_acknowledged(record) else ""
        if column == "ack_at":
            return local_time_text(record.acknowledged_at) if _is_acknowledged(record) else ""
        return ""

    def _tooltip(self, record: Any, column: str) -> str | None:
        if column == "time":
            return _plain_tooltip(
                self.tr("Raised %1, due %2")
                .replace("%1", local_time_text(record.raised_at))
                .replace("%2", local_time_text(record.due_at))
            )
        if column == "case" and record.address:
            return _plain_tooltip(str(record.address))
        if column == "message" and record.message:
            return _plain_tooltip(str(record.message))
        return None


class _UnacknowledgedFilter(QSortFilterProxyModel):
    """Shows every row, or only the unacknowledged ones."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._only_unacknowledged = False

    def set_only_unacknowledged(self, on: bool) -> None:
        self.beginFilterChange()
        self._only_unacknowledged = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._only_unacknowledged:
            return True
        model = self.sourceModel()
        assert isinstance(model, AlertsModel)
        return not _is_acknowledged(model.record(source_row))


class AlertsPanel(QWidget):
    """The list of supervision alerts; emits what the user asked for."""

    #: One alert id per alert to acknowledge.
    acknowledge_requested = Signal(int)
    #: The case to open.
    open_case_requested = Signal(int)
    #: The number of unacknowledged alerts after a change.
    unacknowledged_count_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsPanel")
        self._last_count = 0
        self.model = AlertsModel(self)
        self.proxy = _UnacknowledgedFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setDynamicSortFilter(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self._build_toolbar())
        layout.addWidget(self._build_table(), 1)
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
        self.acknowledge_button.setToolTip(self.tr("Acknowledge the selected alerts"))
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

    def _build_table(self) -> QTableView:
        self.table = QTableView(self)
        self.table.setObjectName("alertsTable")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        message = AlertsModel.COLUMNS.index("message")
        header.setSectionResizeMode(message, QHeaderView.ResizeMode.Stretch)
        for column, width in (("time", 130), ("level", 90), ("case", 150), ("recipient", 110)):
            header.resizeSection(AlertsModel.COLUMNS.index(column), width)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        return self.table

    # -- model → widget ----------------------------------------------------------------

    def set_alerts(self, records: Iterable[Any]) -> None:
        """Replace the list (e.g. after signing in)."""
        self.model.set_records(records)
        self._pull_count()
        self._update_buttons()

    def add_alerts(self, records: Iterable[Any]) -> list[Any]:
        """Add new alerts on top; known ids are updated, not repeated. Returns the new ones."""
        added = self.model.add_records(records)
        self._pull_count()
        self._update_buttons()
        return added

    def mark_acknowledged(self, record: Any) -> bool:
        """Show the acknowledged record (who, when); False when the alert is not listed."""
        updated = self.model.update_record(record)
        self._pull_count()
        self._update_buttons()
        return updated

    def unacknowledged_count(self) -> int:
        return self.model.unacknowledged_count()

    def selected_records(self) -> list[Any]:
        rows = sorted(
            self.proxy.mapToSource(index).row()
            for index in self.table.selectionModel().selectedRows()
        )
        return [self.model.record(row) for row in rows]

    def visible_records(self) -> list[Any]:
        return [
            self.model.record(self.proxy.mapToSource(self.proxy.index(row, 0)).row())
            for row in range(self.proxy.rowCount())
        ]

    def _pull_count(self) -> None:
        count = self.model.unacknowledged_count()
        self.count_label.setText(self.tr("Unacknowledged: %1").replace("%1", str(count)))
        self.count_label.setProperty("alarm", "true" if count else "false")
        if count != self._last_count:
            self._last_count = count
            self.unacknowledged_count_changed.emit(count)

    def _pull_theme(self) -> None:
        self.model.set_dark(self.palette().color(QPalette.ColorRole.Base).lightness() < 128)

    def _update_buttons(self, *_args: Any) -> None:
        selected = self.selected_records()
        self.acknowledge_button.setEnabled(any(not _is_acknowledged(r) for r in selected))
        self.open_case_button.setEnabled(len(selected) == 1)
        self.acknowledge_all_button.setEnabled(
            any(not _is_acknowledged(r) for r in self.visible_records())
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._pull_theme()
        super().changeEvent(event)

    # -- widget → signals --------------------------------------------------------------

    def _on_only_unacknowledged_toggled(self, on: bool) -> None:
        self.proxy.set_only_unacknowledged(on)
        self._update_buttons()

    def _on_acknowledge_button_clicked(self) -> None:
        self._request_acknowledge(self.selected_records())

    def _on_acknowledge_all_button_clicked(self) -> None:
        self._request_acknowledge(self.visible_records())

    def _request_acknowledge(self, records: list[Any]) -> None:
        for record in records:
            if not _is_acknowledged(record):
                self.acknowledge_requested.emit(int(record.id))

    def _on_open_case_button_clicked(self) -> None:
        selected = self.selected_records()
        if len(selected) == 1:
            self.open_case_requested.emit(int(selected[0].case_id))

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            record = self.model.record(self.proxy.mapToSource(index).row())
            self.open_case_requested.emit(int(record.case_id))
