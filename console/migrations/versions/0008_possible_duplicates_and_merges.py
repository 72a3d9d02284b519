"""possible duplicates and merges

Pairs of cases that may report the same problem (疑似重复), flagged at intake and decided by
the dispatcher (kept apart or merged; a merged case goes to the final state ``merged``, which
needs no schema change: states are data). The index on cases by category becomes one by
category and report time, for the intake's lookup of open cases of one category reported
near the same time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "possible_duplicates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("other_case_id", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("flagged_at", console.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_at", console.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_possible_duplicates_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["other_case_id"],
            ["cases.id"],
            name=op.f("fk_possible_duplicates_other_case_id_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_possible_duplicates")),
        sa.UniqueConstraint(
            "case_id", "other_case_id", name=op.f("uq_possible_duplicates_case_id_other_case_id")
        ),
    )
    with op.batch_alter_table("possible_duplicates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_possible_duplicates_status_case", ["status", "case_id"], unique=False
        )
        batch_op.create_index(
            "ix_possible_duplicates_other_case", ["other_case_id", "status"], unique=False
        )
    # Replaces the index on category_code alone (a prefix of this one): one index to keep
    # up to date on insert, not two.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_category_reported", ["category_code", "reported_at"], unique=False
        )
        batch_op.drop_index("ix_cases_category_code")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_category_code", ["category_code"], unique=False)
        batch_op.drop_index("ix_cases_category_reported")
    with op.batch_alter_table("possible_duplicates", schema=None) as batch_op:
        batch_op.drop_index("ix_possible_duplicates_other_case")
        batch_op.drop_index("ix_possible_duplicates_status_case")
    op.drop_table("possible_duplicates")
