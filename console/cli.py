"""Command line: `grid-console [--db URL] SUBCOMMAND ...` (and `python main.py ...`).

Each subcommand lives in console/commands/<name>.py with ``add_arguments(parser)`` and
``run(args) -> int``; this module only wires them up. The default (no subcommand) starts the
console on the embedded demo database, creating, migrating and seeding it on first run.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from console.errors import ConsoleError

#: subcommand → (module under console.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "gui": ("gui", "start the console (default)"),
    "wall": ("wall", "the command center's video wall: read-only, full screen"),
    "seed-demo": ("seed_demo", "create the demo district and demo cases"),
    "stats": ("stats", "counts per level, department, state and traffic light"),
    "migrate": ("migrate", "bring the database to the newest schema (PostgreSQL: as the owner)"),
    "db": ("db", "PostgreSQL roles: grant a seat role exactly what the seats need"),
    "copy-db": ("copy_db", "copy the whole database into an empty PostgreSQL one, verified"),
    "deadline": ("deadline", "compute a deadline on the working-time calendar"),
    "calendar": ("calendar", "the holiday schedule: import a year (official), show, log"),
    "roster": ("roster", "the duty roster: show who stands each shift, put someone on one"),
    "import-geography": ("import_geography", "load a district's grid layer from GeoJSON"),
    "simulate": ("simulate", "keep adding and moving cases, as the field would"),
    "bench": ("bench", "run the benchmark scenarios beside their baselines"),
    "scan": ("scan", "run one supervision scan (预警/超期/督办) and print what it raised"),
    "scheduler": ("scheduler", "the duty server: supervision scans and reminders, headless"),
    "evaluate": ("evaluate", "the monthly performance evaluation (绩效评价), to .xlsx or .pdf"),
    "ingest": ("ingest", "import reports from CSV / JSON / Open311 / GeoJSON, with a report file"),
    "export": ("export", "write cases as Open311 JSON, CSV or Excel, filtered like a queue"),
    "import-components": (
        "import_components",
        "the component register (部件普查) from GeoJSON / CSV, all or nothing, with a report",
    ),
    "export-components": ("export_components", "write the component register as GeoJSON or CSV"),
    "user": ("user", "accounts for IT admins: list, add, passwd, role, unlock, deactivate"),
    "serve": ("serve", "the field gateway for handhelds and Open311 (needs the gateway extra)"),
    "token": ("token", "the field gateway's device tokens: create, list, revoke"),
}


def _accept_db_after(parser: argparse.ArgumentParser) -> None:
    """``--db`` after a subcommand (and its action) too: `grid-console stats --db URL`.

    SUPPRESS keeps a ``--db`` given before the subcommand when this one is absent.
    """
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _accept_db_after(child)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported to add its options (``None``: every
    command's, for the tests and the docs). `--help` and a light command such as `deadline`
    start without importing the others (Qt, the gateway, the bench…)."""
    parser = argparse.ArgumentParser(
        prog="grid-console",
        description="网格化管理指挥调度台 Grid Dispatch Console",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: the embedded SQLite file in the user data dir, "
        "or $GRID_CONSOLE_DB)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if command is not None and name != command:
            continue  # listed in the help; its options are parsed only when it runs
        module = importlib.import_module(f"console.commands.{module_name}")
        module.add_arguments(sp)
        _accept_db_after(sp)
        sp.set_defaults(_module=module)
    return parser


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` runs (after :func:`with_default_command`), or None (help)."""
    rest = _skip_global_options(list(argv))
    return rest[0] if rest and rest[0] in SUBCOMMANDS else None


def _skip_global_options(args: list[str]) -> list[str]:
    i = 0
    while i < len(args):
        word = args[i]
        if word in _GLOBAL_WITH_VALUE:
            i += 2
        elif word.split("=", 1)[0] in _GLOBAL_WITH_VALUE or word in _GLOBAL_FLAGS:
            i += 1
        else:
            break
    return args[i:]


#: Options of the program itself (before any subcommand) that take a value.
_GLOBAL_WITH_VALUE = frozenset({"--db"})
_GLOBAL_FLAGS = frozenset({"-v", "--verbose", "-h", "--help"})


def with_default_command(argv: Sequence[str]) -> list[str]:
    """``gui`` put in where no subcommand is named: `grid-console --lang en`, `--user leader`.

    The program's own options (``--db URL``, ``-v``) stay in front; the first other word starts
    the console's options, unless it is a subcommand. ``-h`` alone keeps the program's help.
    """
    args = list(argv)
    i = len(args) - len(_skip_global_options(args))
    if i < len(args) and args[i] in SUBCOMMANDS:
        return args
    if i >= len(args) and any(a in ("-h", "--help") for a in args):
        return args
    return [*args[:i], "gui", *args[i:]]


def main(argv: Sequence[str] | None = None) -> int:
    words = with_default_command(argv if argv is not None else sys.argv[1:])
    parser = build_parser(chosen_command(words) or "")  # "": no command's module at all
    args = parser.parse_args(words)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args._module.run(args) or 0)
    except ConsoleError as exc:
        print(f"错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        for problem in getattr(exc, "problems", [])[:50]:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
