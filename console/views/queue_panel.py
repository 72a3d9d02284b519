"""The queues: one tab per queue, a filter row, and the paged case table."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.views.i18n import use_english
from console.views.queue_model import QueueTableModel

LIGHT_CHOICES = [("green", "绿灯", "green"), ("yellow", "黄灯", "yellow"), ("red", "红灯", "red")]


class QueuePanel(QWidget):
    #: The selected case ids changed (first one is the "current" case).
    selection_changed = Signal(list)

    def __init__(
        self,
        bridge: Bridge,
        workbench: Any,
        tabs: list[Any],
        filter_type: type,
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
        self.department_box = QComboBox()
        self.source_box = QComboBox()
        self.light_box = QComboBox()
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search case no., address, description"))
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self._search_timer = QTimer(self, singleShot=True, interval=300)
        self._search_timer.timeout.connect(self._on_filters_changed)
        self.search_edit.textChanged.connect(self._search_timer.start)
        for box in (self.street_box, self.department_box, self.source_box, self.light_box):
            box.currentIndexChanged.connect(self._on_filters_changed)

        filters = QHBoxLayout()
        filters.addWidget(self.street_box)
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
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tab_bar)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self._clock = QTimer(self, interval=60_000)  # remaining time moves with the clock
        self._clock.timeout.connect(self.model.refresh_loaded)
        self._clock.start()
        self._loading_choices = False

    # -- filter choices ----------------------------------------------------------------

    def set_choices(
        self,
        streets: list[tuple[int, str, str]],
        departments: list[Any],
        sources: list[tuple[str, str]],
    ) -> None:
        self._loading_choices = True
        english = use_english()
        self.street_box.clear()
        self.street_box.addItem(self.tr("All streets"), None)
        for street_id, _code, name in streets:
            self.street_box.addItem(name, street_id)
        self.department_box.clear()
        self.department_box.addItem(self.tr("All departments"), None)
        for dept in departments:
            self.department_box.addItem(dept.name, dept.id)
        self.source_box.clear()
        self.source_box.addItem(self.tr("All sources"), None)
        for code, label in sources:
            self.source_box.addItem(label, code)
        self.light_box.clear()
        self.light_box.addItem(self.tr("All lights"), None)
        for code, zh, en in LIGHT_CHOICES:
            self.light_box.addItem(en if english else zh, code)
        self._loading_choices = False

    def current_filter(self) -> Any:
        index = max(self.tab_bar.currentIndex(), 0)
        return self.filter_type(
            tab=self.tab_codes[index],
            street_id=self.street_box.currentData(),
            department_id=self.department_box.currentData(),
            source=self.source_box.currentData(),
            light=self.light_box.currentData(),
            text=self.search_edit.text().strip() or None,
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
        self.selection_changed.emit(self.selected_ids())

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

    def select_next(self) -> None:
        current = self.table.currentIndex().row()
        if self.model.rowCount() == 0:
            return
        target = min(current + 1, self.model.rowCount() - 1) if current >= 0 else 0
        self.select_case(self.model.rows[target].id)

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
                at = box.findData(value if name in ("source", "light") else _as_int(value))
                if at >= 0:
                    box.setCurrentIndex(at)
        self.search_edit.blockSignals(True)
        self.search_edit.setText(str(settings.value("queue/search", "") or ""))
        self.search_edit.blockSignals(False)
        tab = _as_int(settings.value("queue/tab", 0)) or 0
        self.tab_bar.blockSignals(True)
        self.tab_bar.setCurrentIndex(min(tab, self.tab_bar.count() - 1))
        self.tab_bar.blockSignals(False)
        self._loading_choices = False

    def _boxes(self) -> dict[str, QComboBox]:
        return {
            "street": self.street_box,
            "department": self.department_box,
            "source": self.source_box,
            "light": self.light_box,
        }

    def with_tab(self, code: str) -> None:
        if code in self.tab_codes:
            self.tab_bar.setCurrentIndex(self.tab_codes.index(code))

    def filter_with(self, **changes: Any) -> Any:
        return replace(self.current_filter(), **changes)


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
