"""The seats' role on the real server (#13 §3): the owner migrates and runs `db grant`; a seat
connected as the granted role works (seeds, reports, reads the queue, opens the database at
head without any DDL) and cannot rewrite the audit: no disabling the triggers, no UPDATE,
DELETE or TRUNCATE of the audit tables, no DROP, no CREATE.

Roles are cluster-wide: each test makes its own (unique names) and drops them in a finally.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from console.cli import main
from console.db import Database, SchemaBehindError, alembic_config, make_engine, schema_at_head
from console.schema_head import head_revisions
from console.services.queue import QueueFilter
from console.services.seat_grants import audit_tables
from console.services.workbench import Workbench
from tests.integration.test_change_notify import commit_report

pytestmark = pytest.mark.postgres

#: The newest revision (the history is a line: one head).
HEAD = "".join(head_revisions() or ())

AUDIT = ("calendar_changes", "case_events", "security_events")
#: SQLSTATE insufficient_privilege (the append-only trigger raises it too: the tests also
#: check the message, which says the privilege system refused, not the trigger).
INSUFFICIENT_PRIVILEGE = "42501"


def admin_engine(url: str) -> Engine:
    base = make_url(url).difference_update_query(["options"])
    return create_engine(base, isolation_level="AUTOCOMMIT")


def as_role(url: str, role: str, schema: str) -> str:
    """``url`` (server and database) as ``role`` (trust auth: no password) in ``schema``."""
    parsed = make_url(url).set(username=role, password=None)
    parsed = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def schema_of(url: str) -> str:
    return str(make_url(url).query["options"]).split("=", 1)[1]


@dataclass
class Seat:
    owner_url: str
    url: str
    role: str
    schema: str


def drop_roles(admin: Engine, *roles: str) -> None:
    with admin.connect() as conn:
        for role in roles:
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.fixture
def seat_role(pg_url: str) -> Iterator[str]:
    """A fresh LOGIN role with no privileges, dropped afterwards."""
    role = f"grid_seat_{uuid.uuid4().hex[:10]}"
    admin = admin_engine(pg_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        yield role
    finally:
        drop_roles(admin, role)
        admin.dispose()


@pytest.fixture
def seat(pg_url: str, seat_role: str, capsys: pytest.CaptureFixture[str]) -> Seat:
    """The owner (the test's superuser) migrated and granted; the seat URL."""
    assert main(["--db", pg_url, "migrate"]) == 0
    assert main(["--db", pg_url, "db", "grant", "--role", seat_role]) == 0
    capsys.readouterr()
    schema = schema_of(pg_url)
    return Seat(pg_url, as_role(pg_url, seat_role, schema), seat_role, schema)


def refusal(url: str, sql: str) -> DBAPIError:
    engine = create_engine(url)
    try:
        with pytest.raises(DBAPIError) as info, engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()
    return info.value


def assert_permission_refused(url: str, sql: str) -> str:
    error = refusal(url, sql)
    message = str(error.orig)
    assert getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE, message
    # The privilege system's words, not the append-only trigger's.
    assert "permission denied" in message or "must be owner" in message, message
    assert "append-only" not in message
    return message


def privileges(owner_url: str, role: str, schema: str) -> dict[str, set[str]]:
    kinds = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    engine = create_engine(owner_url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
            ).scalars()
            out = {}
            for table in tables:
                out[table] = {
                    k
                    for k in kinds
                    if conn.execute(
                        text("SELECT has_table_privilege(:r, :t, :k)"),
                        {"r": role, "t": f'"{schema}"."{table}"', "k": k},
                    ).scalar_one()
                }
            out["<schema>"] = {
                k
                for k in ("USAGE", "CREATE")
                if conn.execute(
                    text("SELECT has_schema_privilege(:r, :s, :k)"),
                    {"r": role, "s": schema, "k": k},
                ).scalar_one()
            }
            return out
    finally:
        engine.dispose()


def test_migrate_says_the_revision_and_reminds_to_grant(
    pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", pg_url, "migrate"]) == 0
    out = capsys.readouterr().out
    assert f"已迁移 migrated: (空 empty) → {HEAD}" in out
    assert "db grant --role" in out
    assert main(["--db", pg_url, "migrate"]) == 0
    assert f"already at the newest revision: {HEAD}" in capsys.readouterr().out


def test_grant_gives_exactly_the_seats_privileges_and_is_idempotent(
    seat: Seat, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(seat.owner_url)
    with engine.connect() as conn:
        assert audit_tables(conn, seat.schema) == list(AUDIT)
    engine.dispose()
    got = privileges(seat.owner_url, seat.role, seat.schema)
    assert got.pop("<schema>") == {"USAGE"}
    assert got.pop("alembic_version") == {"SELECT"}
    for table in AUDIT:
        assert got.pop(table) == {"SELECT", "INSERT"}, table
    assert len(got) > 20
    for table, granted in got.items():
        assert granted == {"SELECT", "INSERT", "UPDATE", "DELETE"}, table

    assert main(["--db", seat.owner_url, "db", "grant", "--role", seat.role]) == 0
    out = capsys.readouterr().out
    assert "audit tables INSERT/SELECT only: calendar_changes, case_events, security_events" in (
        out
    )
    again = privileges(seat.owner_url, seat.role, seat.schema)
    again.pop("<schema>")
    assert again == {
        **got,
        "alembic_version": {"SELECT"},
        **{t: {"SELECT", "INSERT"} for t in AUDIT},
    }


def test_the_console_works_as_the_seat_role(seat: Seat, capsys: pytest.CaptureFixture[str]) -> None:
    # Loading the district needs no DDL either.
    assert main(["--db", seat.url, "seed-demo", "--cases", "3", "--days", "1", "--seed", "2"]) == 0
    capsys.readouterr()
    db = Database(seat.url)  # at head: opens without migrating (the seat may not)
    try:
        assert schema_at_head(db.engine)
        with db.read() as s:
            assert s.scalar(text("SELECT current_user")) == seat.role
        case_id = commit_report(db, description="席位角色上报")
        rows = Workbench(db, username="dispatcher").queue_page(QueueFilter(), 0, 50)
        assert case_id in {row.id for row in rows}
        with db.read() as s:
            actions = s.execute(
                text("SELECT count(*) FROM case_events WHERE case_id = :c"), {"c": case_id}
            ).scalar_one()
        assert actions >= 1
    finally:
        db.dispose()
    assert main(["--db", seat.url, "stats"]) == 0
    assert main(["--db", seat.url, "migrate"]) == 0  # at head: nothing to do, no DDL
    assert HEAD in capsys.readouterr().out


@pytest.mark.parametrize("table", ["case_events", "security_events"])
def test_the_seat_role_cannot_rewrite_the_audit(
    seat: Seat, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", seat.url, "seed-demo", "--cases", "2", "--days", "1", "--seed", "3"]) == 0
    capsys.readouterr()
    owner = create_engine(seat.owner_url)
    with owner.begin() as conn:
        conn.execute(
            text("INSERT INTO security_events (at, kind, username) VALUES (now(), 'x', 'y')")
        )
    owner.dispose()
    for sql in (
        f"ALTER TABLE {table} DISABLE TRIGGER USER",
        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        f"UPDATE {table} SET at = at",
        f"DELETE FROM {table}",
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
        f"DROP TABLE {table}",
        f"ALTER TABLE {table} OWNER TO CURRENT_USER",
    ):
        assert_permission_refused(seat.url, sql)
    # The owner sees every row still there, and the triggers enabled.
    engine = create_engine(seat.owner_url)
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() >= 1
        states = conn.execute(
            text(
                "SELECT tgenabled FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
                "AND NOT tgisinternal"
            ),
            {"t": table},
        ).scalars()
        assert set(states) == {"O"}
    engine.dispose()


def test_the_seat_role_has_no_ddl(seat: Seat) -> None:
    assert_permission_refused(seat.url, "DROP TABLE cases")
    assert_permission_refused(seat.url, "TRUNCATE cases")
    assert_permission_refused(seat.url, "CREATE TABLE mine (i int)")
    assert_permission_refused(seat.url, "DROP FUNCTION audit_refuse_change() CASCADE")
    assert_permission_refused(seat.url, "UPDATE alembic_version SET version_num = '0001'")


def test_grant_refuses_with_one_clear_line(
    pg_url: str, seat_role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = f"grid_nobody_{uuid.uuid4().hex[:8]}"
    assert main(["--db", pg_url, "db", "grant", "--role", unknown]) == 2
    err = capsys.readouterr().err
    assert f"角色 {unknown} 不存在 (role does not exist)" in err
    assert "Traceback" not in err

    assert main(["--db", pg_url, "db", "grant", "--role", seat_role]) == 2
    assert "not migrated" in capsys.readouterr().err

    assert main(["--db", pg_url, "migrate"]) == 0
    assert main(["--db", pg_url, "db", "grant", "--role", "postgres"]) == 2
    assert "superuser" in capsys.readouterr().err

    seat_url = as_role(pg_url, seat_role, schema_of(pg_url))
    assert main(["--db", pg_url, "db", "grant", "--role", seat_role]) == 0
    capsys.readouterr()
    assert main(["--db", seat_url, "db", "grant", "--role", seat_role]) == 2
    err = capsys.readouterr().err
    assert f"当前角色 {seat_role} 不是表的所有者 (not owner" in err
    assert len(err.strip().splitlines()) == 1


def test_a_non_superuser_owner_migrates_and_grants(
    pg_url: str, seat_role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's set-up: a schema owned by an ordinary owner role; a later table (a
    migration's) reaches the seat through the default privileges; a seat role that is a member
    of the owner is refused."""
    owner = f"grid_owner_{uuid.uuid4().hex[:10]}"
    schema = f"grid_own_{uuid.uuid4().hex[:10]}"
    admin = admin_engine(pg_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE ROLE "{owner}" LOGIN'))
            conn.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"'))
        owner_url = as_role(pg_url, owner, schema)
        seat_url = as_role(pg_url, seat_role, schema)
        assert main(["--db", owner_url, "migrate"]) == 0
        assert main(["--db", owner_url, "db", "grant", "--role", seat_role]) == 0
        capsys.readouterr()
        assert main(["--db", seat_url, "seed-demo", "--cases", "1", "--seed", "4"]) == 0
        assert_permission_refused(seat_url, "ALTER TABLE case_events DISABLE TRIGGER USER")
        assert_permission_refused(seat_url, "UPDATE case_events SET at = at")

        later = create_engine(owner_url)
        with later.begin() as conn:  # as a later migration would
            conn.execute(text("CREATE TABLE later_table (id serial PRIMARY KEY, v int)"))
        later.dispose()
        seat_engine = create_engine(seat_url)
        with seat_engine.begin() as conn:
            conn.execute(text("INSERT INTO later_table (v) VALUES (1)"))
            assert conn.execute(text("SELECT count(*) FROM later_table")).scalar_one() == 1
        seat_engine.dispose()
        assert_permission_refused(seat_url, "TRUNCATE later_table")

        with admin.connect() as conn:
            conn.execute(text(f'GRANT "{owner}" TO "{seat_role}"'))
        assert main(["--db", owner_url, "db", "grant", "--role", seat_role]) == 2
        assert "owns the tables" in capsys.readouterr().err
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        drop_roles(admin, owner)
        admin.dispose()


def test_a_seat_on_an_older_schema_is_told_to_ask_the_owner(
    seat: Seat, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = make_engine(seat.owner_url)
    command.downgrade(alembic_config(owner), "-1")
    owner.dispose()
    with pytest.raises(SchemaBehindError, match="OWNER_URL migrate"):
        Database(seat.url)
    assert main(["--db", seat.url, "stats"]) == 2
    err = capsys.readouterr().err
    assert "错误 [schema_behind]" in err
    assert "Traceback" not in err
    # Nothing half-done: the owner migrates, and the seat opens.
    assert main(["--db", seat.owner_url, "migrate"]) == 0
    assert f" → {HEAD}" in capsys.readouterr().out
    Database(seat.url).dispose()
