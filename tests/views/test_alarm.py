"""The alarm: enabled levels, quiet hours, repeating until acknowledged, snooze, real sounds."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from console.config import LOCAL_TZ
from console.views.alarm import (
    DEFAULT_ENABLED_LEVELS,
    Alarm,
    AlarmSettings,
    in_quiet_hours,
    sound_path,
)


def rec(alert_id: int, level: str = "overdue", acknowledged: bool = False) -> SimpleNamespace:
    """Stand-in for console.services.supervision.AlertRecord."""
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    return SimpleNamespace(
        id=alert_id,
        case_id=100 + alert_id,
        case_number=f"E010220261127{alert_id:04d}",
        level=level,
        level_label_zh="超期",
        level_label_en="Overdue",
        due_at=now,
        raised_at=now,
        message="超期",
        recipient_kind="department",
        recipient_name="区城管局",
        acknowledged_by_name="值班长" if acknowledged else None,
        acknowledged_at=now if acknowledged else None,
        address="青年路 1 号",
        category_code="0102",
    )


class Clock:
    """A settable clock in the district's time."""

    def __init__(self, hour: int = 10, minute: int = 0) -> None:
        self.now = datetime(2026, 11, 27, hour, minute, tzinfo=LOCAL_TZ)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_alarm(clock: Clock, **settings: Any) -> tuple[Alarm, list[str]]:
    alarm = Alarm(AlarmSettings(**settings), clock=clock)
    rang: list[str] = []
    alarm.rang.connect(rang.append)
    return alarm, rang


# -- in_quiet_hours -------------------------------------------------------------------


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 27, hour, minute)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(21, 59), False),
        (at(22, 0), True),  # start is inside
        (at(23, 59), True),
        (at(0, 0), True),  # wraps midnight
        (at(5, 59), True),
        (at(6, 0), False),  # end is outside
        (at(12, 0), False),
    ],
)
def test_quiet_hours_wrapping_midnight(now: datetime, expected: bool) -> None:
    assert in_quiet_hours(now, time(22, 0), time(6, 0)) is expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [(at(12, 59), False), (at(13, 0), True), (at(13, 59), True), (at(14, 0), False)],
)
def test_quiet_hours_within_a_day(now: datetime, expected: bool) -> None:
    assert in_quiet_hours(now, time(13, 0), time(14, 0)) is expected


def test_no_quiet_hours_for_equal_or_missing_bounds() -> None:
    for hour in (0, 8, 22):
        assert not in_quiet_hours(at(hour), time(8, 0), time(8, 0))
        assert not in_quiet_hours(at(hour), None, time(8, 0))
        assert not in_quiet_hours(at(hour), time(8, 0), None)


def test_quiet_hours_read_an_aware_time_in_local_time() -> None:
    # 15:00 UTC is 23:00 in Asia/Shanghai.
    assert in_quiet_hours(datetime(2026, 11, 27, 15, 0, tzinfo=UTC), time(22, 0), time(6, 0))
    assert not in_quiet_hours(datetime(2026, 11, 27, 4, 0, tzinfo=UTC), time(22, 0), time(6, 0))


# -- settings ---------------------------------------------------------------------------


def test_settings_defaults_and_round_trip(tmp_path: Path) -> None:
    assert AlarmSettings().enabled_levels == set(DEFAULT_ENABLED_LEVELS)
    assert "warning" not in AlarmSettings().enabled_levels
    assert AlarmSettings().repeat_s == 30
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert AlarmSettings.from_settings(store) == AlarmSettings()
    chosen = AlarmSettings({"warning", "supervise_3"}, time(22, 30), time(6, 0), repeat_s=45)
    chosen.to_settings(store)
    store.sync()
    again = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert AlarmSettings.from_settings(again) == chosen
    AlarmSettings(set()).to_settings(again)  # every level off is kept as such
    assert AlarmSettings.from_settings(again).enabled_levels == set()


def test_settings_tolerate_bad_values(tmp_path: Path) -> None:
    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    store.setValue("alarm/enabled_levels", "overdue,bogus")
    store.setValue("alarm/quiet_start", "25:99")
    store.setValue("alarm/repeat_s", "soon")
    read = AlarmSettings.from_settings(store)
    assert read.enabled_levels == {"overdue"}
    assert read.quiet_start is None and read.repeat_s == 30


