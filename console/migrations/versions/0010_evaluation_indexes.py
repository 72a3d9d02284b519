"""evaluation indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 04:30:00

The evaluation reads each case's events in case order (console.services.evaluation.metrics,
positions_by_case): the (case, action, time) index gains the actor and department columns so
that the read never touches the table; it still serves every (case, action, time) look-up.
The report by category reads only an index of the cases reported in the period.
"""
from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

EVENT_COLUMNS = ["case_id", "action", "at", "actor_role", "actor_id", "department_id"]


def upgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case_action_actor", EVENT_COLUMNS, unique=False)
        batch_op.drop_index("ix_case_events_case_action_at")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_reported_category",
            ["reported_at", "taxonomy", "kind", "category_code"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_reported_category")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_events_case_action_at", ["case_id", "action", "at"], unique=False
        )
        batch_op.drop_index("ix_case_events_case_action_actor")
