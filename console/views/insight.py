"""The numbers side of the main window: the live dashboard dock and the monthly evaluation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from console.bridge import Bridge
from console.views.dashboard_panel import DashboardPanel
from console.views.evaluation_view import EvaluationView

if TYPE_CHECKING:
    from console.services.change_feed import CaseChange
    from console.services.workbench import Workbench


class Insight(QObject):
    #: A case picked in the evaluation's drill-down: the window makes it current.
    open_case = Signal(int)

    def __init__(self, window: QMainWindow, bridge: Bridge, workbench: Workbench) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.workbench = workbench
        self.dashboard = DashboardPanel()
        self.dashboard.update_requested.connect(self._refresh_dashboard)
        self.evaluation: EvaluationView | None = None
        self._refresh_dashboard()

    # -- dashboard ---------------------------------------------------------------------

    def user_changed(self) -> None:
        self._refresh_dashboard()

    def on_changes(self, _changes: list[CaseChange]) -> None:
        self.dashboard.request_update()  # throttled: one refresh per couple of seconds

    def _refresh_dashboard(self) -> None:
        if not self.workbench.can("view_dashboard"):
            return  # a department handler's seat has no dashboard: not an error at start-up
        self.bridge.submit(self.workbench.dashboard_numbers, self.dashboard.show_numbers)

    # -- evaluation --------------------------------------------------------------------

    def open_evaluation(self) -> None:
        if self.evaluation is None:
            view = EvaluationView(self.window)  # owned by the window: one teardown
            view.setWindowFlag(Qt.WindowType.Window)
            view.setWindowTitle(self.tr("Monthly evaluation"))
            view.resize(1400, 900)
            view.period_changed.connect(self._load_month)
            view.function_changed.connect(lambda: self._load_month(view.current_month()))
            view.drill_requested.connect(self._drill)
            view.export_requested.connect(self._export)
            view.case_requested.connect(self._open_case)
            self.evaluation = view
            self.bridge.submit(self.workbench.functions, view.set_functions)  # the 职能 box
        self.evaluation.show()
        self.evaluation.raise_()
        self._load_month(self.evaluation.current_month())

    def _open_case(self, case_id: int) -> None:
        self.open_case.emit(case_id)
        self.window.raise_()
        self.window.activateWindow()

    def _load_month(self, month: str) -> None:
        view = self.evaluation
        if view is not None:
            function = view.current_function()
            self.bridge.submit_long(
                lambda: self.workbench.evaluation(month, function), view.show_report
            )

    def _drill(self, kind: str, object_id: int, metric: str) -> None:
        view = self.evaluation
        if view is None or view.report is None:
            return
        start, end = view.report.period_start, view.report.period_end
        function = view.report.function  # the drill-down counts what the report counted
        self.bridge.submit(
            lambda: self.workbench.evaluation_cases(start, end, kind, object_id, metric, function),
            lambda rows: view.show_cases(view.describe(kind, object_id, metric), rows),
        )

    def _export(self, path: str) -> None:
        view = self.evaluation
        if view is None or view.report is None:
            return
        report = view.report
        if Path(path).suffix.lower() == ".pdf":
            from console.views.evaluation_pdf import write_evaluation_pdf

            write_evaluation_pdf(report, Path(path))  # Qt paints it: on the GUI thread
            self._exported(path)
            return
        self.bridge.submit_long(
            lambda: self.workbench.export_evaluation(report, path),
            self._exported,
            lambda exc: QMessageBox.warning(view, self.tr("Export"), exc.message),
        )

    def _exported(self, path: str) -> None:
        self.window.statusBar().showMessage(self.tr("Exported to %1").replace("%1", path), 8000)

    def cleanup(self) -> None:
        self.dashboard.cleanup()
        if self.evaluation is not None:
            self.evaluation.close()
