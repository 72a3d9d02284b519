"""The admin screen's 设备与令牌 tab: the field gateway's tokens — which device, whose, since
when, last used, active or revoked — and 吊销 with a confirmation.

Every call goes through the bridge to ``admin()`` (the workbench's UserAdminDesk), which
checks ``manage_devices`` itself and logs the revocation; this tab only shows and asks. A
revoked device is refused at its next request and must sign in again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.bridge import Bridge
from console.errors import ConsoleError
from console.views.formatting import local_time_text
from console.views.labels import role_text

if TYPE_CHECKING:
    from console.services.api_tokens import TokenRecord
    from console.services.user_admin import UserAdminDesk


class DeviceTokensTab(QWidget):
    """The tokens table, the active/all filter and the revoke button."""

    COLUMNS = 6

    def __init__(
        self, bridge: Bridge, admin: Callable[[], UserAdminDesk], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("deviceTokensTab")
        self.bridge, self.admin = bridge, admin
        self.tokens: list[TokenRecord] = []
        self.loaded = 0  # completed loads (tests wait on it)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show:"), self))
        self.filter = QComboBox(self)
        self.filter.setObjectName("tokenFilter")
        self.filter.addItem(self.tr("Active tokens"), False)
        self.filter.addItem(self.tr("All, revoked included"), True)
        top.addWidget(self.filter)
        top.addStretch(1)
        layout.addLayout(top)

        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("tokenTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Device"),
                self.tr("Person"),
                self.tr("Role"),
                self.tr("Created"),
                self.tr("Last used"),
                self.tr("State"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)

        hint = QLabel(
            self.tr(
                "A revoked device is refused at its next request and its user must sign in "
                "again. Secrets are never shown: only their hash is stored."
            ),
            self,
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)

        row = QHBoxLayout()
        self.revoke_button = QPushButton(self.tr("Revoke…"), self)
        self.revoke_button.setObjectName("revokeTokenButton")
        refresh = QPushButton(self.tr("Refresh"), self)
        refresh.setObjectName("refreshTokensButton")
        row.addWidget(self.revoke_button)
        row.addStretch(1)
        row.addWidget(refresh)
        layout.addLayout(row)

        self.status = QLabel(self)
        self.status.setObjectName("tokenStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.filter.currentIndexChanged.connect(self.load)
        refresh.clicked.connect(self.load)
        self.revoke_button.clicked.connect(self.confirm_revoke)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    # -- loading -----------------------------------------------------------------------

    def include_revoked(self) -> bool:
        return bool(self.filter.currentData())

    def load(self) -> None:
        everything = self.include_revoked()
        self.bridge.submit(
            lambda: self.admin().device_tokens(include_revoked=everything),
            self._on_tokens,
            self._show_error,
        )

    def _on_tokens(self, tokens: list[TokenRecord]) -> None:
        selected = self.selected_token()
        self.tokens = tokens
        self.table.setRowCount(len(tokens))
        for r, t in enumerate(tokens):
            values = [
                t.label,
                f"{t.display_name} ({t.username})",
                role_text(t.role),
                local_time_text(t.created_at),
                local_time_text(t.last_used_at) if t.last_used_at else self.tr("never"),
                self.state_text(t),
            ]
            for c, text in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(text))  # plain text, no markup
        if selected is not None:
            self.select_token(selected.id)
        self.loaded += 1
        self._update_buttons()

    def state_text(self, token: TokenRecord) -> str:
        if token.revoked_at is None:
            return self.tr("Active")
        return self.tr("Revoked %1").replace("%1", local_time_text(token.revoked_at))

    # -- selection ---------------------------------------------------------------------

    def selected_token(self) -> TokenRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.tokens):
            return None
        return self.tokens[rows[0].row()]

    def select_token(self, token_id: int) -> bool:
        for row, token in enumerate(self.tokens):
            if token.id == token_id:
                self.table.selectRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        token = self.selected_token()
        self.revoke_button.setEnabled(token is not None and token.active)

    # -- revoking ----------------------------------------------------------------------

    def confirm_revoke(self) -> None:
        token = self.selected_token()
        if token is None or not token.active:
            return
        question = (
            self.tr(
                "Revoke the token of device %1 (%2)? The device is signed out at its next "
                "request; this cannot be undone."
            )
            .replace("%1", token.label)
            .replace("%2", token.display_name)
        )
        answer = QMessageBox.question(self, self.tr("Revoke token"), question)
        if answer == QMessageBox.StandardButton.Yes:
            self.revoke(token.id, token.label)

    def revoke(self, token_id: int, label: str) -> None:
        def done(_record: object) -> None:
            self.status.setText(self.tr("Token of %1 revoked").replace("%1", label))
            self.status.setProperty("error", False)
            self.load()

        self.bridge.submit(
            lambda: self.admin().revoke_device_token(token_id), done, self._show_error
        )

    def _show_error(self, exc: ConsoleError) -> None:
        self.status.setText(exc.message)
        self.status.setProperty("error", True)
