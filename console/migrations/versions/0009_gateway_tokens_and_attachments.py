"""gateway tokens and attachments

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 04:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
