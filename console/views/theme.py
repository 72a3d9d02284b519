"""Light and dark (night shift) themes: a QPalette plus resources/themes/<name>.qss.

The palette colours the ordinary widgets (on the Fusion style, which honours palettes on every
platform); the style sheet adds the console's own marks: the traffic-light chip
(``QLabel#lightChip[light="red"]``), the urgent badge, the state chip and the notice banner.
The dark theme is a dark grey, not black, and keeps red, yellow and green apart.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from console.config import LOCAL_TZ, resource

THEMES = ("light", "dark")

# role → (light, dark)
_PALETTE: dict[QPalette.ColorRole, tuple[str, str]] = {
    QPalette.ColorRole.Window: ("#f4f5f7", "#23272e"),
    QPalette.ColorRole.WindowText: ("#1f2328", "#d7dce2"),
    QPalette.ColorRole.Base: ("#ffffff", "#1b1f24"),
    QPalette.ColorRole.AlternateBase: ("#f0f2f5", "#262b32"),
    QPalette.ColorRole.ToolTipBase: ("#ffffe1", "#30363f"),
    QPalette.ColorRole.ToolTipText: ("#1f2328", "#e6e9ed"),
    QPalette.ColorRole.PlaceholderText: ("#8a8f98", "#7d8590"),
    QPalette.ColorRole.Text: ("#1f2328", "#d7dce2"),
    QPalette.ColorRole.Button: ("#e9ecef", "#2d333b"),
    QPalette.ColorRole.ButtonText: ("#1f2328", "#d7dce2"),
    QPalette.ColorRole.BrightText: ("#d1242f", "#ff7b72"),
    QPalette.ColorRole.Light: ("#ffffff", "#3a414b"),
    QPalette.ColorRole.Midlight: ("#e1e4e8", "#333a43"),
    QPalette.ColorRole.Mid: ("#b8bfc7", "#444c56"),
    QPalette.ColorRole.Dark: ("#8c959f", "#161a1f"),
    QPalette.ColorRole.Shadow: ("#57606a", "#0d1014"),
    QPalette.ColorRole.Highlight: ("#0969da", "#2f6fb5"),
    QPalette.ColorRole.HighlightedText: ("#ffffff", "#ffffff"),
    QPalette.ColorRole.Link: ("#0969da", "#6cb6ff"),
    QPalette.ColorRole.LinkVisited: ("#8250df", "#b083f0"),
}
_DISABLED: dict[QPalette.ColorRole, tuple[str, str]] = {
    QPalette.ColorRole.WindowText: ("#9aa1a9", "#6e7681"),
    QPalette.ColorRole.Text: ("#9aa1a9", "#6e7681"),
    QPalette.ColorRole.ButtonText: ("#9aa1a9", "#6e7681"),
    QPalette.ColorRole.Button: ("#eef0f2", "#272c33"),
}


def theme_palette(name: str) -> QPalette:
    """The palette of theme ``name`` ("light" or "dark")."""
    index = _theme_index(name)
    palette = QPalette()
    for role, colours in _PALETTE.items():
        palette.setColor(role, QColor(colours[index]))
    for role, colours in _DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colours[index]))
    return palette


def theme_style_sheet(name: str) -> str:
    """The text of resources/themes/<name>.qss."""
    _theme_index(name)
    return resource("themes", f"{name}.qss").read_text(encoding="utf-8")


def apply_theme(app: QApplication, name: str) -> None:
    """Switch the whole application to theme ``name`` ("light" or "dark")."""
    sheet = theme_style_sheet(name)
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")  # the native styles on Windows/macOS ignore most of a palette
    app.setPalette(theme_palette(name))
    app.setStyleSheet(sheet)
    app.setProperty("theme", name)


def theme_for_time(
    now: datetime, night_start: time = time(19, 0), night_end: time = time(7, 0)
) -> str:
    """ "dark" from ``night_start`` (inclusive) to ``night_end`` (exclusive), else "light".

    An aware ``now`` is read in the district's time (Asia/Shanghai); a naive one as is. The
    night may wrap midnight (19:00–07:00) or not (00:00–06:00); equal bounds mean no night.
    """
    if now.tzinfo is not None:
        now = now.astimezone(LOCAL_TZ)
    t = now.time().replace(tzinfo=None)
    if night_start == night_end:
        return "light"
    if night_start < night_end:
        night = night_start <= t < night_end
    else:
        night = t >= night_start or t < night_end
    return "dark" if night else "light"


def _theme_index(name: str) -> int:
    try:
        return THEMES.index(name)
    except ValueError:
        raise ValueError(f"unknown theme {name!r} (one of {', '.join(THEMES)})") from None
