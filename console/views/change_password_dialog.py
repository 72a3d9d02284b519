"""Change one's own password: the old one, the new one twice. The rules are the service's."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError


def password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(128)
    return field


def error_label(parent: QWidget, name: str = "") -> QLabel:
    """The red line under a password form that shows why it was refused (plain text)."""
    label = QLabel(parent)
    if name:
        label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    return label


def ok_cancel(dialog: QDialog, on_ok: Callable[[], object]) -> QDialogButtonBox:
    """OK and Cancel: OK calls ``on_ok`` (which accepts once satisfied), Cancel rejects."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons


class ChangePasswordDialog(QDialog):
    def __init__(
        self,
        bridge: Bridge,
        change: Callable[[str, str], object],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle(self.tr("Change password"))
        self.bridge, self.change = bridge, change
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.old = password_field(self, "oldPassword")
        self.new = password_field(self, "newPassword")
        self.repeat = password_field(self, "repeatPassword")
        form.addRow(self.tr("Current password:"), self.old)
        form.addRow(self.tr("New password:"), self.new)
        form.addRow(self.tr("New password again:"), self.repeat)
        layout.addLayout(form)
        self.error = error_label(self, "passwordError")
        layout.addWidget(self.error)
        self.buttons = ok_cancel(self, self.submit)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("Change password"))
        self.ok_button.setDefault(True)
        layout.addWidget(self.buttons)
        self.old.setFocus()

    def submit(self) -> None:
        old, new = self.old.text(), self.new.text()
        if not old or not new:
            self.error.setText(self.tr("Enter the current and the new password."))
            return
        if new != self.repeat.text():
            self.error.setText(self.tr("The two new passwords differ."))
            self.repeat.clear()
            self.repeat.setFocus()
            return
        self.ok_button.setEnabled(False)
        self.error.setText("")
        self.bridge.submit(lambda: self.change(old, new), self._done, self._failed)

    def _done(self, _result: object) -> None:
        for field in (self.old, self.new, self.repeat):
            field.clear()
        self.accept()

    def _failed(self, exc: ConsoleError) -> None:
        self.ok_button.setEnabled(True)
        self.error.setText(exc.message)
