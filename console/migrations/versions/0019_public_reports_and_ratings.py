"""public reports and ratings

The public page /report/ (issue 15): a report without an account answers with the case number
and a tracking code. public_reports keeps, per such case, only the code's hash, the hash of the
page's idempotency key (a retry gets the same case), the request's fingerprint and the code
sealed by the key. public_ratings holds the public's 满意度 of a closed case (满意 / 基本满意 /
不满意 and a comment), once per case: what the evaluation's 群众满意率 counts.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 19:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('public_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('tracking_hash', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('sealed_code', sa.String(length=32), nullable=False),
    sa.Column('received_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_public_reports_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_reports')),
    sa.UniqueConstraint('case_id', name=op.f('uq_public_reports_case_id')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_public_reports_key_hash'))
    )
    op.create_table('public_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('rated_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_public_ratings_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_ratings')),
    sa.UniqueConstraint('case_id', name=op.f('uq_public_ratings_case_id'))
    )
    with op.batch_alter_table('public_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_ratings_rated_at'), ['rated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('public_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_ratings_rated_at'))
    op.drop_table('public_ratings')
    op.drop_table('public_reports')
