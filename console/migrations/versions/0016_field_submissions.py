"""field submissions

The field app (issue 15) sends each action with an idempotency key the device made: a retry
after a lost answer finds the first request's row and gets the same answer, never a second
case. One row per (user, key), with the request's fingerprint (the same key with another body
is refused), the case it made, the answer given, and what the device said that the case has
no column for: its own clock and the accuracy of its position.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 10:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('field_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('api_token_id', sa.Integer(), nullable=True),
    sa.Column('received_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('device_time', console.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['api_token_id'], ['api_tokens.id'], name=op.f('fk_field_submissions_api_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_field_submissions_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_field_submissions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_field_submissions')),
    sa.UniqueConstraint('user_id', 'idempotency_key', name=op.f('uq_field_submissions_user_id_idempotency_key'))
    )
    with op.batch_alter_table('field_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_submissions_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('field_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_submissions_case_id'))
    op.drop_table('field_submissions')
