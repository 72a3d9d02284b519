"""`grid-console [--db SOURCE] copy-db --to URL`: the whole database into an empty PostgreSQL one.

For a seat that outgrew the embedded SQLite file (the default source). Run it as the owner
role, like `migrate`: it migrates the target, copies every table in one transaction, verifies
each table's count and checksum, prints them as a table and sets the id sequences
(console.services.copy_db). Exit 0 when copied and verified; 2 when refused or rolled back
(then nothing was written); 130 on Ctrl-C (nothing written either).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from sqlalchemy.engine import make_url

from console.commands.ingest import Progress
from console.db import Database, make_engine
from console.services.copy_db import (
    CopyDbError,
    CopyMismatchError,
    CopyReport,
    check_target_url,
    copy_database,
)
from console.services.copy_tables import BATCH_ROWS, STEP_COPY, STEP_INDEX, STEP_VERIFY

STEP_LABELS = {STEP_COPY: "复制 copy", STEP_INDEX: "重建索引 index", STEP_VERIFY: "核对 verify"}
BAR = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the empty PostgreSQL database, as its owner: postgresql+psycopg://grid_owner@host/db "
        "(a schema: …?options=-csearch_path%%3DNAME)",
    )
    parser.add_argument(
        "--batch",
        type=int,
        default=BATCH_ROWS,
        metavar="N",
        help=f"rows read and written at a time (default {BATCH_ROWS:,})",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        "--no-progress",
        dest="quiet",
        action="store_true",
        help="no progress output (the table of counts and checksums is still printed)",
    )


class TableProgress(Progress):
    """ingest's progress (console.commands.ingest.Progress), one line per table and step:
    on a terminal each table's bar is redrawn in place and then kept; elsewhere a line every
    few seconds and each table's last."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.label = ""

    def step(self, step: str, table: str, done: int, total: int) -> None:
        label = f"{STEP_LABELS.get(step, step)} {table}".rstrip()
        if label != self.label:
            self.finish()  # the previous table's last line stays
            self.label, self.started, self.drawn = label, time.monotonic(), False
            self.last = -1e9 if self.tty else self.started
        self(done, total)

    def line(self, done: int, total: int, elapsed: float) -> str:
        share = done / total if total else 1.0
        rate = f"{done / elapsed:,.0f} 行/s" if elapsed > 0 and done else "-"
        counts = f"{done:,}/{total:,} 行  {rate}"
        if not self.tty:
            return f"{self.label}: {share:6.1%}  {counts}\n"
        filled = int(BAR * share)
        bar = f"[{'#' * filled}{'.' * (BAR - filled)}]"
        return f"\r{self.label:34} {bar} {share:6.1%}  {counts}\x1b[K"


def format_report(report: CopyReport) -> str:
    width = max(len(t.name) for t in report.tables)
    lines = [
        f"{'表 table'.ljust(width + 2)} {'源 source':>12} {'目标 target':>12}  "
        f"{'校验和 checksum (SHA-256)':24}  一致 ok"
    ]
    for t in report.tables:
        same = t.source_checksum == t.target_checksum
        checksum = t.source_checksum[:16] if same else f"{t.source_checksum[:16]} ≠ "
        if not same:
            checksum += t.target_checksum[:16]
        lines.append(
            f"{t.name.ljust(width + 2)} {t.source_rows:>12,} {t.target_rows:>12,}  "
            f"{checksum:24}  {'是 yes' if t.matches else '否 NO'}"
        )
    lines.append(
        f"{'合计 total'.ljust(width + 2)} {report.rows:>12,} "
        f"{sum(t.target_rows for t in report.tables):>12,}"
    )
    return "\n".join(lines)


def format_summary(report: CopyReport, target: str, seconds: float) -> str:
    rate = report.rows / report.copy_seconds if report.copy_seconds > 0 else 0.0
    lines = [
        f"已复制并核对 copied and verified: {len(report.tables)} 张表 {report.rows:,} 行 → "
        f"{target} (revision {report.revision})",
        f"  复制 copy {report.copy_seconds:.1f} s ({rate:,.0f} 行/s), "
        f"核对 verify {report.verify_seconds:.1f} s, 共 total {seconds:.1f} s",
        "  序列 next ids: "
        + ", ".join(f"{name} {value:,}" for name, value in sorted(report.next_ids.items())),
    ]
    attachments = report.rows_of("attachments")
    if attachments:
        lines.append(
            f"  附件 attachments: {attachments:,} 行已复制；照片文件不在数据库中 (the photo files are "
            "not in the database): 把用户数据目录下的 attachments/ 复制到网关机器，"
            "或以 serve --attachments-dir 指向它"
        )
    if report.not_copied:
        lines.append("  未复制 not copied (not console tables): " + ", ".join(report.not_copied))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.batch < 1:
        raise SystemExit("--batch must be ≥ 1")
    check_target_url(args.to)
    source = Database(args.db)  # the embedded file by default; migrated like every command
    if make_url(source.url) == make_url(args.to):
        source.dispose()
        raise CopyDbError("--to 与源库相同 (the target is the source database)")
    # No rollback when a connection goes back to the pool: every transaction here ends in its
    # own block, and after a Ctrl-C in the middle of COPY the driver is still busy, so the
    # pool's reset would only fail and print a traceback over the one-line 已取消.
    target = make_engine(args.to, pool_reset_on_return=None)
    shown = make_url(args.to).render_as_string(hide_password=True)
    bar = TableProgress()
    started = time.perf_counter()
    try:
        report = copy_database(
            source.read_engine, target, progress=None if args.quiet else bar.step, batch=args.batch
        )
    except CopyMismatchError as exc:
        bar.finish()
        print(format_report(exc.report))
        print(f"错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        bar.finish()
        print("已取消 cancelled: 提交前取消，已回滚，目标库未写入任何行", file=sys.stderr)
        return 130
    except BaseException:
        bar.finish()
        raise
    finally:
        source.dispose()
        target.dispose()
    bar.finish()
    print(format_report(report))
    print(format_summary(report, shown, time.perf_counter() - started))
    return 0
