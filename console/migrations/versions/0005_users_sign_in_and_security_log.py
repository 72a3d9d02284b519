"""users sign in and security log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 04:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
