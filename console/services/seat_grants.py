"""The seats' role on PostgreSQL: exactly the privileges a seat needs, granted by the owner.

The role that owns the tables runs the migrations; it could disable the append-only triggers
(``ALTER TABLE case_events DISABLE TRIGGER USER``) and rewrite the audit. The seats therefore
connect as another role, which :func:`grant_seat_role` gives, in the connection's schema:

* USAGE on the schema (no CREATE: no DDL, and owning nothing it cannot ALTER or DROP);
* SELECT, INSERT, UPDATE, DELETE on the ordinary tables (never TRUNCATE, REFERENCES, TRIGGER);
* SELECT and INSERT only on the audit tables: those guarded by the append-only trigger
  function of migration 0007 (case_events, security_events, calendar_changes, and any later
  one that uses it);
* SELECT only on alembic_version (a seat reads it to know the schema is at head);
* USAGE and SELECT on the sequences;
* the same on tables and sequences the owner creates later in the schema (ALTER DEFAULT
  PRIVILEGES), so a migration's new table is usable at once; run the grant again after a
  migration to narrow a new audit table to INSERT and SELECT.

Every privilege the role held on the schema's tables and sequences is revoked first, in the
same transaction: running the grant again gives the same result (idempotent, and exact).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from console.errors import ConsoleError
from console.schema_head import VERSION_TABLE

#: The trigger function of migration 0007: a table one of whose triggers runs it is an audit.
AUDIT_FUNCTION = "audit_refuse_change"
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
AUDIT_PRIVILEGES = "SELECT, INSERT"
VERSION_PRIVILEGES = "SELECT"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"


class SeatGrantError(ConsoleError):
    code = "seat_grant_refused"


@dataclass(frozen=True)
class SeatGrant:
    role: str
    schema: str
    owner: str
    tables: tuple[str, ...]
    audit_tables: tuple[str, ...]
    sequences: int


def _ident(conn: Connection, name: str) -> str:
    return str(conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())


def _check(conn: Connection, role: str) -> tuple[str, str]:
    """The schema and the current (granting) role, or a SeatGrantError saying why not."""
    schema, me = conn.execute(text("SELECT current_schema(), current_user")).one()
    if schema is None:
        raise SeatGrantError("连接没有可用的 schema (search_path): 请检查数据库 URL")
    row = conn.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).one_or_none()
    if row is None:
        raise SeatGrantError(
            f"角色 {role} 不存在 (role does not exist): 先在服务器上创建，"
            f"如 CREATE ROLE {role} LOGIN PASSWORD '…';"
        )
    if row.rolsuper:
        raise SeatGrantError(
            f"角色 {role} 是超级用户 (superuser): 席位角色不能绕过权限，请另建角色"
        )
    owners = sorted(
        conn.execute(
            text(
                "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :s AND c.relkind IN ('r', 'p', 'S')"
            ),
            {"s": schema},
        ).scalars()
    )
    if VERSION_TABLE not in _tables(conn, schema):
        raise SeatGrantError(
            f"schema {schema} 尚未建表 (not migrated): 先运行 grid-console --db OWNER_URL migrate"
        )
    for owner in owners:
        if not conn.execute(
            text("SELECT pg_has_role(current_user, :o, 'USAGE')"), {"o": owner}
        ).scalar_one():
            raise SeatGrantError(
                f"当前角色 {me} 不是表的所有者 (not owner; the tables belong to {owner}): "
                "请用所有者的连接运行 db grant"
            )
        if conn.execute(
            text("SELECT pg_has_role(:r, :o, 'MEMBER')"), {"r": role, "o": owner}
        ).scalar_one():
            raise SeatGrantError(
                f"角色 {role} 拥有这些表或是其所有者 {owner} 的成员 (owns the tables): "
                "席位须用另一个角色，否则可停用审计触发器"
            )
    return schema, me


def _tables(conn: Connection, schema: str) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :s AND c.relkind IN ('r', 'p') ORDER BY c.relname"
            ),
            {"s": schema},
        ).scalars()
    )


def audit_tables(conn: Connection, schema: str) -> list[str]:
    """The schema's tables guarded by the append-only trigger function (migration 0007)."""
    return list(
        conn.execute(
            text(
                "SELECT DISTINCT c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE n.nspname = :s AND p.proname = :f ORDER BY c.relname"
            ),
            {"s": schema, "f": AUDIT_FUNCTION},
        ).scalars()
    )


def grant_seat_role(engine: Engine, role: str) -> SeatGrant:
    """Give ``role`` exactly the seats' privileges in the schema of ``engine``'s connections
    (module doc). Run as the tables' owner; one transaction."""
    if engine.dialect.name != "postgresql":
        raise SeatGrantError(
            f"db grant 只用于 PostgreSQL (only on PostgreSQL; this is {engine.dialect.name}): "
            "嵌入式 SQLite 没有角色，文件权限即访问控制"
        )
    with engine.begin() as conn:
        schema, me = _check(conn, role)
        s, r, owner = _ident(conn, schema), _ident(conn, role), _ident(conn, me)
        tables = _tables(conn, schema)
        audits = audit_tables(conn, schema)
        sequences = conn.execute(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :s AND c.relkind = 'S'"
            ),
            {"s": schema},
        ).scalar_one()
        statements = [
            f"REVOKE ALL ON SCHEMA {s} FROM {r}",
            f"GRANT USAGE ON SCHEMA {s} TO {r}",
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
            f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        ]
        for table in tables:
            if table in audits:
                privileges = AUDIT_PRIVILEGES
            elif table == VERSION_TABLE:
                privileges = VERSION_PRIVILEGES
            else:
                privileges = TABLE_PRIVILEGES
            statements.append(f"GRANT {privileges} ON {s}.{_ident(conn, table)} TO {r}")
        statements += [
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} "
            f"REVOKE ALL ON TABLES FROM {r}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} "
            f"GRANT {TABLE_PRIVILEGES} ON TABLES TO {r}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} "
            f"REVOKE ALL ON SEQUENCES FROM {r}",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} "
            f"GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {r}",
        ]
        for statement in statements:
            conn.execute(text(statement))
    return SeatGrant(role, schema, me, tuple(tables), tuple(audits), int(sequences))
