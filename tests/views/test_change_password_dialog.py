"""Change password on real widgets, a real SQLite demo database and the real bridge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.errors import AuthenticationError
from console.services.auth import sign_in
from console.services.demo import demo_accounts
from console.services.workbench import Workbench
from console.views.change_password_dialog import ChangePasswordDialog
from tests.conftest import Clock

PASSWORD = {a.username: a.password for a in demo_accounts()}


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


def test_change_password_through_the_dialog(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    workbench = Workbench.signed_in(demo_db, "leader", PASSWORD["leader"], clock=clock)
    dialog = ChangePasswordDialog(bridge, workbench.change_password)
    qtbot.addWidget(dialog)
    dialog.show()

    dialog.old.setText(PASSWORD["leader"])
    dialog.new.setText("strategy-room-8")
    dialog.repeat.setText("strategy-room-9")
    dialog.submit()
    assert "differ" in dialog.error.text() or "不一致" in dialog.error.text()

    dialog.repeat.setText("short")
    dialog.new.setText("short")
    dialog.submit()
    qtbot.waitUntil(lambda: "至少" in dialog.error.text(), timeout=10_000)

    dialog.old.setText("not-my-password-1")
    dialog.new.setText("strategy-room-8")
    dialog.repeat.setText("strategy-room-8")
    dialog.submit()
    qtbot.waitUntil(lambda: "原密码" in dialog.error.text(), timeout=10_000)
    assert dialog.ok_button.isEnabled()

    dialog.old.setText(PASSWORD["leader"])
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.submit()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert sign_in(demo_db, "leader", "strategy-room-8", clock()).role == "leader"
    with pytest.raises(AuthenticationError):
        sign_in(demo_db, "leader", PASSWORD["leader"], clock())
