"""The search over case number, address and description, answered by a trigram index.

Users get what a LIKE scan gives: the cases where any of the three columns holds the text as
a substring, Latin letters in any case, ``%`` and ``_`` taken literally. The index (migration
0014, names in console.models.case_search) names the candidates. Text with letters that have
a case is checked again with the LIKE test, so the index's looser matching (SQLite's FTS5
folds the case of every script, LIKE of ASCII only) never shows; text without (Chinese,
digits) is answered by the index alone, which is exact for it.

SQLite (FTS5 trigram, contentless, each column indexed with two marks after it):

- 3 characters or more: the text as an FTS5 phrase (its trigrams, adjacent).
- 2 characters: every occurrence starts an indexed trigram (the marks see to the column's
  end), so the index terms in the range [text, text + U+10FFFF) — read from the term list —
  OR'ed together. Only for text whose case SQLite folds as Python does (ASCII and uncased
  scripts such as Chinese); other text scans.
- 1 character: a LIKE scan within the filter's other conditions. A single character matches
  a large share of all cases (every 路, every digit), so an index would save little.

PostgreSQL (pg_trgm GIN, one index per column): the ILIKE test itself, which the planner
answers from the indexes for 3 characters or more; shorter text is a (parallel) scan.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import and_, column, func, literal, literal_column, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from console.models import Case
from console.models.case_search import FTS_TABLE, MARK, TERMS_TABLE

__all__ = [
    "candidate_count",
    "count_matches",
    "like_pattern",
    "like_scan",
    "names_few_cases",
    "text_condition",
]

#: The start of a case number: C/E, then 2 digits or more (console.services.cases.numbers).
_NUMBER_PREFIX = re.compile(r"[CE][0-9]{2,}", re.IGNORECASE)
#: The shortest text an FTS5 trigram phrase can match.
TRIGRAM = 3
#: Above every character: the end of a term range.
_LAST_CHAR = "\U0010ffff"
#: A phrase no row holds (the marks come in pairs): the 2-character query with no terms.
_NO_TERM = f'"{MARK * 3}"'

_fts = table(FTS_TABLE, column("rowid"))
_terms = table(TERMS_TABLE, column("term"))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like_scan(text: str) -> ColumnElement[bool]:
    """The plain test: ``text`` in the number, address or description (no index)."""
    pattern = like_pattern(text)
    columns = (Case.number, Case.address, Case.description)
    return or_(*(col.ilike(pattern, escape="\\") for col in columns))


class _ByDialect(ColumnElement[bool]):
    """One condition written twice: for SQLite, and for every other database."""

    type = Boolean()
    inherit_cache = True
    _is_implicitly_boolean = True  # a test in itself: no "= 1" after it in a WHERE
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's cache-key declaration)
        ("sqlite", InternalTraversal.dp_clauseelement),
        ("other", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, sqlite: ColumnElement[bool], other: ColumnElement[bool]) -> None:
        self.sqlite = sqlite
        self.other = other


@compiles(_ByDialect)
def _compile(element: _ByDialect, compiler: Any, **kw: Any) -> str:
    chosen = element.sqlite if compiler.dialect.name == "sqlite" else element.other
    return str(compiler.process(chosen.self_group(), **kw))


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _folds_like_python(text: str) -> bool:
    """Whether FTS5 folds ``text`` to ``text.lower()``: ASCII, or characters without case."""
    return all(c.isascii() or c.lower() == c.upper() for c in text)


def _match_query(text: str) -> ColumnElement[Any] | None:
    """The FTS5 query whose rows are a superset of the cases holding ``text``; None to scan."""
    if MARK in text or len(text) < 2:
        return None
    if len(text) >= TRIGRAM:
        return literal(_phrase(text))
    if not _folds_like_python(text):
        return None
    low = text.lower()
    term = _terms.c.term
    quoted = literal('"') + func.replace(term, '"', '""') + literal('"')
    # The MATCH string built in SQL: one statement, and the terms read at query time.
    return func.coalesce(
        select(func.group_concat(quoted, " OR "))
        .where(term >= low, term < low + _LAST_CHAR)
        .scalar_subquery(),
        _NO_TERM,
    )


def _matched(query: ColumnElement[Any]) -> ColumnElement[bool]:
    return literal_column(FTS_TABLE).op("MATCH")(query)


def _sqlite_candidates(text: str, lookup: bool) -> ColumnElement[bool] | None:
    """The cases the FTS5 index names for ``text`` (a superset), or None to scan."""
    query = _match_query(text)
    if query is None:
        return None
    # "id + 0" hides the key from SQLite's planner: it walks another index and tests each row.
    case_id = Case.id if lookup else Case.id + literal_column("0")
    return case_id.in_(select(_fts.c.rowid).where(_matched(query)))


def _uncased(text: str) -> bool:
    """No letter with a case (Chinese, digits, punctuation): FTS5 folds nothing LIKE keeps."""
    return all(c.lower() == c.upper() for c in text)


def text_condition(text: str, *, lookup: bool = True) -> ColumnElement[bool]:
    """The queue's search condition for ``text`` (stripped, not empty).

    ``lookup``: SQLite reads the index's matches by id; False tests the rows it walks in
    another index's order instead (console.services.queue.walks_newest).
    """
    scan = like_scan(text)
    candidates = _sqlite_candidates(text, lookup)
    if candidates is None:
        sqlite = scan
    elif _uncased(text):
        # The index's answer is exact: no need to read and test every matching row's text.
        sqlite = candidates
    else:
        sqlite = and_(candidates, scan)
    return _ByDialect(sqlite, scan)


def names_few_cases(text: str) -> bool:
    """Text that reads as the start of a case number (E0102…): one category's cases of a month
    or a day at most. Counting them costs the index as much as finding them (its digit
    trigrams, "202", "026"…, are in nearly every number)."""
    return _NUMBER_PREFIX.fullmatch(text) is not None


def candidate_count(session: Session, text: str) -> int | None:
    """How many cases the index names for ``text`` (at least as many as hold it), counted in
    the index alone (SQLite); None where there is no index to ask."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    query = _match_query(text)
    if query is None:
        return None
    # The index's rows are the cases' ids (the triggers see to it): no need to read the cases.
    return int(session.scalar(select(func.count()).select_from(_fts).where(_matched(query))) or 0)


def count_matches(session: Session, text: str) -> int | None:
    """How many cases hold ``text``, from the index alone where its answer is exact (SQLite,
    text without cased letters); None where the cases table must be read."""
    return candidate_count(session, text) if _uncased(text) else None
