"""Starting the Qt application: translations, theme, the bridge, the main window."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QSettings,
    QTimer,
    QTranslator,
)
from PySide6.QtWidgets import QApplication, QWidget

from console.bridge import Bridge
from console.config import APP_AUTHOR, APP_NAME, data_dir, resource
from console.domain.lifecycle import STATE_LABELS
from console.errors import ValidationError
from console.views import i18n
from console.views.labels import state_text
from console.views.map_fallback import webengine_problem

if TYPE_CHECKING:
    from console.scheduler import ConsoleScheduler
    from console.services.workbench import Workbench
    from console.views.main_window import MainWindow
    from console.views.map_page import Basemap
    from console.views.wall import WallWindow

log = logging.getLogger(__name__)


def install_translations(app: QApplication, lang: str) -> list[QTranslator]:
    """zh_CN (default): load the console's and Qt's own Chinese; en: the English sources."""
    i18n.set_language(lang)
    if lang.startswith("en"):
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return []
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translators = []
    ours = QTranslator(app)
    if ours.load(str(resource("i18n", "console_zh_CN.qm"))):
        translators.append(ours)
    qt = QTranslator(app)
    if qt.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        translators.append(qt)
    for translator in translators:
        app.installTranslator(translator)
    return translators


def map_labels() -> dict[str, Any]:
    """The map's layer, tooltip and popup names in the interface language."""
    return {
        "urgent": QCoreApplication.translate("Map", "Urgent"),
        "states": {code: state_text(code) for code in STATE_LABELS},
        "legend": {
            "lights": QCoreApplication.translate("Map", "Lights"),
            "green": QCoreApplication.translate("Map", "Green: in time"),
            "yellow": QCoreApplication.translate("Map", "Yellow: most of the time used"),
            "red": QCoreApplication.translate("Map", "Red: overdue"),
            "none": QCoreApplication.translate("Map", "Not on the clock"),
            "density": QCoreApplication.translate("Map", "Open cases per grid"),
        },
        "basemap": QCoreApplication.translate("Map", "Basemap"),
        "grids": QCoreApplication.translate("Map", "Grids"),
        "cases": QCoreApplication.translate("Map", "Cases"),
        "density": QCoreApplication.translate("Map", "Open cases per grid"),
        "street": QCoreApplication.translate("Map", "Street"),
        "unit": QCoreApplication.translate("Map", "Community"),
        "grid": QCoreApplication.translate("Map", "Grid"),
        "code": QCoreApplication.translate("Map", "Code"),
    }


def _basemap_setting(args: argparse.Namespace, settings: QSettings) -> str | None:
    """--basemap (remembered for the next start), else the remembered one, else none."""
    chosen = getattr(args, "basemap", None)
    if chosen is not None:
        value = "" if chosen.strip().lower() == "none" else chosen.strip()
        basemap_choice(value or None)  # remember only a basemap that makes sense
        settings.setValue("map/basemap", value)
        return value or None
    return str(settings.value("map/basemap", "") or "") or None


def _seat_scheduler(
    args: argparse.Namespace, workbench: Workbench, scratch: Path | None
) -> ConsoleScheduler | None:
    """This seat's scheduler (the minute scan and the user's reminders), not yet started."""
    from console.scheduler import ConsoleScheduler

    if scratch is not None:  # a screenshot raises no alerts and keeps no reminders
        return None
    return ConsoleScheduler(
        workbench.db,
        seat_id=args.user,
        calendar=workbench.calendar,
        reports_dir=data_dir() / "reports",
    )


def _start_scheduler(
    args: argparse.Namespace, workbench: Workbench, bridge: Bridge, window: MainWindow
) -> ConsoleScheduler | None:
    scheduler = window.night.scheduler
    if scheduler is None:
        return None
    scheduler.on_reminder = lambda reminder: bridge.post(window.night.reminder_due, reminder)
    scheduler.on_error = lambda message: bridge.post(bridge.error_reported.emit, message)
    scheduler.start()  # after the window exists: its first scan's alerts have somewhere to go
    return scheduler


def map_cache_dir() -> Path:
    path = Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "map"
    path.mkdir(parents=True, exist_ok=True)
    return path


