"""The strip across the main window while the database server cannot be reached.

A fixed tool bar on a line of its own under the others, so it spans the window above the queue
and the docks without moving them about. It follows Bridge.database_reachable_changed: shown
with the last time the server answered, hidden once it answers again. The themes colour it as
the other notices (``QFrame#noticeBanner``, ``QLabel#noticeText``).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolBar, QWidget

from console.config import LOCAL_TZ


class ConnectionBanner(QToolBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connection_banner")
        self.setWindowTitle(self.tr("Database connection"))
        self.setMovable(False)
        self.setFloatable(False)
        self.toggleViewAction().setVisible(False)  # it shows when needed, not on request
        frame = QFrame()
        frame.setObjectName("noticeBanner")
        frame.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        layout = QHBoxLayout(frame)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.label, 1)
        self.addWidget(frame)
        self.hide()

    def on_reachable_changed(self, reachable: bool, last_reached: datetime | None) -> None:
        if reachable:
            self.hide()
            return
        self.label.setText(self.message(last_reached))
        self.show()

    def message(self, last_reached: datetime | None) -> str:
        when = last_reached.astimezone(LOCAL_TZ).strftime("%H:%M:%S") if last_reached else "—"
        return self.tr(
            "The connection to the database server was lost, reconnecting… Last success: %1"
        ).replace("%1", when)
