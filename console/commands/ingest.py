"""`grid-console ingest FILE [--format …] [--source …] [--dry-run]`: import reports from a file.

CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), JSON lines, JSON, Open311 GeoReport v2 (JSON or XML),
GeoJSON points and Excel (.xlsx). Every row is accepted, a duplicate or rejected with its line and reason in
``FILE.report.csv`` beside the input; nothing is half-imported; the same file twice adds nothing.
Exit 0 when the file was processed (even with rejections), 2 when it cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, TypeVar

from console.db import Database
from console.services.actors import Actor
from console.services.ingest import FORMATS, IngestFileError, IngestResult, ingest_file
from console.services.report_input import SOURCE_LABELS

IMPORTER = Actor(id=None, name="批量导入", role="intake")
R = TypeVar("R")
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
        "--mapping",
        type=Path,
        default=None,
        help="Open311 only: another system's service codes and address ids mapped onto this "
        "district (TOML: [service_codes], [address_ids], [addresses]; see the README)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check every row and write the report; insert nothing",
    )
    add_quiet_argument(parser)


def add_quiet_argument(parser: argparse.ArgumentParser) -> None:
    """``-q`` / ``--quiet`` / ``--no-progress`` (also import-components')."""
    parser.add_argument(
        "-q",
        "--quiet",
        "--no-progress",
        dest="quiet",
        action="store_true",
        help="no progress output (the summary is still printed)",
    )


class Progress:
    """Progress on ``stream`` (stderr): a bar redrawn in place (at most 10 times a second) on
    a terminal, otherwise a plain line every ``every`` seconds (logs, CI, pipes)."""

    def __init__(self, stream: TextIO | None = None, *, every: float = 2.0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.every = every if not self.tty else 0.1
        self.started = time.monotonic()
        self.last = -1e9
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < self.every:
            return
        self.last = now
        self.stream.write(self.line(done, total, now - self.started))
        self.stream.flush()
        self.drawn = True

    def line(self, done: int, total: int, elapsed: float) -> str:
        share = done / total if total else 1.0
        rate = f"{done / elapsed:,.0f} 行/s" if elapsed > 0 else "-"
        counts = f"{done:,}/{total:,} 行  {rate}"
        if not self.tty:
            return f"导入进度 {share:6.1%}  {counts}\n"
        filled = int(BAR * share)
        return f"\r[{'#' * filled}{'.' * (BAR - filled)}] {share:6.1%}  {counts}\x1b[K"

    def finish(self) -> None:
        if self.drawn and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def format_result(result: IngestResult) -> str:
    verb = "可导入 valid" if result.dry_run else "已导入 accepted"
    lines = [
        f"{'试运行 dry run: ' if result.dry_run else ''}"
        f"格式 {result.format}，编码 {result.encoding}，共 {result.total} 行",
        f"  {verb}: {result.valid}",
        f"  重复 duplicates: {result.duplicates}",
        f"  拒绝 rejected: {len(result.rejected)}",
    ]
    if result.retries:
        lines.append(
            f"  另一导入同时写入了相同的记录，已重试 {result.retries} 次 (retried after a "
            "concurrent import)"
        )
    for line, code, message in result.rejected[:20]:
        lines.append(f"    第 {line} 行 [{code}] {message[:120]}")
    if len(result.rejected) > 20:
        lines.append(f"    … 另有 {len(result.rejected) - 20} 行，见报告")
    if result.unknown_columns:
        lines.append(f"  未使用的列 ignored columns: {', '.join(result.unknown_columns)}")
    lines.append(f"报告 report: {result.report_path}")
    return "\n".join(lines)


def run_import(db: Database, quiet: bool, work: Callable[[Progress | None], R]) -> R | int:
    """``work(progress)``'s result, with the bar on stderr (none when ``quiet``); or the exit
    code of a file that cannot be read (2) or of Ctrl-C (130: the one transaction rolled back,
    nothing written). The database is disposed of either way. Also import-components'."""
    bar = Progress()
    try:
        result = work(None if quiet else bar)
    except IngestFileError as exc:
        bar.finish()
        print(f"错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        bar.finish()
        print("已取消 cancelled: 提交前取消，未写入任何记录", file=sys.stderr)
        return 130
    finally:
        db.dispose()
    bar.finish()
    return result


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    result = run_import(
        db,
        args.quiet,
        lambda progress: ingest_file(
            db,
            args.file,
            format=args.format,
            source=args.source,
            dry_run=args.dry_run,
            open311_mapping=args.mapping,
            actor=IMPORTER,
            now=datetime.now(UTC),
            progress=progress,
        ),
    )
    if isinstance(result, int):
        return result
    print(format_result(result))
    return 0
