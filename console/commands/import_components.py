"""`grid-console import-components FILE [--dry-run] [--quiet]`: the component register
(部件普查) from a GeoJSON or CSV file.

GeoJSON features (points, lines, polygons, Multi*) with their attributes as properties, or CSV
in UTF-8 (with or without BOM) or GBK/GB18030 under the standard's Chinese headers or plain
English ones (resources/components/columns.csv). Idempotent by 管理部件标识码: a re-import
updates what changed (status and owner changes recorded), the same file twice changes
nothing. All or nothing: one rejected row and nothing is written; ``FILE.report.csv`` lists
every row with its outcome and, for a rejected one, its line and reason.
Exit 0 when imported (or a clean dry run), 1 when rows were rejected, 2 when the file cannot
be read, 130 when cancelled (Ctrl-C: nothing written).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from console.commands.ingest import add_quiet_argument, run_import
from console.db import Database
from console.services.components.importer import ComponentImportResult, import_components


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the GeoJSON or CSV file of the register")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check every row and write the report; change nothing",
    )
    add_quiet_argument(parser)


def format_result(result: ComponentImportResult) -> str:
    head = "试运行 dry run: " if result.dry_run else ""
    lines = [
        f"{head}格式 {result.format}，编码 {result.encoding}，共 {result.total} 行",
        f"  新增 inserted: {result.inserted}",
        f"  更新 updated: {result.updated}（状态/主管部门变更记录 {result.changes} 条）",
        f"  未变 unchanged: {result.unchanged}",
        f"  拒绝 rejected: {len(result.rejected)}",
    ]
    for line, code, message in result.rejected[:20]:
        lines.append(f"    第 {line} 行 [{code}] {message[:120]}")
    if len(result.rejected) > 20:
        lines.append(f"    … 另有 {len(result.rejected) - 20} 行，见报告")
    if result.rejected:
        lines.append("有被拒绝的行：未导入任何记录 nothing was imported")
    elif result.dry_run:
        lines.append("试运行：未写入任何记录 nothing was written")
    if result.unknown_columns:
        lines.append(f"  未使用的列 ignored columns: {', '.join(result.unknown_columns)}")
    lines.append(f"报告 report: {result.report_path}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    result = run_import(
        db,
        args.quiet,
        lambda progress: import_components(
            db, args.file, now=datetime.now(UTC), dry_run=args.dry_run, progress=progress
        ),
    )
    if isinstance(result, int):
        return result
    print(format_result(result))
    return 1 if result.rejected else 0
