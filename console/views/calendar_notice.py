"""Saying it where people look: the working calendar is provisional (法定假日推算).

While the current year, or from 1 November the next, has no official holiday schedule, the
status bar carries the notice, and so does the top of the alerts dock for those who answer for
the deadlines at night (the duty chief) and for the admin who loads the schedule. The year comes
from the services (Workbench.calendar_notice), re-read on the window's count timer.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar, QVBoxLayout, QWidget

from console.bridge import Bridge
from console.services.workbench import Workbench

#: Roles whose alerts dock carries the notice.
ALERT_ROLES = frozenset({"duty_chief", "admin"})


class CalendarNotice(QObject):
    def __init__(self, bridge: Bridge, workbench: Workbench, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.bridge = bridge
        self.workbench = workbench
        self.text: str | None = None
        self.status_label = QLabel(bar)
        self.status_label.setObjectName("calendarNotice")
        self.status_label.setProperty("error", True)
        self.status_label.hide()
        bar.addPermanentWidget(self.status_label)
        self.banner = QLabel()
        self.banner.setObjectName("alertsCalendarNotice")
        self.banner.setWordWrap(True)
        self.banner.setProperty("error", True)
        self.banner.hide()

    def wrap_alerts(self, panel: QWidget) -> QWidget:
        """The alerts panel with the notice above it (what the dock shows)."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(panel, 1)
        return box

    def refresh(self) -> None:
        self.bridge.submit(self.workbench.calendar_notice, self._show)

    def _show(self, year: int | None) -> None:
        text = None
        if year is not None:
            text = self.tr(
                "The %1 holiday schedule is not loaded: deadlines count the statutory holidays"
                " (provisional)"
            ).replace("%1", str(year))
        self.text = text
        self.status_label.setText(text or "")
        self.status_label.setToolTip(
            self.tr("File → Holiday calendar…: load the State Council's schedule")
        )
        self.status_label.setVisible(bool(text))
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text) and self.workbench.actor.role in ALERT_ROLES)
