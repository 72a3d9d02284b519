"""The map when Qt WebEngine cannot run: the console goes on without it and says why.

Chromium does not fail politely: run as root with its sandbox on, it ends the whole process
the moment the first page starts (``Running as root without --no-sandbox is not supported``),
and a missing system library makes the import itself fail. Neither can be caught once it
happens, so the problem is found before any WebEngine object exists, and the map dock then
holds a banner with the reason instead of the map.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from console.views.current_case import CurrentCase
    from console.views.map_surface import MapWidget

log = logging.getLogger(__name__)

#: WebEngine's own switch for the sandbox (as good as --no-sandbox in its flags).
DISABLE_SANDBOX_ENV = "QTWEBENGINE_DISABLE_SANDBOX"
FLAGS_ENV = "QTWEBENGINE_CHROMIUM_FLAGS"

ROOT_SANDBOX = "root_sandbox"
NOT_LOADED = "not_loaded"


@dataclass(frozen=True)
class WebEngineProblem:
    """Why the map cannot run: ``kind`` (ROOT_SANDBOX, NOT_LOADED) and the system's words."""

    kind: str
    detail: str = ""


def _sandbox_off() -> bool:
    flags = os.environ.get(FLAGS_ENV, "").split()
    return "--no-sandbox" in flags or os.environ.get(DISABLE_SANDBOX_ENV, "") not in ("", "0")


@cache
def webengine_problem() -> WebEngineProblem | None:
    """What stops Qt WebEngine here, or None when the map can run (asked once a process)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not _sandbox_off():
        problem = WebEngineProblem(ROOT_SANDBOX)
    else:
        try:
            import PySide6.QtWebEngineWidgets  # noqa: F401  (a missing .so fails right here)
        except ImportError as exc:
            problem = WebEngineProblem(NOT_LOADED, str(exc))
        else:
            return None
    log.warning("Qt WebEngine unavailable, the console runs without the map: %s", problem)
    return problem


def create_map_view() -> MapWidget:
    """The map view, or the banner that stands in for it when WebEngine cannot run."""
    problem = webengine_problem()
    if problem is not None:
        return NoMapView(problem)
    from console.views.map_view import MapView

    return MapView()


JsCallback = Callable[[Any], None]


class NoMapView(QFrame):
    """Stands in for MapView: the same signals and calls, which do nothing; a banner says why.

    ``ready`` never fires, so nothing waits on it (the window is told there is no map page).
    """

    case_clicked = Signal(int)
    point_picked = Signal(float, float)
    component_clicked = Signal(int)
    ready = Signal()

    def __init__(self, problem: WebEngineProblem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problem = problem
        banner = QFrame()
        banner.setObjectName("noticeBanner")
        self.label = QLabel(self.message())
        self.label.setObjectName("noticeText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        inner = QVBoxLayout(banner)
        inner.setContentsMargins(10, 6, 10, 6)
        inner.addWidget(self.label)
        layout = QVBoxLayout(self)
        layout.addWidget(banner)
        layout.addStretch(1)

    def message(self) -> str:
        if self.problem.kind == ROOT_SANDBOX:
            reason = self.tr(
                "Qt WebEngine cannot start as root with its sandbox on. Run the console as a "
                "normal user, or set QTWEBENGINE_DISABLE_SANDBOX=1."
            )
        else:
            reason = self.tr(
                "Qt WebEngine could not be loaded (%1). Install the system libraries listed "
                "in the README."
            ).replace("%1", self.problem.detail)
        return self.tr("The map is unavailable: %1 Everything else works.").replace("%1", reason)

    @property
    def is_ready(self) -> bool:
        return False

    def load_page(self, path: Path) -> None:
        pass

    def use_mbtiles(self, path: Path) -> None:
        pass

    def follow(self, current: CurrentCase) -> None:
        pass

    def run_when_ready(self, script: str, callback: JsCallback | None = None) -> None:
        pass

    def upsert_cases(self, markers_json: str, callback: JsCallback | None = None) -> None:
        pass

    def remove_cases(self, ids: Iterable[int], callback: JsCallback | None = None) -> None:
        pass

    def set_cases(self, markers_json: str, callback: JsCallback | None = None) -> None:
        pass

    def focus_case(self, case_id: int, callback: JsCallback | None = None) -> None:
        pass

    def focus_grid(self, grid_id: int, callback: JsCallback | None = None) -> None:
        pass

    def set_dark(self, on: bool, callback: JsCallback | None = None) -> None:
        pass

    def wall_mode(self, scale: float, callback: JsCallback | None = None) -> None:
        pass

    def set_pick_mode(self, on: bool, callback: JsCallback | None = None) -> None:
        pass

    def show_pick(self, lon: float, lat: float, callback: JsCallback | None = None) -> None:
        pass

    def set_grid_style(self, counts: Mapping[int, int], callback: JsCallback | None = None) -> None:
        pass

    def set_patrols(
        self,
        layers_json: str,
        labels: Mapping[str, Any] | None = None,
        callback: JsCallback | None = None,
    ) -> None:
        pass
