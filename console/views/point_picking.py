"""A dialog that takes its point from clicks on the main window's map while it is open."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QWidget

from console.views.map_surface import MapSurface


class PointPickingDialog(QDialog):
    """Non-modal, beside the map dock: the map's pick mode is on from the start and off again
    (its signal let go) however the dialog ends, so a later click selects cases as usual."""

    def __init__(self, map_view: MapSurface, parent: QWidget) -> None:
        super().__init__(parent)
        self.map: MapSurface | None = map_view
        map_view.point_picked.connect(self._on_map_point_picked)
        map_view.set_pick_mode(True)

    def set_point(self, lon: float, lat: float) -> None:
        """A point clicked on the map (or given by a test)."""
        raise NotImplementedError

    def _on_map_point_picked(self, lon: float, lat: float) -> None:
        self.set_point(lon, lat)

    def done(self, result: int) -> None:
        self._stop_picking()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop_picking()
        super().closeEvent(event)

    def _stop_picking(self) -> None:
        if self.map is not None:
            self.map.point_picked.disconnect(self._on_map_point_picked)
            self.map.set_pick_mode(False)
            self.map = None
