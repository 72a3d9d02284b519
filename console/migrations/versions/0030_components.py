"""components

The component register (部件普查, issue 17): components (each surveyed object with its
identifier, class and item, position, owner and status), component_changes (each change of
status or owner, by a re-import or a case's 结案), and cases.component_id (the object a 部件
case names).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 09:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

import console.models.base


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_FK = 'fk_cases_component_id_components'


def upgrade() -> None:
    op.create_table(
        'components',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=17), nullable=False),
        sa.Column('name', sa.String(length=30), nullable=False),
        sa.Column('category_code', sa.String(length=8), nullable=False),
        sa.Column('legacy_category_code', sa.String(length=8), nullable=True),
        sa.Column('geometry_kind', sa.String(length=8), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('geometry', sa.Text(), nullable=True),
        sa.Column('owner_department_id', sa.Integer(), nullable=False),
        sa.Column('maintainer_department_id', sa.Integer(), nullable=True),
        sa.Column('maintainer_name', sa.String(length=100), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('address', sa.String(length=256), nullable=True),
        sa.Column('grid_id', sa.Integer(), nullable=False),
        sa.Column('street_id', sa.Integer(), nullable=False),
        sa.Column('surveyed_on', sa.Date(), nullable=False),
        sa.Column('photo', sa.String(length=256), nullable=True),
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.Column('updated_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['owner_department_id'], ['departments.id'],
            name=op.f('fk_components_owner_department_id_departments'),
        ),
        sa.ForeignKeyConstraint(
            ['maintainer_department_id'], ['departments.id'],
            name=op.f('fk_components_maintainer_department_id_departments'),
        ),
        sa.ForeignKeyConstraint(
            ['grid_id'], ['regions.id'], name=op.f('fk_components_grid_id_regions')
        ),
        sa.ForeignKeyConstraint(
            ['street_id'], ['regions.id'], name=op.f('fk_components_street_id_regions')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_components')),
        sa.UniqueConstraint('identifier', name=op.f('uq_components_identifier')),
    )
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.create_index(
            'ix_components_category_lat_lon', ['category_code', 'lat', 'lon'], unique=False
        )
        batch_op.create_index(
            'ix_components_street_category', ['street_id', 'category_code'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_components_grid_id'), ['grid_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_components_owner_department_id'), ['owner_department_id'], unique=False
        )

    op.create_table(
        'component_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('component_id', sa.Integer(), nullable=False),
        sa.Column('at', console.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('field', sa.String(length=10), nullable=False),
        sa.Column('old_value', sa.String(length=20), nullable=True),
        sa.Column('new_value', sa.String(length=20), nullable=False),
        sa.Column('origin', sa.String(length=10), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(
            ['component_id'], ['components.id'],
            name=op.f('fk_component_changes_component_id_components'),
        ),
        sa.ForeignKeyConstraint(
            ['case_id'], ['cases.id'], name=op.f('fk_component_changes_case_id_cases')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_component_changes')),
    )
    with op.batch_alter_table('component_changes', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_component_changes_component_id'), ['component_id'], unique=False
        )

    if op.get_bind().dialect.name == 'sqlite':
        # As 0026: a nullable column with its reference, added in place (batch mode would drop
        # and rebuild cases, which every event references).
        op.execute(
            f'ALTER TABLE cases ADD COLUMN component_id INTEGER CONSTRAINT {_FK} '
            'REFERENCES components (id)'
        )
    else:
        op.add_column('cases', sa.Column('component_id', sa.Integer(), nullable=True))
        op.create_foreign_key(_FK, 'cases', 'components', ['component_id'], ['id'])
    op.create_index(
        'ix_cases_component_reported', 'cases', ['component_id', 'reported_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_cases_component_reported', table_name='cases')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cases DROP COLUMN component_id')
    else:
        op.drop_constraint(_FK, 'cases', type_='foreignkey')
        op.drop_column('cases', 'component_id')
    with op.batch_alter_table('component_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_component_changes_component_id'))
    op.drop_table('component_changes')
    with op.batch_alter_table('components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_components_owner_department_id'))
        batch_op.drop_index(batch_op.f('ix_components_grid_id'))
        batch_op.drop_index('ix_components_street_category')
        batch_op.drop_index('ix_components_category_lat_lon')
    op.drop_table('components')
