"""original category of mapped reports; urgent 街面秩序 rules on the natural clock

A report made in an older taxonomy (CJ/T 214 lineage) after GB/T 47678.5-2026 took effect is
filed under the successor code; the case keeps the code as reported in
cases.original_taxonomy / cases.original_category_code (null when nothing was mapped).

Data: the 39 街面秩序 rules whose condition says 紧急工作时 were loaded as 4 office hours
(work_hours); their limit runs on the natural clock (hours). Cases already registered keep
the limit they were given. The downgrade leaves the corrected rules as they are.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 12:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_taxonomy', sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column('original_category_code', sa.String(length=8), nullable=True)
        )
    op.execute(
        sa.text(
            "UPDATE deadline_rules SET limit_unit = 'hours'"
            " WHERE limit_unit = 'work_hours' AND condition LIKE :urgent"
        ).bindparams(urgent="%紧急工作时%")
    )


def downgrade() -> None:
    # Not batch mode on SQLite: it would copy and drop the cases table, which case_events
    # rows reference (foreign keys on). SQLite 3.35+ drops a plain column in place.
    for column in ('original_category_code', 'original_taxonomy'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE cases DROP COLUMN {column}')
        else:
            op.drop_column('cases', column)
