"""The search over case number, address and description, answered by indexes: a trigram
index, and for the start of a case number the number's own index (and two partial ones).

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

Text that reads as the start of a case number (C or E, then 2 digits or more, any case), on
both databases: the trigram index would walk its digit trigrams ("202", "026"…), which nearly
every number holds, so the cases come from three disjoint parts, each exact:

- the numbers that start with the text upper-cased, from the number's unique index as a
  range: number >= 'E0102202612' AND number < 'E0102202613' (SQLite compares bytes: the
  range is exact; PostgreSQL's collation may not, so the upper end carries a 9, E0109 →
  E011, and each entry is tested with the LIKE test). The services write numbers of C or E
  and digits only (console.services.cases.numbers), which hold such text only at their start;
- the numbers of any other form (a script's) that hold the text elsewhere, from their partial
  index (migration 0015, normally empty), each tested with the LIKE test;
- the cases whose address or description holds the text and whose number does not: on SQLite
  from the partial index of the cases whose address or description holds C or E and two
  digits (0015, normally few), each tested with the LIKE test — the trigram index would walk
  the text's first trigram through every number of its kind and major class (a quarter of
  all cases for C01…); on PostgreSQL from the two columns' own GIN indexes.

A page reads the three parts' ids; a count adds up their counts. The rows SQLite walks in
another index's order (``lookup=False``) are tested with the LIKE test itself.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    and_,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy import text as sql_text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean

from console.models import Case
from console.models.case_search import (
    FTS_TABLE,
    IRREGULAR_NUMBER,
    MARK,
    NUMBER_LIKE_TEXT,
    TERMS_TABLE,
)

__all__ = [
    "candidate_count",
    "count_matches",
    "is_number_prefix",
    "like_pattern",
    "like_scan",
    "names_few_cases",
    "number_range",
    "text_condition",
]

#: The start of a case number: C/E, then 2 digits or more (console.services.cases.numbers).
_NUMBER_PREFIX = re.compile(r"[CE][0-9]{2,}", re.IGNORECASE)
#: Digits after the letter that pin a category (4 or 5 digits) and more: few cases.
_FEW_DIGITS = 8
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


def is_number_prefix(text: str) -> bool:
    """Text that reads as the start of a case number: C or E (any case), then 2 digits or more."""
    return _NUMBER_PREFIX.fullmatch(text) is not None


def number_range(text: str) -> tuple[str, str]:
    """``[low, high)`` holding every number of the services' form that starts with the number
    prefix ``text`` (upper-cased) in any collation that orders letters and digits as byte
    order does: the upper end is letters and digits too (a 9 carried: E0109 → E011). It may
    hold other numbers (E010:…): the LIKE test leaves them out."""
    low = text.upper()
    stem = low.rstrip("9")  # a number prefix starts with C or E: never empty
    return low, stem[:-1] + chr(ord(stem[-1]) + 1)


def _byte_range(text: str) -> tuple[str, str]:
    """``[low, high)`` in byte order (SQLite): exactly the strings that start with ``low``."""
    low = text.upper()
    return low, low[:-1] + chr(ord(low[-1]) + 1)


def _ilike(col: Any, text: str) -> ColumnElement[bool]:
    return col.ilike(like_pattern(text), escape="\\")


def _number_parts(text: str, *, sqlite: bool) -> list[ColumnElement[bool]]:
    """The cases holding the number prefix ``text``, as three disjoint conditions (module
    docstring), each answered from an index."""
    low, high = _byte_range(text) if sqlite else number_range(text)
    in_range = and_(Case.number >= low, Case.number < high)
    in_number = _ilike(Case.number, text)
    # The partial indexes' conditions word for word: the planners then read the indexes (on
    # a table of a few dozen cases, SQLite may prefer another index or a scan: as cheap).
    irregular = and_(sql_text(f"({IRREGULAR_NUMBER})"), in_number, ~in_range)
    in_text = and_(or_(_ilike(Case.address, text), _ilike(Case.description, text)), ~in_number)
    if sqlite:
        return [in_range, irregular, and_(sql_text(f"({NUMBER_LIKE_TEXT})"), in_text)]
    return [and_(in_range, in_number), irregular, in_text]


def _number_condition(text: str, *, sqlite: bool) -> ColumnElement[bool]:
    parts = (select(Case.id).where(p).correlate(None) for p in _number_parts(text, sqlite=sqlite))
    return Case.id.in_(union_all(*parts))


def _number_count(session: Session, text: str) -> int:
    """How many cases hold the number prefix ``text``: the sum of its parts' counts."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    counts = [
        select(func.count()).select_from(Case).where(p).correlate(None).scalar_subquery()
        for p in _number_parts(text, sqlite=sqlite)
    ]
    return int(session.scalar(select(counts[0] + counts[1] + counts[2])) or 0)


def text_condition(text: str, *, lookup: bool = True) -> ColumnElement[bool]:
    """The queue's search condition for ``text`` (stripped, not empty).

    ``lookup``: SQLite reads the index's matches by id; False tests the rows it walks in
    another index's order instead (console.services.queue.walks_newest).
    """
    if is_number_prefix(text):
        # The rows SQLite walks in another index's order: each tested as it comes.
        sqlite = _number_condition(text, sqlite=True) if lookup else like_scan(text)
        return _ByDialect(sqlite, _number_condition(text, sqlite=False))
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
    """Text that reads as the start of a case number down to its category at least
    (E01022026…, 8 digits or more): one category's cases of a year or a day, too few for a
    count to pay before reading a page (console.services.queue.walks_newest). A shorter
    number prefix (E01, E0102) may name a good share of all cases: it is counted, cheaply,
    from the number's index."""
    return is_number_prefix(text) and len(text) - 1 >= _FEW_DIGITS


def candidate_count(session: Session, text: str) -> int | None:
    """How many cases the index names for ``text`` (at least as many as hold it), counted in
    the index alone (SQLite); None where there is no index to ask."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    if is_number_prefix(text):
        return _number_count(session, text)
    query = _match_query(text)
    if query is None:
        return None
    # The index's rows are the cases' ids (the triggers see to it): no need to read the cases.
    return int(session.scalar(select(func.count()).select_from(_fts).where(_matched(query))) or 0)


def count_matches(session: Session, text: str) -> int | None:
    """How many cases hold ``text``, from the indexes alone where their answer is exact (a
    number prefix; on SQLite, text without cased letters); None where the cases table must
    be read."""
    if is_number_prefix(text):
        return _number_count(session, text)
    return candidate_count(session, text) if _uncased(text) else None
