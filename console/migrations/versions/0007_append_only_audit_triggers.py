"""append only audit triggers

The timeline (case_events) and the security log (security_events) are the audit: rows are
appended, never changed or removed. The database itself refuses UPDATE, DELETE (and on
PostgreSQL TRUNCATE) on them, so that no code path, script or console session can rewrite
history. Dropping the whole database or schema remains possible.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: The append-only tables. security_events comes from 0005; guarded in case it is absent.
AUDIT_TABLES = ("case_events", "security_events")
PG_FUNCTION = "audit_refuse_change"


def _present(bind: sa.engine.Connection) -> list[str]:
    existing = set(sa.inspect(bind).get_table_names())
    return [t for t in AUDIT_TABLES if t in existing]


def upgrade() -> None:
    bind = op.get_bind()
    tables = _present(bind)
    if bind.dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege',
                          HINT = 'Audit rows are never changed or removed; append a new row.';
            END;
            $$
            """
        )
        for table in tables:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
            )
    elif bind.dialect.name == "sqlite":
        # SQLite has no TRUNCATE; a DELETE without WHERE fires the trigger too (the truncate
        # optimisation is off for tables with triggers).
        for table in tables:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} is not "
                    f"allowed'); END"
                )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in _present(bind):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
    elif bind.dialect.name == "sqlite":
        for table in AUDIT_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
