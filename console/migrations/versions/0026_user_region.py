"""user region

Street-tier seats (issue 16): a 街道值班员 or 街道领导 is confined to one street, a 单元长 to one
unit. users.region_id names that region (its level must match the role's scope in
resources/org/roles.csv); NULL for every district seat and every row before this migration.

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-04 02:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0023'
branch_labels = None
depends_on = None


_FK = 'fk_users_region_id_regions'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # As 0018: a nullable column with its reference, added in place (batch mode would drop
        # and rebuild users, which every event and token references).
        op.execute(
            f'ALTER TABLE users ADD COLUMN region_id INTEGER CONSTRAINT {_FK} REFERENCES regions (id)'
        )
    else:
        op.add_column('users', sa.Column('region_id', sa.Integer(), nullable=True))
        op.create_foreign_key(_FK, 'users', 'regions', ['region_id'], ['id'])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN region_id')
    else:
        op.drop_constraint(_FK, 'users', type_='foreignkey')
        op.drop_column('users', 'region_id')
