"""The dispatcher's main window: queues in the middle, map and case detail in docks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.views.calendar_dialog import CalendarDialog
from console.views.calendar_notice import CalendarNotice
from console.views.case_action_gate import apply_gates
from console.views.case_actions import CaseActions
from console.views.case_detail_panel import CaseDetailPanel
from console.views.commands import COMMANDS, Command
from console.views.connection_banner import ConnectionBanner
from console.views.current_case import CurrentCase
from console.views.grid_staff_panel import GridStaffPanel
from console.views.import_dialog import ImportDialog
from console.views.insight import Insight
from console.views.map_components import ComponentLayers
from console.views.map_fallback import create_map_view
from console.views.map_filter import MapFilterBar, map_with_filter
from console.views.map_patrols import PatrolLayers
from console.views.night_shift import NightShift
from console.views.pending_locations_dialog import PendingLocationsDialog
from console.views.queue_panel import QueuePanel
from console.views.report_form import ReportFormDialog
from console.views.shortcuts_dialog import ShortcutsDialog
from console.views.theme import apply_theme, theme_for_time

if TYPE_CHECKING:
    from pathlib import Path

    from console.scheduler import ConsoleScheduler
    from console.services.cases.dto import CaseSnapshot
    from console.services.change_feed import CaseChange
    from console.services.queue import QueueFilter
    from console.services.queue_tabs import QueueTab
    from console.services.report_desk import FiledReport
    from console.services.workbench import FilterChoices, LiveBatch, Workbench

#: The queue each role starts from on a first start (later: the last one used).
ROLE_HOME_TAB = {
    "intake": "to_register",
    "duty_chief": "to_register",
    "dispatcher": "to_dispatch",
    "inspector": "to_verify",
    "leader": "late",
    "department": "in_progress",
}


class MainWindow(QMainWindow):
    #: The first page of the queue and (when shown) the map are on screen.
    first_view_ready = Signal()

    def __init__(
        self,
        bridge: Bridge,
        workbench: Workbench,
        *,
        tabs: list[QueueTab],
        filter_type: type[QueueFilter],
        map_page: Path | None = None,
        mbtiles: Path | None = None,
        scheduler: ConsoleScheduler | None = None,
        db_label: str = "",
        settings: QSettings | None = None,
        theme: str = "auto",
    ) -> None:
        super().__init__()
        self.bridge = bridge
        self.workbench = workbench
        self.settings = settings or QSettings()
        self.theme_mode = theme
        #: The one owner of the current case: the queue, map and detail follow it, actions ask it.
        self.current = CurrentCase(bridge, workbench.detail, self)
        #: The steps on cases (toolbar, detail panel, batch dispatch): console.views.case_actions.
        self.case_actions = CaseActions(self, bridge, workbench, self.current)
        self._queue_ready = False
        self._map_ready = map_page is None
        self.setObjectName("MainWindow")

        self.queue = QueuePanel(bridge, workbench, tabs, filter_type)
        self.setCentralWidget(self.queue)
        self.detail = CaseDetailPanel()
        self.detail_dock = self._dock(
            "detail", self.tr("Case detail"), self.detail, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.map = create_map_view()  # a banner instead where WebEngine cannot run
        # 职能: the map shows one function's cases, or all (Workbench.map_markers).
        self.map_filter = MapFilterBar()
        self.map_dock = self._dock(
            "map",
            self.tr("Map"),
            map_with_filter(self.map_filter, self.map),
            Qt.DockWidgetArea.RightDockWidgetArea,
        )

        self.night = NightShift(self, bridge, workbench, self.settings, scheduler)
        self.calendar_notice = CalendarNotice(bridge, workbench, self.statusBar())
        self.alerts_dock = self._dock(
            "alerts",
            self.tr("Alerts"),
            self.calendar_notice.wrap_alerts(self.night.panel),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.unacknowledged = 0
        self.insight = Insight(self, bridge, workbench)
        self.insight.open_case.connect(lambda case_id: self.current.set(case_id))
        # The case's photos, read on the worker whenever its detail (re)loads: a handler's
        # after-photos arrive with their feedback.
        self.current.loaded.connect(lambda detail, _notice: self._load_photos(detail.snapshot.id))
        self.dashboard_dock = self._dock(
            "dashboard",
            self.tr("Dashboard"),
            self.insight.dashboard,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        # 一格七员 of the seat's street (a district seat picks one): a street seat's own, so
        # beside its alerts (split before the tabs: a tabbed dock takes no neighbour); behind
        # the dashboard for the district's seats.
        self.staff_panel = GridStaffPanel(bridge, workbench.grid_staff)
        self.staff_dock = self._dock(
            "staff", self.tr("Grid staff"), self.staff_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        if workbench.scope.confined:
            self.splitDockWidget(self.alerts_dock, self.staff_dock, Qt.Orientation.Horizontal)
        self.tabifyDockWidget(self.alerts_dock, self.dashboard_dock)
        if not workbench.scope.confined:
            self.tabifyDockWidget(self.dashboard_dock, self.staff_dock)
        self.alerts_dock.raise_()
        # The component register on the map and its repeat offenders' list (issue 17), behind
        # the alerts.
        self.components = ComponentLayers(
            bridge, workbench.component_map, self.map, self.map_dock.isVisible, self
        )
        self.repeats_dock = self._dock(
            "repeats",
            self.tr("Repeat offenders"),
            self.components.panel,
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.tabifyDockWidget(self.alerts_dock, self.repeats_dock)
        self.alerts_dock.raise_()
        self.components.focus_requested.connect(self.map_dock.show)
        # The map and detail column runs the full height; alerts sit under the queues only.
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

        self.actions_by_id: dict[str, QAction] = {}
        self._build_commands()
        self._apply_permissions()
        # Across the window, under the tool bars, while the database cannot be reached.
        self.connection_banner = ConnectionBanner(self)
        self.addToolBarBreak()
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.connection_banner)
        self._build_status_bar(db_label)

        # Wiring: views talk to the services only through the bridge.
        self.queue.follow(self.current)
        self.map.follow(self.current)
        self.detail.follow(self.current)
        self.current.load_failed.connect(lambda _id, message: self._on_error_reported(message))
        # 立案/派遣/核查通过/结案 follow the current case's state (and the role).
        self.current.changed.connect(self._pull_case_actions)
        self.current.loaded.connect(self._pull_case_actions)
        self.current.load_failed.connect(self._pull_case_actions)
        self._pull_case_actions()
        self.queue.model.total_changed.connect(self._on_queue_loaded)
        self.detail.action_requested.connect(self.case_actions.on_detail_action)
        self.detail.action_with_input_requested.connect(
            self.case_actions.on_detail_action_with_input
        )
        self.detail.dispatch_requested.connect(self.case_actions.open_dispatch)
        self.detail.locate_requested.connect(self.map.focus_case)
        self.detail.open_case_requested.connect(self.current.set)
        self.staff_panel.grid_chosen.connect(self.map.focus_grid)
        self.map.ready.connect(self._on_map_ready)
        self.map_filter.changed.connect(self._on_map_filter_changed)
        # The field on the map (people on patrol, today's tracks and coverage): on a timer, as
        # the gateway writes the points; the command center's seats only.
        self.patrols: PatrolLayers | None = None
        if workbench.can("view_dashboard") and not workbench.scope.confined:
            self.patrols = PatrolLayers(
                bridge,
                lambda: workbench.patrol_layers().to_json(),
                self.map,
                self.map_dock.isVisible,
                self,
            )
            self.map_dock.visibilityChanged.connect(self.patrols.on_visibility_changed)
        bridge.changes_applied.connect(self._on_changes_applied)
        bridge.changes_applied.connect(self.night.on_changes)
        bridge.changes_applied.connect(self.insight.on_changes)
        self.night.open_case.connect(self.current.set)
        self.night.unacknowledged_changed.connect(self._on_unacknowledged_changed)
        bridge.feed_health_changed.connect(self._on_feed_health_changed)
        bridge.error_reported.connect(self._on_error_reported)
        bridge.database_reachable_changed.connect(self.connection_banner.on_reachable_changed)

        self._refresh_title()
        self.resize(1600, 950)
        geometry = self.settings.value("window/geometry", b"")
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)
        else:
            self._default_layout()
            QTimer.singleShot(0, self._default_layout)  # again once the window is laid out
        self.connection_banner.hide()  # a saved state may hold it shown: the bridge decides
        self._apply_permissions()  # a saved state may hold the dashboard shown: the role decides
        self._apply_theme()

        bridge.submit(workbench.filter_choices, self._on_choices)
        self.staff_panel.reload()
        self.components.read_repeats()  # the list, with or without the map
        if map_page is not None:
            if mbtiles is not None:
                self.map.use_mbtiles(mbtiles)  # before the page asks for tiles
            self.map.load_page(map_page)

    # -- construction ------------------------------------------------------------------

    def _default_layout(self) -> None:
        """First start: queues large, the map and detail a third of the width, alerts low."""
        width, height = max(self.width(), 1200), max(self.height(), 800)
        self.resizeDocks(
            [self.detail_dock, self.map_dock], [width // 3] * 2, Qt.Orientation.Horizontal
        )
        self.resizeDocks(
            [self.detail_dock, self.map_dock],
            [height * 2 // 5, height * 3 // 5],
            Qt.Orientation.Vertical,
        )
        self.resizeDocks([self.alerts_dock], [height // 4], Qt.Orientation.Vertical)
        if not self.tabifiedDockWidgets(self.staff_dock):  # a street seat's, beside the alerts
            self.resizeDocks(
                [self.alerts_dock, self.staff_dock], [width // 3] * 2, Qt.Orientation.Horizontal
            )

    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_commands(self) -> None:
        menus = {
            "file": self.menuBar().addMenu(self.tr("&File")),
            "case": self.menuBar().addMenu(self.tr("&Case")),
            "duty": self.menuBar().addMenu(self.tr("&Duty")),
            "reports": self.menuBar().addMenu(self.tr("&Reports")),
            "view": self.menuBar().addMenu(self.tr("&View")),
            "help": self.menuBar().addMenu(self.tr("&Help")),
        }
        toolbar = self.addToolBar(self.tr("Case actions"))
        toolbar.setObjectName("toolbar_case")
        for command in COMMANDS:
            action = QAction(QCoreApplication.translate("Commands", command.title), self)
            if command.shortcut:
                action.setShortcut(QKeySequence(command.shortcut))
            action.triggered.connect(lambda _=False, c=command: self._run_command(c))
            menus[command.menu].addAction(action)
            if command.toolbar:
                toolbar.addAction(action)
            self.actions_by_id[command.id] = action

    def _build_status_bar(self, db_label: str) -> None:
        bar = self.statusBar()
        self.db_label = QLabel(db_label)
        self.lights_label = QLabel()
        self.feed_label = QLabel()
        self.clock_label = QLabel()
        self.alerts_label = QLabel()
        self.alerts_label.setObjectName("alertsCount")
        bar.addPermanentWidget(self.alerts_label)
        bar.addPermanentWidget(self.db_label)
        bar.addPermanentWidget(self.lights_label)
        bar.addPermanentWidget(self.feed_label)
        bar.addPermanentWidget(self.clock_label)
        self._on_feed_health_changed(True, "")
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self._on_tick()
        self._counts_timer = QTimer(self, interval=30_000)
        self._counts_timer.timeout.connect(self._refresh_counts)
        self._counts_timer.start()
        self._refresh_counts()

    # -- commands ----------------------------------------------------------------------

    def _run_command(self, command: Command) -> None:
        handlers = {
            "next_case": self.queue.select_next,
            "register": lambda: self.case_actions.act_on_current("register"),
            "dispatch": self.case_actions.dispatch_selected,
            "verify_pass": lambda: self.case_actions.act_on_current("verify_pass"),
            "close": lambda: self.case_actions.act_on_current("close"),
            "refresh": self.queue.reload,
            "remind": self.case_actions.remind_current,
            "handover": self.night.handover,
            "roster": self.night.roster,
            "alarm_settings": self.night.edit_alarm_settings,
            "evaluation": self.insight.open_evaluation,
            "toggle_dashboard": lambda: self.dashboard_dock.setVisible(
                not self.dashboard_dock.isVisible()
            ),
            "snooze": self.night.snooze,
            "toggle_alerts": lambda: self.alerts_dock.setVisible(not self.alerts_dock.isVisible()),
            "focus_search": self.queue.focus_search,
            "toggle_map": lambda: self.map_dock.setVisible(not self.map_dock.isVisible()),
            "toggle_detail": lambda: self.detail_dock.setVisible(not self.detail_dock.isVisible()),
            "theme_light": lambda: self._set_theme("light"),
            "theme_dark": lambda: self._set_theme("dark"),
            "theme_auto": lambda: self._set_theme("auto"),
            "switch_user": self._switch_user,
            "change_password": self._change_password,
            "user_admin": self._open_user_admin,
            "calendar": self._open_calendar,
            "import_file": self._open_import,
            "new_report": self._open_report_form,
            "place_pending": self._open_pending_locations,
            "export_queue": self.queue.export_view,
            "quit": self.quit_asking,
            "shortcuts": self._show_shortcuts,
        }
        handlers[command.id]()

    def _load_photos(self, case_id: int) -> None:
        self.bridge.submit(
            lambda: self.workbench.case_photos(case_id),
            lambda photos: self.detail.show_photos(case_id, photos),
            lambda _exc: None,  # no photos shown beats an error for a secondary view
        )

    def _switch_user(self) -> None:
        """Another person takes this seat: they sign in with their own password."""
        from console.views.login_dialog import LoginDialog

        dialog = LoginDialog(
            self.bridge,
            self.workbench.switch_user,
            title=self.tr("Switch user"),
            parent=self,
        )
        dialog.signed_in.connect(lambda _actor: self._after_user_switch())
        dialog.setModal(True)
        dialog.show()
        self.login_dialog = dialog

    def _change_password(self) -> None:
        from console.views.change_password_dialog import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.bridge, self.workbench.change_password, self)
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage(self.tr("Password changed"), 5000)
        )
        dialog.setModal(True)
        dialog.show()
        self.password_dialog = dialog

    def _open_user_admin(self) -> None:
        from console.views.user_admin_dialog import UserAdminDialog

        dialog = UserAdminDialog(self.bridge, self.workbench.user_admin, self)
        dialog.setModal(False)
        dialog.show()
        self.user_admin_dialog = dialog

    def _open_calendar(self) -> None:
        """节假日安排: a year of the working calendar (admins edit, others look)."""
        dialog = getattr(self, "calendar_dialog", None)
        if dialog is None:
            dialog = CalendarDialog(self.bridge, self.workbench, self)
            dialog.saved.connect(lambda _result: self.calendar_notice.refresh())
            self.calendar_dialog: CalendarDialog | None = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _open_import(self) -> None:
        """The import dialog (non-modal; its progress dialog is modal to it alone)."""
        dialog = getattr(self, "import_dialog", None)
        if dialog is None:
            dialog = ImportDialog(self.bridge, self.workbench, self)
            dialog.import_finished.connect(lambda _result: self.queue.reload())
            self.import_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _raise_open(self, dialog: QDialog | None) -> bool:
        """Bring ``dialog`` forward if it is open; else let the closed one go. True if open."""
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return True
        if dialog is not None:
            dialog.deleteLater()
        return False

    def _open_report_form(self) -> None:
        """新建上报, non-modal: the map dock beside it picks the point."""
        if self._raise_open(getattr(self, "report_form", None)):
            return
        dialog = ReportFormDialog(self.bridge, self.workbench, self.map, self)
        dialog.report_filed.connect(self._on_report_filed)
        dialog.open_case_requested.connect(self.current.set)
        self.map_dock.show()
        dialog.show()
        self.report_form: ReportFormDialog | None = dialog

    def _open_pending_locations(self) -> None:
        """待定位: Open311 reports without a point, placed with the map dock beside it."""
        if self._raise_open(getattr(self, "pending_locations", None)):
            return
        dialog = PendingLocationsDialog(self.bridge, self.workbench, self.map, self)
        dialog.case_placed.connect(self._on_case_placed)
        self.map_dock.show()
        dialog.show()
        self.pending_locations: PendingLocationsDialog | None = dialog

    def _on_case_placed(self, snap: CaseSnapshot) -> None:
        self.statusBar().showMessage(self.tr("Reported: %1").replace("%1", snap.number), 8000)
        self.queue.model.apply_changes([snap.id])
        self.current.set(snap.id)

    def _on_report_filed(self, filed: FiledReport) -> None:
        snap = filed.snapshot
        if filed.merged_into:
            message = (
                self.tr("%1 merged into %2")
                .replace("%1", snap.number)
                .replace("%2", filed.merged_into)
            )
        else:
            message = self.tr("Reported: %1").replace("%1", snap.number)
        self.statusBar().showMessage(message, 8000)
        self.queue.model.apply_changes([snap.id])
        self.current.set(snap.id)

    def _apply_permissions(self) -> None:
        """Offer the admin screen to those the services let manage users (they check too)."""
        self.actions_by_id["user_admin"].setVisible(self.workbench.can("manage_users"))
        self.actions_by_id["calendar"].setVisible(self.workbench.can("view_calendar"))
        self.actions_by_id["import_file"].setEnabled(self.workbench.can("import_cases"))
        self.actions_by_id["new_report"].setEnabled(self.workbench.can_report())
        self.actions_by_id["place_pending"].setEnabled(self.workbench.can_report())
        can_export = self.workbench.can("export_cases")
        self.actions_by_id["export_queue"].setEnabled(can_export)
        self.queue.export_action.setEnabled(can_export)
        # The dashboard is for the roles that may read it; others get no dock and no refusal.
        can_dashboard = self.workbench.can("view_dashboard")
        self.actions_by_id["toggle_dashboard"].setVisible(can_dashboard)
        if not can_dashboard:
            self.dashboard_dock.hide()
        elif self.dashboard_dock.isHidden() and self.dashboard_dock.property("hiddenByRole"):
            self.dashboard_dock.show()
        self.dashboard_dock.setProperty("hiddenByRole", not can_dashboard)

    def _after_user_switch(self) -> None:
        self._apply_permissions()
        self._pull_case_actions()
        self.night.user_changed()  # their alerts, their right to acknowledge
        self.calendar_notice.refresh()  # the dock's banner is for some roles only
        self.insight.user_changed()
        self.staff_panel.reload()  # the new seat's street
        self.components.reload()  # the new seat's register and repeat offenders
        self._refresh_title()
        self.current.reload()  # the actions offered depend on the role

    def _pull_case_actions(self, *_args: object) -> None:
        apply_gates(
            self.actions_by_id,
            self.workbench.actor.role,
            self.current.detail,
            self.current.loading,
        )

    def _show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    # -- theme -------------------------------------------------------------------------

    def _set_theme(self, mode: str) -> None:
        self.theme_mode = mode
        self.settings.setValue("window/theme", mode)
        self._apply_theme()

    def _apply_theme(self) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        name = self.theme_mode
        if name == "auto":
            name = theme_for_time(datetime.now(LOCAL_TZ))
        if getattr(self, "_theme_name", None) != name:
            self._theme_name = name
            apply_theme(app, name)
            self.map.set_dark(name == "dark")  # at night the map must not glare

    # -- queue, detail, map ------------------------------------------------------------

    def _on_choices(self, choices: FilterChoices) -> None:
        self.queue.set_choices(choices)
        self.map_filter.set_functions(choices.functions, self.settings)
        if not self.settings.contains("queue/tab"):
            # First start for this user: open on the queue their role works from.
            self.queue.with_tab(ROLE_HOME_TAB.get(self.workbench.actor.role, "all_open"))
            if self.workbench.actor.department_id is not None:
                # A handler's home: their own department's cases.
                self.queue.with_department(self.workbench.actor.department_id)
        self.queue.restore_state(self.settings)
        self.queue.reload()

    def _on_queue_loaded(self, _total: int) -> None:
        if not self._queue_ready:
            self._queue_ready = True
            if not self.settings.contains("queue/header"):
                self.queue.fit_columns()
            if self.current.case_id is None:
                self.queue.select_next()  # open on the first case of the queue
            self._maybe_first_view_ready()

    def _on_unacknowledged_changed(self, count: int) -> None:
        self.unacknowledged = count
        self.alerts_label.setText(self.tr("Unacknowledged alerts: %1").replace("%1", str(count)))
        self.alerts_label.setProperty("alarm", count > 0)
        self.alerts_label.style().unpolish(self.alerts_label)
        self.alerts_label.style().polish(self.alerts_label)
        self._refresh_title()

    def _on_map_ready(self) -> None:
        self._load_map_cases()

    def _on_map_filter_changed(self) -> None:
        self.map_filter.save(self.settings)
        self._load_map_cases()

    def _load_map_cases(self) -> None:
        """The map's case layer and choropleth: every open case, or the chosen function's."""
        function = self.map_filter.function()

        def show(result: tuple[str, dict[int, int]]) -> None:
            if function != self.map_filter.function():
                return  # chosen again meanwhile: that choice's read follows
            self.map.set_cases(result[0])  # the layer is exactly these (a new filter)
            self.map.set_grid_style(result[1])
            self._map_ready = True
            self._maybe_first_view_ready()

        self.bridge.submit(lambda: self.workbench.map_markers(function), show)

    def _maybe_first_view_ready(self) -> None:
        if self._queue_ready and self._map_ready:
            self.first_view_ready.emit()

    # -- live --------------------------------------------------------------------------

    def _on_changes_applied(self, changes: list[CaseChange]) -> None:
        ids = sorted({c.case_id for c in changes})
        # One read for the queue, the map and the counts (Workbench.live_batch).
        generation, f, loaded = self.queue.model.change_context()
        function = self.map_filter.function()

        def show(batch: LiveBatch) -> None:
            self.queue.model.apply_read_changes(
                generation, ids, batch.inside, batch.rows, batch.total
            )
            if function == self.map_filter.function():  # else the new filter's read follows
                self._on_map_update((batch.markers_json, batch.removed, batch.grid_counts))
            self._show_light_counts(batch.lights)

        self.bridge.submit(lambda: self.workbench.live_batch(f, ids, loaded, function), show)
        current = self.current.case_id
        if current in ids:
            others = [
                c
                for c in changes
                if c.case_id == current and c.actor_name != self.workbench.actor.name
            ]
            notice = ""
            if others:
                notice = self.tr("Updated by %1 just now").replace("%1", others[-1].actor_name)
            self.current.reload(notice)
        self.calendar_notice.refresh()

    def _on_map_update(self, update: tuple[str, list[int], dict[int, int]]) -> None:
        upsert, remove, counts = update
        self.map.upsert_cases(upsert)
        if remove:
            self.map.remove_cases(remove)
        self.map.set_grid_style(counts)

    def _on_feed_health_changed(self, ok: bool, why: str) -> None:
        self.feed_label.setText(self.tr("Live ●") if ok else self.tr("Live feed down"))
        self.feed_label.setToolTip(why)
        self.feed_label.setProperty("healthy", ok)

    def _on_error_reported(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _refresh_counts(self) -> None:
        self.bridge.submit(self.workbench.light_counts, self._show_light_counts)
        self.calendar_notice.refresh()

    def _show_light_counts(self, counts: dict[str, int]) -> None:
        self.lights_label.setText(
            self.tr("Green %1  Yellow %2  Red %3")
            .replace("%1", str(counts.get("green", 0)))
            .replace("%2", str(counts.get("yellow", 0)))
            .replace("%3", str(counts.get("red", 0)))
        )

    def _on_tick(self) -> None:
        self.clock_label.setText(datetime.now(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S"))
        if self.theme_mode == "auto" and datetime.now().second == 0:
            self._apply_theme()

    def _refresh_title(self) -> None:
        actor = self.workbench.actor
        title = self.tr("Grid Dispatch Console — %1").replace("%1", f"{actor.name}")
        if self.workbench.region_name:  # a street seat: whose street this window is
            title += f" · {self.workbench.region_name}"
        if self.unacknowledged:
            title = f"({self.unacknowledged}) " + title  # visible in the task bar too
        self.setWindowTitle(title)

    # -- shutdown ----------------------------------------------------------------------

    def confirm_quit(self, unacknowledged: int) -> bool:
        """Asked before quitting while alerts wait; True: quit (tests replace it)."""
        answer = QMessageBox.question(
            self,
            self.tr("Quit"),
            self.tr("%1 alerts are not acknowledged. Quit anyway?").replace(
                "%1", str(unacknowledged)
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def quit_asking(self) -> None:
        """Ctrl+Q: a night shift must not walk away from unacknowledged alerts by accident."""
        if self.unacknowledged and not self.confirm_quit(self.unacknowledged):
            return
        self._quit_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The window's own close button asks too; a close from the program (shutdown) does not.
        if (
            event.spontaneous()
            and self.unacknowledged
            and not getattr(self, "_quit_confirmed", False)
            and not self.confirm_quit(self.unacknowledged)
        ):
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.queue.save_state(self.settings)
        self.settings.sync()
        self.night.cleanup()
        self.insight.cleanup()
        super().closeEvent(event)
