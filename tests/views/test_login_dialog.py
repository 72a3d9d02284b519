"""The login dialog on real widgets and a real SQLite demo database, through the real bridge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.bridge import Bridge
from console.db import Database
from console.models import Department
from console.services.auth import WRONG_CREDENTIALS, security_policy
from console.services.demo import demo_accounts, demo_sign_ins
from console.services.workbench import Workbench
from console.views.login_dialog import LoginDialog
from tests.conftest import Clock

PASSWORD = {a.username: a.password for a in demo_accounts()}


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


def make_dialog(
    qtbot: QtBot, bridge: Bridge, db: Database, clock: Clock, **kw: object
) -> LoginDialog:
    def demo() -> list[object]:
        with db.read() as s:
            return list(demo_sign_ins(s))

    dialog = LoginDialog(
        bridge,
        lambda u, p: Workbench.signed_in(db, u, p, clock=clock),
        demo_accounts=demo,
        **kw,  # type: ignore[arg-type]
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_enter_signs_in_and_hands_back_the_workbench(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    dialog = make_dialog(qtbot, bridge, demo_db, clock, username="dispatcher")
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    assert dialog.password.hasFocus() or not dialog.isActiveWindow()
    qtbot.keyClicks(dialog.password, PASSWORD["dispatcher"])
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signed:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    workbench = signed.args[0]
    assert isinstance(workbench, Workbench) and workbench.actor.role == "dispatcher"
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.password.text() == ""


def test_wrong_password_then_lockout_messages(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    dialog = make_dialog(qtbot, bridge, demo_db, clock)
    dialog.username.setText("nobody")
    dialog.password.setText("anything-1")
    dialog.submit()
    assert not dialog.password.isEnabled()  # busy while the worker checks
    qtbot.waitUntil(lambda: dialog.password.isEnabled(), timeout=10_000)
    unknown = dialog.error.text()
    assert unknown == WRONG_CREDENTIALS and dialog.password.text() == ""

    dialog.username.setText("inspector")
    for _ in range(security_policy().max_failed_logins):
        dialog.password.setText("anything-1")
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.password.isEnabled(), timeout=10_000)
        assert dialog.error.text() == unknown  # a known name is not given away
    # Locked now: even the right password gets the same answer (the one answer says a run of
    # wrong passwords locks an account and an administrator can unlock it).
    dialog.password.setText(PASSWORD["inspector"])
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.password.isEnabled(), timeout=10_000)
    assert dialog.error.text() == unknown and "锁定" in unknown
    assert dialog.error.property("locked") is False
    assert dialog.isVisible() and dialog.result_value is None


def test_empty_fields_are_asked_for_without_a_round_trip(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    dialog = make_dialog(qtbot, bridge, demo_db, clock)
    dialog.submit()
    assert dialog.error.text() and dialog.username.isEnabled()


def test_the_demo_hint_lists_accounts_with_their_published_password(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    Workbench(demo_db, username="wall", clock=clock)  # (trusted path: no sign-in)
    from console.services.auth import change_password, sign_in

    wall = sign_in(demo_db, "wall", PASSWORD["wall"], clock())
    change_password(demo_db, wall, PASSWORD["wall"], "big-screen-55", clock())
    dialog = make_dialog(qtbot, bridge, demo_db, clock)
    qtbot.waitUntil(dialog.hint.isVisible, timeout=10_000)
    lines = dialog.demo_lines()
    hint = "\n".join(lines)
    assert f"dispatcher / {PASSWORD['dispatcher']}" in hint
    assert f"duty_chief2 / {PASSWORD['duty_chief2']}" in hint
    assert f"admin / {PASSWORD['admin']}" in hint
    assert "wall /" not in hint  # its password was changed: no longer the published one
    # every department's handler, each named by its department
    handlers = [line for line in lines if line.startswith("dept-")]
    with demo_db.read() as s:
        departments = s.scalar(select(func.count()).select_from(Department))
    assert len(handlers) == departments
    assert all(f"/ {PASSWORD['dept-*']}" in line and "（" in line for line in handlers)
    # A click fills the form with that account.
    dialog.demo_list.itemClicked.emit(dialog.demo_list.item(lines.index(handlers[0])))
    assert dialog.username.text() == handlers[0].split(" / ")[0]
    assert dialog.password.text() == PASSWORD["dept-*"]
    # Every line whole, not cut at the right edge (seen under Xvfb: a sideways scroll bar).
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.demo_list.horizontalScrollBar().maximum() == 0


def test_no_hint_on_a_real_database(
    qtbot: QtBot, bridge: Bridge, db: Database, clock: Clock
) -> None:
    dialog = make_dialog(qtbot, bridge, db, clock)
    qtbot.wait(300)
    assert not dialog.hint.isVisible()
