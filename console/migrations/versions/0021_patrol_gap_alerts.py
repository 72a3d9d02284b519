"""patrol gap alerts

Patrol-gap alerts (巡查缺漏, issue 15): at the end of a day the grids left unpatrolled within
their frequency raise one alert to their street. patrol_alerts holds one row per (day, street)
— the street, the grids (count and codes), raised_at, the message, the recipient (the street
committee), who acknowledged it and when — unique on (day, street_id), so several seats raising
at once or a catch-up after downtime never raise twice. patrol_alert_days records each day
checked (alerts raised or none due), so the catch-up looks only at the days missing there.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 22:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patrol_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('street_id', sa.Integer(), nullable=False),
    sa.Column('street_name', sa.String(length=100), nullable=False),
    sa.Column('grid_count', sa.Integer(), nullable=False),
    sa.Column('grid_codes', sa.Text(), nullable=False),
    sa.Column('raised_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('recipient_department_id', sa.Integer(), nullable=True),
    sa.Column('recipient_name', sa.String(length=100), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_by_name', sa.String(length=50), nullable=True),
    sa.Column('acknowledged_at', console.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_patrol_alerts_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['recipient_department_id'], ['departments.id'], name=op.f('fk_patrol_alerts_recipient_department_id_departments')),
    sa.ForeignKeyConstraint(['street_id'], ['regions.id'], name=op.f('fk_patrol_alerts_street_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_alerts')),
    sa.UniqueConstraint('day', 'street_id', name=op.f('uq_patrol_alerts_day_street_id'))
    )
    with op.batch_alter_table('patrol_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_alerts_unacknowledged', ['acknowledged_at', 'raised_at'], unique=False)
    op.create_table('patrol_alert_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('checked_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('streets', sa.Integer(), nullable=False),
    sa.Column('grids', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_patrol_alert_days'))
    )


def downgrade() -> None:
    op.drop_table('patrol_alert_days')
    with op.batch_alter_table('patrol_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_patrol_alerts_unacknowledged')
    op.drop_table('patrol_alerts')
