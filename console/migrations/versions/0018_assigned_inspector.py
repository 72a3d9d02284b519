"""the inspector a report check or a check task is assigned to

信息核实 (report check) and 核查任务 (check task) became lifecycle steps (issue 15): the intake
seat or the duty chief names the inspector who checks a report on site before 立案, or who
verifies a handled case; while one is named only they take the step. cases.
assigned_inspector_id holds them (null: no one named).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 18:50:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_FK = 'fk_cases_assigned_inspector_id_users'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # A nullable column with its reference, added in place (no table copy: case_events
        # rows reference cases, and batch mode would drop and rebuild it).
        op.execute(
            'ALTER TABLE cases ADD COLUMN assigned_inspector_id INTEGER '
            f'CONSTRAINT {_FK} REFERENCES users (id)'
        )
    else:
        op.add_column('cases', sa.Column('assigned_inspector_id', sa.Integer(), nullable=True))
        op.create_foreign_key(_FK, 'cases', 'users', ['assigned_inspector_id'], ['id'])


def downgrade() -> None:
    # As 0013: SQLite 3.35+ drops the column (and its column-level reference) in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cases DROP COLUMN assigned_inspector_id')
    else:
        op.drop_constraint(_FK, 'cases', type_='foreignkey')
        op.drop_column('cases', 'assigned_inspector_id')
