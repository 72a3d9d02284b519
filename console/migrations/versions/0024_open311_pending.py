"""open311 pending reports and extras

Issue 13 §1: an Open311 POST may give an address without lat/long; it cannot be a case yet
(a case needs its point and grid), so it waits in open311_pending_reports until the intake
seat places it on the map. open311_extras keeps what a request carries beyond the case's
columns (e-mail, device, account, photo link, attributes), shown to staff only. An Open311
POST's retry is found through field_submissions (the field app's idempotency keys), whose
row may now point at a pending report instead of a case.

Revision ID: 0024_open311_pending
Revises: 0026
Create Date: 2026-12-04 01:40:07.953997
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import console.models.base


revision = '0024_open311_pending'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('open311_pending_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('api_token_id', sa.Integer(), nullable=True),
    sa.Column('received_at', console.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('service_code', sa.String(length=64), nullable=False),
    sa.Column('taxonomy', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('category_code', sa.String(length=8), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address', sa.String(length=256), nullable=True),
    sa.Column('address_id', sa.String(length=64), nullable=True),
    sa.Column('reporter', sa.String(length=50), nullable=True),
    sa.Column('reporter_phone', sa.String(length=32), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('placed_at', console.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('placed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['api_token_id'], ['api_tokens.id'], name=op.f('fk_open311_pending_reports_api_token_id_api_tokens')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_open311_pending_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['placed_by'], ['users.id'], name=op.f('fk_open311_pending_reports_placed_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_open311_pending_reports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_pending_reports')),
    sa.UniqueConstraint('case_id', name=op.f('uq_open311_pending_reports_case_id')),
    sa.UniqueConstraint('token', name=op.f('uq_open311_pending_reports_token'))
    )
    with op.batch_alter_table('open311_pending_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open311_pending_reports_received_at'), ['received_at'], unique=False)

    op.create_table('open311_extras',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('pending_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('account_id', sa.String(length=64), nullable=True),
    sa.Column('media_url', sa.String(length=1024), nullable=True),
    sa.Column('address_id', sa.String(length=64), nullable=True),
    sa.Column('attributes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_open311_extras_case_id_cases')),
    sa.ForeignKeyConstraint(['pending_id'], ['open311_pending_reports.id'], name=op.f('fk_open311_extras_pending_id_open311_pending_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_extras')),
    sa.UniqueConstraint('case_id', name=op.f('uq_open311_extras_case_id')),
    sa.UniqueConstraint('pending_id', name=op.f('uq_open311_extras_pending_id'))
    )
    with op.batch_alter_table('field_submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open311_pending_id', sa.Integer(), nullable=True))
        batch_op.alter_column('case_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_field_submissions_open311_pending_id_open311_pending_reports'), 'open311_pending_reports', ['open311_pending_id'], ['id'])



def downgrade() -> None:
    # Keys of reports that never became cases go with their table (case_id is required again).
    op.execute("DELETE FROM field_submissions WHERE case_id IS NULL")
    with op.batch_alter_table('field_submissions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_field_submissions_open311_pending_id_open311_pending_reports'), type_='foreignkey')
        batch_op.alter_column('case_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('open311_pending_id')

    op.drop_table('open311_extras')
    with op.batch_alter_table('open311_pending_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open311_pending_reports_received_at'))

    op.drop_table('open311_pending_reports')
