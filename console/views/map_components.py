"""The component register on the main window's map (issue 17): the 部件 layer, the repeat
offenders' layer and list, and a component's popup with its cases.

The seat's whole register (a street seat: its street's) is read once, when the page is ready,
on the long-work worker (100,000 objects are a few hundred ms of reading the district's SQLite
file), and handed to the page's canvas layer (resources/map/component_layer.js); pans and the
class filter then happen in the page alone. Every :data:`REFRESH_MS` while the map is on
screen, only the objects changed since (their updated_at) and the repeat offenders are read
again. A click on an object reads its card (the object and its newest cases) through the
bridge and opens the popup with it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from console.bridge import Bridge
from console.errors import ConsoleError
from console.services.components.map_desk import ComponentMapDesk, LayerPayload
from console.services.components.map_layer import ComponentCard, ComponentClass, status_colors
from console.services.components.repeats import RepeatOffender
from console.services.components.rules import register_rules, statuses
from console.views.i18n import pick
from console.views.labels import state_text
from console.views.map_surface import MapSurface
from console.views.repeat_offenders_panel import RepeatOffendersPanel

log = logging.getLogger(__name__)

#: How often the changed objects and the repeat offenders are read while the map is visible.
REFRESH_MS = 60_000


def _js(value: Any) -> str:
    """``value`` as a JS expression through JSON.parse: data, never code."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"JSON.parse({json.dumps(text, ensure_ascii=False)})"


def component_options(classes: Sequence[ComponentClass]) -> dict[str, Any]:
    """The page's set-up: words in the interface language, status colours, the classes."""

    colors = status_colors()
    return {
        "minZoom": register_rules().layer_min_zoom,
        "labels": {
            "layer": QCoreApplication.translate("ComponentMap", "Components"),
            "repeats": QCoreApplication.translate("ComponentMap", "Repeat offenders"),
            "hint": QCoreApplication.translate(
                "ComponentMap", "Zoom in to level %1 to see components"
            ),
            "filter": QCoreApplication.translate("ComponentMap", "Component class"),
            "allMajors": QCoreApplication.translate("ComponentMap", "All classes"),
            "allItems": QCoreApplication.translate("ComponentMap", "All items"),
            "owner": QCoreApplication.translate("ComponentMap", "Owner department"),
            "cases": QCoreApplication.translate("ComponentMap", "Cases (%1)"),
            "noCases": QCoreApplication.translate("ComponentMap", "No cases"),
            "more": QCoreApplication.translate("ComponentMap", "%1 more"),
            "repeatCases": QCoreApplication.translate("ComponentMap", "%1 cases"),
            "states": {code: state_text(code) for code in _state_codes()},
        },
        "statuses": {
            code: {"label": pick(s.label_zh, s.label_en), "color": colors[code]}
            for code, s in statuses().items()
        },
        "classes": [[c.code, c.name, c.major_code, c.major_name, c.count] for c in classes],
    }


def _state_codes() -> list[str]:
    from console.domain.lifecycle import STATE_LABELS

    return list(STATE_LABELS)


def repeat_rows(offenders: Sequence[RepeatOffender]) -> str:
    return json.dumps(
        [[o.component_id, o.lon, o.lat, o.cases, o.identifier, o.name] for o in offenders],
        ensure_ascii=False,
    )


class ComponentLayers(QObject):
    """Keeps the map's register layers and the repeat-offender list current. ``desk`` gives
    the acting seat's ComponentMapDesk (called on the worker); ``visible`` says whether the map
    is on screen. ``focus_requested`` asks the window to show the map (a row was chosen)."""

    focus_requested = Signal()

    def __init__(
        self,
        bridge: Bridge,
        desk: Callable[[], ComponentMapDesk],
        surface: MapSurface,
        visible: Callable[[], bool],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.desk = desk
        self.surface = surface
        self.visible = visible
        self.panel = RepeatOffendersPanel()
        self.offenders: list[RepeatOffender] = []
        self._until: datetime | None = None
        self._loading: Future[None] | None = None
        self._generation = 0  # a new page or a new seat: older answers are dropped
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.timer.start()
        surface.ready.connect(self.reload)
        surface.component_clicked.connect(self.open_card)
        self.panel.chosen.connect(self.show_component)
        self.panel.refresh_requested.connect(self.read_repeats)

    # --- reading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Everything again: the page (re)loaded or another person took the seat."""
        self._generation += 1
        generation = self._generation
        self._until = None

        def read() -> tuple[list[ComponentClass], LayerPayload]:
            desk = self.desk()
            return desk.classes(), desk.layer()

        def show(result: tuple[list[ComponentClass], LayerPayload]) -> None:
            self._loading = None
            if generation != self._generation:
                return
            classes, payload = result
            self._until = payload.until
            self.surface.run_when_ready(
                f"consoleComponents.setup({_js(component_options(classes))})"
            )
            self.surface.run_when_ready(f"consoleComponents.load({_js(payload.json)})")
            self.surface.run_when_ready(f"consoleComponents.setRepeats({_js(self._repeats)})")

        self._repeats = repeat_rows(self.offenders)
        self._loading = self._submit_long(read, show)
        self.read_repeats()

    def read_repeats(self) -> None:
        generation = self._generation

        def show(offenders: list[RepeatOffender]) -> None:
            if generation != self._generation:
                return
            self.offenders = offenders
            self.panel.show_offenders(offenders)
            self._repeats = repeat_rows(offenders)
            self.surface.run_when_ready(f"consoleComponents.setRepeats({_js(self._repeats)})")

        self.bridge.submit(lambda: self.desk().repeats(), show, self._on_read_failed)

    def refresh(self) -> None:
        """The objects changed since the last read, and the repeat offenders."""
        if self._until is None or (self._loading is not None and not self._loading.done()):
            return
        generation, since = self._generation, self._until

        def show(payload: LayerPayload) -> None:
            if generation != self._generation:
                return
            self._until = payload.until
            if payload.count:
                self.surface.run_when_ready(f"consoleComponents.load({_js(payload.json)})")

        self._submit_long(lambda: self.desk().layer(since), show)
        self.read_repeats()

    def _submit_long(self, call: Callable[[], Any], show: Callable[[Any], None]) -> Future[None]:
        return self.bridge.submit_long(call, show, self._on_read_failed)

    def _on_timer_timeout(self) -> None:
        if self.surface.is_ready and self.visible():
            self.refresh()

    def _on_read_failed(self, exc: ConsoleError) -> None:
        self._loading = None
        log.info("component layers not read: %s", exc)

    # --- the popup and the list ------------------------------------------------------------

    def open_card(self, component_id: int) -> None:
        """Read the object's card and open its popup (a click on the map or a chosen row)."""
        generation = self._generation

        def show(card: ComponentCard) -> None:
            if generation == self._generation:
                self.surface.run_when_ready(f"consoleComponents.showCard({_js(card.to_json())})")

        self.bridge.submit(lambda: self.desk().card(component_id), show)

    def show_component(self, component_id: int, lon: float, lat: float) -> None:
        """Centre the map on the object at the layer's zoom and open its popup."""
        self.focus_requested.emit()
        self.surface.run_when_ready(
            f"consoleComponents.focus({int(component_id)}, {float(lon)!r}, {float(lat)!r})"
        )
        self.open_card(component_id)
