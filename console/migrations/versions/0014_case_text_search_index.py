"""case text search index

The queue's search (a substring of the case number, address or description) reads a trigram
index instead of scanning every case with LIKE (issue 14 §5; the query side is
console.services.cases.search).

SQLite: cases_search, an FTS5 table with the trigram tokenizer, kept current by triggers on
cases, so every transaction that writes a case (the ORM, the bulk intake's executemany, a
script) writes its index entry too. It is contentless (content=''): it holds the index only,
not a second copy of the text, and what it indexes is each column followed by two U+001F
marks, so that every character of the text starts a trigram and a 1- or 2-character query is a
range of the index's terms (cases_search_terms, its fts5vocab) — an external-content table
would re-read the unmarked text on 'rebuild' and lose that. columnsize=0: no ranking, so no
per-row sizes to write. Needs SQLite 3.34+ with FTS5 (every supported Python ships it).

PostgreSQL: pg_trgm's GIN indexes on the three columns, which ILIKE '%…%' uses for patterns
of 3 characters or more. The extension is created in the public schema when absent; the
downgrade leaves it (other schemas of the database may use it).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 16:00:00
"""
from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

COLUMNS = ('number', 'address', 'description')
FTS_TABLE = 'cases_search'
TERMS_TABLE = 'cases_search_terms'
#: What follows each column's text in the index (never typed: a query holding it scans).
MARK = 'char(31, 31)'
PG_INDEXES = {column: f'ix_cases_{column}_trgm' for column in COLUMNS}


def _indexed(row: str) -> str:
    """The indexed values of ``row`` (new or old): each column and the marks after it."""
    return ', '.join(f"coalesce({row}.{c}, '') || {MARK}" for c in COLUMNS)


def _sqlite_upgrade() -> None:
    if sqlite3.sqlite_version_info < (3, 34, 0):
        raise RuntimeError(
            f'SQLite {sqlite3.sqlite_version} has no trigram tokenizer: the case search needs '
            'SQLite 3.34 or later with FTS5 (the sqlite3 module of Python 3.11+ from python.org)'
        )
    names = ', '.join(COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({names}, tokenize='trigram', "
        "content='', columnsize=0)"
    )
    op.execute(f"CREATE VIRTUAL TABLE {TERMS_TABLE} USING fts5vocab({FTS_TABLE}, 'row')")
    insert = f'INSERT INTO {FTS_TABLE}(rowid, {names}) VALUES (new.id, {_indexed("new")});'
    # A contentless table forgets a row by being told the values it indexed.
    delete = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {names}) "
        f"VALUES ('delete', old.id, {_indexed('old')});"
    )
    op.execute(f'CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON cases BEGIN {insert} END')
    op.execute(f'CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON cases BEGIN {delete} END')
    # Only when the text changes: a state change (most updates) leaves the index alone.
    op.execute(
        f'CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF {names} ON cases '
        f'BEGIN {delete} {insert} END'
    )
    indexed = ', '.join(f"coalesce({c}, '') || {MARK}" for c in COLUMNS)
    op.execute(f'INSERT INTO {FTS_TABLE}(rowid, {names}) SELECT id, {indexed} FROM cases')


def _pg_upgrade(bind: sa.engine.Connection) -> None:
    # Seats migrating schemas of one database at once would race on CREATE EXTENSION (IF NOT
    # EXISTS is no lock: the loser fails on the catalog's unique key); held to the commit.
    bind.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('grid-console: pg_trgm'))"))
    installed = bind.execute(
        sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
    ).scalar()
    if installed is None:
        has_public = bind.execute(
            sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")
        ).scalar()
        # In public, not in the schema first on the search path: dropping a seat's schema
        # must not take the extension (and every other schema's indexes) with it.
        op.execute(
            'CREATE EXTENSION IF NOT EXISTS pg_trgm' + (' WITH SCHEMA public' if has_public else '')
        )
        installed = bind.execute(
            sa.text(
                "SELECT extnamespace::regnamespace::text FROM pg_extension "
                "WHERE extname = 'pg_trgm'"
            )
        ).scalar_one()
    # Named with the extension's schema: it need not be on this database's search path.
    for column, name in PG_INDEXES.items():
        op.execute(f'CREATE INDEX {name} ON cases USING gin ({column} {installed}.gin_trgm_ops)')


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        _sqlite_upgrade()
    elif bind.dialect.name == 'postgresql':
        _pg_upgrade(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for operation in ('insert', 'update', 'delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {FTS_TABLE}_{operation}')
        op.execute(f'DROP TABLE IF EXISTS {TERMS_TABLE}')
        op.execute(f'DROP TABLE IF EXISTS {FTS_TABLE}')
    elif bind.dialect.name == 'postgresql':
        for name in PG_INDEXES.values():
            op.execute(f'DROP INDEX IF EXISTS {name}')
