"""The supervision scan's scenario: one scan over 2,000,000 cases with 100,000 open.

The database is filled in report order (closed history first, then the open backlog of the
last weeks), the open cases dispatched with real clock marks on the work calendar: some green,
some yellow, some red and overdue by anything from minutes to weeks. One scan warms it (and
raises the whole backlog); then steady-state scans a minute apart are timed, each crossing a
few new marks. The baseline does what a naive scan would: load every open case and every alert
already raised into Python and check each case's marks there.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from console.bench.foundation import prepare
from console.bench.harness import Figure, median_seconds
from console.db import Database
from console.domain.lifecycle import CLOCK_STATES
from console.domain.time_limits import LimitUnit, TimeLimit
from console.domain.traffic_light import clock_marks
from console.domain.worktime import WorkCalendar
from console.models import Alert, Case, Category, Department
from console.services import geography
from console.services.reference import data as reference_data
from console.services.supervision import alert_levels, scan

Log = Callable[[str], None]
GOAL_MS = 200.0
#: The figure keeps its name in a --quick run; the note gives the sizes measured.
FIGURE = "supervision scan, 100,000 open (ms)"
#: (limit, share of open cases, typical age scale in days): hotline 4工作时, 2/5工作日, 紧急 6小时.
LIMITS = (
    (TimeLimit(4, LimitUnit.WORK_HOURS), 0.3, 0.6),
    (TimeLimit(2, LimitUnit.WORKDAYS), 0.35, 2.5),
    (TimeLimit(5, LimitUnit.WORKDAYS), 0.25, 6.0),
    (TimeLimit(6, LimitUnit.HOURS), 0.1, 0.22),
)
_BATCH = 50_000


@dataclass(frozen=True)
class ScanSizes:
    cases: int
    open: int
    repeat: int
    baseline_repeat: int

    @classmethod
    def for_run(cls, quick: bool) -> ScanSizes:
        if quick:
            return cls(cases=20_000, open=1_000, repeat=7, baseline_repeat=3)
        return cls(cases=2_000_000, open=100_000, repeat=11, baseline_repeat=3)


def fill_scan_db(
    db: Database, cal: WorkCalendar, sizes: ScanSizes, now: datetime, seed: int = 21
) -> None:
    """``sizes.cases`` synthetic cases, ``sizes.open`` of them dispatched and on the clock."""
    with db.read() as s:
        lookup = geography.load_grid_index(s)
        codes = list(
            s.scalars(
                select(Category.code).where(Category.taxonomy == reference_data.TAXONOMY_CJT214)
            )
        )
        departments = list(s.scalars(select(Department.id).order_by(Department.id)))
    rng = np.random.default_rng(seed)
    n_closed = sizes.cases - sizes.open
    # Report order: two years of finished history, then the open backlog (oldest first).
    closed_age = np.sort(rng.uniform(30 * 86400, 730 * 86400, n_closed))[::-1]
    pick = rng.choice(len(LIMITS), sizes.open, p=[share for _, share, _ in LIMITS])
    scale = np.array([days for _, _, days in LIMITS])[pick] * 86400
    open_age = rng.uniform(0.0, 2.0, sizes.open) * scale
    order = np.argsort(-open_age)
    pick, open_age = pick[order], open_age[order]
    grids = rng.integers(0, len(lookup.grid_ids), sizes.cases)
    rows: list[dict[str, object]] = []

    def flush() -> None:
        if rows:
            with db.session() as s:
                s.connection().execute(Case.__table__.insert(), rows)
            rows.clear()

    for i in range(sizes.cases):
        g = grids[i]
        on_clock = i >= n_closed
        age = open_age[i - n_closed] if on_clock else closed_age[i]
        reported = now - timedelta(seconds=float(age) + 600)
        row: dict[str, object] = {
            "number": f"S{i:012d}",
            "source": "inspector",
            "reporter": "bench",
            "taxonomy": reference_data.TAXONOMY_CJT214,
            "kind": "event_type",
            "category_code": codes[i % len(codes)],
            "urgent": False,
            "description": "基准数据",
            "address": "莲湖路",
            "lon": 108.9,
            "lat": 34.27,
            "grid_id": int(lookup.grid_ids[g]),
            "unit_id": int(lookup.unit_ids[g]),
            "area_id": int(lookup.area_ids[g]),
            "street_id": int(lookup.street_ids[g]),
            "state": "archived",
            "department_id": departments[i % len(departments)],
            "reported_at": reported,
            "updated_at": reported,
            "extension_value": 0.0,
            "suspended_seconds": 0.0,
            "rework_count": 0,
            "return_count": 0,
            "dispatch_count": 1,
            "version": 1,
            # Every row names every column: an executemany takes its columns from the first.
            "limit_value": None,
            "limit_unit": None,
            "dispatched_at": None,
            "warning_at": None,
            "deadline_at": None,
        }
        if on_clock:
            limit = LIMITS[pick[i - n_closed]][0]
            dispatched = reported + timedelta(minutes=10)
            marks = clock_marks(cal, dispatched, limit)
            row.update(
                state="dispatched",
                urgent=limit.natural,
                limit_value=limit.value,
                limit_unit=limit.unit.value,
                dispatched_at=dispatched,
                warning_at=marks.warning_at,
                deadline_at=marks.deadline_at,
                dispatch_count=1 + int(i % 17 == 0),
            )
        rows.append(row)
        if len(rows) >= _BATCH:
            flush()
    flush()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def naive_check(db: Database, cal: WorkCalendar, now: datetime) -> int:
    """The baseline: every open case and every raised alert into Python, marks checked there
    (each case's current level raised?)."""
    levels = alert_levels()
    with db.read() as s:
        cases = s.execute(
            select(
                Case.id, Case.dispatch_count, Case.limit_unit, Case.warning_at, Case.deadline_at
            ).where(Case.state.in_(sorted(CLOCK_STATES)))
        ).all()
        raised = {tuple(r) for r in s.execute(select(Alert.case_id, Alert.level, Alert.cycle))}
    missing = 0
    for row in cases:
        natural = row.limit_unit == LimitUnit.HOURS.value
        current = None  # the highest level due: the one a scan raises
        for lv in levels:
            mark = getattr(row, lv.mark)
            if mark is not None and lv.due_at(cal, mark, natural) <= now:
                current = lv
        if current is not None and (row.id, current.level, row.dispatch_count) not in raised:
            missing += 1
    return missing


def run_scan_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    sizes = ScanSizes.for_run(quick)
    cal = WorkCalendar()
    db = prepare(workdir / "scan.sqlite3")
    try:
        start = datetime.now(UTC).replace(second=0, microsecond=0)
        log(f"scan: filling {sizes.cases:,} cases, {sizes.open:,} open…")
        fill_scan_db(db, cal, sizes, start)
        started = time.perf_counter()
        with db.session() as s:
            backlog = len(scan(s, start, cal))
        warm_s = time.perf_counter() - started
        log(f"scan: the first scan raised the backlog of {backlog:,} alerts in {warm_s:.1f} s…")
        times: list[float] = []
        raised: list[int] = []
        for minute in range(1, sizes.repeat + 1):
            now = start + timedelta(minutes=minute)
            t0 = time.perf_counter()
            with db.session() as s:
                raised.append(len(scan(s, now, cal)))
            times.append(time.perf_counter() - t0)
        later = start + timedelta(minutes=sizes.repeat)
        missing = naive_check(db, cal, later)
        assert missing == 0, f"the scan left {missing} alerts unraised"
        baseline = median_seconds(lambda: naive_check(db, cal, later), sizes.baseline_repeat)
        with db.read() as s:
            alerts = s.scalar(select(func.count()).select_from(Alert)) or 0
    finally:
        db.dispose()
    return [
        Figure(
            FIGURE,
            statistics.median(times) * 1000,
            "ms",
            baseline * 1000,
            higher_is_better=False,
            goal=GOAL_MS,
            note=f"steady-state scans a minute apart on {sizes.cases:,} cases with "
            f"{sizes.open:,} open, median of {sizes.repeat} ({sum(raised):,} new alerts in all; "
            f"{alerts:,} in the table); the first scan raised the backlog of {backlog:,} in "
            f"{warm_s:.1f} s; baseline: every open case and raised alert into Python, marks "
            f"checked there, median of {sizes.baseline_repeat}; SQLite",
        )
    ]
