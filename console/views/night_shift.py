"""The night shift's part of the main window: alerts, the alarm, the tray, handover, roster.

Kept apart from main_window.py so each file stays one purpose; the window creates one
:class:`NightShift` and hands it its bridge, workbench and settings.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.errors import ConsoleError
from console.views.alarm import Alarm, AlarmSettings
from console.views.alerts_panel import AlertsPanel
from console.views.handover_dialog import HandoverDialog
from console.views.labels import role_text
from console.views.roster_dialog import RosterDialog
from console.views.tray import TrayNotifier

if TYPE_CHECKING:
    from console.scheduler import ConsoleScheduler, Reminder
    from console.services.change_feed import CaseChange
    from console.services.handover import HandoverDraft, HandoverRecord
    from console.services.patrol_alerts import PatrolAlertBoard, PatrolAlertRecord
    from console.services.supervision import AlertBoard, AlertRecord
    from console.services.workbench import Workbench

#: How often the alerts list is re-read (acknowledgements made at other seats show up).
REFRESH_MS = 30_000


class NightShift(QObject):
    #: The number of unacknowledged alerts changed (status bar, window title).
    unacknowledged_changed = Signal(int)
    #: The user asked to see a case from an alert.
    open_case = Signal(int)

    def __init__(
        self,
        window: QMainWindow,
        bridge: Bridge,
        workbench: Workbench,
        settings: QSettings,
        scheduler: ConsoleScheduler | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.workbench = workbench
        self.scheduler = scheduler
        self.settings = settings
        self.panel = AlertsPanel()
        self.alarm = Alarm(AlarmSettings.from_settings(settings), self)
        self.tray = TrayNotifier(window, self)
        self.panel.acknowledge_requested.connect(self._on_acknowledge_requested)
        self.panel.open_case_requested.connect(self.open_case)
        self.panel.unacknowledged_count_changed.connect(self._on_count_changed)
        self.panel.patrol_acknowledge_requested.connect(self._on_patrol_acknowledge_requested)
        self._patrol_known: set[int] | None = None  # None until the first answer
        if scheduler is not None:  # this seat's end-of-day job raised patrol gaps: show them now
            scheduler.on_patrol_alerts = lambda _raised: bridge.post(self.refresh_patrol_gaps, None)
        self._refresh = QTimer(self, interval=REFRESH_MS)
        self._refresh.timeout.connect(self.refresh)
        self._refresh.start()
        self._loaded = False
        self._replace = False  # the next answer replaces the list (another user's scope)
        self.apply_permissions()
        self.refresh()

    # -- alerts ------------------------------------------------------------------------

    def apply_permissions(self) -> None:
        """Offer acknowledging only to a role the services let acknowledge (they check too)."""
        refusal = ""
        if not self.workbench.can("acknowledge_alert"):
            role = self.workbench.actor.role
            label = role_text(role)
            refusal = self.tr("Your role (%1) may not acknowledge alerts").replace("%1", label)
        self.panel.set_permission(refusal)

    def user_changed(self) -> None:
        """Another person took the seat: their permissions and their alerts."""
        self.apply_permissions()
        self._replace = True
        self._patrol_known = None  # another scope: its open patrol gaps are not news
        self.refresh()

    def refresh(self) -> None:
        """Re-read the alerts; new ones ring and notify (the first load rings what is open)."""
        self.bridge.submit(self.workbench.alerts_for_panel, self._on_alerts)
        self.refresh_patrol_gaps()

    def refresh_patrol_gaps(self, _ignored: object = None) -> None:
        """Re-read the patrol-gap alerts (巡查缺漏) of this seat's scope."""
        self.bridge.submit(self.workbench.patrol_alerts_for_panel, self._on_patrol_gaps)

    def _on_patrol_gaps(self, board: PatrolAlertBoard) -> None:
        self.panel.set_patrol_alerts(board.records, board.unacknowledged)
        open_ids = {int(r.id) for r in board.records if r.acknowledged_at is None}
        new = open_ids - self._patrol_known if self._patrol_known is not None else set()
        self._patrol_known = (
            open_ids if self._patrol_known is None else self._patrol_known | open_ids
        )
        if new:
            self.window.statusBar().showMessage(
                self.tr("Patrol gaps: %1 new street alerts").replace("%1", str(len(new))), 15_000
            )

    def _on_patrol_acknowledge_requested(self, alert_id: int) -> None:
        self.bridge.submit(
            lambda: self.workbench.acknowledge_patrol_alert(alert_id),
            self._on_patrol_acknowledged,
            self._on_patrol_acknowledge_failed,
        )

    def _on_patrol_acknowledged(self, record: PatrolAlertRecord) -> None:
        self.panel.mark_patrol_acknowledged(record)

    def _on_patrol_acknowledge_failed(self, exc: ConsoleError) -> None:
        self.window.statusBar().showMessage(exc.message, 8000)
        self.refresh_patrol_gaps()

    def on_changes(self, changes: list[CaseChange]) -> None:
        if any(c.action == "supervise" for c in changes):
            self.refresh()

    def _on_alerts(self, board: AlertBoard) -> None:
        """The service's list replaces the dock's, so its rows and count stay the service's
        (an alert acknowledged at another seat a day ago leaves the list here too)."""
        records = board.records
        if self._replace:  # another person's scope: ring what is open for them
            self._replace, self._loaded = False, False
        known = {int(r.id) for r in self.panel.model.records()}
        self.panel.set_alerts(records, board.unacknowledged)
        open_ids = {int(r.id) for r in records if r.acknowledged_at is None}
        if len(open_ids) == board.unacknowledged:  # the whole list: the rest was acknowledged
            self.alarm.acknowledged(self.alarm.pending_ids - open_ids)
        else:
            self.alarm.acknowledged([r.id for r in records if r.acknowledged_at is not None])
        if self._loaded:
            new = [r for r in records if int(r.id) not in known and r.acknowledged_at is None]
        else:  # the first load rings what is open
            new = [r for r in records if r.acknowledged_at is None]
        self._loaded = True
        if new:
            self.alarm.alert(new)
            self.tray.notify(new)

    def _on_acknowledge_requested(self, alert_id: int) -> None:
        self.bridge.submit(
            lambda: self.workbench.acknowledge_alert(alert_id),
            self._on_acknowledged,
            self._on_acknowledge_failed,
        )

    def _on_acknowledged(self, record: AlertRecord) -> None:
        self.panel.mark_acknowledged(record)
        self.alarm.acknowledged([record.id])

    def _on_acknowledge_failed(self, exc: ConsoleError) -> None:
        self.window.statusBar().showMessage(exc.message, 8000)
        self.refresh()

    def _on_count_changed(self, count: int) -> None:
        self.tray.set_unacknowledged_count(count)
        self.unacknowledged_changed.emit(count)

    def edit_alarm_settings(self) -> None:
        from console.views.alarm_settings_dialog import AlarmSettingsDialog

        dialog = AlarmSettingsDialog(self.alarm.settings, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            chosen = dialog.result_settings()
            chosen.to_settings(self.settings)
            self.alarm.set_settings(chosen)

    def snooze(self) -> None:
        self.alarm.snooze(10)
        self.window.statusBar().showMessage(self.tr("Alarm silenced for 10 minutes"), 5000)

    # -- reminders ---------------------------------------------------------------------

    def remind(self, case_id: int | None, case_label: str = "") -> None:
        """Ask when to be reminded about ``case_id`` (named ``case_label`` in the dialog) and
        schedule it on this seat."""
        from console.views.action_dialogs import ask_reminder

        if case_id is None:
            self.window.statusBar().showMessage(self.tr("Select a case first"), 4000)
            return
        if self.scheduler is None:
            self.window.statusBar().showMessage(self.tr("No scheduler on this seat"), 5000)
            return
        answer = ask_reminder(self.window, case_label)
        if answer is None:
            return
        _kind, value, note = answer  # "hours" with a float, "at" with a datetime
        scheduler, user = self.scheduler, self.workbench.actor
        if isinstance(value, datetime):
            call = lambda: scheduler.remind_at(case_id, value, note, user)  # noqa: E731
        else:
            call = lambda: scheduler.remind_in_work_hours(case_id, value, note, user)  # noqa: E731
        self.bridge.submit(
            call,
            self._on_reminder_set,
            lambda exc: QMessageBox.warning(self.window, self.tr("Reminder"), exc.message),
        )

    def _on_reminder_set(self, reminder: Reminder) -> None:
        at = reminder.due_at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M")
        self.window.statusBar().showMessage(self.tr("Reminder set for %1").replace("%1", at), 6000)

    def reminder_due(self, reminder: Reminder) -> None:
        """A reminder fired (called on the GUI thread through the bridge)."""
        text = (
            self.tr("Reminder: case %1 — %2")
            .replace("%1", str(reminder.case_number or reminder.case_id))
            .replace("%2", reminder.note)
        )
        self.window.statusBar().showMessage(text, 30_000)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Reminder"),
            text,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        opener = box.addButton(self.tr("Open case"), QMessageBox.ButtonRole.ActionRole)
        opener.clicked.connect(lambda: self.open_case.emit(reminder.case_id))
        box.setModal(False)
        box.show()  # never block the shift on a dialog
        self.reminder_box: QMessageBox | None = box

    # -- handover and roster -----------------------------------------------------------

    def handover(self) -> None:
        self.bridge.submit(self.workbench.handover_draft, self._show_handover)

    def _show_handover(self, draft: HandoverDraft) -> None:
        """The handover to write and sign, or the one waiting for this officer's signature."""
        pending = draft.pending
        summary = pending.summary if pending is not None else draft.summary
        successor = draft.successor.user_id if draft.successor is not None else None
        dialog = HandoverDialog(
            summary,
            pending,
            parent=self.window,
            candidates=draft.candidates,
            incoming_user_id=successor,
        )
        state: dict[str, HandoverRecord | None] = {"record": pending}

        def saved(record: HandoverRecord) -> None:
            state["record"] = record
            dialog.set_record(record)

        def failed(exc: ConsoleError) -> None:
            QMessageBox.warning(dialog, self.tr("Shift handover"), exc.message)

        def save(notes: str) -> None:
            incoming_id = dialog.incoming_user_id()
            self.bridge.submit(
                lambda: self.workbench.save_handover(summary, incoming_id, notes), saved, failed
            )

        def sign(side: str) -> None:
            record = state["record"]
            if side == "outgoing" and record is None:
                # Signing is saving: one step, one transaction.
                incoming_id, notes = dialog.incoming_user_id(), dialog.notes()
                self.bridge.submit(
                    lambda: self.workbench.sign_new_handover(summary, incoming_id, notes),
                    saved,
                    failed,
                )
                return
            if record is None:
                QMessageBox.information(
                    dialog,
                    self.tr("Shift handover"),
                    self.tr("The outgoing officer signs first."),
                )
                return
            if side == "outgoing" or record.incoming_user_id == self.workbench.actor.id:
                self.bridge.submit(
                    lambda: self.workbench.sign_handover(record.id, side), saved, failed
                )
                return
            # The incoming officer signs at this seat with their own password.
            username = dialog.incoming_username()
            password = self.ask_password(dialog, username or record.incoming_name)
            if password is None or username is None:
                return
            self.bridge.submit(
                lambda: self.workbench.sign_handover_for(record.id, username, password),
                saved,
                failed,
            )

        dialog.save_requested.connect(save)
        dialog.sign_requested.connect(sign)
        dialog.setModal(False)
        dialog.show()
        self.handover_dialog: QDialog | None = dialog

    def ask_password(self, parent: QWidget, who: str) -> str | None:
        """The incoming officer's password, asked at this seat (None: cancelled)."""
        text, ok = QInputDialog.getText(
            parent,
            self.tr("Shift handover"),
            self.tr("Password of %1").replace("%1", who),
            QLineEdit.EchoMode.Password,
        )
        return text if ok else None

    def roster(self) -> None:
        """The week's roster (editable for the duty chief); one window, raised if open."""
        dialog = getattr(self, "roster_dialog", None)
        if dialog is None:
            dialog = RosterDialog(self.bridge, self.workbench, self.window)
            self.roster_dialog: RosterDialog | None = dialog
        dialog.show()
        dialog.raise_()

    def cleanup(self) -> None:
        self._refresh.stop()
        self.alarm.cleanup()
        self.tray.cleanup()
