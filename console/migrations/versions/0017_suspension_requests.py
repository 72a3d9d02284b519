"""a department's pending suspension request on a case

申请挂账 became a lifecycle step (issue 15): a department asks, the duty chief approves
(the case is suspended) or refuses. cases.suspension_requested_at holds a pending request,
as extension_requested does for an extension; the queue's requests tab reads it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

import console.models.base


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: SQLite adds it in place, no table copy.
    op.add_column(
        'cases',
        sa.Column(
            'suspension_requested_at',
            console.models.base.UTCDateTime(timezone=True),
            nullable=True,
        ),
    )


def downgrade() -> None:
    # As 0013: SQLite 3.35+ drops a plain column in place (batch mode would copy the table).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE cases DROP COLUMN suspension_requested_at')
    else:
        op.drop_column('cases', 'suspension_requested_at')
