"""partial indexes for case-number search

The search takes text that reads as the start of a case number (E0102202612: C or E, then
two digits or more) from the number's unique index, as a range (number >= 'E0102202612' AND
number < 'E0102202613'), instead of from the trigram index, whose digit trigrams ("202",
"026"…) are in nearly every number (console.services.cases.search). Two partial indexes name
the other cases that can hold such text, normally few or none:

- ix_cases_number_irregular (SQLite and PostgreSQL, the same SQL; PostgreSQL reads
  trim(x, y) as btrim): the numbers not of the services' form (C or E, then digits only),
  written by a script, say, which could hold the text further in than at their start.
- ix_cases_text_number_like (SQLite): the cases whose address or description holds C or E
  followed by two digits. The trigram index would answer those two columns only by walking
  the trigram that starts the text in every number of its kind and major class (a quarter
  of all cases for C01); PostgreSQL's trigram indexes are one per column and answer them
  alone.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

IRREGULAR = 'ix_cases_number_irregular'
#: True for a number that is not C or E followed by digits only.
IRREGULAR_NUMBER = (
    "substr(number, 1, 1) NOT IN ('C', 'E') OR trim(substr(number, 2), '0123456789') <> ''"
)
NUMBER_LIKE = 'ix_cases_text_number_like'
#: True for an address or description holding C or E (any case) and two digits.
NUMBER_LIKE_TEXT = "address GLOB '*[CcEe][0-9][0-9]*' OR description GLOB '*[CcEe][0-9][0-9]*'"


def upgrade() -> None:
    op.execute(f'CREATE INDEX {IRREGULAR} ON cases (number) WHERE {IRREGULAR_NUMBER}')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'CREATE INDEX {NUMBER_LIKE} ON cases (id) WHERE {NUMBER_LIKE_TEXT}')


def downgrade() -> None:
    op.execute(f'DROP INDEX IF EXISTS {NUMBER_LIKE}')
    op.execute(f'DROP INDEX IF EXISTS {IRREGULAR}')
