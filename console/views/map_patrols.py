"""The field on the main window's map: 巡查人员, 今日轨迹 and 巡查覆盖 (issue 15).

Patrol points are written by the gateway's process (``/api/v1/patrols``) and never pass the
change feed, which carries ``case_events`` only. So the layers are read again on a timer —
every :data:`REFRESH_MS` while the map is on screen, and at once when the page (re)loads or
the map is shown again — through the bridge's long-work worker (``Workbench.patrol_layers``,
today's positions, simplified tracks and coverage as compact JSON), so the interactive reads
never queue behind it. An unchanged answer is not sent to the page again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

from console.bridge import Bridge
from console.errors import ConsoleError, PermissionDeniedError
from console.services.duty_roster import role_labels
from console.views.labels import role_text
from console.views.map_surface import MapSurface

log = logging.getLogger(__name__)

#: How often the layers are read while the map is visible.
REFRESH_MS = 30_000
#: The layers with nobody on them.
_EMPTY = '{"people":[],"tracks":[],"coverage":[]}'


def patrol_labels() -> dict[str, Any]:
    """The overlays', legend's and popups' words in the interface language."""
    return {
        "people": QCoreApplication.translate("Map", "Patrol staff"),
        "tracks": QCoreApplication.translate("Map", "Today's tracks"),
        "coverage": QCoreApplication.translate("Map", "Patrol coverage"),
        # who walks patrols (inspectors and 一格七员): roles.csv's names, the first two as
        # the map has always called them
        "roles": {code: role_text(code) for code in role_labels()}
        | {
            "inspector": QCoreApplication.translate("Map", "Inspector"),
            "grid_manager": QCoreApplication.translate("Map", "Grid manager"),
        },
        "lastSeen": QCoreApplication.translate("Map", "Last position"),
        "justNow": QCoreApplication.translate("Map", "just now"),
        "minutesAgo": QCoreApplication.translate("Map", "%1 min ago"),
        "accuracy": QCoreApplication.translate("Map", "Accuracy ±%1 m"),
        "open": QCoreApplication.translate("Map", "On patrol"),
        "ended": QCoreApplication.translate("Map", "Patrol ended"),
        "stale": QCoreApplication.translate("Map", "No position for 5 min or more"),
        "coverageLegend": QCoreApplication.translate("Map", "Patrolled today (metres per grid)"),
        "unvisited": QCoreApplication.translate("Map", "Not patrolled"),
    }


class PatrolLayers(QObject):
    """Keeps the map's patrol overlays current. ``read`` runs on the bridge's worker and
    returns the layers' JSON; ``visible`` says whether the map is on screen."""

    def __init__(
        self,
        bridge: Bridge,
        read: Callable[[], str],
        surface: MapSurface,
        visible: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.read = read
        self.surface = surface
        self.visible = visible
        self.labels = patrol_labels()
        self._last: str | None = None
        self._pending: Future[None] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()
        surface.ready.connect(self._on_surface_ready)

    def refresh(self) -> None:
        """Read the layers now (unless a read is under way)."""
        if self._pending is not None and not self._pending.done():
            return
        # On the long-work worker: the first read of a full day (200 people × 8 h) is half a
        # million points, seconds the queue's and the detail's reads should not wait for (the
        # later reads fetch only the new points).
        try:
            self._pending = self.bridge.submit_long(self.read, self._show, self._on_read_failed)
        except RuntimeError:  # the bridge has shut down (the window is closing): no more ticks
            self.timer.stop()

    def on_visibility_changed(self, shown: bool) -> None:
        """The map shown again (its dock raised or opened): bring it up to date at once."""
        if shown and self.surface.is_ready:
            self.refresh()

    def _on_surface_ready(self) -> None:
        self._last = None  # a new page starts empty: send everything
        self.refresh()

    def _on_timer_timeout(self) -> None:
        if self.surface.is_ready and self.visible():
            self.refresh()

    def _show(self, layers_json: str) -> None:
        # The read is over once its answer is here: its future may be marked done only after
        # the answer was posted, and a refresh() in between must not be skipped as "under way".
        self._pending = None
        if layers_json == self._last:
            return
        self._last = layers_json
        self.surface.set_patrols(layers_json, self.labels)

    def _on_read_failed(self, exc: ConsoleError) -> None:
        self._pending = None
        # The feed's banner already says when the database is away: no status-bar message
        # every half minute; the next tick tries again.
        log.info("patrol layers not read: %s", exc)
        if isinstance(exc, PermissionDeniedError) and self._last != _EMPTY:
            # A seat switched to a role that may not see people's positions: none stay shown.
            self._last = _EMPTY
            self.surface.set_patrols(_EMPTY, self.labels)
