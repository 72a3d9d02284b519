"""ConsoleScheduler on real APScheduler, real SQLite job-store files and a real case database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.scheduler import ConsoleScheduler
from console.services.cases.service import CaseService
from tests.scheduler.support import no_scan
from tests.services.console_support import INTAKE, report_input, street_points


@pytest.fixture
def case(demo_db: Database) -> tuple[int, str]:
    """(id, number) of one reported case in the demo database."""
    _, _, point = street_points(demo_db)[0]
    snap = CaseService(demo_db).report(INTAKE, report_input(point))
    return snap.id, snap.number


@pytest.fixture
def make(demo_db: Database, tmp_path: Path) -> Iterator[Callable[..., ConsoleScheduler]]:
    """Build schedulers on the demo db (job store in tmp_path); all shut down at teardown."""
    made: list[ConsoleScheduler] = []

    def build(**kw: Any) -> ConsoleScheduler:
        kw.setdefault("jobstore_url", f"sqlite:///{tmp_path / 'jobs-test.sqlite3'}")
        kw.setdefault("scan", no_scan)
        kw.setdefault("calendar", WorkCalendar())
        sched = ConsoleScheduler(demo_db, **kw)
        made.append(sched)
        return sched

    yield build
    for sched in made:
        sched.shutdown()
