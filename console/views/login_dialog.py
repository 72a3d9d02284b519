"""Signing in: user name and password, checked on the database worker (never the GUI thread).

The dialog knows nothing of users or hashes: it hands the two fields to ``authenticate`` through
the bridge and shows the service's message when it refuses (wrong name or password, locked,
inactive). On a demo database the accounts that still have their published demo password are
listed under the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError
from console.views.change_password_dialog import error_label, ok_cancel, password_field

if TYPE_CHECKING:
    from console.services.demo import DemoAccount

#: What ``authenticate`` returns: a workbench, an actor, (name, workbench)…
T = TypeVar("T")


class LoginDialog(QDialog, Generic[T]):
    #: The value ``authenticate`` returned (a workbench or an actor), once signed in.
    signed_in = Signal(object)

    def __init__(
        self,
        bridge: Bridge,
        authenticate: Callable[[str, str], T],
        *,
        username: str = "",
        demo_accounts: Callable[[], list[DemoAccount]] | None = None,
        title: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle(title or self.tr("Sign in — Grid Dispatch Console"))
        self.bridge = bridge
        self.authenticate = authenticate
        self.result_value: T | None = None
        self.busy = False

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.username = QLineEdit(username, self)
        self.username.setObjectName("username")
        self.username.setMaxLength(50)
        self.password = password_field(self, "password")
        form.addRow(self.tr("User name:"), self.username)
        form.addRow(self.tr("Password:"), self.password)
        layout.addLayout(form)

        self.error = error_label(self, "loginError")
        layout.addWidget(self.error)

        self.hint = QLabel(self)
        self.hint.setObjectName("demoHint")
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint.setVisible(False)
        layout.addWidget(self.hint)
        # Every demo account (each department's handler too); a click fills the form.
        self.demo_list = QListWidget(self)
        self.demo_list.setObjectName("demoAccounts")
        self.demo_list.setMaximumHeight(280)
        self.demo_list.setVisible(False)
        self.demo_list.itemClicked.connect(self._use_demo_account)
        layout.addWidget(self.demo_list)

        self.buttons = ok_cancel(self, self.submit)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(self.tr("Sign in"))
        self.sign_in_button.setDefault(True)  # Enter in either field signs in
        layout.addWidget(self.buttons)

        (self.password if username else self.username).setFocus()
        # A failure that is not a ConsoleError (a crash in the worker) still frees the form.
        bridge.error_reported.connect(self._on_unexpected_error)
        if demo_accounts is not None:
            bridge.submit(demo_accounts, self._show_demo_accounts, lambda _exc: None)
        self.resize(420, 0)

    # -- signing in --------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy:
            return
        name, password = self.username.text().strip(), self.password.text()
        if not name or not password:
            self._show_error(self.tr("Enter your user name and password."), locked=False)
            (self.password if name else self.username).setFocus()
            return
        self._set_busy(True)
        self.error.setText(self.tr("Signing in…"))
        self.bridge.submit(lambda: self.authenticate(name, password), self._done, self._failed)

    def _done(self, value: T) -> None:
        self._set_busy(False)
        self.password.clear()  # nothing of the password stays in the widget
        self.result_value = value
        self.signed_in.emit(value)
        self.accept()

    def _failed(self, exc: ConsoleError) -> None:
        self._set_busy(False)
        self._show_error(exc.message, locked=exc.code == "account_locked")
        self.password.clear()
        self.password.setFocus()

    def _on_unexpected_error(self, message: str) -> None:
        if self.busy:
            self._set_busy(False)
            self._show_error(message, locked=False)

    def _show_error(self, message: str, *, locked: bool) -> None:
        self.error.setText(message)
        self.error.setProperty("locked", locked)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in (self.username, self.password, self.sign_in_button):
            widget.setEnabled(not busy)

    # -- demo hint ---------------------------------------------------------------------

    def _show_demo_accounts(self, accounts: list[DemoAccount]) -> None:
        if not accounts:
            return
        self.hint.setText(
            self.tr("Demo database — accounts (user name / password); click one to use it:")
        )
        self.hint.setVisible(True)
        self.demo_list.clear()
        for a in accounts:
            item = QListWidgetItem(f"{a.username} / {a.password}  {a.label}")
            item.setData(Qt.ItemDataRole.UserRole, (a.username, a.password))
            self.demo_list.addItem(item)
        self.demo_list.setVisible(True)
        # Each line whole (a department handler's is the longest): no sideways scrolling.
        scroll = self.demo_list.verticalScrollBar().sizeHint().width()
        self.demo_list.setMinimumWidth(
            self.demo_list.sizeHintForColumn(0) + scroll + 4 * self.demo_list.frameWidth()
        )
        self.adjustSize()

    def demo_lines(self) -> list[str]:
        return [self.demo_list.item(i).text() for i in range(self.demo_list.count())]

    def _use_demo_account(self, item: QListWidgetItem) -> None:
        username, password = item.data(Qt.ItemDataRole.UserRole)
        self.username.setText(username)
        self.password.setText(password)
        self.sign_in_button.setFocus()


def ask_sign_in(
    bridge: Bridge,
    authenticate: Callable[[str, str], T],
    *,
    username: str = "",
    demo_accounts: Callable[[], list[DemoAccount]] | None = None,
    parent: QWidget | None = None,
) -> T | None:
    """Show the dialog until someone signs in (their ``authenticate`` value) or cancels (None)."""
    dialog = LoginDialog(
        bridge, authenticate, username=username, demo_accounts=demo_accounts, parent=parent
    )
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.result_value
    finally:
        dialog.deleteLater()
