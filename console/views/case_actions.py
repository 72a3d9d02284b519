"""The seat's actions on cases: the toolbar's and the detail panel's steps, batch dispatch, and
what follows them (a refused step re-read, a done one shown through the change feed).

Split from the main window, which wires its commands and the detail panel's signals here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMessageBox

from console.bridge import Bridge
from console.errors import ConsoleError, StaleVersionError
from console.views import component_close_dialog
from console.views.current_case import CurrentCase
from console.views.dispatch_dialog import DispatchDialog
from console.views.i18n import pick

if TYPE_CHECKING:
    from console.services.cases.dto import CaseSnapshot
    from console.services.dispatch_preview import DepartmentOption, DispatchProposal
    from console.services.workbench import ActionOutcome, Workbench
    from console.views.main_window import MainWindow


class CaseActions(QObject):
    """Acts on the current case (or the queue's selection) for ``window``'s seat."""

    def __init__(
        self, window: MainWindow, bridge: Bridge, workbench: Workbench, current: CurrentCase
    ) -> None:
        super().__init__(window)
        self.window = window
        self.bridge = bridge
        self.workbench = workbench
        self.current = current

    def target(self) -> tuple[int, int] | None:
        """The (case, version) the next action acts on: the case the detail panel shows."""
        target = self.current.target()
        if target is None:
            message = (
                self.tr("The case is still loading")
                if self.current.loading
                else self.tr("Select a case first")  # none yet, or it could not be read
            )
            self.window.statusBar().showMessage(message, 4000)
        return target

    def act_on_current(self, action: str) -> None:
        target = self.target()
        if target is None:
            return
        params = self._close_params(action)
        if params is not None:  # None: the closer cancelled
            self.submit(action, *target, params)

    def _close_params(self, action: str) -> dict[str, Any] | None:
        """结案 of a case about a broken register object asks what becomes of the object (as
        the detail panel's button does); any other step needs nothing here."""
        detail = self.current.detail
        component = getattr(detail, "component", None)
        if action != "close" or detail is None or component is None or not component.broken:
            return {}
        number = detail.snapshot.number
        status = component_close_dialog.ask_component_status(
            self.window, pick("结案", "Close"), number, component
        )
        return None if status is None else {"component_status": status}

    def remind_current(self) -> None:
        target = self.target()
        if target is not None:
            detail = self.current.detail
            label = detail.snapshot.number if detail is not None else str(target[0])
            self.window.night.remind(target[0], label)

    def dispatch_selected(self) -> None:
        # The queue's selection includes the current case whenever it is listed (the queue
        # follows it), so a batch never leaves out the case on screen.
        ids = self.window.queue.selected_ids()
        if ids:
            self.open_dispatch(ids)
            return
        target = self.target()
        if target is not None:
            self.open_dispatch([target[0]])

    def submit(
        self, action: str, case_id: int, version: int | None, params: dict[str, Any]
    ) -> None:
        note = params.pop("note", None)
        photo = params.pop("photo_path", None)
        if photo:  # 处置反馈 with its after-photo: the step and the photo in one transaction
            self.bridge.submit(
                lambda: self.workbench.act_with_photo(action, case_id, version, note, photo),
                lambda snap: self._on_done(snap),
                lambda exc: self._on_failed(case_id, exc),
            )
            return
        self.bridge.submit(
            lambda: self.workbench.act(action, case_id, version, note=note, **params),
            lambda snap: self._on_done(snap),
            lambda exc: self._on_failed(case_id, exc),
        )

    def on_detail_action(self, action: str, case_id: int, version: int) -> None:
        if self.is_current(case_id):
            self.submit(action, case_id, version, {})

    def on_detail_action_with_input(
        self, action: str, case_id: int, version: int, params: Mapping[str, Any]
    ) -> None:
        if self.is_current(case_id):
            self.submit(action, case_id, version, dict(params))

    def is_current(self, case_id: int) -> bool:
        """A request from the panel acts only on the current case (a dialog may have been
        open while the case changed)."""
        target = self.current.target()
        if target is not None and target[0] == case_id:
            return True
        self.window.statusBar().showMessage(self.tr("The case on screen changed: try again"), 6000)
        return False

    def _on_done(self, snap: CaseSnapshot) -> None:
        self.window.statusBar().showMessage(self.tr("%1: done").replace("%1", snap.number), 4000)
        self._refresh_after_own_write([snap.id])

    def _refresh_after_own_write(self, case_ids: list[int]) -> None:
        """This seat's own write shows through the change feed like anyone's: one refresh of
        the queue, map, counts and detail, not one now and another when the feed echoes it.
        Without a feed (a bare window in a test) the views refresh directly."""
        if not self.bridge.poll_now():
            self._reread(case_ids)

    def _reread(self, case_ids: list[int]) -> None:
        """The queue rows and (if among them) the current case, read again now."""
        self.window.queue.model.apply_changes(case_ids)
        if self.current.case_id in case_ids:
            self.current.reload()

    def _on_failed(self, case_id: int, exc: ConsoleError) -> None:
        title = (
            self.tr("Changed by someone else")
            if isinstance(exc, StaleVersionError)
            else self.tr("Action refused")
        )
        QMessageBox.warning(self.window, title, exc.message)
        # Nothing was written, so the feed echoes nothing: the screen was behind, read it now.
        self._reread([case_id])

    def open_dispatch(self, case_ids: list[int]) -> None:
        ids = list(case_ids)
        if not ids:
            self.window.statusBar().showMessage(self.tr("Select the cases to dispatch"), 4000)
            return

        def load() -> tuple[list[DispatchProposal], list[DepartmentOption]]:
            return self.workbench.dispatch_proposals(ids), self.workbench.departments()

        self.bridge.submit(load, lambda result: self._show_dispatch_dialog(*result))

    def _show_dispatch_dialog(
        self, proposals: list[DispatchProposal], departments: list[DepartmentOption]
    ) -> None:
        dialog = DispatchDialog(proposals, departments, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        cases, dept, note = (
            dialog.result_cases(),
            dialog.result_department_id(),
            dialog.result_note(),
        )
        self.bridge.submit(
            lambda: self.workbench.dispatch_many(cases, department_id=dept, note=note),
            self._on_dispatched,
        )

    def _on_dispatched(self, outcomes: list[ActionOutcome]) -> None:
        failed = [o for o in outcomes if o.error]
        done = [o.case_id for o in outcomes if o.snapshot is not None]
        self._refresh_after_own_write([o.case_id for o in outcomes])
        if failed:
            QMessageBox.warning(
                self.window,
                self.tr("Some cases were not dispatched"),
                "\n".join(f"#{o.case_id}: {o.error}" for o in failed),
            )
        self.window.statusBar().showMessage(
            self.tr("Dispatched: %1").replace("%1", str(len(done))), 5000
        )