def application() -> QApplication:
    """The QApplication (made here, with the mbtiles:// scheme, unless one already runs)."""
    from console.views.gui_gc import collect_on_gui_thread
    from console.views.tile_scheme import register_scheme

    if QApplication.instance() is None and webengine_problem() is None:
        register_scheme()  # the mbtiles:// scheme must be known before the app exists
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    collect_on_gui_thread(app)  # a Qt object collected on the DB worker deadlocks the console
    return app  # type: ignore[return-value]  # instance() is typed QCoreApplication; ours is a QApplication


def basemap_choice(basemap: str | None) -> Basemap:
    """The parsed --basemap, or the dispatcher-readable error."""
    from console.views.map_page import parse_basemap

    try:
        return parse_basemap(basemap)
    except ValueError as exc:
        raise ValidationError(str(exc), field="basemap") from None


def arm_screenshot(app: QApplication, window: MainWindow | WallWindow, target: Path) -> None:
    """Grab ``window`` into ``target`` once its first view is drawn (20 s at most), then exit.

    The window must have a ``first_view_ready`` signal. The timers belong to the window, so
    none outlives it (a shared application runs on).
    """
    shot: list[Path] = []

    def shoot() -> None:
        if shot:
            return
        shot.append(target)
        window.grab().save(str(target))
        print(f"screenshot: {target}")
        app.exit(0)  # not quit(): that would also try to close every window

    # After the first view is on screen let the page paint once more, then grab.
    settle = QTimer(window, singleShot=True, interval=1500)
    settle.timeout.connect(shoot)
    window.first_view_ready.connect(settle.start)
    fallback = QTimer(window, singleShot=True, interval=20_000)
    fallback.timeout.connect(shoot)
    fallback.start()


def show_window(window: QWidget, settings: QSettings, size: tuple[int, int] | None = None) -> None:
    """Show the main window: at ``size`` (a screenshot); maximised on a first start (no layout
    saved yet, so the queues get the screen); else as the seat left it (MainWindow restored
    its geometry, maximised or not)."""
    if size is not None:
        window.resize(*size)
        window.show()
    elif not settings.contains("window/geometry"):
        window.showMaximized()
    else:
        window.show()


def close_window(
    app: QApplication,
    window: QWidget,
    bridge: Bridge,
    translators: list[QTranslator],
    previous_language: str,
) -> None:
    """Tear down in Qt's order while the application still exists (the worker, then the
    window — WebEngine pages before their profile — then the translations), leaving a shared
    application as it was found."""
    bridge.shutdown()
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for translator in translators:
        app.removeTranslator(translator)
    i18n.set_language(previous_language)


def run_gui(
    args: argparse.Namespace, workbench_factory: Callable[[], Workbench], db_label: str
) -> int:
    """Build the window on an existing workbench; ``--screenshot`` renders it and exits."""
    from console.services.queue import QueueFilter, queue_tabs
    from console.views.main_window import MainWindow
    from console.views.map_page import build_map_page

    app = application()
    scratch = Path(tempfile.mkdtemp(prefix="grid-console-")) if args.screenshot else None
    # A screenshot leaves the user's saved layout alone: it gets settings of its own.
    settings = (
        QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
        if scratch
        else QSettings()
    )
    settings.beginGroup(f"user/{args.user}")
    out_dir = scratch / "map" if scratch else map_cache_dir()
    basemap = _basemap_setting(args, settings)
    choice = basemap_choice(basemap)
    workbench = workbench_factory()  # bad user: a clear error before anything starts

    previous_language = i18n.language()
    translators = install_translations(app, args.lang)
    bridge = Bridge()
    page = None
    if webengine_problem() is None:  # else the map dock says why there is no map
        page = build_map_page(workbench.map_grids(), out_dir, basemap=basemap, labels=map_labels())
    seat_scheduler = _seat_scheduler(args, workbench, scratch)
    window = MainWindow(
        bridge,
        workbench,
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        map_page=page,
        mbtiles=choice.mbtiles,
        scheduler=seat_scheduler,
        db_label=db_label,
        settings=settings,
        theme=args.theme or str(settings.value("window/theme", "auto")),
    )
    bridge.follow(workbench.poll_changes, interval_ms=500)
    scheduler = _start_scheduler(args, workbench, bridge, window) if not scratch else None

    if args.screenshot:
        arm_screenshot(app, window, Path(args.screenshot))
    show_window(
        window, settings, getattr(args, "window_size", (1600, 950)) if args.screenshot else None
    )
    code = app.exec()
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    close_window(app, window, bridge, translators, previous_language)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    return code
