"""functions

The five functions of grid work (issue 16 §3: 党的建设、经济发展、城市管理、公共服务、安全稳定):
each category and each department has one. Rows already in a database were all city management
(the national taxonomies and the city-management committee's departments); the reference load
(resources/taxonomy/functions.csv, departments.csv) sets the file's function on every row.

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-04 02:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, not in batch mode: a batch would drop and rebuild departments, which
    # users, cases and routing rules reference (as 0026).
    for table in ('categories', 'departments'):
        op.add_column(
            table,
            sa.Column('function', sa.String(length=8), server_default='城市管理', nullable=False),
        )
    op.create_index('ix_categories_function', 'categories', ['function'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_categories_function', table_name='categories')
    for table in ('departments', 'categories'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE {table} DROP COLUMN function')
        else:
            op.drop_column(table, 'function')
