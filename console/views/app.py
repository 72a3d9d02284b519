"""Starting the Qt application: translations, theme, the bridge, the main window."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

import platformdirs
from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from console.bridge import Bridge
from console.config import APP_AUTHOR, APP_NAME, resource
from console.views import i18n

log = logging.getLogger(__name__)


def install_translations(app: QApplication, lang: str) -> None:
    """zh_CN (default): load the console's and Qt's own Chinese; en: the English sources."""
    i18n.set_language(lang)
    if lang.startswith("en"):
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return
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


def map_cache_dir() -> Path:
    path = Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)) / "map"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_gui(args: argparse.Namespace, workbench_factory, db_label: str) -> int:  # type: ignore[no-untyped-def]
    """Build the window on an existing workbench; ``--screenshot`` renders it and exits."""
    from console.services.queue import QueueFilter, queue_tabs
    from console.views.main_window import MainWindow
    from console.views.map_page import build_map_page
    from console.views.tile_scheme import register_scheme

    if QApplication.instance() is None:
        register_scheme()  # the mbtiles:// scheme must be known before the app exists
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationName(APP_NAME)
    install_translations(app, args.lang)

    bridge = Bridge()
    workbench = workbench_factory()
    settings = QSettings()
    settings.beginGroup(f"user/{workbench.actor.name}")
    out_dir = Path(tempfile.mkdtemp(prefix="map-")) if args.screenshot else map_cache_dir()
    page = build_map_page(workbench.map_grids(), out_dir)
    window = MainWindow(
        bridge,
        workbench,
        tabs=queue_tabs(),
        filter_type=QueueFilter,
        map_page=page,
        db_label=db_label,
        settings=settings,
        theme=args.theme or str(settings.value("window/theme", "auto")),
    )
    bridge.follow(workbench.poll_changes, interval_ms=500)
    app.aboutToQuit.connect(bridge.shutdown)

    if args.screenshot:
        target = Path(args.screenshot)

        def shoot() -> None:
            window.grab().save(str(target))
            print(f"screenshot: {target}")
            app.quit()

        # After the first page and the map are on screen (or 20 s, whichever first), let
        # the page paint once more, then grab.
        window.first_view_ready.connect(lambda: QTimer.singleShot(1500, shoot))
        QTimer.singleShot(20_000, shoot)
        window.resize(1600, 950)
    window.show()
    return app.exec()
