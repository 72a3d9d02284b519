"""Import and export on PostgreSQL: the idempotency join on a temporary table, the batched
case-number counters (created, then bumped under FOR UPDATE), a cancelled import rolled back,
and the export of what was imported. Skipped without a server, except in CI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.models import Case
from console.services.cases.export import export_cases
from console.services.demo import random_points_in_grids
from console.services.ingest import IngestCancelled, ingest_file
from console.services.queue import QueueFilter
from tests.services.ingest.support import IMPORTER, NOW

pytestmark = pytest.mark.postgres


@pytest.fixture
def demo_pg(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def _csv(db: Database, path: Path, first: int, rows: int) -> Path:
    with db.read() as s:
        lons, lats = random_points_in_grids(s, rows, seed=first)
    lines = ["外部编号,类别代码,类型,经度,纬度,问题描述,地址,上报时间"]
    for i in range(rows):
        lines.append(
            f"PG{first + i:05d},0102,事件,{float(lons[i])},{float(lats[i])},"
            f"垃圾{first + i},莲湖路{i}号,2026-11-2{i % 3} 09:{i % 60:02d}"
        )
    path.write_bytes("\n".join(lines).encode("gbk"))
    return path


def _count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def test_import_twice_then_more_then_cancel_then_export(demo_pg: Database, tmp_path: Path) -> None:
    first = _csv(demo_pg, tmp_path / "a.csv", 0, 120)
    result = ingest_file(demo_pg, first, source="12345", actor=IMPORTER, now=NOW)
    assert result.accepted == 120 and _count(demo_pg) == 120
    again = ingest_file(demo_pg, first, source="12345", actor=IMPORTER, now=NOW)
    assert again.accepted == 0 and again.duplicates == 120  # found through the temp-table join
    # New ids on the same days: the counters exist now and are bumped, numbers continue.
    more = ingest_file(demo_pg, _csv(demo_pg, tmp_path / "b.csv", 120, 60), actor=IMPORTER, now=NOW)
    assert more.accepted == 60
    with demo_pg.read() as s:
        numbers = list(s.scalars(select(Case.number)))
    assert len(numbers) == len(set(numbers)) == 180
    day = sorted(n for n in numbers if n.startswith("E010220261120"))
    assert [int(n[-4:]) for n in day] == list(range(1, len(day) + 1))
    # Cancelled while writing: nothing of the third file stays.
    seen: list[int] = []
    with pytest.raises(IngestCancelled):
        ingest_file(
            demo_pg,
            _csv(demo_pg, tmp_path / "c.csv", 500, 50),
            actor=IMPORTER,
            now=NOW,
            progress=lambda d, t: seen.append(d),
            should_cancel=lambda: bool(seen) and seen[-1] >= 25,
        )
    assert _count(demo_pg) == 180
    out = tmp_path / "hotline.json"
    with demo_pg.read() as s:
        exported = export_cases(
            s,
            out,
            now=NOW,
            calendar=WorkCalendar(),
            filter=QueueFilter(tab="search", source="hotline"),
        )
    assert exported.count == 120
    requests = json.loads(out.read_text(encoding="utf-8"))
    assert {r["external_id"] for r in requests} == {f"PG{i:05d}" for i in range(120)}
