"""`grid-console` / `grid-console gui`: sign in, then open the console on the database.

On first run the embedded database is created, migrated and seeded with the demo district.
A person signs in with the login dialog (checked on the database worker). For unattended runs
— ``--screenshot`` and scripted tests — the password may come from the environment variable
GRID_CONSOLE_PASSWORD together with ``--user``; a password is never a command-line argument
(it would show in the process list and the shell history).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import Any

from console.commands.window_start import (
    EMPTY_DATABASE,
    add_lang_argument,
    add_size_argument,
    db_label,
    is_empty,
    prepare_window,
)
from console.db import Database
from console.errors import AuthenticationError, ConsoleError, ValidationError
from console.services.cases.service import CaseService
from console.services.demo import SeedProgress, demo_sign_ins, seed_demo

#: The password for an unattended sign-in (with --user): screenshots, scripted tests.
PASSWORD_ENV = "GRID_CONSOLE_PASSWORD"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="do not seed the demo district into an empty database",
    )
    parser.add_argument(
        "--user",
        default=None,
        help=f"the user name to sign in as (filled into the login dialog; with ${PASSWORD_ENV} "
        "set, signs in without the dialog)",
    )
    add_lang_argument(parser)
    parser.add_argument(
        "--theme",
        choices=["light", "dark", "auto"],
        default=None,
        help="colour theme (default: the last one used, else by the clock)",
    )
    parser.add_argument(
        "--basemap",
        metavar="URL|FILE",
        help="basemap: an intranet XYZ tile URL with {z}/{x}/{y}, or a local .mbtiles file; "
        "prefix gcj02: for GCJ-02 tiles; 'none' for grids only (default: the last one set, "
        "else none)",
    )
    add_size_argument(parser, "1600x950")
    parser.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help=f"render the window offscreen to a PNG and exit (needs --user and ${PASSWORD_ENV})",
    )


def _unattended_sign_in(db: Database, username: str | None, password: str) -> Any:
    from console.services.workbench import Workbench

    if not username:
        raise ValidationError(f"{PASSWORD_ENV} 需与 --user 一起使用（指定登录的用户名）")
    try:
        return Workbench.signed_in(db, username, password)
    except AuthenticationError as exc:
        exc.message = f"登录失败（{username}）: {exc.message}"
        raise


def _dialog_sign_in(args: argparse.Namespace, db: Database) -> Any:
    """The login dialog, in the interface language, before the main window exists.

    Sets ``args.user`` to the name signed in with: the seat's settings and reminders are that
    account's."""
    from console.bridge import Bridge
    from console.services.workbench import Workbench
    from console.views import i18n
    from console.views.app import application, install_translations
    from console.views.login_dialog import ask_sign_in

    def demo_accounts() -> list[Any]:
        with db.read() as s:
            return demo_sign_ins(s)

    app = application()
    previous = i18n.language()
    translators = install_translations(app, args.lang)
    bridge = Bridge()
    try:
        signed_in = ask_sign_in(
            bridge,
            lambda username, password: (username, Workbench.signed_in(db, username, password)),
            username=args.user or "",
            demo_accounts=demo_accounts,
        )
        if signed_in is not None:
            args.user = signed_in[0]
            return signed_in[1]
        return None
    finally:
        bridge.shutdown()
        for translator in translators:  # run_gui installs them again for the window
            app.removeTranslator(translator)
        i18n.set_language(previous)


def _seed_behind_splash(args: argparse.Namespace, db: Database) -> None:
    """The demo district on the database worker, a splash with the step and a bar meanwhile."""
    from console.bridge import Bridge
    from console.views import i18n
    from console.views.app import application, install_translations
    from console.views.seed_splash import seed_with_splash

    def seed(progress: SeedProgress) -> Any:  # on the worker
        return seed_demo(db, CaseService(db).workflow, now=datetime.now(UTC), progress=progress)

    app = application()
    previous = i18n.language()
    translators = install_translations(app, args.lang)
    bridge = Bridge()
    try:
        seed_with_splash(bridge, seed)
    finally:
        bridge.shutdown()
        for translator in translators:  # run_gui installs them again for the window
            app.removeTranslator(translator)
        i18n.set_language(previous)


def run(args: argparse.Namespace) -> int:
    prepare_window(args)
    password = os.environ.get(PASSWORD_ENV)
    if args.screenshot and password is None:
        raise ValidationError(
            f"--screenshot 无法弹出登录框：请设置环境变量 {PASSWORD_ENV} 并用 --user 指定用户 "
            f"(set {PASSWORD_ENV} and --user)"
        )
    db = Database(args.db)
    try:
        if is_empty(db):
            if args.no_seed:
                raise ConsoleError(EMPTY_DATABASE)
            print("首次运行：正在生成演示区（莲湖区）… first run: seeding the demo district")
            _seed_behind_splash(args, db)

        from console.views.app import run_gui

        if password is not None:
            workbench = _unattended_sign_in(db, args.user, password)
            args.user = args.user.strip()
        else:
            workbench = _dialog_sign_in(args, db)
            if workbench is None:
                return 1  # the person closed the login dialog
        return run_gui(args, lambda: workbench, db_label=db_label(db))
    finally:
        db.dispose()
