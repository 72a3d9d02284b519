"""The queues: one tab per queue, a filter row, and the paged case table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.domain.lifecycle import STATE_LABELS
from console.services.queue_columns import column_index, queue_columns
from console.views.current_case import CurrentCase
from console.views.formatting import remaining_text
from console.views.i18n import use_english
from console.views.labels import source_text, state_text
from console.views.queue_model import QueueTableModel

if TYPE_CHECKING:
    from console.errors import ConsoleError
    from console.services.cases.export import ExportResult
    from console.services.queue import QueueFilter
    from console.services.queue_tabs import QueueTab
    from console.services.workbench import FilterChoices, Workbench

#: Queue column → the sort key the queue service takes (columns it cannot sort are absent).
SORT_KEYS = {i: c.sort for i, c in enumerate(queue_columns()) if c.sort is not None}
REPORTED_COLUMN = column_index("reported_at")
#: The period box's "from … to …" entry: two date pickers take over.
CUSTOM_RANGE = -1
#: The tab that searches every case, whatever its state (resources/queues/tabs.csv).
SEARCH_TAB = "search"
#: Queue column → its key in an export (console.services.cases.export.COLUMNS), in the
#: model's column order.
EXPORT_KEYS = (
    "number",
    "light",
    "remaining",
    "state",
    "category",
    "address",
    "street",
    "grid",
    "department",
    "source",
    "reported_at",
    "deadline_at",
)


class QueuePanel(QWidget):
    #: The selected case ids changed (the first one becomes the current case).
    selection_changed = Signal(list)
    #: An export finished: console.services.cases.export.ExportResult.
    export_finished = Signal(object)
    #: An export failed: the message.
    export_failed = Signal(str)

    def __init__(
        self,
        bridge: Bridge,
        workbench: Workbench,
        tabs: list[QueueTab],
        filter_type: type[QueueFilter],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.workbench = workbench
        self.filter_type = filter_type
        self.tab_codes = [t.code for t in tabs]

        self.tab_bar = QTabBar()
        for tab in tabs:
            self.tab_bar.addTab(tab.label_en if use_english() else tab.label_zh)
        self.tab_bar.currentChanged.connect(self._on_filters_changed)

        self.street_box = QComboBox()
        self.grid_box = QComboBox()
        self.category_box = QComboBox()
        # 职能: the five functions of grid work (党的建设 … 安全稳定), as the categories have them.
        self.function_box = QComboBox()
        self.function_box.setObjectName("functionFilter")
        self.period_box = QComboBox()
        self.department_box = QComboBox()
        self.source_box = QComboBox()
        self.light_box = QComboBox()
        # The 查询 tab's own filters: one state, and a custom range of report dates.
        self.state_box = QComboBox()
        self.state_box.setObjectName("stateFilter")
        _fill(
            self.state_box,
            self.tr("All states"),
            [(state_text(code, zh), code) for code, (zh, _en) in STATE_LABELS.items()],
        )
        self.from_edit, self.to_edit = QDateEdit(), QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.from_edit.setObjectName("reportedFrom")
        self.to_edit.setObjectName("reportedTo")
        today = QDate.currentDate()
        self.from_edit.setDate(today.addDays(-30))
        self.to_edit.setDate(today)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._on_filters_changed)
            edit.setVisible(False)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search case no., address, description"))
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self._search_timer = QTimer(self, singleShot=True, interval=300)
        self._search_timer.timeout.connect(self._on_filters_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self._open_first_result = False  # Enter in the search box: its first result opens
        for box in self._boxes().values():
            box.currentIndexChanged.connect(self._on_filters_changed)
        self.street_box.currentIndexChanged.connect(self._on_street_changed)
        for box in self._boxes().values():
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.category_box.setMaximumWidth(200)
        self.department_box.setMaximumWidth(180)
        # 1280 px wide still fits every box (the 职能 box came later: #16 §3).
        self.search_edit.setMinimumWidth(190)

        filters = QHBoxLayout()
        filters.addWidget(self.street_box)
        filters.addWidget(self.grid_box)
        filters.addWidget(self.function_box)
        filters.addWidget(self.category_box)
        filters.addWidget(self.period_box)
        filters.addWidget(self.from_edit)
        filters.addWidget(self.to_edit)
        filters.addWidget(self.state_box)
        filters.addWidget(self.department_box)
        filters.addWidget(self.source_box)
        filters.addWidget(self.light_box)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.count_label)

        self.model = QueueTableModel(bridge, workbench, self)
        self.model.total_changed.connect(self._on_total_changed)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # No stretched last column: 处置期限 would take the spare width that 剩余时间 needs.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setWordWrap(False)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        # Sorting happens in the database (the model holds one page at a time).
        self.sort_key, self.sort_descending = "reported_at", True
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(REPORTED_COLUMN, Qt.SortOrder.DescendingOrder)
        header.sectionClicked.connect(self._on_header_clicked)
        # 导出…: the queue as filtered on screen, every matching row, the visible columns
        # (the window's File menu holds the same command, with Ctrl+Shift+E).
        self.export_action = QAction(self.tr("Export…"), self)
        self.export_action.triggered.connect(self.export_view)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.table.addAction(self.export_action)
        self.export_message: QMessageBox | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tab_bar)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self._clock = QTimer(self, interval=60_000)  # remaining time moves with the clock
        self._clock.timeout.connect(self.model.refresh_loaded)
        self._clock.start()
        self._loading_choices = False
        self._sort_column = REPORTED_COLUMN
        self._current: CurrentCase | None = None
        self._vacated_row: int | None = None  # where the current case's row was, once it left
        self.model.modelReset.connect(self._on_model_reset)
        self.model.rowsAboutToBeRemoved.connect(self._on_model_rows_about_to_be_removed)
        self.model.rowsInserted.connect(self._on_model_rows_inserted)

    # -- filter choices ----------------------------------------------------------------

    def set_choices(self, choices: FilterChoices) -> None:
        """Fill the filter boxes from the workbench's filter choices."""
        self._loading_choices = True
        _fill(
            self.street_box,
            self.tr("All streets"),
            [(name, street_id) for street_id, _code, name in choices.streets],
        )
        _fill(self.grid_box, self.tr("All grids"), [])
        self.grid_box.setEnabled(False)
        _fill(
            self.category_box,
            self.tr("All categories"),
            # console.services.catalog.CategoryOption: its label marks 地方扩展 and older codes.
            [(option.label, f"{option.kind}:{option.code}") for option in choices.categories],
        )
        # The function names are data (resources/org/functions.csv), with their English ones.
        english = use_english()
        _fill(
            self.function_box,
            self.tr("All functions"),
            [(en if english else zh, zh) for zh, en in choices.functions],
        )
        _fill(
            self.period_box,
            self.tr("Any time"),
            [
                (self.tr("Today"), 1),
                (self.tr("Last 7 days"), 7),
                (self.tr("Last 30 days"), 30),
                (self.tr("From … to …"), CUSTOM_RANGE),
            ],
        )
        _fill(
            self.department_box,
            self.tr("All departments"),
            [(d.name, d.id) for d in choices.departments],
        )
        _fill(
            self.source_box,
            self.tr("All sources"),
            [(source_text(code), code) for code, _label in choices.sources],
        )
        _fill(
            self.light_box,
            self.tr("All lights"),
            [
                (self.tr("Green"), "green"),
                (self.tr("Yellow"), "yellow"),
                (self.tr("Red"), "red"),
            ],
        )
        self._loading_choices = False

    def _on_street_changed(self, *_: object) -> None:
        street_id = self.street_box.currentData()
        if street_id is None:
            _fill(self.grid_box, self.tr("All grids"), [])
            self.grid_box.setEnabled(False)
            return

        def show(grids: list[tuple[int, str, str]]) -> None:
            if self.street_box.currentData() != street_id:
                return
            blocked = self.grid_box.blockSignals(True)
            _fill(self.grid_box, self.tr("All grids"), [(code, gid) for gid, code, _n in grids])
            self.grid_box.blockSignals(blocked)
            self.grid_box.setEnabled(True)

        self.bridge.submit(lambda: self.workbench.grids_of_street(street_id), show)

    def _on_header_clicked(self, column: int) -> None:
        key = SORT_KEYS.get(column)
        if key is None:  # not sortable in the database: keep the current order
            order = (
                Qt.SortOrder.DescendingOrder
                if self.sort_descending
                else Qt.SortOrder.AscendingOrder
            )
            self.table.horizontalHeader().setSortIndicator(self._sort_column, order)
            return
        if key == self.sort_key and column == self._sort_column:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_key, self.sort_descending = key, key == "reported_at"
        self._sort_column = column
        order = (
            Qt.SortOrder.DescendingOrder if self.sort_descending else Qt.SortOrder.AscendingOrder
        )
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.reload()

    def current_filter(self) -> QueueFilter:
        index = max(self.tab_bar.currentIndex(), 0)
        category = self.category_box.currentData()
        kind, code = category.split(":") if category else (None, None)
        days = self.period_box.currentData()
        since = until = None
        custom = days == CUSTOM_RANGE
        for edit in (self.from_edit, self.to_edit):
            edit.setVisible(custom)
        if custom:  # whole local days, the end day included
            first = _day(self.from_edit.date())
            since = datetime.combine(first, time(0), tzinfo=LOCAL_TZ)
            last = max(_day(self.to_edit.date()), first)
            until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)
        elif days:
            today = datetime.now(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
            since = today - timedelta(days=days - 1)
        tab = self.tab_codes[index]
        searching = tab == SEARCH_TAB
        self.state_box.setVisible(searching)
        return self.filter_type(
            tab=tab,
            street_id=self.street_box.currentData(),
            grid_id=self.grid_box.currentData(),
            department_id=self.department_box.currentData(),
            category_code=code,
            kind=kind,
            function=self.function_box.currentData(),
            source=self.source_box.currentData(),
            light=self.light_box.currentData(),
            reported_from=since,
            reported_to=until,
            state=self.state_box.currentData() if searching else None,
            text=self.search_edit.text().strip() or None,
            sort=self.sort_key,
            descending=self.sort_descending,
        )

    def _on_filters_changed(self, *_: object) -> None:
        if not self._loading_choices:
            self.reload()

    def reload(self) -> None:
        self.model.load(self.current_filter())

    def _on_total_changed(self, total: int) -> None:
        self.count_label.setText(self.tr("%n case(s)", "", total))

    # -- selection ---------------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def _on_selection_changed(self, *_: object) -> None:
        ids = self.selected_ids()
        self.selection_changed.emit(ids)
        if ids and self._current is not None:
            self._current.set(ids[0])

    def follow(self, current: CurrentCase) -> None:
        """Select the current case's row when it is loaded (and no other row when it is not);
        a row the user selects becomes current."""
        self._current = current
        current.changed.connect(self._pull_current)

    def _pull_current(self, *_: object) -> None:
        self._vacated_row = None
        case_id = None if self._current is None else self._current.case_id
        if case_id is None or case_id in self.selected_ids():
            return  # already selected (maybe with others, for a batch dispatch)
        if not self.select_case(case_id):
            # Not in this queue: no row may look selected, Ctrl+D would dispatch it.
            self.table.selectionModel().clear()

    def _on_model_reset(self) -> None:
        open_first, self._open_first_result = self._open_first_result, False
        if open_first and self.model.rows:
            self.select_case(self.model.rows[0].id)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self._pull_current()  # a new filter, tab or search keeps the current case selected

    def _on_model_rows_about_to_be_removed(self, _parent: object, first: int, last: int) -> None:
        case_id = None if self._current is None else self._current.case_id
        row = None if case_id is None else self.model.row_of(case_id)
        if row is not None and first <= row <= last:
            self._vacated_row = first  # Ctrl+J goes on from here (Qt moves the cursor up)

    def _on_model_rows_inserted(self, _parent: object, first: int, last: int) -> None:
        """The current case arriving in this queue after it became current (a call just filed,
        a case moved here by a live change) gets its row selected."""
        case_id = None if self._current is None else self._current.case_id
        if case_id is None or case_id in self.selected_ids():
            return
        if any(r.id == case_id for r in self.model.rows[first : last + 1]):
            self.select_case(case_id)

    def _on_search_edit_return_pressed(self) -> None:
        """Enter: search now, and the first case found becomes current."""
        self._search_timer.stop()
        self._open_first_result = True
        self.reload()

    def select_case(self, case_id: int) -> bool:
        row = self.model.row_of(case_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def fit_columns(self) -> None:
        """Columns sized to their content, and wide enough for what they show later: the
        remaining time of a long-overdue case, full local times; the address capped. The user's
        own widths are kept from then on (the header state is saved per user)."""
        self.table.resizeColumnsToContents()
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        pad = 24
        at_least = {
            "time_left": max(
                metrics.horizontalAdvance(remaining_text(-(999 * 3600 + 59 * 60))),
                metrics.horizontalAdvance(remaining_text(999 * 3600 + 59 * 60)),
            ),
            "datetime": metrics.horizontalAdvance("2026-12-31 23:59"),
        }
        for i, column in enumerate(queue_columns()):
            size = header.sectionSize(i)
            if column.width in at_least:
                header.resizeSection(i, max(size, at_least[column.width] + pad))
            elif column.width == "address":
                header.resizeSection(i, min(size, 360))

    def select_next(self) -> None:
        """Ctrl+J: the row after the current case's.

        When the current case has just left the queue (e.g. registered from 待立案), the row
        that took its place; when it is not listed, the first row.
        """
        count = self.model.rowCount()
        if count == 0:
            return
        if self._current is None:
            row = self.table.currentIndex().row()
            target = min(row + 1, count - 1) if row >= 0 else 0
        else:
            case_id = self._current.case_id
            row_of = None if case_id is None else self.model.row_of(case_id)
            if row_of is not None:
                target = min(row_of + 1, count - 1)
            else:
                target = min(self._vacated_row or 0, count - 1)
        self.select_case(self.model.rows[target].id)

    # -- export ------------------------------------------------------------------------

    def visible_columns(self) -> list[tuple[str, str]]:
        """(export key, header) of the columns on screen, in their on-screen order."""
        header = self.table.horizontalHeader()
        columns = []
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if header.isSectionHidden(logical):
                continue
            title = self.model.headerData(logical, Qt.Orientation.Horizontal)
            columns.append((EXPORT_KEYS[logical], str(title)))
        return columns

    def export_view(self) -> None:
        """Ask for a file (the format follows its extension) and export the queue to it."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export queue"),
            self.tr("cases.xlsx"),
            self.tr("Excel (*.xlsx);;CSV, UTF-8 (*.csv);;Open311 JSON (*.json)"),
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        """Export every case of the current filter to ``path`` on the worker; a message
        with the count when done."""
        f, columns = self.current_filter(), self.visible_columns()
        self.bridge.submit_long(
            lambda: self.workbench.export_cases(path, filter=f, columns=columns),
            self._on_exported,
            self._on_export_failed,
        )

    def _on_exported(self, result: ExportResult) -> None:
        self._show_export_message(
            QMessageBox.Icon.Information,
            self.tr("%n case(s) exported to %1", "", result.count).replace("%1", str(result.path)),
        )
        self.export_finished.emit(result)

    def _on_export_failed(self, exc: ConsoleError) -> None:
        self._show_export_message(
            QMessageBox.Icon.Warning, self.tr("Export failed: %1").replace("%1", exc.message)
        )
        self.export_failed.emit(exc.message)

    def _show_export_message(self, icon: QMessageBox.Icon, text: str) -> None:
        box = QMessageBox(icon, self.tr("Export"), text, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.open()  # not exec(): the window keeps running
        self.export_message = box

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # -- settings ----------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("queue/header", self.table.horizontalHeader().saveState())
        settings.setValue("queue/tab", self.tab_bar.currentIndex())
        settings.setValue("queue/search", self.search_edit.text())
        for name, box in self._boxes().items():
            settings.setValue(f"queue/{name}", box.currentData())

    def restore_state(self, settings: QSettings) -> None:
        header = settings.value("queue/header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        self._loading_choices = True
        for name, box in self._boxes().items():
            value = settings.value(f"queue/{name}")
            if value is not None:
                at = box.findData(
                    value
                    if name in ("source", "light", "category", "state", "function")
                    else _as_int(value)
                )
                if at >= 0:
                    box.setCurrentIndex(at)
        self.search_edit.blockSignals(True)
        self.search_edit.setText(str(settings.value("queue/search", "") or ""))
        self.search_edit.blockSignals(False)
        if settings.contains("queue/tab"):
            tab = _as_int(settings.value("queue/tab", 0)) or 0
            self.tab_bar.blockSignals(True)
            self.tab_bar.setCurrentIndex(min(tab, self.tab_bar.count() - 1))
            self.tab_bar.blockSignals(False)
        self._loading_choices = False

    def _boxes(self) -> dict[str, QComboBox]:
        return {
            "street": self.street_box,
            "grid": self.grid_box,
            "category": self.category_box,
            "function": self.function_box,
            "period": self.period_box,
            "department": self.department_box,
            "source": self.source_box,
            "light": self.light_box,
            "state": self.state_box,
        }

    def with_tab(self, code: str) -> None:
        if code in self.tab_codes:
            self.tab_bar.setCurrentIndex(self.tab_codes.index(code))

    def with_department(self, department_id: int) -> None:
        found = self.department_box.findData(department_id)
        if found >= 0:
            self.department_box.setCurrentIndex(found)

    def filter_with(self, **changes: Any) -> QueueFilter:
        return replace(self.current_filter(), **changes)


def _fill(box: QComboBox, everything: str, items: Sequence[tuple[str, object]]) -> None:
    box.clear()
    box.addItem(everything, None)
    for text, data in items:
        box.addItem(text, data)


def _day(d: QDate) -> date:
    """QDate.toPython(), typed (PySide6's stubs say object)."""
    return date(d.year(), d.month(), d.day())


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]  # any object: its TypeError is caught below
    except (TypeError, ValueError):
        return None
