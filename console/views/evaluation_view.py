"""The evaluation view: a month, the rankings of each kind of object, charts, drill-down.

The view never calls a service. Choosing a month emits :attr:`EvaluationView.period_changed`
("YYYY-MM"), choosing a function (职能, or all) :attr:`function_changed`; the main window
fetches the report (console.services.evaluation.EvaluationReport, read by attribute only) and
calls :meth:`show_report`; a function's report names it in the window's title and summary. Double-clicking a metric cell emits
:attr:`drill_requested` (kind, object id, metric key); the cases behind it come back through
:meth:`show_cases`. "Export…" asks for a file and emits :attr:`export_requested`.

Names, addresses and categories are untrusted text: every cell is a plain item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.config import LOCAL_TZ
from console.views.dashboard_panel import (
    BAR_BLUE,
    BAR_GREEN,
    BAR_ORANGE,
    category_ticks,
    new_plot,
    restyle_on_palette_change,
)
from console.views.evaluation_patrols import PatrolPanel
from console.views.formatting import local_time_text
from console.views.i18n import pick, use_english

if TYPE_CHECKING:
    from console.services.evaluation.report import EvaluationReport, MetricValue, ObjectScore
    from console.services.queue import QueueRow

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
#: The bar chart by category shows the most frequent categories only: at most this many, and
#: no more than its height gives each label (a crammed axis is unreadable).
TOP_CATEGORIES = 15
CATEGORY_ROW_PX = 22
CHART_FRAME_PX = 50
#: Months offered besides the current one.
MONTHS_BACK = 12


def recent_months(today: date, back: int = MONTHS_BACK) -> list[str]:
    """ "YYYY-MM" of the current month and the ``back`` before it, newest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(back + 1):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months


def is_rate(metric: MetricValue) -> bool:
    """A rate metric (key "…_rate"): its value is already a percent (0–100)."""
    return str(metric.key).endswith("rate")


def metric_text(metric: MetricValue) -> str:
    if metric.value is None:
        return "—"
    value = float(metric.value)
    if is_rate(metric):
        return f"{value:.1f}%"
    if str(metric.key).endswith("_hours"):  # an average in working hours
        return f"{value:.2f}"
    return str(int(value)) if value.is_integer() else f"{value:.2f}"


def _extras(score: ObjectScore) -> tuple[MetricValue, ...]:
    """The figures in no composite (a department's register figures), if the score has any."""
    return tuple(getattr(score, "extras", ()))


def grade_text(score: ObjectScore) -> str:
    """The grade, or why there is none (无案件, 依据不足), or "—"."""
    if score.grade:
        return str(score.grade)
    zh, en = getattr(score, "status_zh", None), getattr(score, "status_en", None)
    return pick(zh or "", en or "") or "—"


