"""Whether a database's schema is at the newest migration, known without Alembic.

Importing Alembic costs about half a second on every start of every command, and a database
already at the newest migration needs none of it. The head is read from the migration files'
own ``revision`` / ``down_revision`` lines (the files are not imported), a database's revision
from its alembic_version table with one plain query. Anything unexpected (a file whose lines
are not the plain assignments Alembic's template writes, no version table) counts as "not at
head": console.db then runs Alembic, which decides as it always did.

:func:`open_sqlite_at_head` is that check on an SQLite file through the standard library's
sqlite3, for a one-shot reader that need not import SQLAlchemy either (`grid-console deadline`,
console.services.calendar_read). This module imports neither SQLAlchemy nor Alembic.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: How long an SQLite writer waits for another seat's lock before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 15_000
#: Alembic's table of the revision(s) a database is at, and the one statement that reads it.
VERSION_TABLE = "alembic_version"
VERSION_SQL = f"SELECT version_num FROM {VERSION_TABLE}"

_REVISION = re.compile(r"^revision\s*(?::[^=\n]*)?=\s*(.*)$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=\n]*)?=\s*(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")
#: ``sqlite:///relative`` or ``sqlite:////absolute``, nothing SQLAlchemy would decode or read
#: as options (``%`` escapes, ``?query``).
_SQLITE_FILE_URL = re.compile(r"sqlite(?:\+pysqlite)?:///([^?%]+)")


def head_revisions(versions_dir: Path = MIGRATIONS_DIR / "versions") -> frozenset[str] | None:
    """The revisions no migration revises (one while the history is a line), as Alembic's
    ``heads``; None when a file is not read with certainty (then Alembic decides)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in versions_dir.glob("*.py"):
        if path.name.startswith(("__init__", ".#")):  # Alembic skips these too
            continue
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if len(revision) != 1 or len(down) != 1:
            return None
        names = _QUOTED.fullmatch(revision[0].strip())
        if names is None:
            return None
        revisions.add(names[1])
        value = down[0].strip()
        if value != "None":
            down_names = _QUOTED.findall(value)
            if not down_names or not value.endswith(("'", '"', ")")):
                return None  # e.g. a tuple spread over several lines
            revised.update(down_names)
    heads = revisions - revised
    if not heads or not revised <= revisions:
        return None
    return frozenset(heads)


def at_head(versions: Iterable[str]) -> bool:
    """Whether a database whose alembic_version holds ``versions`` needs no migration."""
    heads = head_revisions()
    return heads is not None and frozenset(versions) == heads


def sqlite_file(url: str) -> str | None:
    """The file a plain SQLite URL names, as SQLAlchemy reads it; None for any other URL (one
    with options or escapes, an in-memory database, another database or driver)."""
    match = _SQLITE_FILE_URL.fullmatch(url)
    if match is None or match[1] == ":memory:":
        return None
    return match[1]


def open_sqlite_at_head(url: str) -> sqlite3.Connection | None:
    """A connection to the SQLite file ``url`` names, in a read-only transaction (one snapshot
    for the check and the reads that follow), when its schema is at head. None otherwise: not
    a plain SQLite file URL, no such file, an older schema or none, anything unreadable; then
    console.db.Database opens it, migrating it first, as it always did.

    The connection is the standard library's, with no SQLAlchemy behind it: close it when done.
    """
    path = sqlite_file(url)
    if path is None or not os.path.isfile(path):
        return None
    try:
        # isolation_level=None: nothing begun behind our back; the BEGIN below is a reader's
        # (no write lock, as console.db's read engine).
        connection = sqlite3.connect(
            path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )
    except sqlite3.Error:
        return None
    try:
        connection.execute("PRAGMA query_only=ON")
        connection.execute("BEGIN")
        versions = [row[0] for row in connection.execute(VERSION_SQL)]
    except sqlite3.Error:  # no alembic_version (an empty file), not a database at all…
        connection.close()
        return None
    if not at_head(versions):
        connection.close()
        return None
    return connection
