"""public rating counted case

The public page follows a merge (合并, issue 15): a report merged into another case is rated
with its own tracking code once the surviving case is closed. public_ratings.counted_case_id
is the case the rating counts for in the evaluation's 群众满意率 (the surviving case); NULL
(every row before this migration) means the rated case itself.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 23:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('public_ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_case_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_public_ratings_counted_case_id_cases'), 'cases', ['counted_case_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('public_ratings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_public_ratings_counted_case_id_cases'), type_='foreignkey')
        batch_op.drop_column('counted_case_id')
