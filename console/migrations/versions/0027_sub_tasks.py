"""sub tasks

二级派遣 (issue 16 §2): a street seat sends a case dispatched to its committee on to one of its
own forces (the case's unit, a staff member of its grid, a street station) with a limit inside
the district's deadline. One row per sub-dispatch; done_at set by its feedback.

Revision ID: 0027
Revises: 0024_open311_pending
Create Date: 2026-12-04 02:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

import console.models.base


revision = '0027'
down_revision = '0024_open311_pending'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sub_tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('target_kind', sa.String(length=10), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=True),
        sa.Column('target_code', sa.String(length=30), nullable=True),
        sa.Column('target_name', sa.String(length=100), nullable=False),
        sa.Column('dispatched_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('deadline_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('dispatched_by_name', sa.String(length=50), nullable=False),
        sa.Column('done_at', console.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('done_by_name', sa.String(length=50), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_sub_tasks_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sub_tasks')),
    )
    with op.batch_alter_table('sub_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_sub_tasks_open', ['done_at', 'deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sub_tasks_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sub_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sub_tasks_case_id'))
        batch_op.drop_index('ix_sub_tasks_open')
    op.drop_table('sub_tasks')