# -- the alarm ----------------------------------------------------------------------------


def test_enabled_levels_ring_with_their_sound(qtbot: Any, clock: Clock) -> None:
    alarm, rang = make_alarm(clock)
    assert not alarm.ringing
    assert alarm.alert([rec(1, "overdue")])
    assert rang == ["overdue"] and alarm.ringing
    assert alarm.alert([rec(2, "supervise_2")])
    assert rang == ["overdue", "supervise_2"]
    assert not alarm.alert([rec(2, "supervise_2")])  # already ringing for it
    assert sound_path("overdue").name == "alarm_overdue.wav"
    assert {sound_path(f"supervise_{n}").name for n in (1, 2, 3)} == {"alarm_supervise.wav"}
    alarm.cleanup()


def test_warning_does_not_ring_by_default(qtbot: Any, clock: Clock) -> None:
    alarm, rang = make_alarm(clock)
    assert not alarm.alert([rec(1, "warning")])
    assert rang == [] and not alarm.ringing
    enabled, rang2 = make_alarm(clock, enabled_levels={"warning"})
    assert enabled.alert([rec(1, "warning")])
    assert rang2 == ["warning"]
    assert not enabled.alert([rec(2, "overdue")])  # overdue turned off for this seat
    enabled.cleanup()


def test_acknowledged_records_do_not_ring(qtbot: Any, clock: Clock) -> None:
    alarm, rang = make_alarm(clock)
    assert not alarm.alert([rec(1, "supervise_1", acknowledged=True)])
    assert rang == [] and not alarm.ringing


def test_repeats_until_acknowledged(qtbot: Any, clock: Clock) -> None:
    alarm, rang = make_alarm(clock, repeat_s=0.2)
    changes: list[bool] = []
    alarm.ringing_changed.connect(changes.append)
    alarm.alert([rec(1, "overdue"), rec(2, "supervise_1")])
    assert rang == ["supervise_1"]  # the most severe pending level
    qtbot.waitUntil(lambda: len(rang) >= 3, timeout=3000)
    alarm.acknowledged([2])
    assert alarm.ringing
    count = len(rang)
    qtbot.waitUntil(lambda: len(rang) > count, timeout=3000)
    assert rang[-1] == "overdue"  # only the overdue one is left
    alarm.acknowledged([1])
    assert not alarm.ringing
    stopped_at = len(rang)
    qtbot.wait(600)
    assert len(rang) == stopped_at
    assert changes == [True, False]


def test_acknowledged_elsewhere_arrives_as_a_record(qtbot: Any, clock: Clock) -> None:
    alarm, _rang = make_alarm(clock, repeat_s=0.2)
    alarm.alert([rec(1)])
    alarm.alert([rec(1, acknowledged=True)])
    assert not alarm.ringing


def test_quiet_hours_keep_it_silent_then_it_rings_again(qtbot: Any, clock: Clock) -> None:
    clock.now = clock.now.replace(hour=23)
    alarm, rang = make_alarm(clock, quiet_start=time(22, 0), quiet_end=time(6, 0), repeat_s=0.2)
    assert not alarm.alert([rec(1, "supervise_3")])
    assert alarm.ringing  # still pending
    qtbot.wait(500)
    assert rang == []
    clock.now = clock.now + timedelta(hours=7)  # 06:00 next day
    qtbot.waitUntil(lambda: rang == ["supervise_3"], timeout=3000)
    alarm.cleanup()


def test_snooze(qtbot: Any, clock: Clock) -> None:
    alarm, rang = make_alarm(clock, repeat_s=0.2)
    alarm.alert([rec(1)])
    alarm.snooze(10)
    assert alarm.snoozed_until == clock.now + timedelta(minutes=10)
    count = len(rang)
    assert not alarm.alert([rec(2, "supervise_1")])  # a new alert while snoozed stays silent
    qtbot.wait(500)
    assert len(rang) == count and alarm.ringing
    clock.now += timedelta(minutes=10)
    qtbot.waitUntil(lambda: len(rang) > count, timeout=3000)
    assert alarm.snoozed_until is None
    assert rang[-1] == "supervise_1"
    alarm.acknowledged([1, 2])
    assert not alarm.ringing


