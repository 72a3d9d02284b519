"""The duty chief's week roster and the handover it makes possible: real widgets, real bridge,
a real SQLite demo database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QMainWindow
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.db import Database
from console.errors import AuthenticationError
from console.services import handover
from console.services.demo import demo_accounts
from console.services.workbench import Workbench
from console.views.night_shift import NightShift
from console.views.roster_dialog import RosterDialog
from tests.conftest import Clock

PASSWORD = {a.username: a.password for a in demo_accounts()}
EVENING = datetime(2026, 11, 23, 19, 30, tzinfo=LOCAL_TZ)  # Monday, the day shift ends at 20:00


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


@pytest.fixture
def rostered(demo_db: Database) -> Database:
    with demo_db.session() as s:
        handover.ensure_demo_roster(s, EVENING)
    return demo_db


def seat(db: Database, username: str) -> Workbench:
    return Workbench.signed_in(db, username, PASSWORD[username], clock=Clock(EVENING))


def open_roster(qtbot: QtBot, bridge: Bridge, workbench: Workbench) -> RosterDialog:
    dialog = RosterDialog(bridge, workbench)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    return dialog


def test_the_duty_chief_changes_who_stands_a_shift(
    qtbot: QtBot, bridge: Bridge, rostered: Database
) -> None:
    chief = seat(rostered, "duty_chief")
    dialog = open_roster(qtbot, bridge, chief)
    assert dialog.table.rowCount() == 7 and dialog.table.columnCount() == 4
    headers = [dialog.table.horizontalHeaderItem(c).text() for c in range(4)]
    assert headers == ["白班 值班长", "白班 派遣员", "夜班 值班长", "夜班 派遣员"]
    night_chief = dialog.cell(date(2026, 11, 24), "night", "duty_chief")
    assert isinstance(night_chief, QComboBox)
    assert "duty_chief2" in night_chief.currentText()
    # Only the accounts of the role are offered (and nobody).
    offered = [night_chief.itemText(i) for i in range(night_chief.count())]
    assert offered[0] == "—" and all("dispatcher" not in text for text in offered)

    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        night_chief.setCurrentIndex(night_chief.findData(chief.actor.id))
    with rostered.read() as s:
        start = datetime(2026, 11, 24, 20, tzinfo=LOCAL_TZ)
        on = handover.on_duty(s, start)
    assert [e.username for e in on] == ["duty_chief", "dispatcher2"]
    box = dialog.cell(date(2026, 11, 24), "night", "duty_chief")
    assert isinstance(box, QComboBox) and box.currentText().endswith("（duty_chief）")
    assert dialog.message.text() in ("Saved", "已保存")

    # Next week is empty on the demo roster past its horizon.
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.next_button.click()
    assert dialog.first_day == date(2026, 11, 30)


def test_others_see_the_week_read_only(qtbot: QtBot, bridge: Bridge, rostered: Database) -> None:
    dialog = open_roster(qtbot, bridge, seat(rostered, "leader"))
    item = dialog.cell(date(2026, 11, 23), "day", "dispatcher")
    assert not isinstance(item, QComboBox) and item is not None
    assert item.text().startswith("派遣员")
    assert dialog.message.text()


def test_a_handover_signed_by_both_at_one_seat(
    qtbot: QtBot, bridge: Bridge, rostered: Database, tmp_path: Path
) -> None:
    chief = seat(rostered, "duty_chief")
    window = QMainWindow()
    qtbot.addWidget(window)
    night = NightShift(
        window, bridge, chief, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    night.handover()
    qtbot.waitUntil(lambda: getattr(night, "handover_dialog", None) is not None, timeout=10_000)
    dialog = night.handover_dialog
    assert dialog is not None
    # The roster's next duty chief is proposed as incoming.
    assert "duty_chief2" in dialog.incoming_combo.currentText()  # type: ignore[attr-defined]
    counts = dialog.counts_table  # type: ignore[attr-defined]
    labels = [counts.item(r, 0).text() for r in range(counts.rowCount())]
    assert not any(label.endswith("时间") for label in labels)

    # Signing is saving: no separate save first.
    dialog.sign_outgoing_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.record is not None, timeout=10_000)  # type: ignore[attr-defined]
    record = dialog.record  # type: ignore[attr-defined]
    assert record.outgoing_signed_at is not None and record.incoming_name.startswith("值班长")
    assert not dialog.incoming_combo.isEnabled()  # type: ignore[attr-defined]

    # The incoming officer signs here with their own password.
    asked: list[str] = []
    night.ask_password = lambda _parent, who: asked.append(who) or PASSWORD["duty_chief2"]  # type: ignore[method-assign]
    dialog.sign_incoming_button.click()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: dialog.record.complete, timeout=10_000)  # type: ignore[attr-defined]
    assert asked == ["duty_chief2"]
    assert "complete" in dialog.signature_label.text() or "完成" in dialog.signature_label.text()  # type: ignore[attr-defined]


def test_the_incoming_officer_finds_the_handover_at_their_own_seat(
    qtbot: QtBot, bridge: Bridge, rostered: Database
) -> None:
    chief = seat(rostered, "duty_chief")
    draft = chief.handover_draft()
    assert draft.successor is not None and draft.successor.username == "duty_chief2"
    record = chief.sign_new_handover(draft.summary, draft.successor.user_id, "夜间注意西大街")
    assert record.outgoing_signed_at is not None
    with pytest.raises(AuthenticationError):
        chief.sign_handover_for(record.id, "duty_chief2", "wrong-password-1")
    successor = seat(rostered, "duty_chief2")
    pending = successor.handover_draft().pending
    assert pending is not None and pending.id == record.id and pending.notes == "夜间注意西大街"
    done = successor.sign_handover(record.id, "incoming")
    assert done.complete
    assert successor.handover_draft().pending is None
