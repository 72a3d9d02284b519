"""`grid-console ingest FILE [--format …] [--source …] [--dry-run]`: import reports from a file.

CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), JSON lines, JSON, Open311 GeoReport v2 (JSON or XML)
and GeoJSON points. Every row is accepted, a duplicate or rejected with its line and reason in
``FILE.report.csv`` beside the input; nothing is half-imported; the same file twice adds nothing.
Exit 0 when the file was processed (even with rejections), 2 when it cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from console.db import Database
from console.services.actors import Actor
from console.services.ingest import FORMATS, IngestFileError, IngestResult, ingest_file
from console.services.report_input import SOURCE_LABELS

IMPORTER = Actor(id=None, name="批量导入", role="intake")
BAR = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the file to import")
    parser.add_argument("--format", default="auto", choices=("auto", *FORMATS))
    parser.add_argument(
        "--source",
        default=None,
        help="来源 for rows without one: "
        + " / ".join(f"{label}({code})" for code, label in SOURCE_LABELS.items()),
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check every row and write the report; insert nothing",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


class ProgressBar:
    """A plain \\r bar on stderr, redrawn at most 10 times a second."""

    def __init__(self, stream=None) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream or sys.stderr
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(BAR * share)
        self.stream.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {share:6.1%}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def format_result(result: IngestResult) -> str:
    verb = "可导入 valid" if result.dry_run else "已导入 accepted"
    lines = [
        f"{'试运行 dry run: ' if result.dry_run else ''}"
        f"格式 {result.format}，编码 {result.encoding}，共 {result.total} 行",
        f"  {verb}: {sum(1 for o in result.outcomes if o.status in ('accepted', 'valid'))}",
        f"  重复 duplicates: {result.duplicates}",
        f"  拒绝 rejected: {len(result.rejected)}",
    ]
    for line, code, message in result.rejected[:20]:
        lines.append(f"    第 {line} 行 [{code}] {message[:120]}")
    if len(result.rejected) > 20:
        lines.append(f"    … 另有 {len(result.rejected) - 20} 行，见报告")
    if result.unknown_columns:
        lines.append(f"  未使用的列 ignored columns: {', '.join(result.unknown_columns)}")
    lines.append(f"报告 report: {result.report_path}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    bar = ProgressBar()
    db = Database(args.db)
    try:
        result = ingest_file(
            db,
            args.file,
            format=args.format,
            source=args.source,
            dry_run=args.dry_run,
            actor=IMPORTER,
            now=datetime.now(UTC),
            progress=None if args.no_progress else bar,
        )
    except IngestFileError as exc:
        bar.finish()
        print(f"错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    bar.finish()
    print(format_result(result))
    return 0