class RankingModel(QAbstractTableModel):
    """One kind's scores, by rank: rank, name, grade, composite, then each metric."""

    FIXED = 4

    def __init__(self, kind: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.scores: list[ObjectScore] = []
        self.metric_keys: list[str] = []
        self.metric_labels: list[str] = []

    def set_scores(self, scores: Sequence[ObjectScore]) -> None:
        self.beginResetModel()
        # ranked first; then those with too little data before those with no case at all
        self.scores = sorted(
            scores,
            key=lambda s: (
                s.rank is None,
                s.rank or 0,
                getattr(s, "status", "") == "no_cases",
                s.name,
            ),
        )
        # The metrics, then the figures in no composite (a department's register figures).
        first = (*self.scores[0].metrics, *_extras(self.scores[0])) if self.scores else ()
        self.metric_keys = [m.key for m in first]
        self.metric_labels = [pick(m.label_zh, m.label_en) for m in first]
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.scores)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.FIXED + len(self.metric_keys)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        fixed = (self.tr("Rank"), self.tr("Name"), self.tr("Grade"), self.tr("Composite"))
        if section < self.FIXED:
            return fixed[section]
        return self.metric_labels[section - self.FIXED]

    def metric_at(self, index: Index) -> MetricValue | None:
        """The MetricValue of a metric cell, or None for the fixed columns."""
        if not index.isValid() or index.column() < self.FIXED:
            return None
        score = self.scores[index.row()]
        metrics = (*score.metrics, *_extras(score))
        key = self.metric_keys[index.column() - self.FIXED]
        return next((m for m in metrics if m.key == key), None)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        score = self.scores[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return "—" if score.rank is None else str(score.rank)
            if col == 1:
                return score.name
            if col == 2:
                return grade_text(score)
            if col == 3:
                return "—" if score.composite is None else f"{float(score.composite):.1f}"
            metric = self.metric_at(index)
            return "—" if metric is None else metric_text(metric)
        if role == Qt.ItemDataRole.ToolTipRole and col >= self.FIXED:
            metric = self.metric_at(index)
            if metric is not None and metric.denominator is not None:
                return f"{metric.numerator} / {metric.denominator}"
            if metric is not None and getattr(metric, "note", None):
                return str(metric.note)
        if role == Qt.ItemDataRole.TextAlignmentRole and col != 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class EvaluationView(QWidget):
    #: A month was chosen ("YYYY-MM"): fetch its report.
    period_changed = Signal(str)
    #: A function (职能) or all was chosen: fetch the month's report again.
    function_changed = Signal()
    #: (kind, object id, metric key): show the cases behind that number.
    drill_requested = Signal(str, int, str)
    #: A case of a drill-down was double-clicked: open it in the console (case id).
    case_requested = Signal(int)
    #: Export the current report to this file.
    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluationView")
        self.report: EvaluationReport | None = None
        self.cases_dialog: QDialog | None = None
        self.cases_table: QTableWidget | None = None
        self.tables: dict[str, tuple[QTableView, RankingModel]] = {}

        self.month_combo = QComboBox()
        self.month_combo.setObjectName("monthCombo")
        for month in recent_months(today or datetime.now(LOCAL_TZ).date()):
            self.month_combo.addItem(month, month)
        self.month_combo.setCurrentIndex(1)  # the last complete month
        # 职能: the evaluation over one function's cases (#16 §3); filled by set_functions.
        self.function_combo = QComboBox()
        self.function_combo.setObjectName("evaluationFunction")
        self.function_combo.addItem(self.tr("All functions"), None)
        self.export_button = QPushButton(self.tr("Export…"))
        self.summary_label = QLabel()
        self.summary_label.setObjectName("evaluationSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Month")))
        top.addWidget(self.month_combo)
        top.addWidget(QLabel(self.tr("Function")))
        top.addWidget(self.function_combo)
        top.addStretch(1)
        top.addWidget(self.export_button)

        self.ranking_tabs = QTabWidget()
        self.ranking_tabs.setObjectName("rankingTabs")
        #: 网格定期巡查 (informational): the last tab, after the kinds' rankings
        self.patrol_panel = PatrolPanel()
        self.ranking_tabs.addTab(self.patrol_panel, self.tr("Patrols"))

        palette = self.palette()
        self.trend_plot = new_plot(self.tr("Daily reported and closed"), palette)
        self.trend_plot.addLegend(offset=(10, 5))
        self.reported_curve = self.trend_plot.plot(
            [], [], pen=pg.mkPen(BAR_BLUE, width=2), name=self.tr("Reported")
        )
        self.closed_curve = self.trend_plot.plot(
            [], [], pen=pg.mkPen(BAR_GREEN, width=2), name=self.tr("Closed")
        )
        self.category_plot = new_plot(self.tr("Top categories"), palette)
        self.category_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6, brush=BAR_BLUE)
        self.category_plot.addItem(self.category_bars)
        self.category_plot.getViewBox().invertY(True)
        self._categories: list[tuple[str, str, int]] = []
        self.category_plot.installEventFilter(self)
        self.street_plot = new_plot(self.tr("Reported and closed by street"), palette)
        self.street_reported_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=BAR_BLUE)
        self.street_closed_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=BAR_GREEN)
        self.street_plot.addItem(self.street_reported_bars)
        self.street_plot.addItem(self.street_closed_bars)
        self.on_time_plot = new_plot(self.tr("On-time rate by street (%)"), palette)
        self.on_time_bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=BAR_ORANGE)
        self.on_time_plot.addItem(self.on_time_bars)

        charts = QWidget()
        grid = QGridLayout(charts)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, plot in enumerate(self.plots):
            grid.addWidget(plot, i // 2, i % 2)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.ranking_tabs)
        splitter.addWidget(charts)
        # The rankings are what a leader opens the window for: they get most of the height.
        self.ranking_tabs.setMinimumHeight(260)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)

        self.month_combo.currentIndexChanged.connect(self._on_month_combo_changed)
        self.function_combo.currentIndexChanged.connect(lambda _i: self.function_changed.emit())
        self.export_button.clicked.connect(self._on_export_button_clicked)

    @property
    def plots(self) -> tuple[pg.PlotWidget, ...]:
        return (self.trend_plot, self.category_plot, self.street_plot, self.on_time_plot)

    def current_month(self) -> str:
        return str(self.month_combo.currentData())

    def current_function(self) -> str | None:
        """The chosen function's Chinese name (the services' value), or None for all."""
        value = self.function_combo.currentData()
        return str(value) if value else None

    def set_functions(self, functions: Sequence[tuple[str, str]]) -> None:
        """The functions to offer, (Chinese name, English name) in resources/org/functions.csv's
        order (Workbench.functions); the choice is kept, and no signal is emitted."""
        chosen = self.current_function()
        english = use_english()
        self.function_combo.blockSignals(True)
        try:
            self.function_combo.clear()
            self.function_combo.addItem(self.tr("All functions"), None)
            for zh, en in functions:
                self.function_combo.addItem(en if english else zh, zh)
            self.function_combo.setCurrentIndex(
                max(self.function_combo.findData(chosen), 0) if chosen else 0
            )
        finally:
            self.function_combo.blockSignals(False)

    def function_name(self, report: EvaluationReport) -> str | None:
        """The report's function in the display language, or None (every case)."""
        zh = getattr(report, "function", None)
        if not zh:
            return None
        return pick(str(zh), str(getattr(report, "function_en", None) or ""))

    # -- widget to signals -------------------------------------------------------------

    def _on_month_combo_changed(self, _index: int) -> None:
        self.period_changed.emit(self.current_month())

    def _on_export_button_clicked(self) -> None:
        function = self.current_function()
        name = f"evaluation-{self.current_month()}" + (f"-{function}" if function else "")
        path, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export evaluation"),
            f"{name}.xlsx",
            self.tr("Excel workbook (*.xlsx);;PDF (*.pdf)"),
        )
        if path:
            self.request_export(path)

    def request_export(self, path: str) -> None:
        self.export_requested.emit(path)

    def _on_table_double_clicked(self, kind: str, index: QModelIndex) -> None:
        model = self.tables[kind][1]
        metric = model.metric_at(index)
        if metric is not None and metric.value is not None:
            score = model.scores[index.row()]
            self.drill_requested.emit(kind, int(score.object_id), str(metric.key))

    # -- model to widget ---------------------------------------------------------------

    def show_report(self, report: EvaluationReport) -> None:
        self.report = report
        self.blockSignals(True)
        try:
            self._pull_summary(report)
            self._pull_rankings(report)
            self.patrol_panel.show_section(getattr(report, "patrols", None))
            self._pull_charts(report)
        finally:
            self.blockSignals(False)

    def _pull_summary(self, report: EvaluationReport) -> None:
        period = f"{report.period_start:%Y-%m-%d} – {report.period_end:%Y-%m-%d}"
        parts = [f"{pick(m.label_zh, m.label_en)}: {metric_text(m)}" for m in report.district]
        title = self.tr("Monthly evaluation")
        function = self.function_name(report)
        if function:  # what the figures cover: one function's cases only
            period += f"   {self.tr('Function')}: {function}"
            title += f" · {function}"
        self.summary_label.setText("   ".join([period, *parts]))
        self.setWindowTitle(title)

    def _pull_rankings(self, report: EvaluationReport) -> None:
        for kind in [k for k in self.tables if k not in report.by_kind]:
            view, _model = self.tables.pop(kind)
            self.ranking_tabs.removeTab(self.ranking_tabs.indexOf(view))
            view.deleteLater()
        for kind, scores in report.by_kind.items():
            if kind not in self.tables:
                self.tables[kind] = self._new_table(kind)
            self.tables[kind][1].set_scores(scores)

    def _new_table(self, kind: str) -> tuple[QTableView, RankingModel]:
        model = RankingModel(kind, self)
        view = QTableView()
        view.setObjectName(f"ranking_{kind}")
        view.setModel(model)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.verticalHeader().hide()
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.doubleClicked.connect(lambda index, k=kind: self._on_table_double_clicked(k, index))
        # the rankings before the patrol tab
        self.ranking_tabs.insertTab(
            self.ranking_tabs.indexOf(self.patrol_panel), view, self.kind_label(kind)
        )
        return view, model

    def kind_label(self, kind: str) -> str:
        labels = {
            "street": self.tr("Streets"),
            "area": self.tr("Areas"),
            "unit": self.tr("Units"),
            "grid": self.tr("Grids"),
            "department": self.tr("Departments"),
            "inspector": self.tr("Inspectors"),
            "intake": self.tr("Intake operators"),
            "duty_chief": self.tr("Duty chiefs"),
            "dispatcher": self.tr("Dispatchers"),
        }
        return labels.get(kind, kind)

    def category_rows(self) -> int:
        """How many categories the chart has room for at its present height."""
        # The widget's height less its title and bottom axis (the view box itself is laid out
        # only after the resize event that calls this).
        height = self.category_plot.height() - CHART_FRAME_PX
        return max(3, min(TOP_CATEGORIES, int(height // CATEGORY_ROW_PX)))

    def _draw_categories(self) -> None:
        top = self._categories[: self.category_rows()]
        self.category_bars.setOpts(
            x0=[0] * len(top), y=list(range(len(top))), width=[c for _, _, c in top], height=0.6
        )
        self.category_plot.getAxis("left").setTicks(category_ticks([n for _, n, _ in top]))
        self.category_plot.setYRange(-0.6, max(len(top), 1) - 0.4, padding=0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.category_plot and event.type() == QEvent.Type.Resize:
            self._draw_categories()  # taller or shorter: as many labels as fit
        return super().eventFilter(watched, event)

    def _pull_charts(self, report: EvaluationReport) -> None:
        daily = list(report.daily)
        xs = list(range(len(daily)))
        self.reported_curve.setData(xs, [r for _, r, _ in daily])
        self.closed_curve.setData(xs, [c for _, _, c in daily])
        step = max(1, len(daily) // 8)
        self.trend_plot.getAxis("bottom").setTicks(
            [[(float(i), f"{d:%m-%d}") for i, (d, _, _) in enumerate(daily) if i % step == 0]]
        )

        self._categories = sorted(report.by_category, key=lambda c: (-c[2], c[0]))
        self._draw_categories()

        streets = list(report.by_street)
        xs = list(range(len(streets)))
        names = category_ticks([s[1] for s in streets])
        self.street_reported_bars.setOpts(x=[x - 0.2 for x in xs], height=[s[2] for s in streets])
        self.street_closed_bars.setOpts(x=[x + 0.2 for x in xs], height=[s[3] for s in streets])
        self.street_plot.getAxis("bottom").setTicks(names)
        rates = [100.0 * s[4] / s[3] if s[3] else 0.0 for s in streets]
        self.on_time_bars.setOpts(x=xs, height=rates)
        self.on_time_plot.getAxis("bottom").setTicks(names)
        self.on_time_plot.setYRange(0, 100, padding=0.05)
        for plot in (self.street_plot, self.on_time_plot):
            plot.setXRange(-0.6, max(len(streets), 1) - 0.4, padding=0)

    def describe(self, kind: str, object_id: int, metric: str) -> str:
        """ "name · metric label" of a drill-down, for the cases window's title."""
        scores = self.report.by_kind.get(kind, ()) if self.report is not None else ()
        score = next((s for s in scores if s.object_id == object_id), None)
        if score is None:
            return metric
        found = next((m for m in (*score.metrics, *_extras(score)) if m.key == metric), None)
        label = pick(found.label_zh, found.label_en) if found is not None else metric
        return f"{score.name} · {label}"

    def show_cases(self, title: str, rows: Sequence[QueueRow]) -> None:
        """The cases behind a number, in a small window (plain-text cells)."""
        if self.cases_dialog is None:
            self.cases_dialog = QDialog(self)
            self.cases_dialog.setObjectName("evaluationCases")
            self.cases_dialog.resize(760, 420)
            self.cases_table = QTableWidget(0, 5, self.cases_dialog)
            self.cases_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            self.cases_table.verticalHeader().hide()
            self.cases_table.horizontalHeader().setStretchLastSection(True)
            self.cases_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            self.cases_table.cellDoubleClicked.connect(self._on_case_double_clicked)
            box = QVBoxLayout(self.cases_dialog)
            box.addWidget(self.cases_table)
        table = self.cases_table
        assert table is not None
        heads = (self.tr("Case number"), self.tr("State"), self.tr("Category"), self.tr("Address"))
        table.setHorizontalHeaderLabels([*heads, self.tr("Reported at")])
        table.setRowCount(len(rows))
        self._case_ids = [int(row.id) for row in rows]
        for r, row in enumerate(rows):
            cells = (
                row.number,
                row.state_label,
                row.category_name,
                row.address,
                local_time_text(row.reported_at),
            )
            for c, text in enumerate(cells):
                table.setItem(r, c, QTableWidgetItem(str(text)))
        table.resizeColumnsToContents()
        self.cases_dialog.setWindowTitle(f"{title} ({len(rows)})")
        self.cases_dialog.show()
        self.cases_dialog.raise_()

    def _on_case_double_clicked(self, row: int, _column: int) -> None:
        ids = getattr(self, "_case_ids", [])
        if 0 <= row < len(ids):
            self.case_requested.emit(ids[row])

    # -- theme -------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        restyle_on_palette_change(event, self.palette(), self.plots)
        super().changeEvent(event)
