"""Opening a database: migrated on open, with Alembic imported only when a migration is due.

console.schema_head knows the head from the migration files and a database's revision from one
plain read; these tests hold it to Alembic's own answer and check what each start imports.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from console.db import Database, alembic_config, schema_at_head
from console.schema_head import head_revisions, open_sqlite_at_head, sqlite_file

#: Run in a fresh interpreter: the code, then which heavy packages it imported.
PROBE = """
import sys
exec(sys.argv[1])
heavy = [m for m in ("alembic", "sqlalchemy", "console.models") if m in sys.modules]
print("imported:", *heavy)
"""


def run_fresh(code: str) -> tuple[str, set[str]]:
    """What ``code`` prints in a fresh interpreter, and the heavy packages it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, code], capture_output=True, text=True, check=True
    )
    printed, _, modules = done.stdout.rpartition("imported:")
    return printed, set(modules.split())


def imported_by(code: str) -> set[str]:
    return run_fresh(code)[1]


def version_of(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def test_the_head_is_alembics(db: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config(db.engine))
    assert head_revisions() == frozenset(script.get_heads())
    assert version_of(db) == set(head_revisions() or ())
    assert schema_at_head(db.engine)


def write_migrations(directory: Path, *bodies: str) -> Path:
    directory.mkdir()
    (directory / "__init__.py").write_text("revision = 'not a migration'\n")
    for i, body in enumerate(bodies):
        (directory / f"{i:04d}_step.py").write_text(f'"""Revision ID: x"""\n{body}\n')
    return directory


def test_head_revisions_read_from_the_files(tmp_path: Path) -> None:
    line = write_migrations(
        tmp_path / "line",
        "revision = 'a'\ndown_revision = None",
        'revision: str = "b"\ndown_revision: str | None = "a"',
    )
    assert head_revisions(line) == {"b"}
    merged = write_migrations(
        tmp_path / "merged",
        "revision = 'a'\ndown_revision = None",
        "revision = 'b'\ndown_revision = 'a'",
        "revision = 'c'\ndown_revision = 'a'",
        "revision = 'd'\ndown_revision = ('b', 'c')",
    )
    assert head_revisions(merged) == {"d"}
    # Anything not read with certainty leaves the decision to Alembic.
    odd_ones = (
        "revision = 'b'\ndown_revision = (\n    'a',\n)",  # a tuple over several lines
        "revision = REV\ndown_revision = 'a'",
        "down_revision = 'a'",
        "revision = 'b'\ndown_revision = 'gone'",
    )
    for i, odd in enumerate(odd_ones):
        directory = write_migrations(
            tmp_path / f"odd{i}", "revision = 'a'\ndown_revision = None", odd
        )
        assert head_revisions(directory) is None, odd


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////tmp/x/console.sqlite3",
        "sqlite:///relative/console.sqlite3",
        "sqlite+pysqlite:////tmp/a b#c.sqlite3",
        r"sqlite:///C:\Users\grid\console.sqlite3",
    ],
)
def test_a_plain_sqlite_url_names_the_file_sqlalchemy_opens(url: str) -> None:
    assert sqlite_file(url) == make_url(url).database


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:////tmp/a%20b.sqlite3",  # SQLAlchemy decodes it; left to SQLAlchemy
        "sqlite:////tmp/x.sqlite3?timeout=3",
        "sqlite+pysqlcipher:////tmp/x.sqlite3",
        "postgresql+psycopg://postgres@127.0.0.1/test",
    ],
)
def test_any_other_url_is_left_to_sqlalchemy(url: str) -> None:
    assert sqlite_file(url) is None


def test_a_database_below_head_is_migrated_on_open(db: Database) -> None:
    command.downgrade(alembic_config(db.engine), "0013")
    assert version_of(db) == {"0013"}
    assert not schema_at_head(db.engine)
    assert open_sqlite_at_head(db.url) is None
    again = Database(db.url)
    try:
        assert version_of(again) == set(head_revisions() or ())
        assert schema_at_head(again.engine)
    finally:
        again.dispose()


def test_open_sqlite_at_head(db: Database, tmp_path: Path) -> None:
    connection = open_sqlite_at_head(db.url)
    assert connection is not None
    try:
        assert connection.in_transaction  # one snapshot for the reads that follow
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            connection.execute("DELETE FROM calendar_years")
    finally:
        connection.close()
    missing = tmp_path / "missing.sqlite3"
    assert open_sqlite_at_head(f"sqlite:///{missing}") is None
    assert not missing.exists()  # nothing created: Database does that, and migrates
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    assert open_sqlite_at_head(f"sqlite:///{empty}") is None
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("not a database\n" * 100)
    assert open_sqlite_at_head(f"sqlite:///{not_a_database}") is None


def test_alembic_is_imported_only_to_migrate(db: Database, tmp_path: Path) -> None:
    open_at_head = f"from console.db import Database; Database({db.url!r}).dispose()"
    assert "alembic" not in imported_by(open_at_head)
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert "alembic" in imported_by(f"from console.db import Database; Database({fresh!r})")
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as conn:
        (version,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {version} == head_revisions()
