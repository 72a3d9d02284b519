"""The holiday calendar window on real widgets, the real bridge and a real SQLite demo database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.db import Database
from console.models import CalendarChange, CalendarDay
from console.services.demo import demo_accounts
from console.services.workbench import Workbench
from console.views.calendar_dialog import CalendarDialog, default_year
from tests.conftest import Clock

PASSWORD = {a.username: a.password for a in demo_accounts()}


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


def open_dialog(qtbot: QtBot, bridge: Bridge, workbench: Workbench, year: int) -> CalendarDialog:
    dialog = CalendarDialog(bridge, workbench)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded >= 1, timeout=10_000)
    if dialog.year_box.value() != year:
        before = dialog.loaded
        dialog.year_box.setValue(year)
        qtbot.waitUntil(lambda: dialog.loaded > before, timeout=10_000)
    return dialog


def cell(dialog: CalendarDialog, d: date) -> tuple[int, int]:
    return d.month - 1, d.day - 1


def test_default_year_turns_in_november() -> None:
    assert default_year(date(2026, 10, 31)) == 2026
    assert default_year(date(2026, 11, 1)) == 2027


def test_admin_toggles_a_day_and_saves_the_year_as_official(
    qtbot: QtBot, bridge: Bridge, demo_db: Database
) -> None:
    clock = Clock(datetime(2026, 12, 3, 9, tzinfo=LOCAL_TZ))
    admin = Workbench.signed_in(demo_db, "admin", PASSWORD["admin"], clock=clock)
    dialog = open_dialog(qtbot, bridge, admin, 2027)
    assert "2027" in dialog.status.text() and "not imported" in dialog.status.text()
    assert dialog.is_off(date(2027, 2, 9))  # the law's make-up day for 春节
    # A click on the grid toggles Monday 4 January off, and Saturday 20 February worked.
    dialog.name_edit.setText("元旦调休")
    qtbot.mouseClick(
        dialog.grid.viewport(),
        Qt.MouseButton.LeftButton,
        pos=dialog.grid.visualItemRect(dialog.grid.item(*cell(dialog, date(2027, 1, 4)))).center(),
    )
    assert dialog.is_off(date(2027, 1, 4)) and dialog.dirty
    dialog.toggle(date(2027, 2, 20))
    assert not dialog.is_off(date(2027, 2, 20))
    item = dialog.grid.item(*cell(dialog, date(2027, 1, 4)))
    assert "元旦调休" in item.toolTip()

    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert date(2027, 1, 4) in saved.args[0].changed_days
    qtbot.waitUntil(
        lambda: "official" in dialog.status.text() or "正式" in dialog.status.text(), timeout=10_000
    )
    assert "Saved" in dialog.message.text() or "已保存" in dialog.message.text()
    with demo_db.read() as s:
        days = {d.day: (d.kind, d.name) for d in s.scalars(select(CalendarDay))}
        change = s.execute(select(CalendarChange.action, CalendarChange.actor_name)).one()
    assert days[date(2027, 1, 4)] == ("holiday", "元旦调休")
    assert days[date(2027, 2, 20)] == ("workday", "元旦调休")
    assert days[date(2027, 2, 9)] == ("holiday", "春节补休")  # the law's days kept
    assert tuple(change) == ("edit", admin.actor.name)


def test_others_see_the_year_read_only(qtbot: QtBot, bridge: Bridge, demo_db: Database) -> None:
    clock = Clock(datetime(2026, 12, 3, 9, tzinfo=LOCAL_TZ))
    dispatcher = Workbench.signed_in(demo_db, "dispatcher", PASSWORD["dispatcher"], clock=clock)
    dialog = open_dialog(qtbot, bridge, dispatcher, 2026)
    assert "2026" in dialog.status.text()
    assert not dialog.save_button.isEnabled()
    assert dialog.save_button.toolTip()
    dialog.toggle(date(2026, 3, 2))
    assert not dialog.is_off(date(2026, 3, 2)) and not dialog.dirty
    assert dialog.is_off(date(2026, 10, 7))  # 国庆, from chinese-calendar
    assert not dialog.is_off(date(2026, 10, 10))  # an adjusted working Saturday


def test_a_notice_file_is_loaded_checked_and_refused_with_its_lines(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, tmp_path: Path
) -> None:
    admin = Workbench.signed_in(demo_db, "admin", PASSWORD["admin"])
    dialog = open_dialog(qtbot, bridge, admin, 2027)
    bad = tmp_path / "bad.csv"
    bad.write_text("2027-01-01,holiday,元旦\n2027-01-01,holiday,again\n", encoding="utf-8")
    dialog.load_file(bad)
    assert "第 2 行" in dialog.message.text() and "重复" in dialog.message.text()
    assert not dialog.dirty
    good = tmp_path / "2028.csv"
    good.write_text("date,kind,name\n2028-01-01,holiday,元旦\n2028-01-03,holiday,元旦\n", "utf-8")
    dialog.load_file(good)
    assert dialog.year_box.value() == 2028 and dialog.dirty
    assert dialog.is_off(date(2028, 1, 3)) and not dialog.is_off(date(2028, 1, 26))
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    with demo_db.read() as s:
        assert {d.day for d in s.scalars(select(CalendarDay))} == {
            date(2028, 1, 1),
            date(2028, 1, 3),
        }
