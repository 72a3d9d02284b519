"""patrol grid coverage

A patrol's coverage per grid and local day, stored when the patrol ends (issue 15: the
evaluation's and the dashboard's 巡查覆盖率 read these rows instead of the tracks):
patrol_grid_coverage (patrol, day, grid, metres inside, visited), only the grids visited.
Patrols that ended before this migration get their rows from their points here.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 22:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patrol_grid_coverage',
    sa.Column('patrol_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('metres', sa.Float(), nullable=False),
    sa.Column('visited', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['regions.id'], name=op.f('fk_patrol_grid_coverage_grid_id_regions')),
    sa.ForeignKeyConstraint(['patrol_id'], ['patrols.id'], name=op.f('fk_patrol_grid_coverage_patrol_id_patrols')),
    sa.PrimaryKeyConstraint('patrol_id', 'day', 'grid_id', name=op.f('pk_patrol_grid_coverage'))
    )
    with op.batch_alter_table('patrol_grid_coverage', schema=None) as batch_op:
        batch_op.create_index('ix_patrol_grid_coverage_day_grid', ['day', 'grid_id', 'metres'], unique=False)
    _backfill()


def _backfill() -> None:
    """Rows for the patrols already ended (their points are all there)."""
    bind = op.get_bind()
    ended = bind.execute(sa.text("SELECT count(*) FROM patrols WHERE ended_at IS NOT NULL"))
    if not ended.scalar():
        return
    from sqlalchemy.orm import Session

    from console.services.patrols import load_geo, store_coverage

    with Session(bind=bind) as session:
        ids = session.execute(
            sa.text("SELECT id FROM patrols WHERE ended_at IS NOT NULL ORDER BY id")
        ).scalars().all()
        geo = load_geo(session)
        for patrol_id in ids:
            store_coverage(session, int(patrol_id), geo)
        session.flush()


def downgrade() -> None:
    with op.batch_alter_table('patrol_grid_coverage', schema=None) as batch_op:
        batch_op.drop_index('ix_patrol_grid_coverage_day_grid')
    op.drop_table('patrol_grid_coverage')
