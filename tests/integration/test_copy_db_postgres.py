"""`grid-console copy-db --to URL` into the real server (#13 §2): the demo district's SQLite
file (cases walked through the lifecycle, alerts, a device token, a photo, the security log)
copied into a fresh schema named by the URL's search_path; the same `stats --json`, every row
equal as SQLAlchemy reads it on each side, the console works on the copy (new ids follow the
old), a non-empty target is refused, and a failed or killed copy leaves no row behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy.engine import make_url

from console.cli import main
from console.db import Database, make_engine
from console.models import Case, CaseEvent, UTCDateTime
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from console.services.copy_db import console_tables
from console.services.copy_tables import checksum_of, copy_table
from console.services.queue import QueueFilter
from console.services.workbench import Workbench
from tests.commands.test_calendar_command import SCHEDULE_2027
from tests.gateway.support import dispatched, png_bytes, reported
from tests.integration.test_seat_role_postgres import (  # noqa: F401  (seat_role: a fixture)
    admin_engine,
    as_role,
    drop_roles,
    seat_role,
)
from tests.services.console_support import CHIEF, handler

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
#: Every column of an event but its id, to write events by SQL as an old script might.
EVENT_COLUMNS = ", ".join(c.name for c in CaseEvent.__table__.columns if c.name != "id")


@pytest.fixture(scope="module")
def source_template(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The demo district with 120 cases, the alerts a scan raises, a device token (and its
    security-log line), an official holiday year (and its audit line) and a case photo: a row
    in every kind of table the issue names, and in each of the three audit tables."""
    path = tmp_path_factory.mktemp("copy_db") / "seat.sqlite3"
    shutil.copy(demo_template, path)
    url = f"sqlite:///{path}"
    # a small component census: the register's rows are copied like any (not 128,000 of them)
    seed = ["seed-demo", "--cases", "120", "--seed", "5", "--components", "2000"]
    assert main(["--db", url, *seed]) == 0
    assert main(["--db", url, "scan"]) == 0
    assert main(["--db", url, "token", "create", "--user", "inspector", "--label", "城管通-1"]) == 0
    schedule = path.parent / "2027.csv"  # an official year: calendar_days, _years, _changes
    schedule.write_text(SCHEDULE_2027, encoding="utf-8")
    assert main(["--db", url, "calendar", "import", str(schedule)]) == 0
    db = Database(url)
    try:
        store = AttachmentStore(path.parent / "attachments", max_bytes=64 * 1024)
        photos = AttachmentService(CaseService(db), store)
        s = dispatched(photos.cases, db)
        photos.act_with_photo(
            handler(db, s.department_id),
            s.id,
            "feedback",
            s.version,
            note="已处理",
            photo=PhotoUpload(png_bytes(seed=9), "现场.png"),
        )
    finally:
        db.dispose()  # the last connection checkpoints the WAL into the file
    yield path


@pytest.fixture
def source(source_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "seat.sqlite3"
    shutil.copy(source_template, path)
    return f"sqlite:///{path}"


def rows_as_read(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every console table's rows as SQLAlchemy reads them (the models' own types: aware
    UTC datetimes, booleans, dates), sorted in Python: no engine's collation involved."""
    with engine.connect() as conn:
        return {
            t.name: sorted(
                (tuple(r) for r in conn.execute(select(t))),
                key=lambda row: tuple(str(v) for v in row),
            )
            for t in console_tables()
        }


def row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in console_tables()
            }
    finally:
        engine.dispose()


def stats_json(url: str, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["--db", url, "stats", "--json"]) == 0
    return capsys.readouterr().out


