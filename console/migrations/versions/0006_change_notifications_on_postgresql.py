"""change notifications on postgresql

Every seat's change feed reads ``case_events``; on PostgreSQL a commit that appends to it now
also wakes every listening seat (LISTEN/NOTIFY, console/services/change_notify.py) instead of
waiting for the next poll.

- One channel, ``grid_console_changes``, and the table's schema in the payload (JSON
  ``{"schema": …, "table": …}``): several schemas on one server (a district's test copy, the
  test suite's schema per test) share the channel, and each listener keeps only its own
  schema's notifications. A channel per schema would hit the 63-byte identifier limit and need
  quoting; the payload costs a few bytes.
- FOR EACH STATEMENT, not FOR EACH ROW: a bulk import of 100k events sends a handful of
  notifications (one per INSERT statement, and PostgreSQL folds identical ones of a transaction
  into one at commit), not 100k. The payload says only "look"; the feed reads what changed.
- Nothing on ``alerts``: the supervision scan appends a ``supervise`` case event in the same
  transaction as each alert, so the case_events trigger already wakes the seats for alerts.
- SQLite has no NOTIFY: nothing to do there, the seats poll.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 04:30:00
"""
from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: Keep in step with console.services.change_notify.CHANNEL.
CHANNEL = "grid_console_changes"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE FUNCTION grid_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify(
                '{CHANNEL}',
                json_build_object('schema', TG_TABLE_SCHEMA, 'table', TG_TABLE_NAME)::text
            );
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER case_events_notify AFTER INSERT ON case_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION grid_notify_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS case_events_notify ON case_events")
    op.execute("DROP FUNCTION IF EXISTS grid_notify_change()")
