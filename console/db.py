"""Engine, session factory, SQLite pragmas and the Alembic upgrade run on start.

Alembic is imported only when a database is not at the newest migration already (one plain
read of its alembic_version table says so, console.schema_head): a start on an up-to-date
database does not pay the half second its import costs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from console.config import default_db_url
from console.errors import ConsoleError, DatabaseUnavailableError
from console.schema_head import (
    MIGRATIONS_DIR,
    SQLITE_BUSY_TIMEOUT_MS,
    VERSION_SQL,
    VERSION_TABLE,
    at_head,
)

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

#: How long a PostgreSQL connect may take before the server counts as unreachable (s).
PG_CONNECT_TIMEOUT_S = 5
#: SQLSTATEs of a server shutting down or not accepting connections yet.
_SERVER_GONE_STATES = frozenset({"57P01", "57P02", "57P03"})
#: What a person is told when the server cannot be reached (the transaction was rolled back).
UNAVAILABLE_MESSAGE = (
    "与数据库服务器的连接已中断，本次操作未执行。控制台正在自动重连，连接恢复后请刷新并重试。"
)


#: SQLSTATE insufficient_privilege: a seat's role met a migration it may not run.
_INSUFFICIENT_PRIVILEGE = "42501"


class SchemaBehindError(ConsoleError):
    """The schema is older than the program and this connection's role may not migrate it."""

    code = "schema_behind"


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
            folder = Path(database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailableError(
                    f"无法创建数据库所在目录 {folder}: {exc.strerror or exc}"
                ) from None
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin_read if read_only else _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg":
        # libpq waits for ever by default: a dead server would hold the DB worker.
        kwargs["connect_args"] = {
            "connect_timeout": PG_CONNECT_TIMEOUT_S,
            **kwargs.get("connect_args", {}),
        }
    return create_engine(url, **kwargs)


def is_disconnect(exc: BaseException) -> bool:
    """Whether ``exc`` means the server cannot be reached, not that a statement was refused
    (a serialization failure or a deadlock is an OperationalError too, with its own SQLSTATE)."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if (
        not isinstance(exc, OperationalError | InterfaceError)
        or exc.orig is None
        or not hasattr(exc.orig, "sqlstate")
    ):
        return False  # SQLite's errors carry no SQLSTATE: a locked file is not an outage
    state = exc.orig.sqlstate
    return state is None or state.startswith("08") or state in _SERVER_GONE_STATES


def connect_failure(exc: DBAPIError) -> str:
    """The driver's reason in one line: "Connection refused", "unable to open database file"."""
    first = (str(exc.orig) if exc.orig is not None else str(exc)).strip().splitlines()
    reason = first[0] if first else type(exc).__name__
    # libpq: 'connection failed: connection to server at "…", port 5999 failed: Connection refused'
    return reason.rsplit("failed: ", 1)[-1].strip() or reason


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # here: only a migration needs Alembic (module doc)

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def schema_at_head(engine: Engine) -> bool:
    """Whether ``engine``'s schema is at the newest migration, read without Alembic: False on
    an empty database, an older schema, or one whose revision the files do not name."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return False
        return at_head(conn.execute(text(VERSION_SQL)).scalars())


def is_empty(engine: Engine) -> bool:
    return "regions" not in inspect(engine).get_table_names()


class Database:
    """The engine and session factory of one database, migrated on open."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_db_url()
        self.engine = make_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            self.read_engine = make_engine(self.url, read_only=True)
        else:
            self.read_engine = self.engine
        try:
            # Checked on the reading engine: no write lock taken (and waited for) on SQLite.
            if migrate and not schema_at_head(self.read_engine):
                upgrade(self.engine)
        except ProgrammingError as exc:
            if getattr(exc.orig, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
                raise
            self.dispose()
            raise SchemaBehindError(
                "数据库结构不是最新版本，本角色无权迁移 (schema behind; this role may not "
                "migrate): 请数据库所有者运行 grid-console --db OWNER_URL migrate，"
                "再运行 db grant --role 席位角色"
            ) from exc
        except (OperationalError, InterfaceError) as exc:
            # The first thing a command does: a server that is down, a file that cannot be
            # opened, is one line for the person, not the migration step's traceback.
            self.dispose()
            raise DatabaseUnavailableError(
                f"无法连接数据库 {make_url(self.url).render_as_string()}: {connect_failure(exc)}"
            ) from exc
        self.sessions = make_session_factory(self.engine)
        self.read_sessions = make_session_factory(self.read_engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        try:
            with self.sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            if is_disconnect(exc):
                raise DatabaseUnavailableError(UNAVAILABLE_MESSAGE) from exc
            raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: never takes the write lock, never commits."""
        try:
            with self.read_sessions() as session:
                try:
                    yield session
                finally:
                    try:
                        session.rollback()
                    except DBAPIError:
                        # Nothing to undo in a read: a finished read stays finished when the
                        # server vanished just after it (the pool drops the dead connection).
                        log.info("rollback after a read failed", exc_info=True)
        except DBAPIError as exc:
            if is_disconnect(exc):
                raise DatabaseUnavailableError(UNAVAILABLE_MESSAGE) from exc
            raise

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
