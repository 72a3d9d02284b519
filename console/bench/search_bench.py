"""The queue's search on the foundation's large database: the indexes vs the LIKE scan (the
trigram index for the words; the number's own index for a case number's start).

Each figure is what a seat waits for when it types into the 查询 tab's search box: the count
(the pager) and the first page of 50 ids, newest first — through the queue's own filter, and
beside the same two queries with the LIKE scan over number, address and description, measured
in the same run on the same file. The text is the demo's wording (foundation.fill_big_db).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from console.bench.foundation import Sizes
from console.bench.harness import Figure, median_seconds
from console.db import Database
from console.models import Case
from console.services.cases.search import like_scan
from console.services.queue import QueueFilter, count_queue, page_ids_select, walks_newest

PAGE = 50
#: (figure, query): a word that occurs in the demo descriptions, an address prefix, and the
#: newest case's number cut after its month (C/E + category + yyyymm), filled in at run time.
QUERIES = (
    ("search 2 characters “垃圾” (ms)", "垃圾"),
    ("search 4 characters “莲湖路1” (ms)", "莲湖路1"),
    ("search a case-number prefix (ms)", ""),
)


def _timed(fn: Callable[[], object], repeat: int) -> float:
    return median_seconds(fn, repeat) * 1000


def _figure(db: Database, sizes: Sizes, now: datetime, name: str, query: str, total: int) -> Figure:
    f = QueueFilter(tab="search", text=query)
    scan = like_scan(query)

    def indexed() -> tuple[int, list[int]]:
        with db.read() as s:
            walk = walks_newest(s, f, offset=0, limit=PAGE)  # as fetch_queue pages
            ids = list(s.scalars(page_ids_select(f, now, offset=0, limit=PAGE, walk_newest=walk)))
            return count_queue(s, f, now), ids

    def scanned() -> tuple[int, list[int]]:
        with db.read() as s:
            page = select(Case.id).where(scan).order_by(Case.reported_at.desc(), Case.id.desc())
            count = select(func.count()).select_from(Case).where(scan)
            return int(s.scalar(count) or 0), list(s.scalars(page.limit(PAGE)))

    found, first = indexed()
    assert (found, first) == scanned(), f"the index and the scan disagree on {query!r}"
    baseline = _timed(scanned, max(3, sizes.query_repeat // 7))
    return Figure(
        name,
        _timed(indexed, sizes.query_repeat),
        "ms",
        baseline,
        higher_is_better=False,
        goal=50,
        note=f"“{query}”: {found:,} of {total:,} cases; count + first page of {PAGE}, "
        f"median of {sizes.query_repeat}; baseline: the LIKE scan",
    )


def bench_search(db: Database, sizes: Sizes, now: datetime) -> list[Figure]:
    with db.read() as s:
        newest = s.scalar(select(Case.number).order_by(Case.id.desc()).limit(1)) or "E"
        total = s.scalar(select(func.count()).select_from(Case)) or 0
    return [_figure(db, sizes, now, name, query or newest[:11], total) for name, query in QUERIES]


def run_search_bench(workdir: Path, quick: bool, log: Callable[[str], None]) -> list[Figure]:
    """On the foundation's large database (big.sqlite3, filled by run_foundation)."""
    db = Database(f"sqlite:///{workdir / 'big.sqlite3'}")
    try:
        log("search…")
        return bench_search(db, Sizes.for_run(quick), datetime.now(UTC))
    finally:
        db.dispose()
