"""patrols

Grid patrols (网格定期巡查, issue 15): patrols (who, started, ended, distance, duration),
patrol_points (the track: one compact row per position, keyed by patrol and sequence, with
server time, device time, lon, lat and accuracy) and patrol_batches (a device's idempotency key
per batch of points, with the first answer).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 19:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patrols',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', console.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_patrols_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrols'))
    )
    with op.batch_alter_table('patrols', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrols_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrols_started_at'), ['started_at'], unique=False)
    op.create_table('patrol_points',
    sa.Column('patrol_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('device_time', console.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrols.id'], name=op.f('fk_patrol_points_patrol_id_patrols')),
    sa.PrimaryKeyConstraint('patrol_id', 'seq', name=op.f('pk_patrol_points'))
    )
    op.create_table('patrol_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patrol_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('received_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrols.id'], name=op.f('fk_patrol_batches_patrol_id_patrols')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_batches')),
    sa.UniqueConstraint('patrol_id', 'idempotency_key', name=op.f('uq_patrol_batches_patrol_id_idempotency_key'))
    )


def downgrade() -> None:
    op.drop_table('patrol_batches')
    op.drop_table('patrol_points')
    with op.batch_alter_table('patrols', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrols_started_at'))
        batch_op.drop_index(batch_op.f('ix_patrols_user_id'))
    op.drop_table('patrols')
