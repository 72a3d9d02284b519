"""`grid-console export-components FILE [--format geojson|csv] [--street NAME]`: the component
register to a file with the columns `import-components` reads (export, then import: nothing
changes). Exit 0 with the count on stdout, 2 when the street or the format is wrong.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.commands.export import resolve_street
from console.db import Database
from console.errors import ConsoleError
from console.services.components.exporter import FORMATS, export_components


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the file to write")
    parser.add_argument(
        "--format", choices=FORMATS, help="default: from the extension (.csv, else GeoJSON)"
    )
    parser.add_argument("--street", help="only this street's objects: its code, name or id")


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        street_id = resolve_street(db, args.street) if args.street else None
        with db.read() as s:
            result = export_components(s, args.file, format=args.format, street_id=street_id)
    except ConsoleError as exc:
        print(f"错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(f"已导出 exported: {result.count} 个部件 → {result.path}（{result.format}）")
    return 0
