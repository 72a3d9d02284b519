"""Copy a whole console database into an empty PostgreSQL one: `grid-console copy-db --to URL`.

For a seat that outgrew the embedded SQLite file. In order:

1. The target is checked: PostgreSQL through psycopg 3, its schema (the URL's search_path)
   holding no table of anyone else's and no row in the console's tables; then it is migrated
   to the newest revision (committed: a migrated, empty schema, as `migrate` leaves it).
2. One transaction on the target: every console table locked (EXCLUSIVE: seats may read, not
   write), checked empty again, then filled in foreign-key order (``sorted_tables``), each
   table with one binary COPY fed in batches, its rows in primary-key order, all read from one
   snapshot of the source. The secondary indexes (those behind no constraint: the trigram
   GIN indexes above all) are dropped first and built again after the rows are in, as
   pg_restore does: one build is several times quicker than a row at a time; foreign keys
   and unique constraints stay and check every row as it arrives.
3. In the same transaction each table is read back in primary-key order, counted and
   checksummed exactly as the source was while it was copied (console.services.copy_tables).
   Any difference rolls the whole copy back.
4. Each id sequence is set past the largest id (new rows do not collide), then the commit.

Any failure — PostgreSQL refusing a row SQLite allowed, Ctrl-C, the process killed — rolls
the transaction back: the target keeps its empty schema and the copy can simply be run again.

The audit tables' triggers (migrations 0007, 0011) refuse UPDATE, DELETE and TRUNCATE, not
INSERT, so COPY passes them as any seat's append would; the change-feed trigger (0006) fires
once per statement. The search index is not copied: SQLite's FTS5 tables are SQLite's own,
and PostgreSQL's trigram indexes fill themselves.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import URL, Connection, Engine, Table, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from console.db import schema_at_head, upgrade
from console.errors import ConsoleError
from console.models import Base
from console.models.case_search import include_name
from console.schema_head import VERSION_SQL, VERSION_TABLE
from console.services.copy_tables import (
    BATCH_ROWS,
    STEP_INDEX,
    CopyProgress,
    checksum_of,
    copy_table,
    quote,
)
from console.services.copy_values import BadValueError, Checksum

#: How long the copy waits for a seat's lock on the target before giving up.
LOCK_TIMEOUT = "15s"
#: maintenance_work_mem for the index builds (PostgreSQL's default, 64MB, spills to disk).
INDEX_BUILD_MEMORY = "256MB"


class CopyDbError(ConsoleError):
    code = "copy_db_refused"


class TargetNotEmptyError(CopyDbError):
    code = "target_not_empty"

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class CopyFailedError(CopyDbError):
    code = "copy_failed"


@dataclass(frozen=True)
class TableCopy:
    """One table's rows and checksum on each side."""

    name: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def matches(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum


@dataclass(frozen=True)
class CopyReport:
    tables: tuple[TableCopy, ...]
    #: table → the id its sequence gives next
    next_ids: dict[str, int]
    revision: str
    #: tables of the source outside the console's schema (not copied)
    not_copied: tuple[str, ...]
    copy_seconds: float
    verify_seconds: float

    @property
    def rows(self) -> int:
        return sum(t.source_rows for t in self.tables)

    @property
    def matches(self) -> bool:
        return all(t.matches for t in self.tables)

    def rows_of(self, table: str) -> int:
        return next(t.source_rows for t in self.tables if t.name == table)


class CopyMismatchError(CopyDbError):
    """The copy read back differs from the source: rolled back; ``report`` says where."""

    code = "copy_mismatch"

    def __init__(self, report: CopyReport) -> None:
        bad = [t.name for t in report.tables if not t.matches]
        super().__init__(
            f"复制后核对不一致 (counts or checksums differ): {', '.join(bad)}；"
            "已全部回滚，目标库未写入任何行 (rolled back, nothing written)"
        )
        self.report = report


def console_tables() -> list[Table]:
    """The console's tables, each after the tables its foreign keys point to."""
    return list(Base.metadata.sorted_tables)


def check_target_url(url: str | URL) -> None:
    """Refuse, before any connection, a target that is not PostgreSQL through psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CopyDbError(
            f"--to 不是数据库 URL (not a database URL): {url}；"
            "如 postgresql+psycopg://grid_owner@db-host/grid_console"
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise CopyDbError(
            f"--to 必须是 PostgreSQL 数据库 (the target must be PostgreSQL, not "
            f"{parsed.get_backend_name()}): 如 postgresql+psycopg://grid_owner@db-host/grid_console"
        )
    if parsed.get_driver_name() != "psycopg":
        raise CopyDbError(
            f"复制需要 psycopg 3 驱动 (needs the psycopg driver, not {parsed.get_driver_name()}): "
            "URL 写作 postgresql+psycopg://…，并安装 pip install -e '.[postgres]'"
        )


def occupied(conn: Connection, tables: Sequence[Table]) -> list[str]:
    """What is in the connection's schema that a copy must not land on: the console's tables
    that hold rows, and tables that are not the console's (one line each; empty: go)."""
    names = {t.name for t in tables}
    problems: list[str] = []
    for name in sorted(inspect(conn).get_table_names()):
        if name == VERSION_TABLE:
            continue
        if name not in names:
            problems.append(f"{name}: 不是控制台的表 (not a console table)")
            continue
        count = conn.execute(text(f"SELECT count(*) FROM {quote(conn, name)}")).scalar_one()
        if count:
            problems.append(f"{name}: {count:,} 行 (rows)")
    return problems


def set_sequences(conn: Connection, tables: Sequence[Table]) -> dict[str, int]:
    """Each id sequence (serial or identity) set so that its next value is max(id) + 1."""
    next_ids: dict[str, int] = {}
    for table in tables:
        key = list(table.primary_key.columns)
        if len(key) != 1:
            continue
        name = quote(conn, table.name)
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": name, "c": key[0].name}
        ).scalar_one()
        if sequence is None:
            continue
        column = quote(conn, key[0].name)
        next_ids[table.name] = int(
            conn.execute(
                text(
                    f"SELECT setval(:s, (SELECT COALESCE(max({column}), 0) + 1 FROM {name}), false)"
                ),
                {"s": sequence},
            ).scalar_one()
        )
    return next_ids


