"""The case text search index's names (migrations 0014 and 0015): indexes outside the ORM.

SQLite keeps the trigram index in an FTS5 table and its term list; PostgreSQL in pg_trgm GIN
indexes on the cases table. Migration 0015 adds partial indexes for text that reads as the
start of a case number: of the case numbers not of the services' form (both), and of the cases
whose address or description could hold such text (SQLite). None is an ORM model, so the
schema comparison (Alembic autogenerate and the tests that check models and migrations agree)
leaves them out by name: :func:`include_name`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

__all__ = [
    "FTS_TABLE",
    "IRREGULAR_NUMBER",
    "IRREGULAR_NUMBERS_INDEX",
    "MARK",
    "NUMBER_LIKE_TEXT",
    "NUMBER_LIKE_TEXTS_INDEX",
    "PG_INDEXES",
    "SEARCHED_COLUMNS",
    "TERMS_TABLE",
    "include_name",
    "migration_options",
]

SEARCHED_COLUMNS = ("number", "address", "description")
#: SQLite: the contentless FTS5 trigram table (rowid = cases.id) and its fts5vocab term list.
FTS_TABLE = "cases_search"
TERMS_TABLE = "cases_search_terms"
#: Indexed after each column's text, twice, so every character starts a trigram.
MARK = "\x1f"
#: PostgreSQL: one GIN trigram index per column.
PG_INDEXES = {column: f"ix_cases_{column}_trgm" for column in SEARCHED_COLUMNS}
#: Both: the partial index of the numbers for which IRREGULAR_NUMBER holds: not C or E
#: followed by digits only (console.services.cases.numbers writes no other). Each condition
#: is SQL text that a query repeats word for word, so that the planner picks its index.
IRREGULAR_NUMBERS_INDEX = "ix_cases_number_irregular"
IRREGULAR_NUMBER = (
    "substr(number, 1, 1) NOT IN ('C', 'E') OR trim(substr(number, 2), '0123456789') <> ''"
)
#: SQLite: the partial index of the cases for which NUMBER_LIKE_TEXT holds: an address or
#: description with C or E (any case) followed by two digits, as every case number's start.
NUMBER_LIKE_TEXTS_INDEX = "ix_cases_text_number_like"
NUMBER_LIKE_TEXT = "address GLOB '*[CcEe][0-9][0-9]*' OR description GLOB '*[CcEe][0-9][0-9]*'"


def include_name(name: str | None, type_: NameFilterType, _parents: NameFilterParentNames) -> bool:
    """Alembic's ``include_name``: False for the search indexes (and FTS5's shadow tables)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(FTS_TABLE)
    if type_ == "index":
        return name not in {*PG_INDEXES.values(), IRREGULAR_NUMBERS_INDEX, NUMBER_LIKE_TEXTS_INDEX}
    return True


def migration_options() -> dict[str, Any]:
    """Options for ``MigrationContext.configure`` when comparing the schema to the models."""
    return {"include_name": include_name}
