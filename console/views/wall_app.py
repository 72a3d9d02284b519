"""Starting the video wall: translations, the dark theme, the chosen screen, full screen."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

from console.bridge import Bridge
from console.errors import ValidationError
from console.services.wall_data import WallSource
from console.views import i18n
from console.views.app import (
    application,
    arm_screenshot,
    basemap_choice,
    close_window,
    install_translations,
    map_cache_dir,
    map_labels,
)
from console.views.map_fallback import webengine_problem
from console.views.theme import apply_theme

if TYPE_CHECKING:
    from console.services.workbench import Workbench
    from console.views.wall import WallWindow


def _place_on_screen(window: WallWindow, index: int | None) -> None:
    """Full screen on screen ``index`` (checked by the caller; default: the primary screen)."""
    screens = QGuiApplication.screens()
    screen = screens[index] if index is not None else QGuiApplication.primaryScreen()
    window.winId()  # a native window, so it can be put on a screen before it is shown
    handle = window.windowHandle()
    if handle is not None:
        handle.setScreen(screen)
    window.setGeometry(screen.geometry())
    window.apply_scale(screen.geometry().height())
    window.showFullScreen()


def run_wall(
    args: argparse.Namespace, workbench_factory: Callable[[], Workbench], db_label: str
) -> int:
    """The wall on an existing workbench; ``--screenshot`` renders it at ``--size`` and exits."""
    from console.views.map_page import build_map_page
    from console.views.wall import WallWindow

    app = application()
    basemap = getattr(args, "basemap", None)
    choice = basemap_choice(basemap)
    scratch = Path(tempfile.mkdtemp(prefix="grid-wall-")) if args.screenshot else None
    out_dir = scratch / "map" if scratch else map_cache_dir().parent / "wall-map"
    workbench = workbench_factory()
    if not args.screenshot:  # before any window: a wrong --screen is a plain error
        count = len(QGuiApplication.screens())
        if args.screen is not None and not 0 <= args.screen < count:
            raise ValidationError(
                f"--screen {args.screen} 不存在：本机有 {count} 个显示器 (0 … {count - 1})",
                field="screen",
            )

    previous_language = i18n.language()
    translators = install_translations(app, args.lang)
    previous_look = (app.palette(), app.styleSheet(), app.property("theme"))
    apply_theme(app, "dark")  # the wall is always dark
    bridge = Bridge()
    page = None
    if webengine_problem() is None:  # else the map's panel says why there is no map
        page = build_map_page(workbench.map_grids(), out_dir, basemap=basemap, labels=map_labels())
    district = WallSource(workbench).district()
    window = WallWindow(
        bridge,
        workbench,
        map_page=page,
        mbtiles=choice.mbtiles,
        district=" ".join(
            p for p in (district, QCoreApplication.translate("WallWindow", "Grid management")) if p
        ),
        rotate_ms=int(args.rotate * 1000),
    )
    window.setToolTip(db_label)

    if args.screenshot:
        arm_screenshot(app, window, Path(args.screenshot))
        width, height = args.window_size
        window.setFixedSize(width, height)  # exactly --size, whatever the panels hold
        window.apply_scale(height)
        window.show()
    else:
        _place_on_screen(window, args.screen)
    code = app.exec()
    window.stop()
    close_window(app, window, bridge, translators, previous_language)
    app.setPalette(previous_look[0])
    app.setStyleSheet(previous_look[1])
    app.setProperty("theme", previous_look[2])
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    return code
