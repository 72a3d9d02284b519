"""Engine, session factory, SQLite pragmas and the Alembic upgrade run on start."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from console.config import default_db_url

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: How long an SQLite writer waits for another seat's lock before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Autocommit mode at the driver level; SQLAlchemy issues BEGIN itself (see below), so
    # that a transaction starts with BEGIN IMMEDIATE for writers when asked.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock at BEGIN: two seats writing at once queue on the busy
    # timeout instead of failing later with "database is locked" on upgrade from a read lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_on_begin_read(conn: Any) -> None:
    # Readers take no lock: in WAL mode they see a snapshot and never wait for a writer.
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, *, read_only: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: the embedded SQLite file) with the console's settings.

    On SQLite, a writing engine begins every transaction with BEGIN IMMEDIATE; a
    ``read_only`` one with a plain BEGIN, so reads never queue behind a writer.
    """
    url = url or default_db_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin_read if read_only else _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    command.upgrade(alembic_config(engine), "head")


def is_empty(engine: Engine) -> bool:
    return "regions" not in inspect(engine).get_table_names()


class Database:
    """The engine and session factory of one database, migrated on open."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_db_url()
        self.engine = make_engine(self.url)
        if migrate:
            upgrade(self.engine)
        self.sessions = make_session_factory(self.engine)
        if self.engine.dialect.name == "sqlite":
            self.read_engine = make_engine(self.url, read_only=True)
        else:
            self.read_engine = self.engine
        self.read_sessions = make_session_factory(self.read_engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: never takes the write lock, never commits."""
        with self.read_sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