def secondary_indexes(conn: Connection, tables: Sequence[Table]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes on ``tables`` in the connection's schema that
    no constraint owns (primary keys and unique constraints are left alone)."""
    rows = conn.execute(
        text(
            "SELECT quote_ident(ci.relname), pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class ci ON ci.oid = i.indexrelid "
            "JOIN pg_class c ON c.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(:tables) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY 1"
        ),
        {"tables": [t.name for t in tables]},
    ).all()
    return [(str(name), str(create)) for name, create in rows]


def _source_extras(source: Connection, tables: Sequence[Table]) -> tuple[str, ...]:
    names = {t.name for t in tables}
    return tuple(
        name
        for name in sorted(inspect(source).get_table_names())
        if name not in names and name != VERSION_TABLE and include_name(name, "table", {})
    )


def _refusal(exc: BaseException, table: str | None) -> CopyFailedError:
    orig = getattr(exc, "orig", None) or exc
    diag = getattr(orig, "diag", None)
    if diag is not None and diag.message_primary:
        reason = " ".join(
            part for part in (diag.message_primary, diag.message_detail, diag.context) if part
        )
    else:
        reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    where = f"表 {table} (table {table}): " if table else ""
    return CopyFailedError(
        f"PostgreSQL 拒绝了复制 (the target refused the copy): {where}{reason.strip()}；"
        "已全部回滚，目标库未写入任何行，修正源库后可重新运行 (rolled back, nothing written)"
    )


def copy_database(
    source: Engine,
    target: Engine,
    *,
    progress: CopyProgress | None = None,
    batch: int = BATCH_ROWS,
) -> CopyReport:
    """Copy every console table of ``source`` into the empty PostgreSQL ``target`` (module
    doc). Raises TargetNotEmptyError before touching a non-empty target, CopyFailedError or
    CopyMismatchError after rolling the copy back."""
    check_target_url(target.url)
    tables = console_tables()
    if not schema_at_head(source):
        raise CopyDbError(
            "源库不是最新结构 (the source is not at the newest revision): "
            "先运行 grid-console --db SOURCE migrate"
        )
    try:
        with target.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            problems = occupied(conn, tables) if schema is not None else []
    except OperationalError as exc:
        raise CopyDbError(
            f"无法连接目标数据库 (cannot reach the target): {_first_line(exc)}"
        ) from exc
    if schema is None:
        raise CopyDbError("目标连接没有可用的 schema (no schema on the search_path): 请检查 URL")
    if problems:
        raise TargetNotEmptyError(
            f"目标 schema {schema} 不是空的，未复制 (the target is not empty; nothing copied): "
            "请换一个空数据库或空 schema",
            problems,
        )
    if not schema_at_head(target):
        upgrade(target)
    with source.connect() as src:
        if src.dialect.name == "postgresql":
            src = src.execution_options(isolation_level="REPEATABLE READ")
        with src.begin():  # one snapshot: the counts, the rows and the checksums agree
            return _copy_in_one_transaction(src, target, tables, progress, batch)


def _copy_in_one_transaction(
    src: Connection,
    target: Engine,
    tables: list[Table],
    progress: CopyProgress | None,
    batch: int,
) -> CopyReport:
    import psycopg  # the target's driver (check_target_url): the postgres extra is installed

    totals = {
        t.name: int(src.execute(text(f"SELECT count(*) FROM {quote(src, t.name)}")).scalar_one())
        for t in tables
    }
    not_copied = _source_extras(src, tables)
    current: str | None = None
    try:
        with target.connect() as conn, conn.begin():
            pg = conn.connection.driver_connection
            assert pg is not None  # a live connection
            conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            # The index builds after the load sort in memory instead of on disk.
            conn.execute(text(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"))
            conn.execute(
                text(
                    "LOCK TABLE "
                    + ", ".join(quote(conn, t.name) for t in tables)
                    + " IN EXCLUSIVE MODE"
                )
            )
            problems = occupied(conn, tables)  # again, under the lock: nobody got in between
            if problems:
                raise TargetNotEmptyError(
                    "目标在复制开始前写入了数据 (the target got rows meanwhile): 未复制",
                    problems,
                )
            started = time.perf_counter()
            indexes = secondary_indexes(conn, tables)
            for name, _create in indexes:  # by the driver: the definitions hold ':' and '%'
                pg.execute(f"DROP INDEX {name}")
            sources: dict[str, Checksum] = {}
            for table in tables:
                current = table.name
                sources[table.name] = copy_table(
                    src, pg, table, batch=batch, total=totals[table.name], progress=progress
                )
            current = None
            tell = progress or (lambda step, name, done, total: None)
            for i, (_name, create) in enumerate(indexes):
                tell(STEP_INDEX, "", i, len(indexes))
                pg.execute(create)
            if indexes:
                tell(STEP_INDEX, "", len(indexes), len(indexes))
            copied = time.perf_counter()
            checks = []
            for table in tables:
                current = table.name
                mine = checksum_of(
                    conn, table, batch=batch, total=totals[table.name], progress=progress
                )
                theirs = sources[table.name]
                checks.append(
                    TableCopy(
                        table.name, theirs.rows, mine.rows, theirs.hexdigest(), mine.hexdigest()
                    )
                )
            current = None
            verified = time.perf_counter()
            revision = ", ".join(sorted(conn.execute(text(VERSION_SQL)).scalars()))
            report = CopyReport(
                tuple(checks),
                {},
                revision,
                not_copied,
                copied - started,
                verified - copied,
            )
            if not report.matches:
                raise CopyMismatchError(report)
            next_ids = set_sequences(conn, tables)
    except BadValueError as exc:
        raise CopyFailedError(
            f"源库中有 PostgreSQL 无法原样保存的值 (a value the target cannot hold): {exc}；"
            "已全部回滚，目标库未写入任何行 (rolled back, nothing written)"
        ) from exc
    except (DBAPIError, psycopg.Error) as exc:
        if _interrupted(exc):  # Ctrl-C inside the driver, whose clean-up then failed
            raise KeyboardInterrupt from exc
        raise _refusal(exc, current) from exc
    return CopyReport(
        report.tables,
        next_ids,
        report.revision,
        report.not_copied,
        report.copy_seconds,
        report.verify_seconds,
    )


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` happened while a KeyboardInterrupt was being handled: a Ctrl-C in the
    middle of COPY leaves the connection busy, and the rollback then fails ("another command
    is already in progress"). The transaction is never committed either way."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__context__
    return False


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig or exc).strip().splitlines()[0]
