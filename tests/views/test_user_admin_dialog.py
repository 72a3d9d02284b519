"""The admin screen on real widgets, a real SQLite demo database and the real bridge."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.errors import AuthenticationError
from console.services.auth import security_policy, sign_in
from console.services.demo import demo_accounts
from console.services.workbench import Workbench
from console.views.user_admin_dialog import UserAdminDialog, UserFormDialog
from tests.conftest import Clock

PASSWORD = {a.username: a.password for a in demo_accounts()}


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


def open_dialog(qtbot: QtBot, bridge: Bridge, workbench: Workbench) -> UserAdminDialog:
    dialog = UserAdminDialog(bridge, workbench.user_admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded >= 1 and bool(dialog.roles), timeout=10_000)
    return dialog


def cells(dialog: UserAdminDialog, username: str) -> list[str]:
    assert dialog.select_user(username)
    row = dialog.user_table.currentRow()
    return [dialog.user_table.item(row, c).text() for c in range(dialog.user_table.columnCount())]


def test_add_user_through_the_form(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    admin = Workbench.signed_in(demo_db, "admin", PASSWORD["admin"], clock=clock)
    dialog = open_dialog(qtbot, bridge, admin)
    assert cells(dialog, "dispatcher")[2] == "派遣员"
    # In English the roles are English too (seen under Xvfb: 派遣员 in an English table).
    from console.views.i18n import set_language

    set_language("en")
    try:
        dialog._on_users(dialog.users)
        assert cells(dialog, "dispatcher")[2] == "Dispatcher"
    finally:
        set_language("zh")
        dialog._on_users(dialog.users)

    def fill_form() -> None:
        form = QApplication.activeModalWidget()
        if not isinstance(form, UserFormDialog):
            QTimer.singleShot(50, fill_form)
            return
        form.username.setText("wang5")
        form.display_name.setText("王五")
        form.role.setCurrentIndex(form.role.findData("inspector"))
        form.password.setText("field-walk-31")
        form.repeat.setText("field-walk-31")
        form.accept()

    QTimer.singleShot(50, fill_form)
    loads = dialog.loaded
    dialog.buttons["add"].click()
    qtbot.waitUntil(lambda: dialog.loaded > loads, timeout=10_000)
    assert "wang5" in dialog.status.text()
    assert cells(dialog, "wang5")[:3] == ["wang5", "王五", "监督员"]
    assert sign_in(demo_db, "wang5", "field-walk-31", clock()).role == "inspector"


def test_role_unlock_deactivate_and_the_security_log(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    for _ in range(security_policy().max_failed_logins):
        with pytest.raises(AuthenticationError):
            sign_in(demo_db, "intake", "wrong-pass-1", clock())
    admin = Workbench.signed_in(demo_db, "admin", PASSWORD["admin"], clock=clock)
    dialog = open_dialog(qtbot, bridge, admin)
    assert cells(dialog, "intake")[5] != ""  # locked until …
    assert dialog.buttons["unlock"].isEnabled()

    loads = dialog.loaded
    dialog.buttons["unlock"].click()
    qtbot.waitUntil(lambda: dialog.loaded > loads, timeout=10_000)
    assert cells(dialog, "intake")[5] == ""
    assert sign_in(demo_db, "intake", PASSWORD["intake"], clock()).role == "intake"

    loads = dialog.loaded
    dialog.change_role("intake", "leader", None)
    qtbot.waitUntil(lambda: dialog.loaded > loads, timeout=10_000)
    assert cells(dialog, "intake")[2] == "领导"

    loads = dialog.loaded
    dialog.select_user("intake")
    dialog._on_selected("deactivate")
    qtbot.waitUntil(lambda: dialog.loaded > loads, timeout=10_000)
    assert cells(dialog, "intake")[4] in ("no", "否")
    assert dialog.buttons["reactivate"].isEnabled()

    # A refused change says why, in the dialog.
    dialog.change_role("admin", "leader", None)
    qtbot.waitUntil(lambda: "最后一个" in dialog.status.text(), timeout=10_000)

    dialog.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: dialog.log_table.rowCount() > 0, timeout=10_000)
    texts = [dialog.log_table.item(r, 4).text() for r in range(dialog.log_table.rowCount())]
    assert "监督员" not in " ".join(texts)  # no invented rows
    assert any("受理员(intake) → 领导(leader)" in t for t in texts)
    assert dialog.log_table.item(0, 2).text() == "intake"  # newest first


def test_a_non_admin_gets_the_refusal_not_the_data(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    leader = Workbench.signed_in(demo_db, "leader", PASSWORD["leader"], clock=clock)
    dialog = UserAdminDialog(bridge, leader.user_admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: "无权" in dialog.status.text(), timeout=10_000)
    assert dialog.user_table.rowCount() == 0


def test_a_street_seat_is_made_with_its_street_through_the_form(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    admin = Workbench.signed_in(demo_db, "admin", PASSWORD["admin"], clock=clock)
    dialog = open_dialog(qtbot, bridge, admin)
    qtbot.waitUntil(lambda: bool(dialog.regions), timeout=10_000)
    street = next(r for r in dialog.regions if r[1] == "610104002")
    assert {level for *_, level in dialog.regions} == {"street", "unit", "grid"}  # 一格七员: grids

    def fill_form(region_id: int | None) -> None:
        form = QApplication.activeModalWidget()
        if not isinstance(form, UserFormDialog):
            QTimer.singleShot(50, lambda: fill_form(region_id))
            return
        form.username.setText("beiyuanmen")
        form.display_name.setText("北院门值班")
        form.role.setCurrentIndex(form.role.findData("street_duty_officer"))
        form.region.setCurrentIndex(form.region.findData(region_id))
        form.password.setText("street-seat-42")
        form.repeat.setText("street-seat-42")
        form.accept()

    # Without a street the service refuses, naming what is missing; nothing is created.
    QTimer.singleShot(50, lambda: fill_form(None))
    dialog.buttons["add"].click()
    qtbot.waitUntil(lambda: "须指定所属街道" in dialog.status.text(), timeout=10_000)
    QTimer.singleShot(50, lambda: fill_form(street[0]))
    loads = dialog.loaded
    dialog.buttons["add"].click()
    qtbot.waitUntil(lambda: dialog.loaded > loads, timeout=10_000)
    seat = sign_in(demo_db, "beiyuanmen", "street-seat-42", clock())
    assert (seat.role, seat.region_id) == ("street_duty_officer", street[0])