def test_turning_a_level_off_stops_it(qtbot: Any, clock: Clock) -> None:
    alarm, _rang = make_alarm(clock, repeat_s=0.2)
    alarm.alert([rec(1, "overdue")])
    alarm.set_settings(AlarmSettings(enabled_levels={"supervise_1"}, repeat_s=0.2))
    assert not alarm.ringing


def test_real_sound_effects_load_or_degrade(qtbot: Any, clock: Clock) -> None:
    from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

    alarm, rang = make_alarm(clock)
    alarm.alert([rec(1, "overdue"), rec(2, "supervise_1")])
    alarm.acknowledged([2])
    alarm.alert([rec(3, "overdue")])
    effects = {name: e for name, e in alarm._effects.items() if e is not None}
    assert set(effects) == {"alarm_supervise.wav", "alarm_overdue.wav"}
    for name, effect in effects.items():
        assert isinstance(effect, QSoundEffect)
        path = Path(effect.source().toLocalFile())
        assert path.name == name and path.is_file()
    if QMediaDevices.audioOutputs():
        for effect in effects.values():
            qtbot.waitUntil(lambda e=effect: e.status() != QSoundEffect.Status.Loading)
            assert effect.status() != QSoundEffect.Status.Error
    assert rang == ["supervise_1", "overdue"]  # emitted with or without a device
    alarm.cleanup()


def test_no_audio_device_is_logged_once(
    qtbot: Any, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    from PySide6.QtMultimedia import QMediaDevices

    if QMediaDevices.audioOutputs():
        pytest.skip("an audio output exists here")
    alarm, rang = make_alarm(clock, repeat_s=0.1)
    with caplog.at_level("WARNING", logger="console.views.alarm"):
        alarm.alert([rec(1)])
        qtbot.waitUntil(lambda: len(rang) >= 3, timeout=3000)
    alarm.cleanup()
    assert len([r for r in caplog.records if "audio" in r.getMessage()]) == 1


# -- the tray ---------------------------------------------------------------------------


def test_tray_is_a_no_op_without_a_system_tray(qtbot: Any) -> None:
    from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

    from console.views.tray import TrayNotifier

    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen has none
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    window.showMinimized()
    tray = TrayNotifier(window)
    assert not tray.available
    assert tray.notify([rec(1), rec(2, "supervise_1")]) is False
    tray.set_unacknowledged_count(2)
    tray.cleanup()


def test_tray_message_text(qtbot: Any) -> None:
    from PySide6.QtWidgets import QMainWindow

    from console.views.tray import TrayNotifier

    window = QMainWindow()
    qtbot.addWidget(window)
    tray = TrayNotifier(window)
    records = [rec(i) for i in range(1, 6)]
    records[0].message = "<b>井盖\n缺失</b>"
    assert "3" in tray.title_for(3)
    body = tray.body_for(records).splitlines()
    assert body[0] == "E0102202611270001  <b>井盖 缺失</b>"
    assert len(body) == 4 and "2" in body[-1]
    assert tray.window_in_background()  # never shown, so not in front


def test_alarm_settings_dialog_round_trip(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import time

    from PySide6.QtCore import QSettings

    from console.views.alarm import AlarmSettings
    from console.views.alarm_settings_dialog import AlarmSettingsDialog

    start = AlarmSettings(
        enabled_levels={"overdue"}, quiet_start=time(1, 0), quiet_end=time(6, 30), repeat_s=45
    )
    dialog = AlarmSettingsDialog(start)
    qtbot.addWidget(dialog)
    assert dialog.level_boxes["overdue"].isChecked()
    assert not dialog.level_boxes["supervise_1"].isChecked()
    dialog.level_boxes["supervise_3"].setChecked(True)
    chosen = dialog.result_settings()
    assert chosen.enabled_levels == {"overdue", "supervise_3"}
    assert (chosen.quiet_start, chosen.quiet_end, chosen.repeat_s) == (time(1, 0), time(6, 30), 45)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    chosen.to_settings(settings)
    assert AlarmSettings.from_settings(settings) == chosen
    dialog.quiet.setChecked(False)
    assert dialog.result_settings().quiet_start is None
