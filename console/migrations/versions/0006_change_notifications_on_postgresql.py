"""change notifications on postgresql

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 04:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
