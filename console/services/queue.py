"""The dispatch console's queues: tabs, filters, one page of rows, and live-refresh lookups.

The tabs are data (console.services.queue_tabs). Filtering, sorting and paging happen in SQL,
the traffic light included (console.services.queries): a page's ids come from the cases table
and its indexes alone, then one query reads those rows with every name joined; only the
remaining clock time is computed in Python, and only for the rows returned.
:func:`fetch_rows` and :func:`matching_ids` serve the live refresh: the change feed names the
cases that changed, the view re-reads those rows and asks which still belong.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from console.domain.lifecycle import CLOCK_STATES, OPEN_STATES, STATE_LABELS, state_label
from console.domain.time_limits import LimitUnit, clock_seconds_between
from console.domain.worktime import WorkCalendar
from console.errors import ValidationError
from console.models import Case, Category, Department, Region
from console.services.case_scope import DISTRICT, CaseScope
from console.services.cases.search import (
    candidate_count,
    count_matches,
    names_few_cases,
    text_condition,
)
from console.services.duplicates.pairs import flagged_condition
from console.services.queries import (
    case_category,
    function_condition,
    light_expression,
    light_filter,
)
from console.services.queue_tabs import LIGHTS, QueueTab, queue_tabs, tab_rules
from console.services.reference.data import split_category_key
from console.services.report_input import SOURCE_LABELS

__all__ = [
    "LIGHTS",
    "SORTS",
    "QueueFilter",
    "QueueRow",
    "QueueTab",
    "clock_remaining",
    "count_queue",
    "fetch_queue",
    "fetch_rows",
    "matching_ids",
    "page_ids_select",
    "queue_tabs",
    "walks_newest",
]

SORTS = ("reported_at", "deadline_at", "number", "state", "category_code", "street")
#: Characters of the description a queue row carries (the detail view has the rest).
DESCRIPTION_CHARS = 200
#: How many index steps cost what reading one case by id does (walks_newest).
_WALK_ADVANTAGE = 8
#: Ids per IN (...) list: well under SQLite's bound-parameter limit.
_ID_CHUNK = 500
#: tabs.csv flag (console.services.queue_tabs.FLAGS) → the condition it stands for.
_FLAGS = {
    "extension_requested": lambda: Case.extension_requested.is_not(None),
    "pending_request": lambda: or_(
        Case.extension_requested.is_not(None), Case.suspension_requested_at.is_not(None)
    ),
    "possible_duplicate": flagged_condition,
}


@dataclass(frozen=True)
class QueueFilter:
    """What one queue view shows. ``reported_from`` is inclusive, ``reported_to`` exclusive."""

    tab: str = "all_open"
    street_id: int | None = None
    grid_id: int | None = None
    department_id: int | None = None
    category_code: str | None = None
    kind: str | None = None
    #: One of the five functions of grid work (resources/org/functions.csv): the cases whose
    #: category has it (categories.function).
    function: str | None = None
    source: str | None = None
    light: str | None = None
    reported_from: datetime | None = None
    reported_to: datetime | None = None
    #: One state within the tab's (the 查询 tab: every state), e.g. "closed".
    state: str | None = None
    text: str | None = None
    sort: str = "reported_at"
    descending: bool = True
    #: The seat's confinement (a street or unit seat). Set by the services from the acting
    #: user (Workbench), whatever a view asks: never trusted from the caller.
    scope: CaseScope = DISTRICT


@dataclass(frozen=True)
class QueueRow:
    id: int
    number: str
    version: int
    state: str
    state_label: str
    source: str
    source_label: str
    kind: str
    category_code: str
    category_name: str
    address: str
    description: str
    street_id: int
    street_name: str
    street_code: str
    grid_id: int
    grid_code: str
    department_id: int | None
    department_name: str | None
    reported_at: datetime
    deadline_at: datetime | None
    light: str | None
    remaining_seconds: float | None
    urgent: bool
    extension_requested: bool
    updated_at: datetime


# --------------------------------------------------------------------------- the filter


def _conditions(
    f: QueueFilter, now: datetime, *, walk_newest: bool = False
) -> list[ColumnElement[bool]]:
    """The WHERE clause of a filter over the cases table alone (no joins needed)."""
    rule = tab_rules().get(f.tab)
    if rule is None:
        raise ValidationError(f"未知的队列: {f.tab}", field="tab")
    if f.sort not in SORTS:
        raise ValidationError(f"未知的排序: {f.sort}", field="sort")
    if f.light is not None and f.light not in LIGHTS:
        raise ValidationError(f"未知的灯色: {f.light}", field="light")
    if f.state is not None and f.state not in STATE_LABELS:
        raise ValidationError(f"未知的案件状态: {f.state}", field="state")
    conds: list[ColumnElement[bool]] = []
    candidates = rule.states
    if rule.flag is not None:
        extra = tuple(s for s in OPEN_STATES if s not in rule.states)
        candidates = rule.states + extra
        flagged = and_(_FLAGS[rule.flag](), Case.state.in_(extra))
        # A tab of states "none" is its flag alone.
        conds.append(or_(Case.state.in_(rule.states), flagged) if rule.states else flagged)
    elif set(rule.states) != set(STATE_LABELS):
        conds.append(Case.state.in_(rule.states))
    if rule.lights or f.light is not None:
        lights = set(rule.lights or LIGHTS)
        if f.light is not None:
            lights &= {f.light}
        conds.append(light_filter(now, lights, candidates) if lights else false())
    if f.scope.confined:
        conds.append(f.scope.where())
    if f.street_id is not None:
        conds.append(Case.street_id == f.street_id)
    if f.grid_id is not None:
        conds.append(Case.grid_id == f.grid_id)
    if f.department_id is not None:
        conds.append(Case.department_id == f.department_id)
    kind = f.kind
    code = f.category_code.strip() if f.category_code else None
    if code and code[:1] in ("C", "E"):
        key_kind, code = split_category_key(code)
        if kind is not None and kind != key_kind:
            return [false()]
        kind = key_kind
    if code:
        conds.append(Case.category_code == code)
    if kind is not None:
        conds.append(Case.kind == kind)
    if f.function is not None:
        conds.append(function_condition(f.function))
    if f.source is not None:
        conds.append(Case.source == f.source)
    if f.state is not None:
        conds.append(Case.state == f.state)
    if f.reported_from is not None:
        conds.append(Case.reported_at >= f.reported_from)
    if f.reported_to is not None:
        conds.append(Case.reported_at < f.reported_to)
    text = (f.text or "").strip()
    if text:
        # From the trigram index (console.services.cases.search).
        conds.append(text_condition(text, lookup=not walk_newest))
    return conds


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), _ID_CHUNK):
        yield unique[i : i + _ID_CHUNK]


# --------------------------------------------------------------------------- the clock


def clock_remaining(
    state: str,
    limit_unit: str | None,
    deadline_at: datetime | None,
    suspended_at: datetime | None,
    now: datetime,
    calendar: WorkCalendar,
) -> float | None:
    """Clock seconds from now to the deadline (negative when overdue); None off the clock.

    Working seconds, or natural ones for urgent (hours) limits. A suspended case's clock is
    frozen: its remaining time is measured at ``suspended_at``.
    """
    if deadline_at is None:
        return None
    if state in CLOCK_STATES:
        at = now
    elif state == "suspended" and suspended_at is not None:
        at = suspended_at
    else:
        return None
    unit = LimitUnit(limit_unit or LimitUnit.WORK_HOURS.value)
    if at <= deadline_at:
        return clock_seconds_between(calendar, at, deadline_at, unit)
    return -clock_seconds_between(calendar, deadline_at, at, unit)


# --------------------------------------------------------------------------- rows

_street = aliased(Region, name="street")
_grid = aliased(Region, name="grid")


def _rows_select(now: datetime) -> Select[Any]:
    """Every column a row needs, names joined (outer joins keep cases the driving table)."""
    return (
        select(
            Case.id,
            Case.number,
            Case.version,
            Case.state,
            Case.source,
            Case.kind,
            Case.category_code,
            Category.name.label("category_name"),
            Case.address,
            func.substr(Case.description, 1, DESCRIPTION_CHARS).label("description"),
            Case.street_id,
            _street.name.label("street_name"),
            _street.code.label("street_code"),
            Case.grid_id,
            _grid.code.label("grid_code"),
            Case.department_id,
            Department.name.label("department_name"),
            Case.reported_at,
            Case.deadline_at,
            light_expression(now).label("light"),
            Case.urgent,
            Case.extension_requested,
            Case.updated_at,
            Case.limit_unit,
            Case.suspended_at,
        )
        .select_from(Case)
        .outerjoin(
            Category,
            case_category(),
        )
        .outerjoin(_street, _street.id == Case.street_id)
        .outerjoin(_grid, _grid.id == Case.grid_id)
        .outerjoin(Department, Department.id == Case.department_id)
    )


def _to_row(r: Any, now: datetime, calendar: WorkCalendar) -> QueueRow:
    return QueueRow(
        id=r.id,
        number=r.number,
        version=r.version,
        state=r.state,
        state_label=state_label(r.state),
        source=r.source,
        source_label=SOURCE_LABELS.get(r.source, r.source),
        kind=r.kind,
        category_code=r.category_code,
        category_name=r.category_name or r.category_code,
        address=r.address,
        description=(r.description or "")[:DESCRIPTION_CHARS],
        street_id=r.street_id,
        street_name=r.street_name or "",
        street_code=r.street_code or "",
        grid_id=r.grid_id,
        grid_code=r.grid_code or "",
        department_id=r.department_id,
        department_name=r.department_name,
        reported_at=r.reported_at,
        deadline_at=r.deadline_at,
        light=r.light,
        remaining_seconds=clock_remaining(
            r.state, r.limit_unit, r.deadline_at, r.suspended_at, now, calendar
        ),
        urgent=bool(r.urgent),
        extension_requested=r.extension_requested is not None,
        updated_at=r.updated_at,
    )


def _order_by(f: QueueFilter) -> list[ColumnElement[Any]]:
    if f.sort == "state":
        order = {s: i for i, s in enumerate(STATE_LABELS)}
        key: ColumnElement[Any] | QueryableAttribute[Any] = case(
            order, value=Case.state, else_=len(order)
        )
    elif f.sort == "street":
        key = _street.code
    elif f.sort == "deadline_at":
        key = Case.deadline_at
    else:
        key = {
            "reported_at": Case.reported_at,
            "number": Case.number,
            "category_code": Case.category_code,
        }[f.sort]
    first = key.desc() if f.descending else key.asc()
    if f.sort == "deadline_at":
        first = first.nulls_last()  # cases off the clock after those with a deadline
    return [first, Case.id.desc() if f.descending else Case.id.asc()]


def _sort_value(f: QueueFilter, row: QueueRow) -> tuple[Any, ...]:
    """``row``'s sort column as :func:`_order_by` compares it (codes are ASCII: the same order
    in Python as in either database)."""
    if f.sort == "state":
        order = list(STATE_LABELS)
        return (order.index(row.state) if row.state in order else len(order),)
    if f.sort == "street":
        return (row.street_code,)
    if f.sort == "deadline_at":
        # NULLS LAST whichever way: a missing deadline is the "largest" ascending and the
        # "smallest" descending, so it sorts after every deadline both ways.
        missing = row.deadline_at is None
        when = row.deadline_at or datetime.min.replace(tzinfo=UTC)
        return (missing, when) if not f.descending else (not missing, when)
    return (getattr(row, f.sort),)  # reported_at, number, category_code: the row's own field


def precedes(f: QueueFilter) -> Callable[[QueueRow, QueueRow], bool]:
    """Whether row ``a`` comes before row ``b`` in ``f``'s order, as the database pages them.

    A seat places a case that a live change brings into its queue where the next page load
    would put it, without a query.
    """

    def before(a: QueueRow, b: QueueRow) -> bool:
        ka, kb = (*_sort_value(f, a), a.id), (*_sort_value(f, b), b.id)
        return ka > kb if f.descending else ka < kb

    return before


def count_queue(session: Session, f: QueueFilter, now: datetime) -> int:
    """How many cases the filter matches (for the pager and the tab badge)."""
    conds = _conditions(f, now)
    text = (f.text or "").strip()
    if text and len(conds) == 1:  # the search alone (查询, every state): the index counts it
        counted = count_matches(session, text)
        if counted is not None:
            return counted
    stmt = select(func.count()).select_from(Case).where(*conds)
    return int(session.scalar(stmt) or 0)


def page_ids_select(
    f: QueueFilter, now: datetime, *, offset: int, limit: int, walk_newest: bool = False
) -> Select[Any]:
    """The ids of one page, from the cases table (and its indexes) alone.

    Paging on ids first keeps the joins and the clock maths to the rows returned: with the
    names joined before the sort, SQLite would join every matching case and then sort them.
    ``walk_newest`` (SQLite, sorted by report time): read the cases in that order and keep
    those that match, instead of reading every match and sorting (:func:`walks_newest`).
    """
    if offset < 0 or limit < 0:
        raise ValidationError(f"分页参数无效: offset={offset}, limit={limit}")
    walk_newest = walk_newest and f.sort == "reported_at"
    stmt = select(Case.id).where(*_conditions(f, now, walk_newest=walk_newest))
    if f.sort == "street":
        stmt = stmt.join(_street, _street.id == Case.street_id)
    return stmt.order_by(*_order_by(f)).offset(offset).limit(limit)


def fetch_queue(
    session: Session,
    f: QueueFilter,
    now: datetime,
    calendar: WorkCalendar,
    *,
    offset: int,
    limit: int,
) -> list[QueueRow]:
    """One page of the queue, sorted as the filter says, ties broken on id."""
    walk = walks_newest(session, f, offset=offset, limit=limit)
    stmt = page_ids_select(f, now, offset=offset, limit=limit, walk_newest=walk)
    return fetch_rows(session, list(session.scalars(stmt)), now, calendar)


def walks_newest(session: Session, f: QueueFilter, *, offset: int, limit: int) -> bool:
    """Whether a search's page is found sooner walking the report-time index than reading
    every match by id and sorting them: when the text is common, the page is near the start.

    Walking meets about total / matches cases per match kept; reading costs one lookup per
    match, ~8 times an index step (SQLite, 2,000,000 cases). The index counts the matches.
    """
    text = (f.text or "").strip()
    if f.sort != "reported_at" or not text or names_few_cases(text):
        return False
    matches = candidate_count(session, text)
    if not matches:
        return False
    total = session.scalar(select(func.max(Case.id))) or 0
    return matches * matches * _WALK_ADVANTAGE > (offset + limit) * total


def fetch_rows(
    session: Session,
    ids: Sequence[int],
    now: datetime,
    calendar: WorkCalendar,
    scope: CaseScope = DISTRICT,
) -> list[QueueRow]:
    """The rows of ``ids`` in any state, in the order given; unknown ids (and ids outside
    ``scope``) are left out."""
    found: dict[int, QueueRow] = {}
    for chunk in _chunks(ids):
        for r in session.execute(_rows_select(now).where(Case.id.in_(chunk), scope.where())):
            found[r.id] = _to_row(r, now, calendar)
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def changed_rows(
    session: Session,
    f: QueueFilter,
    ids: Sequence[int],
    loaded: Collection[int],
    now: datetime,
    calendar: WorkCalendar,
) -> tuple[set[int], list[QueueRow], int | None]:
    """For changed cases ``ids``: those ``f`` matches now, their rows, and the queue's count
    when a matching case is not among ``loaded`` (new to the queue, or on a later page: only
    the count tells which), else None."""
    inside = matching_ids(session, f, ids, now)
    total = count_queue(session, f, now) if inside - set(loaded) else None
    return inside, fetch_rows(session, sorted(inside), now, calendar), total


def matching_ids(session: Session, f: QueueFilter, ids: Iterable[int], now: datetime) -> set[int]:
    """Which of ``ids`` the filter matches now (the view inserts or drops rows by it)."""
    conds = _conditions(f, now)
    result: set[int] = set()
    for chunk in _chunks(ids):
        stmt = select(Case.id).where(Case.id.in_(chunk), *conds)
        result.update(session.scalars(stmt))
    return result
