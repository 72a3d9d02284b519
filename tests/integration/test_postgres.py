"""The console on PostgreSQL: migrations, the demo seed, the case loop, optimistic locking and
timestamps. Each test runs in a fresh schema of the server named by $GRID_TEST_PG_URL
(default: postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped afterwards.

Without a reachable server the tests are skipped, except in CI ($CI set), where they fail.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from console.cli import main
from console.config import LOCAL_TZ
from console.db import Database, alembic_config
from console.domain.lifecycle import default_lifecycle
from console.errors import StaleVersionError
from console.models import Case, CaseEvent, Category, Region
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.demo import random_points_in_grids
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput
from tests.commands.expected import assert_histories, independent_stats

pytestmark = pytest.mark.postgres


INSPECTOR = Actor(id=None, name="监督员甲", role="inspector")
DUTY_CHIEF = Actor(id=None, name="值班长乙", role="duty_chief")
DISPATCHER = Actor(id=None, name="派遣员丙", role="dispatcher")
DISPATCHER_2 = Actor(id=None, name="派遣员丁", role="dispatcher")


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    yield database
    database.dispose()


@pytest.fixture
def demo_pg(pg_demo_url: str) -> Iterator[Database]:
    """The demo district, reference data and people on PostgreSQL, no cases."""
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def current_schema(db: Database) -> str:
    with db.read() as s:
        return s.scalar(text("SELECT current_schema()"))


def test_migrations_create_the_schema(pg_db: Database) -> None:
    assert pg_db.dialect == "postgresql"
    schema = current_schema(pg_db)
    assert schema.startswith("grid_test_")
    tables = set(inspect(pg_db.engine).get_table_names(schema=schema))
    assert {
        "alembic_version",
        "regions",
        "departments",
        "users",
        "grid_staff",
        "categories",
        "deadline_rules",
        "cases",
        "case_events",
        "case_number_counters",
    } <= tables
    expected = ScriptDirectory.from_config(alembic_config(pg_db.engine)).get_current_head()
    with pg_db.read() as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == expected
        kinds = dict(
            s.execute(
                text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = 'cases'"
                )
            ).all()
        )
    assert kinds["reported_at"] == "timestamp with time zone"
    assert kinds["deadline_at"] == "timestamp with time zone"
    # Opening again is an upgrade to the same head: nothing to do, nothing broken.
    again = Database(pg_db.url)
    try:
        with again.read() as s:
            assert s.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    finally:
        again.dispose()


def test_seed_demo_and_stats(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", pg_url, "seed-demo", "--cases", "200", "--days", "10", "--seed", "2"]) == 0
    assert "新增案件 cases added: 200" in capsys.readouterr().out
    before = datetime.now(UTC)
    assert main(["--db", pg_url, "stats", "--json"]) == 0
    after = datetime.now(UTC)
    got = json.loads(capsys.readouterr().out)
    db = Database(pg_url)
    try:
        with db.read() as s:
            at_before = independent_stats(s, before)
            at_after = independent_stats(s, after)
            assert_histories(s, default_lifecycle())
    finally:
        db.dispose()
    assert got["regions"] == {"district": 1, "street": 9, "area": 41, "unit": 134, "grid": 364}
    for key in ("regions", "departments", "staff", "states"):
        assert got[key] == at_before[key], key
    assert sum(got["states"].values()) == 200
    assert got["lights"] in (at_before["lights"], at_after["lights"])


def first_event_category(db: Database) -> tuple[str, str]:
    with db.read() as s:
        row = s.execute(
            select(Category.code, Category.kind).where(
                Category.taxonomy == reference_data.TAXONOMY_GBT2026,
                Category.kind == "event_type",
                Category.code == "06010",
            )
        ).one()
    return row.code, row.kind


def a_report(db: Database, seed: int = 5, **kw: object) -> ReportInput:
    code, kind = first_event_category(db)
    with db.read() as s:
        lons, lats = random_points_in_grids(s, 1, seed=seed)
    fields: dict[str, object] = {
        "category_code": code,
        "kind": kind,
        "lon": float(lons[0]),
        "lat": float(lats[0]),
        "description": "暴露垃圾，影响市容",
        "address": "莲湖路100号",
    }
    fields.update(kw)
    return ReportInput(**fields)  # type: ignore[arg-type]


def test_the_closed_loop(demo_pg: Database) -> None:
    service = CaseService(demo_pg)
    snap = service.report(INSPECTOR, a_report(demo_pg))
    assert (snap.state, snap.version) == ("reported", 1)
    snap = service.register(DUTY_CHIEF, snap.id, snap.version)
    assert snap.state == "registered" and snap.limit_value is not None
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    assert snap.state == "dispatched" and snap.department_id is not None
    assert snap.deadline_at is not None and snap.warning_at is not None
    assert snap.dispatched_at < snap.warning_at < snap.deadline_at
    assert snap.light is not None
    handler = Actor(id=None, name="处置员戊", role="department", department_id=snap.department_id)
    snap = service.feedback(handler, snap.id, snap.version, note="已清理完毕")
    assert snap.state == "handled" and snap.handled_at is not None
    snap = service.verify_pass(INSPECTOR, snap.id, snap.version)
    assert snap.state == "verified"
    snap = service.close(DUTY_CHIEF, snap.id, snap.version)
    assert (snap.state, snap.version) == ("closed", 6)
    assert snap.closed_at is not None

    with demo_pg.read() as s:
        events = s.scalars(
            select(CaseEvent).where(CaseEvent.case_id == snap.id).order_by(CaseEvent.id)
        ).all()
        assert [e.action for e in events] == [
            "report",
            "register",
            "dispatch",
            "feedback",
            "verify_pass",
            "close",
        ]
        assert [e.actor_role for e in events] == [
            "inspector",
            "duty_chief",
            "dispatcher",
            "department",
            "inspector",
            "duty_chief",
        ]
        assert events[3].note == "已清理完毕"
        assert events[3].department_id == snap.department_id
        assert_histories(s, default_lifecycle())
    assert service.get(snap.id).state == "closed"


def test_optimistic_locking(demo_pg: Database) -> None:
    service = CaseService(demo_pg)
    snap = service.report(INSPECTOR, a_report(demo_pg))
    snap = service.register(DUTY_CHIEF, snap.id, snap.version)
    seen = snap.version
    first = service.dispatch(DISPATCHER, snap.id, seen)
    assert first.version == seen + 1
    with pytest.raises(StaleVersionError) as info:
        service.dispatch(DISPATCHER_2, snap.id, seen)
    assert info.value.code == "conflict"
    with demo_pg.read() as s:
        case = s.get(Case, snap.id)
        assert case is not None
        assert (case.state, case.version) == ("dispatched", seen + 1)
        actions = s.scalars(select(CaseEvent.action).where(CaseEvent.case_id == snap.id)).all()
    assert actions.count("dispatch") == 1


def test_concurrent_dispatch_one_wins(demo_pg: Database) -> None:
    """Two seats press 派遣 at the same moment on PostgreSQL: one wins, the other is told."""
    service = CaseService(demo_pg)
    cases = []
    for seed in range(6):
        snap = service.report(INSPECTOR, a_report(demo_pg, seed=seed))
        cases.append(service.register(DUTY_CHIEF, snap.id, snap.version))
    for snap in cases:
        barrier = threading.Barrier(2)

        def press(actor: Actor, snap=snap, barrier=barrier) -> str:  # type: ignore[no-untyped-def]
            barrier.wait()
            try:
                service.dispatch(actor, snap.id, snap.version)
            except StaleVersionError:
                return "stale"
            return "ok"

        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(press, [DISPATCHER, DISPATCHER_2]))
        assert outcomes == ["ok", "stale"]
        with demo_pg.read() as s:
            case = s.get(Case, snap.id)
            assert case is not None and case.version == snap.version + 1
            n = s.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.case_id == snap.id, CaseEvent.action == "dispatch")
            )
        assert n == 1


def test_timestamps_round_trip_timezone_aware(demo_pg: Database) -> None:
    service = CaseService(demo_pg)
    # 09:30 in Xi'an is 01:30 UTC; a microsecond part survives too.
    local = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=LOCAL_TZ)
    snap = service.report(INSPECTOR, a_report(demo_pg, reported_at=local))
    with demo_pg.read() as s:
        case = s.get(Case, snap.id)
        assert case is not None
        reported = case.reported_at
        event_at = s.scalar(select(CaseEvent.at).where(CaseEvent.case_id == snap.id))
        region_count = s.scalar(select(func.count()).select_from(Region))
        raw = s.scalar(
            text("SELECT to_char(reported_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') FROM cases")
        )
    assert region_count == 1 + 9 + 41 + 134 + 364
    assert reported == local
    assert reported.tzinfo is not None and reported.utcoffset() == timedelta(0)
    assert (reported.hour, reported.minute, reported.microsecond) == (1, 30, 123456)
    assert raw == "01:30:15.123456"
    assert event_at is not None and event_at.tzinfo is not None
    assert abs(datetime.now(UTC) - event_at) < timedelta(minutes=5)
    assert snap.reported_at == local and snap.reported_at.tzinfo is not None
