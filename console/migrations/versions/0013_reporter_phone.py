"""the caller's phone on a case

A report taken at the intake seat (a 12345 call) keeps the caller's phone number with the case
(cases.reporter_phone, null for every other report). Staff see it in the case detail only;
it is never exported (Open311, CSV, Excel) nor shown on the wall.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:10:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: SQLite adds it in place, no table copy.
    op.add_column('cases', sa.Column('reporter_phone', sa.String(length=32), nullable=True))


def downgrade() -> None:
    # Not batch mode on SQLite: it would copy and drop the cases table, which case_events
    # rows reference (foreign keys on). SQLite 3.35+ drops a plain column in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cases DROP COLUMN reporter_phone')
    else:
        op.drop_column('cases', 'reporter_phone')