def test_copy_gives_the_same_database(
    source: str, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = row_counts(source)
    for table in ("cases", "case_events", "alerts", "users", "api_tokens", "attachments"):
        assert before[table] > 0, table
    for table in ("security_events", "calendar_changes", "calendar_days", "patrol_points"):
        assert before[table] > 0, table

    assert main(["--db", source, "copy-db", "--to", pg_url]) == 0
    out, err = capsys.readouterr()
    # The table of counts and checksums: one line per table, every one equal.
    for t in console_tables():
        line = next(x for x in out.splitlines() if x.startswith(t.name + " "))
        assert line.split()[1] == line.split()[2] == f"{before[t.name]:,}", line
        assert line.endswith("是 yes"), line
    assert "已复制并核对 copied and verified" in out
    assert "attachments/" in out  # the photo files are said to stay on disk
    # Progress on stderr, per table and step.
    assert "复制 copy cases" in err and "核对 verify case_events" in err

    # The check: the same `stats --json`, to the character.
    assert stats_json(pg_url, capsys) == stats_json(source, capsys)
    assert row_counts(pg_url) == before
    sqlite_engine, pg_engine = make_engine(source), make_engine(pg_url)
    try:
        # Every value as the console reads it, compared without copy-db's own code…
        assert rows_as_read(pg_engine) == rows_as_read(sqlite_engine)
        # …and the checksums as copy-db takes them, now on the committed copy.
        with sqlite_engine.connect() as a, pg_engine.connect() as b:
            for t in console_tables():
                assert checksum_of(a, t).hexdigest() == checksum_of(b, t).hexdigest(), t.name
        # The indexes are all back (dropped for the load, built again after it).
        assert secondary_index_names(pg_engine) == fresh_index_names(pg_url)
    finally:
        sqlite_engine.dispose()
        pg_engine.dispose()

    # The console opens the copy and works on it: reads a queue, reports and registers a new
    # case whose id, event ids and number follow the copied ones.
    db = Database(pg_url)
    try:
        with db.read() as s:
            last_case = s.scalar(select(func.max(Case.id)))
            last_event = s.scalar(select(func.max(CaseEvent.id)))
        page = Workbench(db, actor=CHIEF).queue_page(QueueFilter(tab="all_open"), 0, 50)
        assert page and all(row.id <= (last_case or 0) for row in page)
        cases = CaseService(db)
        new = cases.register(CHIEF, (r := reported(cases, db)).id, r.version)
        assert new.id == (last_case or 0) + 1
        with db.read() as s:
            events = list(s.scalars(select(CaseEvent.id).where(CaseEvent.case_id == new.id)))
            numbers = list(s.scalars(select(Case.number)))
        assert min(events) == (last_event or 0) + 1
        assert len(numbers) == len(set(numbers))  # the number counters came along
    finally:
        db.dispose()


def secondary_index_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.scalars(
                text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            )
        )


