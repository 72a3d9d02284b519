"""A case queue as a Qt table model over a paged query.

Rows arrive a page at a time from the bridge's worker (never the whole queue in memory, never
the GUI thread waiting); live changes update, insert or drop single rows so the user's
selection and scroll position survive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from console.bridge import Bridge
from console.services.queue import precedes
from console.services.queue_columns import queue_columns
from console.views.formatting import local_time_text, plain_tooltip, remaining_text
from console.views.i18n import pick, use_english
from console.views.labels import source_text, state_text

if TYPE_CHECKING:
    from console.services.queue import QueueFilter, QueueRow
    from console.services.workbench import Workbench

PAGE_SIZE = 200

LIGHT_COLOURS = {"green": "#2e9d4f", "yellow": "#e0a800", "red": "#d64541"}
LIGHT_TEXT = {
    "green": ("绿", "green"),
    "yellow": ("黄", "yellow"),
    "red": ("红", "red"),
}

Index = QModelIndex | QPersistentModelIndex


class QueueTableModel(QAbstractTableModel):
    """Rows are console.services.queue.QueueRow records; columns are declared once below."""

    #: Emitted after a (re)load finished: the total number of rows matching the filter.
    total_changed = Signal(int)

    def __init__(self, bridge: Bridge, workbench: Workbench, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.workbench = workbench
        self.rows: list[QueueRow] = []
        self.total = 0
        self.filter: QueueFilter | None = None
        self._generation = 0  # a newer load makes older answers stale: latest request wins
        # Reads for the current filter not yet started: a newer load cancels them rather than
        # leaving the worker to run them for nothing (typing in the search box, tab hopping).
        self._pending: list[Future[None]] = []
        self._fetching = False
        # What each column shows; which columns, their order and labels are data
        # (resources/queues/columns.csv, read by the sorting and the export too).
        shows: dict[str, Callable[[QueueRow], str]] = {
            "number": lambda r: r.number,
            "light": lambda r: self._light_text(r.light),
            "remaining": lambda r: remaining_text(r.remaining_seconds),
            "state": lambda r: state_text(r.state, r.state_label),
            "category": lambda r: r.category_name,
            "address": lambda r: r.address,
            "street": lambda r: r.street_name,
            "grid": lambda r: r.grid_code,
            "department": lambda r: r.department_name or "",
            "source": lambda r: source_text(r.source),
            "reported_at": lambda r: local_time_text(r.reported_at),
            "deadline_at": lambda r: local_time_text(r.deadline_at) if r.deadline_at else "",
        }
        self.columns: list[tuple[str, Callable[[QueueRow], str]]] = [
            (pick(c.label_zh, c.label_en), shows[c.key]) for c in queue_columns()
        ]
        # The address column's tooltip: the full address and the description (wherever the
        # column is in columns.csv; -1 when it is not shown).
        keys = [c.key for c in queue_columns()]
        self.tooltip_column = keys.index("address") if "address" in keys else -1

    @staticmethod
    def _light_text(light: str | None) -> str:
        if light is None:
            return ""
        zh, en = LIGHT_TEXT[light]
        return en if use_english() else zh

    # -- Qt model API ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()][1](row)
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 1 and row.light:
            return QBrush(QColor(LIGHT_COLOURS[row.light]))
        overdue = row.remaining_seconds is not None and row.remaining_seconds <= 0
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 and overdue:
            return QBrush(QColor(LIGHT_COLOURS["red"]))
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.tooltip_column:
            # The public's words: shown verbatim, never as markup (Qt renders tag-like tooltips)
            return plain_tooltip(f"{row.address}\n{row.description or ''}".strip())
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.rows) < self.total and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        f = self.filter
        if parent.isValid() or self._fetching or f is None:  # None: nothing loaded to page on
            return
        self._fetching = True
        generation, offset = self._generation, len(self.rows)
        self._track(
            self.bridge.submit(
                lambda: self.workbench.queue_page(f, offset, PAGE_SIZE),
                lambda rows: self._on_page(generation, offset, rows),
            )
        )

    def _track(self, future: Future[None]) -> None:
        self._pending = [p for p in self._pending if not p.done()]
        self._pending.append(future)

    # -- loading -----------------------------------------------------------------------

    def load(self, f: QueueFilter) -> None:
        """Show the queue for filter ``f`` (count and first page, on the worker)."""
        self._generation += 1
        generation = self._generation
        for superseded in self._pending:
            self.bridge.cancel(superseded)  # only those not started: a running read ends unheard
        self._pending = []
        self.filter = f
        self._fetching = True

        def first_page() -> tuple[int, list[QueueRow]]:
            return self.workbench.queue_count(f), self.workbench.queue_page(f, 0, PAGE_SIZE)

        self._track(
            self.bridge.submit(first_page, lambda result: self._on_first(generation, *result))
        )

    def _on_first(self, generation: int, total: int, rows: list[QueueRow]) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self.rows = list(rows)
        self.total = total
        self._fetching = False
        self.endResetModel()
        self.total_changed.emit(total)

    def _on_page(self, generation: int, offset: int, rows: list[QueueRow]) -> None:
        if generation != self._generation or offset != len(self.rows):
            return
        self._fetching = False
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def row_of(self, case_id: int) -> int | None:
        for i, row in enumerate(self.rows):
            if row.id == case_id:
                return i
        return None

    # -- live changes ------------------------------------------------------------------

    def change_context(self) -> tuple[int, QueueFilter | None, set[int]]:
        """(generation, filter, loaded ids) to read a change batch against on the worker; its
        answer goes to :meth:`apply_read_changes`, which drops it if the queue moved on."""
        return self._generation, self.filter, {r.id for r in self.rows}

    def apply_read_changes(
        self,
        generation: int,
        ids: Sequence[int],
        inside: set[int],
        rows: list[QueueRow],
        total: int | None,
    ) -> None:
        self._on_changes(generation, sorted(set(ids)), inside, rows, total)

    def apply_changes(self, case_ids: Sequence[int]) -> None:
        """Refresh, add, move or drop the rows of changed cases without reloading the queue."""
        if self.filter is None or not case_ids:
            return
        generation, f, ids = self._generation, self.filter, sorted(set(case_ids))
        loaded = {r.id for r in self.rows}

        self.bridge.submit(
            lambda: self.workbench.queue_changes(f, ids, loaded),
            lambda result: self._on_changes(generation, ids, *result),
        )

    def _on_changes(
        self,
        generation: int,
        ids: list[int],
        inside: set[int],
        rows: list[QueueRow],
        total: int | None = None,
    ) -> None:
        if generation != self._generation or self.filter is None:
            return
        before = precedes(self.filter)
        fresh = {r.id: r for r in rows}
        for case_id in ids:
            at = self.row_of(case_id)
            if at is not None and case_id not in inside:
                self.beginRemoveRows(QModelIndex(), at, at)
                del self.rows[at]
                self.endRemoveRows()
                self.total = max(0, self.total - 1)
            elif at is not None:
                self.rows[at] = fresh[case_id]
                self.dataChanged.emit(self.index(at, 0), self.index(at, self.columnCount() - 1))
                self._move_into_order(at, before)
            elif case_id in fresh:
                # Where the next page load would put it; past the loaded rows it waits for
                # its page (the queue is sorted however the seat chose, not newest first).
                place = self._place(fresh[case_id], before, skip=None)
                if place is not None:
                    self.beginInsertRows(QModelIndex(), place, place)
                    self.rows.insert(place, fresh[case_id])
                    self.endInsertRows()
                if total is None:
                    self.total += 1
        if total is not None:
            self.total = max(total, len(self.rows))
        self.total_changed.emit(self.total)

    def _place(
        self, row: QueueRow, before: Callable[[QueueRow, QueueRow], bool], skip: int | None
    ) -> int | None:
        """The index ``row`` takes among the loaded rows (``skip`` left out), or None when it
        belongs past them and more rows are still to be paged in."""
        for i, other in enumerate(self.rows):
            if i != skip and before(row, other):
                return i
        more = len(self.rows) < self.total
        return None if more else len(self.rows)

    def _move_into_order(self, at: int, before: Callable[[QueueRow, QueueRow], bool]) -> None:
        """A loaded row whose sort value changed moves to its place (selection follows it)."""
        row, rows = self.rows[at], self.rows
        if (at == 0 or before(rows[at - 1], row)) and (
            at == len(rows) - 1 or before(row, rows[at + 1])
        ):
            return  # still between its neighbours: the usual case, checked without a scan
        place = self._place(self.rows[at], before, skip=at)
        if place is None:  # past the loaded rows: its page will bring it back
            self.beginRemoveRows(QModelIndex(), at, at)
            del self.rows[at]
            self.endRemoveRows()
            return
        if place in (at, at + 1):
            return
        self.beginMoveRows(QModelIndex(), at, at, QModelIndex(), place)
        self.rows.pop(at)
        self.rows.insert(place - 1 if place > at else place, row)
        self.endMoveRows()

    def refresh_loaded(self) -> None:
        """Re-read the loaded rows (remaining time and lights move with the clock)."""
        if self.rows:
            self.apply_changes([r.id for r in self.rows[: PAGE_SIZE * 5]])
