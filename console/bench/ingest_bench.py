"""File intake: a 200,000-row GBK CSV through `ingest_file` (parse, map, dedupe, one bulk
insert, report), beside a naive importer (csv module, one ORM `CaseService.report` per row)
timed on a smaller sample; both as rows per second."""

from __future__ import annotations

import csv
import io
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from console.bench.foundation import fresh_copy, prepare, timed_on_copies
from console.bench.harness import Figure
from console.config import LOCAL_TZ
from console.db import Database
from console.models import Category
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.demo import random_points_in_grids
from console.services.ingest import ingest_file
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput

Log = Callable[[str], None]
FIGURE = "ingest a 200,000-row GBK CSV (rows/s)"
GOAL = 10_000
#: Timed runs of the fast path (the figure is their median: the machines are shared).
REPEAT = 3
IMPORTER = Actor(id=None, name="批量导入", role="intake")
HEADER = ("外部编号", "类别代码", "类型", "经度", "纬度", "问题描述", "地址", "上报时间")


def write_gbk_csv(db: Database, path: Path, rows: int, seed: int = 3) -> None:
    with db.read() as s:
        codes = s.execute(
            select(Category.code, Category.kind).where(
                Category.taxonomy == reference_data.TAXONOMY_CJT214
            )
        ).all()
        lons, lats = random_points_in_grids(s, rows, seed=seed)
    rng = random.Random(seed)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    for i in range(rows):
        code, kind = rng.choice(codes)
        w.writerow(
            (
                f"B{i:07d}",
                code,
                "部件" if kind == "component" else "事件",
                repr(float(lons[i])),
                repr(float(lats[i])),
                "基准测试上报：路面破损",
                f"莲湖路{i % 500}号",
                f"2026-11-{1 + i % 20:02d} {8 + i % 10:02d}:{i % 60:02d}",
            )
        )
    path.write_bytes(buf.getvalue().encode("gbk"))


def naive_import(db: Database, path: Path, limit: int) -> int:
    service = CaseService(db)
    kinds = {"部件": "component", "事件": "event_type"}
    done = 0
    with path.open(encoding="gbk", newline="") as f:
        for row in csv.DictReader(f):
            if done >= limit:
                break
            at = datetime.strptime(row["上报时间"], "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL_TZ)
            service.report(
                IMPORTER,
                ReportInput(
                    category_code=row["类别代码"],
                    kind=kinds[row["类型"]],
                    lon=float(row["经度"]),
                    lat=float(row["纬度"]),
                    description=row["问题描述"],
                    address=row["地址"],
                    source="hotline",
                    external_id=row["外部编号"],
                    reported_at=at,
                ),
            )
            done += 1
    return done


def run_ingest_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    rows = 5_000 if quick else 200_000
    sample = 200 if quick else 2_000
    template = workdir / "ingest-template.sqlite3"
    db = prepare(template)
    path = workdir / "ingest.csv"
    try:
        log(f"  writing a {rows:,}-row GBK CSV")
        write_gbk_csv(db, path, rows)
    finally:
        db.dispose()

    def ingest(db: Database) -> None:
        result = ingest_file(db, path, source="12345", actor=IMPORTER, now=datetime.now(UTC))
        if result.accepted != rows:
            raise RuntimeError(
                f"bench ingest accepted {result.accepted} of {rows}: {result.rejected[:3]}"
            )

    fast = timed_on_copies(template, workdir / "ingest.sqlite3", REPEAT, "ingest_file", ingest, log)
    base_db = fresh_copy(template, workdir / "ingest-naive.sqlite3")
    try:
        log(f"  naive baseline on {sample:,} rows")
        started = time.perf_counter()
        done = naive_import(base_db, path, sample)
        slow = time.perf_counter() - started
    finally:
        base_db.dispose()
    return [
        Figure(
            name=FIGURE,
            value=rows / fast,
            unit="/s",
            baseline=done / slow,
            higher_is_better=True,
            goal=GOAL,
            note=f"{rows:,} rows of GBK CSV, report file included, median of {REPEAT} runs; "
            f"baseline: csv + one CaseService.report per row on {done:,} rows",
        )
    ]
