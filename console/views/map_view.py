"""The map widget: the folium-built page in Qt WebEngine, driven through a small JS API.

Anki's pattern (style anchors rule 11): the page is a local file loaded by URL; one QObject on a
QWebChannel carries the page's messages back (``pageReady``, ``caseClicked``); every JS call is
queued until the page reported ready, then run in order. Calls are small and carry JSON only —
the view never sees the ORM: the caller hands it ``marker_json(...)`` text and plain dicts.

When the page is (re)loaded the JS state starts empty: the owner listens to ``ready`` and pushes
the full state again (calls queued before ``ready`` are applied after it, in order).
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from console.views.current_case import CurrentCase
from console.views.tile_scheme import MbtilesSchemeHandler, install_mbtiles

log = logging.getLogger(__name__)

JsCallback = Callable[[Any], None]


class MapBridge(QObject):
    """The one object the page sees over QWebChannel (as ``bridge``)."""

    page_ready = Signal()
    case_clicked = Signal(int)
    point_picked = Signal(float, float)
    component_clicked = Signal(int)

    @Slot()
    def pageReady(self) -> None:
        self.page_ready.emit()

    @Slot(int)
    def caseClicked(self, case_id: int) -> None:
        self.case_clicked.emit(int(case_id))

    @Slot(float, float)
    def pointPicked(self, lon: float, lat: float) -> None:
        self.point_picked.emit(float(lon), float(lat))

    @Slot(int)
    def componentClicked(self, component_id: int) -> None:
        self.component_clicked.emit(int(component_id))


class _MapPage(QWebEnginePage):
    """Logs the page's console and keeps it on its own file (no navigation away)."""

    def javaScriptConsoleMessage(
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        log.debug("map js [%s] %s:%s %s", level.name, source, line, message)

    def acceptNavigationRequest(
        self, url: QUrl | str, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        if kind == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            return False  # e.g. an attribution link: never leave the map page
        return super().acceptNavigationRequest(url, kind, is_main_frame)


class MapView(QWebEngineView):
    """The district map. Signals: ``case_clicked(id)``, ``ready()``, ``point_picked(lon, lat)``
    (a map click while :meth:`set_pick_mode` is on, WGS-84), ``component_clicked(id)`` (the
    register's layer: console.views.map_components)."""

    case_clicked = Signal(int)
    point_picked = Signal(float, float)
    component_clicked = Signal(int)
    ready = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._page = _MapPage(self)
        self.setPage(self._page)
        self._bridge = MapBridge(self)
        self._channel = QWebChannel(self._page)
        self._channel.registerObject("bridge", self._bridge)
        self._page.setWebChannel(self._channel)
        self._bridge.page_ready.connect(self._on_page_ready)
        self._bridge.case_clicked.connect(self.case_clicked)
        self._bridge.point_picked.connect(self.point_picked)
        self._bridge.component_clicked.connect(self.component_clicked)
        self._page.loadFinished.connect(self._on_load_finished)
        self._queue: deque[tuple[str, JsCallback | None]] = deque()
        self._ready = False
        self._tiles: MbtilesSchemeHandler | None = None

    # --- page ----------------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        return self._ready

    def load_page(self, path: Path) -> None:
        """Load the page built by ``build_map_page`` (by URL; JS calls wait for ``ready``)."""
        self._ready = False
        self.load(QUrl.fromLocalFile(str(Path(path).resolve())))

    def use_mbtiles(self, path: Path) -> None:
        """Serve a local MBTiles file as ``mbtiles://tiles/...`` (before ``load_page``)."""
        self._tiles = install_mbtiles(self._page.profile(), Path(path))

    def _on_load_finished(self, ok: bool) -> None:
        if not ok:
            log.warning("map page failed to load: %s", self.url().toString())

    def _on_page_ready(self) -> None:
        self._ready = True
        while self._queue and self._ready:
            script, callback = self._queue.popleft()
            self._run_now(script, callback)
        self.ready.emit()

    def follow(self, current: CurrentCase) -> None:
        """Pan to the current case; a clicked marker's case becomes current."""
        current.changed.connect(self.focus_case)
        self.case_clicked.connect(current.set)

    # --- JS calls ------------------------------------------------------------------------

    def _run_now(self, script: str, callback: JsCallback | None) -> None:
        if callback is None:
            self._page.runJavaScript(script)
        else:
            self._page.runJavaScript(script, 0, callback)

    def run_when_ready(self, script: str, callback: JsCallback | None = None) -> None:
        """Run ``script`` now if the page is ready, else queue it (in order) until it is."""
        if self._ready:
            self._run_now(script, callback)
        else:
            self._queue.append((script, callback))

    def upsert_cases(self, markers_json: str, callback: JsCallback | None = None) -> None:
        """Add or update markers; ``markers_json`` from ``map_data.marker_json``.

        The text goes in as a JS string and through ``JSON.parse``: data, never code.
        ``callback`` gets the marker count once the JS has finished.
        """
        literal = json.dumps(markers_json, ensure_ascii=False)
        self.run_when_ready(f"consoleMap.upsertCases(JSON.parse({literal}))", callback)

    def remove_cases(self, ids: Iterable[int], callback: JsCallback | None = None) -> None:
        payload = json.dumps([int(i) for i in ids])
        self.run_when_ready(f"consoleMap.removeCases({payload})", callback)

    def set_cases(self, markers_json: str, callback: JsCallback | None = None) -> None:
        """Make the case layer exactly these markers (the others removed): a new 职能 filter.
        Data through ``JSON.parse``, as :meth:`upsert_cases`."""
        literal = json.dumps(markers_json, ensure_ascii=False)
        self.run_when_ready(f"consoleMap.setCases(JSON.parse({literal}))", callback)

    def focus_case(self, case_id: int, callback: JsCallback | None = None) -> None:
        self.run_when_ready(f"consoleMap.focusCase({int(case_id)})", callback)

    def focus_grid(self, grid_id: int, callback: JsCallback | None = None) -> None:
        """Fit the map to one grid (the grid staff dock's choice)."""
        self.run_when_ready(f"consoleMap.focusGrid({int(grid_id)})", callback)

    def wall_mode(self, scale: float, callback: JsCallback | None = None) -> None:
        """Read-only wall: no controls, the district fitted, clusters ``scale`` times larger."""
        self.run_when_ready(f"consoleMap.wallMode({float(scale):.3f})", callback)

    def set_dark(self, on: bool, callback: JsCallback | None = None) -> None:
        """The dark map (night shift, the wall)."""
        self.run_when_ready(f"consoleMap.setDark({'true' if on else 'false'})", callback)

    def set_pick_mode(self, on: bool, callback: JsCallback | None = None) -> None:
        """While on, a click on the map picks a point (``point_picked``); off clears its mark."""
        self.run_when_ready(f"consoleMap.setPickMode({'true' if on else 'false'})", callback)

    def show_pick(self, lon: float, lat: float, callback: JsCallback | None = None) -> None:
        """Mark a point (WGS-84), e.g. typed into the report form."""
        self.run_when_ready(f"consoleMap.showPick({float(lon)!r}, {float(lat)!r})", callback)

    def set_grid_style(self, counts: Mapping[int, int], callback: JsCallback | None = None) -> None:
        """Choropleth of open cases per grid (grid id → count)."""
        payload = json.dumps({str(int(k)): int(v) for k, v in counts.items()})
        self.run_when_ready(f"consoleMap.setGridStyle({payload})", callback)

    def set_patrols(
        self,
        layers_json: str,
        labels: Mapping[str, Any] | None = None,
        callback: JsCallback | None = None,
    ) -> None:
        """The field's three overlays (巡查人员, 今日轨迹, 巡查覆盖), made at the first call with
        ``labels``; ``layers_json`` from ``PatrolLayers.to_json``, through ``JSON.parse``.
        ``callback`` gets what the page holds then: a dict of people, tracks, vertices and
        visited grids."""
        data = json.dumps(layers_json, ensure_ascii=False)
        names = json.dumps(json.dumps(dict(labels or {}), ensure_ascii=False), ensure_ascii=False)
        done = None
        if callback is not None:
            answer = callback

            def done(text: Any) -> None:  # the page answers JSON text (see console_map.js)
                answer(json.loads(text) if isinstance(text, str) and text else None)

        self.run_when_ready(f"consoleMap.setPatrols(JSON.parse({data}), JSON.parse({names}))", done)