def fresh_index_names(pg_url: str) -> set[str]:
    """The indexes of a schema freshly migrated next to the copy's."""
    schema = f"{make_url(pg_url).query['options']}".split("=", 1)[1] + "_fresh"
    admin = create_engine(
        make_url(pg_url).difference_update_query(["options"]), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
        Database(url.render_as_string(hide_password=False)).dispose()
        fresh = make_engine(url.render_as_string(hide_password=False))
        try:
            return secondary_index_names(fresh)
        finally:
            fresh.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_owner_role_copies_and_the_seats_work_on_the_copy(
    source: str,
    pg_url: str,
    seat_role: str,  # noqa: F811  (the fixture)
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The README's set-up: an ordinary (not superuser) owner role runs copy-db into its own
    schema, then db grant; the seat role reads the copy and adds a case to it."""
    owner = f"grid_owner_{uuid.uuid4().hex[:10]}"
    schema = f"grid_copy_{uuid.uuid4().hex[:10]}"
    admin = admin_engine(pg_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
            conn.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"'))
        owner_url = as_role(pg_url, owner, schema)
        seat_url = as_role(pg_url, seat_role, schema)
        assert main(["--db", source, "copy-db", "--to", owner_url, "-q"]) == 0
        assert main(["--db", owner_url, "db", "grant", "--role", seat_role]) == 0
        assert stats_json(seat_url, capsys) == stats_json(source, capsys)
        db = Database(seat_url)
        try:
            cases = CaseService(db)
            with db.read() as s:
                last_case = s.scalar(select(func.max(Case.id))) or 0
            assert reported(cases, db).id == last_case + 1
        finally:
            db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        drop_roles(admin, owner)
        admin.dispose()


def test_a_target_with_rows_or_other_tables_is_refused(
    source: str, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", source, "copy-db", "--to", pg_url, "-q"]) == 0
    copied = row_counts(pg_url)
    capsys.readouterr()
    assert main(["--db", source, "copy-db", "--to", pg_url, "-q"]) == 2
    err = capsys.readouterr().err
    assert "[target_not_empty]" in err and "不是空的" in err
    assert f"cases: {copied['cases']:,} 行" in err
    assert row_counts(pg_url) == copied  # untouched

    # A schema holding someone else's table is not the console's to fill either.
    engine = create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE cases CASCADE"))
            conn.execute(text("CREATE TABLE payroll (id int)"))
    finally:
        engine.dispose()
    assert main(["--db", source, "copy-db", "--to", pg_url, "-q"]) == 2
    err = capsys.readouterr().err
    assert "payroll: 不是控制台的表" in err


def sqlite_exec(url: str, *statements: str) -> None:
    """Statements SQLite accepts with its foreign keys off, as an older script could write."""
    conn = sqlite3.connect(make_url(url).database or "")
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def assert_no_rows(pg_url: str) -> None:
    counts = row_counts(pg_url)
    assert counts and set(counts.values()) == {0}, {k: v for k, v in counts.items() if v}


def test_a_row_postgresql_refuses_rolls_everything_back(
    source: str, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # An event of a case that does not exist: SQLite took it with its foreign keys off; it
    # is copied after every other table of cases and events, so much is written before.
    sqlite_exec(
        source,
        f"INSERT INTO case_events ({EVENT_COLUMNS}) "
        f"SELECT {EVENT_COLUMNS.replace('case_id', '987654')} FROM case_events LIMIT 1",
    )
    assert main(["--db", source, "copy-db", "--to", pg_url, "-q"]) == 2
    out, err = capsys.readouterr()
    assert "[copy_failed]" in err and "case_events" in err and "987654" in err
    assert "已全部回滚" in err and "已复制" not in out
    assert_no_rows(pg_url)  # migrated, and empty


def test_an_integer_beyond_the_column_is_refused_by_name(
    source: str, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Binary COPY would keep the low 32 bits of 2^40 + 3 (i.e. 3) without a word.
    sqlite_exec(source, f"UPDATE cases SET dispatch_count = {2**40 + 3} WHERE id = 7")
    assert main(["--db", source, "copy-db", "--to", pg_url, "-q"]) == 2
    err = capsys.readouterr().err
    assert "[copy_failed]" in err
    assert "表 cases 行 (id=7) 列 dispatch_count" in err and str(2**40 + 3) in err
    assert_no_rows(pg_url)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "exit_code", "said"),
    [
        (signal.SIGKILL, -signal.SIGKILL, ""),  # no chance to clean up: the server rolls back
        (signal.SIGINT, 130, "已取消 cancelled"),  # Ctrl-C: the command rolls back and says so
    ],
)
def test_a_copy_stopped_midway_leaves_no_row_and_can_run_again(
    source: str,
    pg_url: str,
    capsys: pytest.CaptureFixture[str],
    signum: signal.Signals,
    exit_code: int,
    said: str,
) -> None:
    # Enough events that their copy takes seconds: each doubling copies the table onto itself.
    sqlite_exec(
        source,
        *[f"INSERT INTO case_events ({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} FROM case_events"] * 6,
    )
    events = row_counts(source)["case_events"]
    assert events > 40_000
    # faulthandler: a copy that does not stop can be made to say where it is (SIGABRT below).
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", source, "copy-db", "--to", pg_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stderr is not None
    seen = []
    try:
        for line in process.stderr:  # progress lines (not a terminal: one per table at least)
            seen.append(line)
            if line.startswith("复制 copy cases:"):  # the cases are in; the events are next
                process.send_signal(signum)
                break
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            # Seen once in CI after SIGINT (not reproduced here): the stacks say where it hung.
            process.send_signal(signal.SIGABRT)
            _, err = process.communicate(timeout=30)
            pytest.fail(f"copy-db still running 120 s after {signum.name}:\n{err[-6000:]}")
    finally:
        process.kill()
    assert process.returncode == exit_code, (seen[-3:], err)
    assert said in err and "Traceback" not in err
    assert "已复制并核对" not in out
    assert_no_rows(pg_url)

    # The transaction is gone with its locks: the same target takes the copy now.
    capsys.readouterr()
    assert main(["--db", source, "copy-db", "--to", pg_url, "-q"]) == 0
    assert row_counts(pg_url)["case_events"] == events


def test_json_blobs_zones_and_booleans_round_trip(tmp_path: Path, pg_url: str) -> None:
    """Column kinds the console's tables do not have yet (JSON, bytea) and the ones they do,
    through copy_table into the server and back: equal as SQLAlchemy reads them, equal sums."""
    table = Table(
        "kinds",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("code", String(8), unique=True),
        Column("at", UTCDateTime),
        Column("day", Date),
        Column("flag", Boolean),
        Column("ratio", Float),
        Column("doc", JSON),
        Column("blob", LargeBinary),
    )
    rows = [
        {
            "id": 1,
            "code": "Ä1",
            "at": datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Shanghai")),
            "day": date(2028, 2, 29),
            "flag": True,
            "ratio": -0.0,
            "doc": {"名称": "井盖", "codes": [1, 2.5, None], "ok": False},
            "blob": bytes(range(256)),
        },
        {"id": 2, "code": "a1", "flag": False, "ratio": 1e308, "doc": [], "blob": b""},
        {"id": 3, "code": "B1"},  # NULLs everywhere else
    ]
    sqlite = make_engine(f"sqlite:///{tmp_path / 'kinds.sqlite3'}")
    pg = make_engine(pg_url)
    try:
        table.metadata.create_all(sqlite)
        table.metadata.create_all(pg)
        with sqlite.begin() as conn:
            for row in rows:  # one by one: each leaves out other columns (NULL)
                conn.execute(table.insert(), row)
        with sqlite.connect() as src, src.begin(), pg.connect() as dst, dst.begin():
            raw = dst.connection.driver_connection
            sent = copy_table(src, raw, table, batch=2)
            back = checksum_of(dst, table, batch=2)
            assert (back.rows, back.hexdigest()) == (3, sent.hexdigest())
        with sqlite.connect() as a, pg.connect() as b:
            mine = a.execute(select(table).order_by(table.c.id)).all()
            theirs = b.execute(select(table).order_by(table.c.id)).all()
        assert theirs == mine
        assert theirs[0].at == rows[0]["at"] and theirs[0].blob == bytes(range(256))
        assert theirs[0].doc == rows[0]["doc"] and theirs[2].doc is None
    finally:
        sqlite.dispose()
        pg.dispose()
