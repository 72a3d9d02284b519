"""The alerts dock's models: one row per case, its highest open level on top, the rest folded;
and the patrol-gap alerts (巡查缺漏), one line per day and street (:class:`PatrolGapsModel`).

Records are console.services.supervision.AlertRecord, read by attribute only. A case's
*head* is its most serious unacknowledged alert (or, once all are acknowledged, its most
serious alert); the case's other alerts are the head's children. The proxy sorts by level,
then time, so a 督办 is never listed under a run of yellow warnings.

Alert messages, addresses and names are untrusted text: cells are plain text, and tooltips
(which Qt would otherwise guess to be rich text) are escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from console.views.formatting import local_time_text, plain_tooltip
from console.views.i18n import pick, use_english

if TYPE_CHECKING:
    from console.services.patrol_alerts import PatrolAlertRecord
    from console.services.supervision import AlertRecord

#: At most this many alerts are kept; beyond it the oldest acknowledged ones are dropped.
MAX_ROWS = 500
#: The role the proxy sorts by (level column: level, then time).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1

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
_TOP = 0  # internal id of a case row; a folded alert's is its case row + 1


def raised_key(record: AlertRecord) -> tuple[datetime, int]:
    raised = record.raised_at
    if raised is None:
        raised = datetime.min.replace(tzinfo=UTC)
    elif raised.tzinfo is None:
        raised = raised.replace(tzinfo=UTC)
    return raised, int(record.id)


def is_acknowledged(record: AlertRecord) -> bool:
    return record.acknowledged_at is not None


def _seriousness(record: AlertRecord) -> tuple[bool, int, datetime, int]:
    """Higher is more urgent: unacknowledged first, then level, then newest."""
    return (not is_acknowledged(record), int(record.level_rank), *raised_key(record))


class AlertsModel(QAbstractItemModel):
    """Alerts grouped by case: each case row is its head alert, its other alerts under it."""

    COLUMNS = ("time", "level", "case", "recipient", "message", "ack_by", "ack_at")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._by_id: dict[int, AlertRecord] = {}
        self._groups: list[list[AlertRecord]] = []  # per case: head first, then by seriousness
        self._dark = False

    # -- reading -----------------------------------------------------------------------

    def record(self, row: int) -> AlertRecord:
        """The head alert of case row ``row``."""
        return self._groups[row][0]

    def group(self, row: int) -> list[AlertRecord]:
        """Every alert of case row ``row``, head first."""
        return list(self._groups[row])

    def record_at(self, index: Index) -> AlertRecord:
        """The alert an index shows (a case row shows its head)."""
        parent = index.internalId()
        if parent == _TOP:
            return self._groups[index.row()][0]
        return self._groups[parent - 1][index.row() + 1]

    def alerts_at(self, index: Index) -> list[AlertRecord]:
        """The alerts an index stands for: a case row all of its case's, a folded row its own."""
        if index.internalId() == _TOP:
            return self.group(index.row())
        return [self.record_at(index)]

    def records(self) -> list[AlertRecord]:
        return [r for group in self._groups for r in group]

    def case_row(self, case_id: int) -> int:
        for row, group in enumerate(self._groups):
            if int(group[0].case_id) == case_id:
                return row
        return -1

    def unacknowledged_count(self) -> int:
        return sum(1 for record in self._by_id.values() if not is_acknowledged(record))

    # -- changing ----------------------------------------------------------------------

    def set_records(self, records: Iterable[AlertRecord]) -> None:
        by_id = {int(r.id): r for r in records}
        if by_id == self._by_id:
            return  # the 30 s refresh with nothing new: no reset, nothing moves
        self._by_id = by_id
        self._regroup()

    def add_records(self, records: Iterable[AlertRecord]) -> list[AlertRecord]:
        """Add new records and update known ones; returns the newly added ones."""
        added = []
        for record in records:
            if int(record.id) not in self._by_id:
                added.append(record)
            self._by_id[int(record.id)] = record
        self._regroup()
        return added

    def update_record(self, record: AlertRecord) -> bool:
        if int(record.id) not in self._by_id:
            return False
        self._by_id[int(record.id)] = record
        self._regroup()
        return True

    def set_dark(self, dark: bool) -> None:
        if dark != self._dark:
            self._dark = dark
            self.layoutAboutToBeChanged.emit()  # repaint every row, keep the selection
            self.layoutChanged.emit()

    def _regroup(self) -> None:
        self._trim()
        by_case: dict[int, list[AlertRecord]] = {}
        for record in self._by_id.values():
            by_case.setdefault(int(record.case_id), []).append(record)
        self.beginResetModel()
        self._groups = [sorted(g, key=_seriousness, reverse=True) for g in by_case.values()]
        self.endResetModel()

    def _trim(self) -> None:
        excess = len(self._by_id) - MAX_ROWS
        if excess > 0:
            done = sorted((r for r in self._by_id.values() if is_acknowledged(r)), key=raised_key)
            for record in done[:excess]:
                del self._by_id[int(record.id)]

    # -- Qt model interface -------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        return self.createIndex(row, column, parent.row() + 1)

    # The item model's parent(index); Qt's other overload, QObject.parent(), is shadowed here,
    # as in any Python tree model (the stubs declare both on one name).
    def parent(self, index: Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _TOP)

    def rowCount(self, parent: Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _TOP and parent.column() == 0:
            return len(self._groups[parent.row()]) - 1
        return 0

    def columnCount(self, parent: Index = _ROOT) -> int:
        return len(self.COLUMNS)

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
        if not index.isValid():
            return None
        record = self.record_at(index)
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index, record, column)
        if role == SORT_ROLE:
            return self._sort_value(record, column)
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
        if role == Qt.ItemDataRole.FontRole and not all(
            is_acknowledged(r) for r in self.alerts_at(index)
        ):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return int(record.id)
        return None

    def _sort_value(self, record: AlertRecord, column: str) -> float | str:
        raised = raised_key(record)[0].timestamp()
        if column == "level":
            return int(record.level_rank) * 1e11 + raised  # by level, then time
        if column == "time":
            return raised
        if column == "ack_at":
            acknowledged = record.acknowledged_at
            return acknowledged.timestamp() if acknowledged is not None else 0.0
        return self._text(record, column)

    def _text(self, record: AlertRecord, column: str) -> str:
        if column == "time":
            return local_time_text(record.raised_at)
        if column == "level":
            return pick(record.level_label_zh or "", record.level_label_en or "") or record.level
        if column == "case":
            return str(record.case_number or "")
        if column == "recipient":
            return str(record.recipient_name or "")
        if column == "message":
            if use_english():  # the stored message is the Chinese notice; say it in English
                return (
                    self.tr("Case %1 (%2): %3, due %4 → %5")
                    .replace("%1", str(record.case_number or ""))
                    .replace("%2", " ".join(str(record.address or "").split()))
                    .replace("%3", str(record.level_label_en or record.level))
                    .replace("%4", local_time_text(record.due_at))
                    .replace("%5", str(record.recipient_name or ""))
                )
            return " ".join(str(record.message or "").split())
        if column == "ack_by":
            return str(record.acknowledged_by_name or "") if is_acknowledged(record) else ""
        if column == "ack_at":
            return local_time_text(record.acknowledged_at) if is_acknowledged(record) else ""
        return ""

    def _tooltip(self, index: Index, record: AlertRecord, column: str) -> str | None:
        if column == "time":
            return plain_tooltip(
                self.tr("Raised %1, due %2")
                .replace("%1", local_time_text(record.raised_at))
                .replace("%2", local_time_text(record.due_at))
            )
        if column == "level" and index.internalId() == _TOP:
            folded = self.group(index.row())[1:]
            if folded:
                levels = ", ".join(self._text(r, "level") for r in folded)
                return plain_tooltip(self.tr("Also on this case: %1").replace("%1", levels))
        if column == "case" and record.address:
            return plain_tooltip(str(record.address))
        if column == "message" and record.message:
            return plain_tooltip(str(record.message))
        return None


class AlertsProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE`; shows every row, or only the unacknowledged ones."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._only_unacknowledged = False
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def set_only_unacknowledged(self, on: bool) -> None:
        self.beginFilterChange()
        self._only_unacknowledged = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._only_unacknowledged:
            return True
        model = self.sourceModel()
        assert isinstance(model, AlertsModel)
        index = model.index(source_row, 0, source_parent)
        return not all(is_acknowledged(r) for r in model.alerts_at(index))


class PatrolGapsModel(QAbstractTableModel):
    """Patrol-gap alerts (巡查缺漏), one line per day and street; records are
    console.services.patrol_alerts.PatrolAlertRecord, read by attribute only. Unacknowledged
    first, then the newest day, then the street."""

    COLUMNS = ("kind", "day", "street", "grids", "recipient", "ack_by", "ack_at")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[PatrolAlertRecord] = []

    def records(self) -> list[PatrolAlertRecord]:
        return list(self._records)

    def record(self, row: int) -> PatrolAlertRecord:
        return self._records[row]

    def unacknowledged_count(self) -> int:
        return sum(1 for r in self._records if r.acknowledged_at is None)

    def set_records(self, records: Iterable[PatrolAlertRecord]) -> None:
        ordered = sorted(
            records,
            key=lambda r: (r.acknowledged_at is None, r.day, r.raised_at, -int(r.id)),
            reverse=True,
        )
        if ordered == self._records:
            return
        self.beginResetModel()
        self._records = ordered
        self.endResetModel()

    def update_record(self, record: PatrolAlertRecord) -> bool:
        for row, known in enumerate(self._records):
            if int(known.id) == int(record.id):
                self._records[row] = record
                left, right = self.index(row, 0), self.index(row, len(self.COLUMNS) - 1)
                self.dataChanged.emit(left, right)
                return True
        return False

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            "kind": self.tr("Alert"),
            "day": self.tr("Day"),
            "street": self.tr("Street"),
            "grids": self.tr("Unpatrolled grids"),
            "recipient": self.tr("Recipient"),
            "ack_by": self.tr("Acknowledged by"),
            "ack_at": self.tr("Acknowledged at"),
        }
        return titles[self.COLUMNS[section]]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._records[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(record, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in ("kind", "street", "grids"):
            lines = [
                self.tr("Not patrolled within their frequency on %1:").replace(
                    "%1", record.day.isoformat()
                )
            ]
            lines += [
                f"{c} {n}" for c, n in zip(record.grid_codes, record.grid_names, strict=False)
            ]
            return plain_tooltip("\n".join(lines))
        if role == Qt.ItemDataRole.FontRole and record.acknowledged_at is None:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return int(record.id)
        return None

    def _text(self, record: PatrolAlertRecord, column: str) -> str:
        acknowledged = record.acknowledged_at is not None
        if column == "kind":
            return self.tr("Patrol gap")
        if column == "day":
            return record.day.isoformat()
        if column == "street":
            return str(record.street_name)
        if column == "grids":
            return self.tr("%1 grids not patrolled").replace("%1", str(record.grid_count))
        if column == "recipient":
            return str(record.recipient_name)
        if column == "ack_by":
            return str(record.acknowledged_by_name or "") if acknowledged else ""
        if column == "ack_at":
            return local_time_text(record.acknowledged_at) if acknowledged else ""
        return ""
