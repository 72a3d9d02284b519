"""The administrator's screen: accounts (add, role, password, unlock, deactivate), the
security log, read-only, and the field devices' tokens (device_tokens_tab.py). Every call goes through the bridge to ``admin()`` — the workbench's
UserAdminDesk — which checks ``manage_users`` itself; this dialog only shows and collects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError
from console.views.change_password_dialog import error_label, ok_cancel, password_field
from console.views.device_tokens_tab import DeviceTokensTab
from console.views.formatting import local_time_text
from console.views.labels import role_text

if TYPE_CHECKING:
    from console.services.user_admin import SecurityEventRecord, UserAdminDesk, UserRecord


def _table(headers: list[str], parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(text))  # plain text: no markup is rendered


class UserFormDialog(QDialog):
    """New account (every field), or with ``user`` a role change (role and department only)."""

    def __init__(
        self,
        roles: list[tuple[str, str]],
        departments: list[tuple[int, str, str]],
        *,
        regions: Sequence[tuple[int, str, str, str]] = (),
        user: UserRecord | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("userFormDialog")
        self.role_only = role_only = user is not None
        title = self.tr("Change role of %1").replace("%1", user.username) if user else None
        self.setWindowTitle(title or self.tr("New user"))
        form = QFormLayout(self)
        self.username = QLineEdit(self)
        self.username.setObjectName("newUsername")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("newDisplayName")
        self.role = QComboBox(self)
        self.role.setObjectName("role")
        for code, name in roles:
            self.role.addItem(f"{role_text(code) or name} ({code})", code)
        self.department = QComboBox(self)
        self.department.setObjectName("department")
        self.department.addItem(self.tr("(none)"), None)
        for dept_id, code, name in departments:
            self.department.addItem(f"{name} ({code})", dept_id)
        # A street seat's street, a unit head's unit, a grid staff member's grid (the services
        # check the level).
        self.region = QComboBox(self)
        self.region.setObjectName("region")
        self.region.addItem(self.tr("(none)"), None)
        for region_id, code, name, level in regions:
            indent = {"street": "", "unit": "    "}.get(level, "        ")
            self.region.addItem(f"{indent}{name} ({code})", region_id)
        self.password = password_field(self, "newPassword")
        self.repeat = password_field(self, "repeatPassword")
        if not role_only:
            form.addRow(self.tr("User name:"), self.username)
            form.addRow(self.tr("Name:"), self.display_name)
        form.addRow(self.tr("Role:"), self.role)
        form.addRow(self.tr("Department (handlers):"), self.department)
        form.addRow(self.tr("Street / unit (street seats):"), self.region)
        if user is None:
            form.addRow(self.tr("Initial password:"), self.password)
            form.addRow(self.tr("Password again:"), self.repeat)
        else:
            self.username.setText(user.username)
            self.role.setCurrentIndex(max(0, self.role.findData(user.role)))
            self.department.setCurrentIndex(max(0, self.department.findData(user.department_id)))
            self.region.setCurrentIndex(max(0, self.region.findData(user.region_id)))
        self.error = error_label(self)
        form.addRow(self.error)
        form.addRow(ok_cancel(self, self._check))

    def _check(self) -> None:
        if not self.role_only and self.password.text() != self.repeat.text():
            self.error.setText(self.tr("The two passwords differ."))
            return
        self.accept()

    def values(self) -> dict[str, Any]:
        return {
            "username": self.username.text().strip(),
            "display_name": self.display_name.text().strip(),
            "role": self.role.currentData(),
            "department_id": self.department.currentData(),
            "region_id": self.region.currentData(),
            "password": self.password.text(),
        }


class PasswordResetDialog(QDialog):
    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passwordResetDialog")
        self.setWindowTitle(self.tr("New password for %1").replace("%1", username))
        form = QFormLayout(self)
        self.password = password_field(self, "newPassword")
        self.repeat = password_field(self, "repeatPassword")
        form.addRow(self.tr("New password:"), self.password)
        form.addRow(self.tr("Password again:"), self.repeat)
        self.error = error_label(self)
        form.addRow(self.error)
        form.addRow(ok_cancel(self, self._check))

    def _check(self) -> None:
        if self.password.text() != self.repeat.text():
            self.error.setText(self.tr("The two passwords differ."))
            return
        self.accept()


class UserAdminDialog(QDialog):
    """Users and the security log. ``admin()`` is called on the worker for every request."""

    def __init__(
        self, bridge: Bridge, admin: Callable[[], UserAdminDesk], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("userAdminDialog")
        self.setWindowTitle(self.tr("Users and security log"))
        self.bridge, self.admin = bridge, admin
        self.users: list[UserRecord] = []
        self.events: list[SecurityEventRecord] = []
        self.roles: list[tuple[str, str]] = []
        self.departments: list[tuple[int, str, str]] = []
        self.regions: list[tuple[int, str, str, str]] = []
        self.loaded = 0  # completed loads of the user list (tests wait on it)

        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs)

        users_page = QWidget(self)
        users_layout = QVBoxLayout(users_page)
        self.user_table = _table(
            [
                self.tr("User name"),
                self.tr("Name"),
                self.tr("Role"),
                self.tr("Department"),
                self.tr("Active"),
                self.tr("Locked"),
                self.tr("Last sign-in"),
            ],
            users_page,
            "userTable",
        )
        users_layout.addWidget(self.user_table)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text in (
            ("add", self.tr("Add…")),
            ("role", self.tr("Change role…")),
            ("password", self.tr("Reset password…")),
            ("unlock", self.tr("Unlock")),
            ("deactivate", self.tr("Deactivate")),
            ("reactivate", self.tr("Reactivate")),
        ):
            button = QPushButton(text, users_page)
            button.setObjectName(f"{key}Button")
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)
        users_layout.addLayout(row)
        self.tabs.addTab(users_page, self.tr("Users"))

        log_page = QWidget(self)
        log_layout = QVBoxLayout(log_page)
        self.log_table = _table(
            [
                self.tr("Time"),
                self.tr("Event"),
                self.tr("User name"),
                self.tr("By"),
                self.tr("Detail"),
            ],
            log_page,
            "securityLogTable",
        )
        log_layout.addWidget(self.log_table)
        refresh = QPushButton(self.tr("Refresh"), log_page)
        refresh.clicked.connect(self.load_log)
        log_layout.addWidget(refresh, alignment=Qt.AlignmentFlag.AlignRight)
        self.tabs.addTab(log_page, self.tr("Security log"))
        self.devices = DeviceTokensTab(bridge, admin, self)
        self.tabs.addTab(self.devices, self.tr("Devices and tokens"))

        self.status = QLabel(self)
        self.status.setObjectName("adminStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)

        self.buttons["add"].clicked.connect(self.ask_new_user)
        self.buttons["role"].clicked.connect(self.ask_role)
        self.buttons["password"].clicked.connect(self.ask_password)
        self.buttons["unlock"].clicked.connect(lambda: self._on_selected("unlock"))
        self.buttons["deactivate"].clicked.connect(self.confirm_deactivate)
        self.buttons["reactivate"].clicked.connect(lambda: self._on_selected("reactivate"))
        self.user_table.itemSelectionChanged.connect(self._update_buttons)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._update_buttons()
        self.resize(900, 560)

        def choices() -> tuple[
            list[tuple[str, str]], list[tuple[int, str, str]], list[tuple[int, str, str, str]]
        ]:
            from_desk = self.admin()
            return from_desk.role_options(), from_desk.departments(), from_desk.regions()

        self.bridge.submit(choices, self._on_choices, self._show_error)
        self.load_users()

    # -- loading -----------------------------------------------------------------------

    def load_users(self) -> None:
        self.bridge.submit(lambda: self.admin().list_users(), self._on_users, self._show_error)

    def _on_tab_changed(self, index: int) -> None:
        if index == 1:  # the security log: read when it is shown
            self.load_log()
        elif index == 2:  # the devices' tokens, likewise
            self.devices.load()

    def load_log(self) -> None:
        self.bridge.submit(lambda: self.admin().security_log(), self._on_log, self._show_error)

    def _on_choices(
        self,
        result: tuple[
            list[tuple[str, str]], list[tuple[int, str, str]], list[tuple[int, str, str, str]]
        ],
    ) -> None:
        self.roles, self.departments, self.regions = result

    def _on_users(self, users: list[UserRecord]) -> None:
        selected = self.selected_user()
        self.users = users
        yes, no = self.tr("yes"), self.tr("no")
        _fill(
            self.user_table,
            [
                [
                    u.username,
                    u.display_name,
                    role_text(u.role),
                    u.department_name,
                    yes if u.active else no,
                    local_time_text(u.locked_until) if u.locked else "",
                    local_time_text(u.last_login_at) if u.last_login_at else "",
                ]
                for u in users
            ],
        )
        if selected is not None:
            self.select_user(selected.username)
        self.loaded += 1
        self._update_buttons()

    def _on_log(self, events: list[SecurityEventRecord]) -> None:
        self.events = events
        _fill(
            self.log_table,
            [
                [local_time_text(e.at), self.kind_label(e.kind), e.username, e.actor_name, e.detail]
                for e in events
            ],
        )

    def kind_label(self, kind: str) -> str:
        labels = {
            "login_ok": self.tr("Signed in"),
            "login_failed": self.tr("Sign-in failed"),
            "locked": self.tr("Locked"),
            "unlocked": self.tr("Unlocked"),
            "password_changed": self.tr("Password changed"),
            "password_reset": self.tr("Password reset"),
            "user_created": self.tr("User created"),
            "role_changed": self.tr("Role changed"),
            "user_deactivated": self.tr("Deactivated"),
            "user_reactivated": self.tr("Reactivated"),
            "token_issued": self.tr("Device token issued"),
            "token_revoked": self.tr("Device token revoked"),
        }
        return labels.get(kind, kind)

    # -- selection ---------------------------------------------------------------------

    def selected_user(self) -> UserRecord | None:
        rows = self.user_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.users):
            return None
        return self.users[rows[0].row()]

    def select_user(self, username: str) -> bool:
        for row, user in enumerate(self.users):
            if user.username == username:
                self.user_table.selectRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        user = self.selected_user()
        for key in ("role", "password", "unlock", "deactivate", "reactivate"):
            self.buttons[key].setEnabled(user is not None)
        if user is not None:
            self.buttons["unlock"].setEnabled(user.locked or user.failed_logins > 0)
            self.buttons["deactivate"].setEnabled(user.active)
            self.buttons["reactivate"].setEnabled(not user.active)

    # -- actions -----------------------------------------------------------------------

    def ask_new_user(self) -> None:
        dialog = UserFormDialog(self.roles, self.departments, regions=self.regions, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.create_user(**dialog.values())

    def create_user(self, **values: Any) -> None:
        self._run(
            lambda desk: desk.create_user(
                values["username"],
                values["display_name"],
                values["role"],
                values["password"],
                department_id=values["department_id"],
                region_id=values.get("region_id"),
            ),
            self.tr("User %1 created").replace("%1", values["username"]),
        )

    def ask_role(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        dialog = UserFormDialog(
            self.roles, self.departments, regions=self.regions, user=user, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            values = dialog.values()
            self.change_role(
                user.username, values["role"], values["department_id"], values["region_id"]
            )

    def change_role(
        self, username: str, role: str, department_id: int | None, region_id: int | None = None
    ) -> None:
        self._run(
            lambda desk: desk.change_role(
                username, role, department_id=department_id, region_id=region_id
            ),
            self.tr("Role of %1 changed").replace("%1", username),
        )

    def ask_password(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        dialog = PasswordResetDialog(user.username, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reset_password(user.username, dialog.password.text())

    def reset_password(self, username: str, password: str) -> None:
        self._run(
            lambda desk: desk.reset_password(username, password),
            self.tr("New password set for %1").replace("%1", username),
        )

    def confirm_deactivate(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Deactivate"),
            self.tr("Deactivate %1? They can no longer sign in; their history stays.").replace(
                "%1", user.username
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._on_selected("deactivate")

    def _on_selected(self, what: str) -> None:
        user = self.selected_user()
        if user is None:
            return
        name = user.username
        if what == "unlock":
            self._run(lambda d: d.unlock(name), self.tr("%1 unlocked").replace("%1", name))
        elif what == "deactivate":
            self._run(
                lambda d: d.set_active(name, False),
                self.tr("%1 deactivated").replace("%1", name),
            )
        elif what == "reactivate":
            self._run(
                lambda d: d.set_active(name, True),
                self.tr("%1 reactivated").replace("%1", name),
            )

    def _run(self, call: Callable[[UserAdminDesk], object], done: str) -> None:
        def finished(_record: object) -> None:
            self.status.setText(done)
            self.status.setProperty("error", False)
            self.load_users()
            if self.tabs.currentIndex() == 1:
                self.load_log()

        self.bridge.submit(lambda: call(self.admin()), finished, self._show_error)

    def _show_error(self, exc: ConsoleError) -> None:
        self.status.setText(exc.message)
        self.status.setProperty("error", True)
