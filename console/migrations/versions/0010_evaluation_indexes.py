"""evaluation indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 04:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
