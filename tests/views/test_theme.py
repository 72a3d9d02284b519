"""Themes: the night schedule and the style sheets (the traffic-light chip above all)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from console.config import LOCAL_TZ
from console.views.theme import apply_theme, theme_for_time, theme_palette


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    sheet, palette, style = qapp.styleSheet(), qapp.palette(), qapp.style().name()
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setStyle(style)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, second, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(18, 59, 59), "light"),
        (at(19, 0), "dark"),
        (at(23, 59), "dark"),
        (at(0, 0), "dark"),
        (at(6, 59, 59), "dark"),
        (at(7, 0), "light"),
        (at(12, 0), "light"),
    ],
)
def test_theme_for_time_default_night(now: datetime, expected: str) -> None:
    assert theme_for_time(now) == expected


def test_theme_for_time_reads_aware_times_in_local_time() -> None:
    # 11:30 UTC is 19:30 in Xi'an.
    assert theme_for_time(datetime(2026, 11, 23, 11, 30, tzinfo=UTC)) == "dark"
    assert theme_for_time(datetime(2026, 11, 23, 19, 30)) == "dark"  # naive: as is


def test_theme_for_time_other_windows() -> None:
    # A night that does not wrap midnight.
    assert theme_for_time(at(0, 0), time(0, 0), time(6, 0)) == "dark"
    assert theme_for_time(at(6, 0), time(0, 0), time(6, 0)) == "light"
    assert theme_for_time(at(23, 0), time(0, 0), time(6, 0)) == "light"
    # Equal bounds: no night at all.
    assert theme_for_time(at(3, 0), time(7, 0), time(7, 0)) == "light"


@pytest.mark.parametrize("name", ["light", "dark"])
def test_apply_theme_sets_sheet_and_palette(app: QApplication, name: str) -> None:
    apply_theme(app, name)
    sheet = app.styleSheet()
    for light in ("green", "yellow", "red", "none"):
        assert f'QLabel#lightChip[light="{light}"]' in sheet
    assert "QFrame#noticeBanner" in sheet
    assert app.palette().color(QPalette.ColorRole.Window) == theme_palette(name).color(
        QPalette.ColorRole.Window
    )
    assert app.property("theme") == name


def test_dark_is_dark_grey_not_black() -> None:
    window = theme_palette("dark").color(QPalette.ColorRole.Window)
    assert window != QColor("#000000")
    assert 0.08 < window.lightnessF() < 0.3
    assert theme_palette("light").color(QPalette.ColorRole.Window).lightnessF() > 0.9


def test_unknown_theme_is_refused(app: QApplication) -> None:
    with pytest.raises(ValueError, match="unknown theme"):
        apply_theme(app, "sepia")


@pytest.mark.parametrize("name", ["light", "dark"])
def test_chip_colours_render_and_differ(app: QApplication, qtbot: Any, name: str) -> None:
    apply_theme(app, name)
    colours = {}
    for light in ("green", "yellow", "red", "none"):
        chip = QLabel("剩余 1小时")
        chip.setObjectName("lightChip")
        chip.setProperty("light", light)
        qtbot.addWidget(chip)
        chip.resize(120, 24)
        chip.ensurePolished()
        image = chip.grab().toImage()
        colours[light] = image.pixelColor(3, image.height() // 2).name()
    assert len(set(colours.values())) == 4, colours
    red, green = QColor(colours["red"]), QColor(colours["green"])
    assert red.red() > red.green() and green.green() > green.red()
