"""official calendar years

The State Council's holiday schedule of a year, loaded by an admin and shared by every seat
(calendar_years, calendar_days), and the append-only audit of every change (calendar_changes).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 12:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

PG_FUNCTION = "audit_refuse_change"  # created by 0007


def upgrade() -> None:
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('updated_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=50), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['calendar_years.year'], name=op.f('fk_calendar_days_year_calendar_years')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_days_year'), ['year'], unique=False)
    op.create_table('calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=50), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_calendar_changes_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_changes_year'), ['year'], unique=False)

    # The audit of calendar changes is append-only, like case_events (0007).
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER calendar_changes_append_only BEFORE UPDATE OR DELETE ON "
            f"calendar_changes FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
        )
        op.execute(
            "CREATE TRIGGER calendar_changes_no_truncate BEFORE TRUNCATE ON calendar_changes "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
        )
    elif bind.dialect.name == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER calendar_changes_no_{operation.lower()} BEFORE {operation} ON "
                f"calendar_changes BEGIN SELECT RAISE(ABORT, 'calendar_changes is append-only: "
                f"{operation} is not allowed'); END"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS calendar_changes_append_only ON calendar_changes")
        op.execute("DROP TRIGGER IF EXISTS calendar_changes_no_truncate ON calendar_changes")
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS calendar_changes_no_update")
        op.execute("DROP TRIGGER IF EXISTS calendar_changes_no_delete")
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_changes_year'))
    op.drop_table('calendar_changes')
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_days_year'))
    op.drop_table('calendar_days')
    op.drop_table('calendar_years')
