"""A system-tray notification for new alerts while the console window is minimised or behind.

:class:`TrayNotifier` shows nothing on its own: the main window passes new alert records
(console.services.supervision.AlertRecord, read by attribute only) to :meth:`notify`. Where the
desktop has no system tray (offscreen, some Linux sessions) it is unavailable and every call is
a no-op. Clicking the icon or the message brings the window back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

if TYPE_CHECKING:
    from console.services.supervision import AlertRecord

#: How many alert messages the notification body lists.
BODY_LINES = 3
#: How long the notification stays up, in milliseconds.
MESSAGE_MS = 10_000
_SEVERE = {"overdue", "supervise_1", "supervise_2", "supervise_3"}


def fallback_icon(size: int = 64) -> QIcon:
    """A red disc with a white bar, for a window without an icon."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#cf222e"))
    painter.drawEllipse(2, 2, size - 4, size - 4)
    painter.setBrush(QColor("#ffffff"))
    # whole pixels, as PySide6 has always drawn these (it truncated the floats)
    x, y, w, h = (int(size * f) for f in (0.44, 0.2, 0.12, 0.4))
    painter.drawRoundedRect(x, y, w, h, 2, 2)
    x, y, w, h = (int(size * f) for f in (0.43, 0.68, 0.14, 0.14))
    painter.drawEllipse(x, y, w, h)
    painter.end()
    return QIcon(pixmap)


class TrayNotifier(QObject):
    """Tray icon plus "N new alerts" balloon when the window is not in front."""

    def __init__(self, window: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self._window = window
        self._icon: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon()
            self._icon = QSystemTrayIcon(icon if not icon.isNull() else fallback_icon(), self)
            self._icon.setToolTip(window.windowTitle())
            self._icon.activated.connect(self._on_icon_activated)
            self._icon.messageClicked.connect(self._on_icon_message_clicked)
            self._icon.show()

    @property
    def available(self) -> bool:
        """True when the desktop has a system tray and the icon is shown."""
        return self._icon is not None

    def window_in_background(self) -> bool:
        """True when the window is minimised, hidden or not the active window."""
        window = self._window
        return window.isMinimized() or not window.isVisible() or not window.isActiveWindow()

    def notify(self, records: Sequence[AlertRecord]) -> bool:
        """Show "N new alerts" with the first messages; True when a message was shown.

        Nothing is shown without a tray, without records, or while the window is in front.
        """
        if self._icon is None or not records or not self.window_in_background():
            return False
        self._icon.showMessage(
            self.title_for(len(records)),
            self.body_for(records),
            QSystemTrayIcon.MessageIcon.Critical
            if any(r.level in _SEVERE for r in records)
            else QSystemTrayIcon.MessageIcon.Warning,
            MESSAGE_MS,
        )
        return True

    def set_unacknowledged_count(self, count: int) -> None:
        """Show the unacknowledged count in the icon's tooltip."""
        if self._icon is None:
            return
        title = self._window.windowTitle()
        if count:
            line = self.tr("Unacknowledged alerts: %1").replace("%1", str(count))
            title = f"{title} — {line}" if title else line
        self._icon.setToolTip(title)

    def title_for(self, count: int) -> str:
        return self.tr("%n new alert(s)", "", count)

    def body_for(self, records: Sequence[AlertRecord]) -> str:
        """The first messages, one line each (plain text; notifications do not render HTML)."""
        lines = []
        for record in records[:BODY_LINES]:
            message = " ".join(str(record.message or "").split())
            number = str(record.case_number or "")
            lines.append(f"{number}  {message}".strip())
        if len(records) > BODY_LINES:
            lines.append(self.tr("… and %1 more").replace("%1", str(len(records) - BODY_LINES)))
        return "\n".join(lines)

    def cleanup(self) -> None:
        """Remove the icon from the tray (call before the window closes)."""
        if self._icon is not None:
            self._icon.hide()

    def _on_icon_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self._restore_window()

    def _on_icon_message_clicked(self) -> None:
        self._restore_window()

    def _restore_window(self) -> None:
        window = self._window
        if window.isMinimized():
            window.showNormal()
        else:
            window.show()
        window.raise_()
        window.activateWindow()
