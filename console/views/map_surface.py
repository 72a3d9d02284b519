"""What the windows ask of the map: :class:`MapSurface`, met by both map widgets.

The main window, the wall and the report form drive the map through these calls and signals
only. Two widgets answer them: ``MapView`` (the folium page in Qt WebEngine) and ``NoMapView``
(the banner where WebEngine cannot run, whose calls do nothing). :data:`MapWidget` is the widget
itself, for the windows that also put it in a dock or a layout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from PySide6.QtCore import SignalInstance

if TYPE_CHECKING:  # MapView imports Qt WebEngine, which may not load (see map_fallback)
    from console.views.current_case import CurrentCase
    from console.views.map_fallback import NoMapView
    from console.views.map_view import MapView

#: A JS call's result handler (the result as JSON-decoded Python).
JsCallback = Callable[[Any], None]


class MapSurface(Protocol):
    """The map's signals and calls; each call may be queued until the page is ready."""

    @property
    def case_clicked(self) -> SignalInstance:
        """(case id) a marker was clicked."""
        ...

    @property
    def point_picked(self) -> SignalInstance:
        """(lon, lat) a map click in pick mode, WGS-84."""
        ...

    @property
    def component_clicked(self) -> SignalInstance:
        """(component id) an object of the register's layer was clicked."""
        ...

    @property
    def ready(self) -> SignalInstance:
        """The page is (re)loaded and empty: push the full state again."""
        ...

    @property
    def is_ready(self) -> bool: ...

    def load_page(self, path: Path) -> None: ...

    def use_mbtiles(self, path: Path) -> None: ...

    def follow(self, current: CurrentCase) -> None: ...

    def run_when_ready(self, script: str, callback: JsCallback | None = None) -> None:
        """Run a page script once the page is ready (layers with their own JS API)."""
        ...

    def upsert_cases(self, markers_json: str, callback: JsCallback | None = None) -> None: ...

    def remove_cases(self, ids: Iterable[int], callback: JsCallback | None = None) -> None: ...

    def set_cases(self, markers_json: str, callback: JsCallback | None = None) -> None:
        """The case layer becomes exactly these markers (the map's 职能 filter changed)."""
        ...

    def focus_case(self, case_id: int, callback: JsCallback | None = None) -> None: ...

    def focus_grid(self, grid_id: int, callback: JsCallback | None = None) -> None: ...

    def wall_mode(self, scale: float, callback: JsCallback | None = None) -> None: ...

    def set_dark(self, on: bool, callback: JsCallback | None = None) -> None: ...

    def set_pick_mode(self, on: bool, callback: JsCallback | None = None) -> None: ...

    def show_pick(self, lon: float, lat: float, callback: JsCallback | None = None) -> None: ...

    def set_grid_style(
        self, counts: Mapping[int, int], callback: JsCallback | None = None
    ) -> None: ...

    def set_patrols(
        self,
        layers_json: str,
        labels: Mapping[str, Any] | None = None,
        callback: JsCallback | None = None,
    ) -> None:
        """The field's overlays: people on patrol, today's tracks, today's coverage."""
        ...


#: The map as a widget (for a dock or a layout) with the :class:`MapSurface` calls.
MapWidget: TypeAlias = "MapView | NoMapView"
