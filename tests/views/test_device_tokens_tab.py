"""The admin's 设备与令牌 tab on real widgets, the real bridge and a real SQLite file: a device
signs in through the real gateway, the admin sees it and revokes it, and the device's next
request is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.services.cases.service import CaseService
from console.services.demo import demo_accounts
from console.services.workbench import Workbench
from console.views.device_tokens_tab import DeviceTokensTab
from console.views.user_admin_dialog import UserAdminDialog
from tests.conftest import Clock
from tests.gateway.conftest import serve, settings_for

PASSWORD = {a.username: a.password for a in demo_accounts()}


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


@pytest.fixture
def field(demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[httpx.Client]:
    """The real field gateway (uvicorn on 127.0.0.1) on the same database file, reached over
    HTTP as a handheld reaches it."""
    running = serve(demo_db, settings_for(tmp_path), CaseService(demo_db, clock=clock))
    gateway = next(running)
    try:
        with gateway.client() as client:
            yield client
    finally:
        running.close()  # stops the server


def sign_in_device(field: httpx.Client, label: str) -> str:
    r = field.post(
        "/api/v1/session",
        json={"username": "inspector", "password": PASSWORD["inspector"], "device_label": label},
    )
    assert r.status_code == 201, r.text
    token: str = r.json()["token"]
    return token


def me(field: httpx.Client, token: str) -> int:
    return field.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def answer_next_question(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """Answer the confirmation once it is up (QMessageBox.question runs its own loop)."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer)
            return
        seen.append(box.text())
        box.button(button).click()

    QTimer.singleShot(50, answer)


def open_devices(qtbot: QtBot, bridge: Bridge, workbench: Workbench) -> UserAdminDialog:
    dialog = UserAdminDialog(bridge, workbench.user_admin)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded >= 1, timeout=10_000)
    dialog.tabs.setCurrentWidget(dialog.devices)
    qtbot.waitUntil(lambda: dialog.devices.loaded >= 1, timeout=10_000)
    return dialog


def row_texts(tab: DeviceTokensTab, row: int) -> list[str]:
    return [tab.table.item(row, c).text() for c in range(tab.table.columnCount())]


def test_the_admin_revokes_a_signed_in_device_and_it_is_signed_out(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock, field: httpx.Client
) -> None:
    phone = sign_in_device(field, "城管通-007")
    tablet = sign_in_device(field, "城管通-008")
    assert me(field, phone) == me(field, tablet) == 200

    admin = Workbench.signed_in(demo_db, "admin", PASSWORD["admin"], clock=clock)
    dialog = open_devices(qtbot, bridge, admin)
    tab = dialog.devices
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) in ("Devices and tokens", "设备与令牌")
    assert tab.table.rowCount() == 2
    assert [row_texts(tab, r)[0] for r in range(2)] == ["城管通-008", "城管通-007"]
    cells = row_texts(tab, 1)
    assert cells[1].startswith("监督员") and cells[1].endswith("(inspector)")
    assert cells[2] == "监督员"
    assert cells[3] and cells[4] != "" and cells[5] in ("Active", "有效")
    assert not tab.revoke_button.isEnabled()  # nothing selected

    # "No" keeps the token.
    assert tab.select_token(tab.tokens[1].id)
    assert tab.revoke_button.isEnabled()
    seen: list[str] = []
    answer_next_question(QMessageBox.StandardButton.No, seen)
    tab.revoke_button.click()
    assert seen and "城管通-007" in seen[0]
    assert me(field, phone) == 200

    loads = tab.loaded
    answer_next_question(QMessageBox.StandardButton.Yes, seen)
    tab.revoke_button.click()
    qtbot.waitUntil(lambda: tab.loaded > loads, timeout=10_000)
    assert "城管通-007" in tab.status.text()
    # Active only: the phone is gone from the list; all: it is there, revoked.
    assert [row_texts(tab, r)[0] for r in range(tab.table.rowCount())] == ["城管通-008"]
    loads = tab.loaded
    tab.filter.setCurrentIndex(1)
    qtbot.waitUntil(lambda: tab.loaded > loads, timeout=10_000)
    assert tab.table.rowCount() == 2
    assert row_texts(tab, 1)[5].startswith(("Revoked", "已吊销"))
    assert tab.select_token(tab.tokens[1].id) and not tab.revoke_button.isEnabled()

    # The device's next request is refused; the other device of the same person is not.
    r = field.get("/api/v1/me", headers={"Authorization": f"Bearer {phone}"})
    assert r.status_code == 401 and r.json()["message"] == "访问令牌已吊销"
    assert me(field, tablet) == 200

    # The security log tab says who revoked which device.
    dialog.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: dialog.log_table.rowCount() > 0, timeout=10_000)
    newest = [dialog.log_table.item(0, c).text() for c in range(5)]
    assert newest[1] in ("Device token revoked", "设备令牌已吊销")
    assert newest[2] == "inspector" and newest[3] == admin.actor.name
    assert "城管通-007" in newest[4] and "管理员吊销" in newest[4]


def test_a_non_admin_is_refused_by_the_service(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock, field: httpx.Client
) -> None:
    phone = sign_in_device(field, "城管通-007")
    leader = Workbench.signed_in(demo_db, "leader", PASSWORD["leader"], clock=clock)
    tab = DeviceTokensTab(bridge, leader.user_admin)
    qtbot.addWidget(tab)
    tab.show()
    tab.load()
    qtbot.waitUntil(lambda: "无权" in tab.status.text(), timeout=10_000)
    assert tab.table.rowCount() == 0
    # Even a revocation asked for directly (the button hidden or not) is refused.
    tab.status.clear()
    tab.revoke(1, "城管通-007")
    qtbot.waitUntil(lambda: "无权管理外勤设备令牌" in tab.status.text(), timeout=10_000)
    assert me(field, phone) == 200
