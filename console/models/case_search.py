"""The case text search index's names (migration 0014): a trigram index outside the ORM.

SQLite keeps it in an FTS5 table and its term list; PostgreSQL in pg_trgm GIN indexes on the
cases table. Neither is an ORM model, so the schema comparison (Alembic autogenerate and the
tests that check models and migrations agree) leaves them out by name: :func:`include_name`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.runtime.environment import NameFilterParentNames, NameFilterType

__all__ = [
    "FTS_TABLE",
    "MARK",
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


def include_name(name: str | None, type_: NameFilterType, _parents: NameFilterParentNames) -> bool:
    """Alembic's ``include_name``: False for the search index (and FTS5's shadow tables)."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(FTS_TABLE)
    if type_ == "index":
        return name not in PG_INDEXES.values()
    return True


def migration_options() -> dict[str, Any]:
    """Options for ``MigrationContext.configure`` when comparing the schema to the models."""
    return {"include_name": include_name}
