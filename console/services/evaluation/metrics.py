"""The evaluation's metric definitions as SQL.

Every count is the number of distinct cases over a *fact*: a source (the cases, the events, the
public's ratings), an object column and the conditions under which a row counts a case for a
metric. The same conditions answer both the report (one GROUP BY object per source, a
conditional count per metric) and the drill-down (the cases behind one number), so a number and its cases can never
disagree. Which metrics each kind has, and the configuration: console.services.evaluation.config.
Definitions: resources/evaluation/README.md.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from console.errors import ValidationError
from console.models import Case, CaseEvent, PublicRating
from console.services.evaluation.config import (
    CLOSED_STATES,
    POSITION_ACTIONS,
    POSITION_ROLES,
    REGION_LEVELS,
    SATISFIED_RATINGS,
    STEP_NAMES,
    STEPS,
    VOID_STATES,
    EvaluationConfig,
    Step,
)
from console.services.evaluation.tiers import tier_conditions

# -- SQL helpers -----------------------------------------------------------------------------


def seconds_between(dialect: str, a: Any, b: Any) -> ColumnElement[Any]:
    """b − a in seconds, in the database's own date arithmetic."""
    if dialect == "sqlite":
        return (func.julianday(b) - func.julianday(a)) * 86400.0
    return cast(extract("epoch", b - a), Float)


def in_period(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


@dataclass(frozen=True)
class Fact:
    """One metric of one kind: the cases ``case_id`` that count for the object ``obj``.

    A row of ``source`` is a fact when it matches ``scope`` (what the kind's facts share, e.g.
    "an event of the period by a duty chief") and ``where``. ``per_row``: every row of the
    source is a different case (the source is the cases table), so no DISTINCT is needed.
    """

    kind: str
    metric: str
    obj: Any
    case_id: Any
    source: Any
    scope: tuple[Any, ...]
    where: tuple[Any, ...]
    per_row: bool = False

    def condition(self) -> ColumnElement[bool]:
        return and_(*self.scope, *self.where)


def _previous(case_id: Any, at: Any, actions: tuple[str, ...]) -> Any:
    """When the case last had one of ``actions`` at or before ``at`` (a correlated subquery:
    a seek in ix_case_events_case_action_actor, evaluated only for the events that need it)."""
    prev = aliased(CaseEvent)
    return (
        select(func.max(prev.at))
        .where(prev.case_id == case_id, prev.action.in_(actions), prev.at <= at)
        .scalar_subquery()
    )


def _position_source(
    start: datetime, end: datetime, case_ids: list[int] | None = None
) -> tuple[Any, Any, tuple[Any, ...]]:
    """(the events, those joined with their cases, the scope every position fact shares).

    One object per evaluation, so that the four position kinds count in a single scan of the
    period's events (ix_case_events_action_at covers the scan). ``case_ids``: only these cases.
    """
    e = CaseEvent.__table__.alias("ev")
    scope: tuple[Any, ...] = (
        e.c.action.in_(POSITION_ACTIONS),
        in_period(e.c.at, start, end),
        e.c.actor_role.in_(tuple(POSITION_ROLES.values())),
        e.c.actor_id.is_not(None),
    )
    if case_ids is not None:
        scope += (e.c.case_id.in_(case_ids),)
    return e, e.join(Case.__table__, Case.id == e.c.case_id), scope


# -- the facts per kind ----------------------------------------------------------------------


def _relevant_cases(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Every case-column fact needs one of these times in the period (narrows the scan)."""
    c = Case
    return or_(
        in_period(c.reported_at, start, end),
        in_period(c.registered_at, start, end),
        in_period(c.dispatched_at, start, end),
        in_period(c.handled_at, start, end),
        in_period(c.closed_at, start, end),
        in_period(c.deadline_at, start, end),
        # carried over: due in an earlier period and still open at the period's end
        and_(c.deadline_at < start, or_(c.closed_at.is_(None), c.closed_at >= end)),
    )


def _due_and_closed(start: datetime, end: datetime) -> tuple[Any, Any]:
    """(应结案, 结案) of the period. A case is due from the period its deadline falls in until
    the period it is closed in: a case still open carries over into every later period."""
    c = Case
    closed = and_(c.state.in_(CLOSED_STATES), in_period(c.closed_at, start, end))
    due = or_(
        closed,
        and_(
            c.deadline_at < end,
            c.state.not_in(VOID_STATES),
            or_(c.closed_at.is_(None), c.closed_at >= start),
        ),
    )
    return due, closed


def _late_and_overdue(start: datetime, end: datetime) -> tuple[Any, Any]:
    """(超期结案: closed in the period, handled after the deadline; 超期未处置: on the clock at
    the period's end, past the deadline and without a standing feedback by then)."""
    c = Case
    _, closed = _due_and_closed(start, end)
    late = and_(
        closed,
        c.deadline_at.is_not(None),
        or_(c.handled_at.is_(None), c.handled_at > c.deadline_at),
    )
    overdue = and_(
        c.deadline_at < end,
        c.state.not_in(VOID_STATES),
        c.suspended_at.is_(None),
        or_(c.handled_at.is_(None), c.handled_at >= end),
        or_(c.closed_at.is_(None), c.closed_at >= end),
    )
    return late, overdue


def rating_facts(kind: str, obj: Any, start: datetime, end: datetime) -> list[Fact]:
    """评价数 and 满意数 of ``kind``: the public's ratings (one per case) given in the period,
    of the cases of the object ``obj`` (a column of the case, or a literal). Their source is
    the ratings joined with their cases, not the cases table: a case closed months ago and rated
    now counts now (so these are never in the one scan of the cases)."""
    r = PublicRating.__table__
    # counted for the case it is counted for: the one a public report was merged into (合并),
    # else its own (counted_case_id NULL); by the rating's own case, one a rating, so a handled
    # case with the ratings of two merged reports has two, and no rating counts twice
    source = r.join(Case.__table__, Case.id == func.coalesce(r.c.counted_case_id, r.c.case_id))
    scope: tuple[Any, ...] = (in_period(r.c.rated_at, start, end),)
    if kind == "department":
        scope += (Case.department_id.is_not(None),)
    satisfied = r.c.rating.in_(SATISFIED_RATINGS)
    return [
        Fact(kind, "rated", obj, r.c.case_id, source, scope, ()),
        Fact(kind, "satisfied", obj, r.c.case_id, source, scope, (satisfied,)),
    ]


def rating_counts_by_grid_and_department(
    start: datetime, end: datetime, where: ColumnElement[bool] | None = None
) -> tuple[Select[Any], list[str]]:
    """The ratings' counts (评价数, 满意数) of the grids and the departments in one scan of the
    period's ratings, with :func:`rating_facts`' conditions. Rows: (grid id, department id or
    None, one count per metric of the list); a grid's count is the sum over its rows, a
    department's over its rows (each rating is of one case, in one grid and one department).
    """
    facts = rating_facts("grid", Case.grid_id, start, end)
    f = facts[0]
    query = (
        select(
            Case.grid_id,
            Case.department_id,
            *(func.count().filter(and_(true(), *g.where)) for g in facts),
        )
        .select_from(f.source)
        .where(*f.scope, true() if where is None else where)
        .group_by(Case.grid_id, Case.department_id)
    )
    return query, [g.metric for g in facts]  # type: ignore[return-value]


def region_facts(
    level: str, start: datetime, end: datetime, config: EvaluationConfig
) -> list[Fact]:
    """Facts of a region level ("district" → one object, id 0) from the case columns.

    registered_at / closed_at / handled_at are written by the register, close and feedback
    events themselves (console.services.workflow), so these are the events' times.
    """
    obj = literal(0) if level == "district" else getattr(Case, f"{level}_id")
    c = Case
    due, closed = _due_and_closed(start, end)
    late, overdue = _late_and_overdue(start, end)
    on_time = and_(closed, or_(c.deadline_at.is_(None), and_(c.handled_at <= c.deadline_at)))
    registered = in_period(c.registered_at, start, end)
    handled = in_period(c.handled_at, start, end)
    scope = (_relevant_cases(start, end),)

    def fact(metric: str, *where: Any) -> Fact:
        return Fact(level, metric, obj, c.id, c.__table__, scope, where, per_row=True)

    return [
        fact("reported", in_period(c.reported_at, start, end)),
        fact("registered", registered),
        fact("public_registered", registered, c.source.in_(config.public_sources)),
        fact("due", due),
        fact("closed", closed),
        fact("closed_on_time", on_time),
        fact("closed_late", late),
        fact("overdue_unhandled", overdue),
        # 自行处置: settled in the grid, never dispatched (the self_handle feedback)
        fact("self_handled", handled, c.dispatched_at.is_(None)),
        # the population of 平均处置时长: dispatched cases with their feedback in the period
        fact("handled_dispatched", handled, c.dispatched_at.is_not(None)),
        # 小事不出网格、大事不出街道: the closed cases by tier (resources/evaluation/tiers.csv)
        *(fact(key, condition) for key, condition in tier_conditions(closed).items()),
        *rating_facts(level, obj, start, end),
    ]


def department_facts(start: datetime, end: datetime) -> list[Fact]:
    """A department's facts. 应处置 is the cases dispatched to it in the period (events);
    处置 / 按时 / 超期处置 are those of them it handled by the period's end: its cases whose
    (last) dispatch is in the period and whose standing feedback came before the end. The
    same population, so 处置率 and 按时处置率 never exceed 100 %; read from the case columns,
    so they count in the one scan of the cases."""
    c, e = Case, CaseEvent
    due, closed = _due_and_closed(start, end)
    late, overdue = _late_and_overdue(start, end)
    dept = c.department_id
    cases_scope = (dept.is_not(None), _relevant_cases(start, end))

    def from_cases(metric: str, *where: Any) -> Fact:
        return Fact("department", metric, dept, c.id, c.__table__, cases_scope, where, True)

    def from_events(metric: str, action: str) -> Fact:
        scope = (e.action == action, in_period(e.at, start, end), e.department_id.is_not(None))
        return Fact("department", metric, e.department_id, e.case_id, e.__table__, scope, ())

    handled = (in_period(c.dispatched_at, start, end), c.handled_at < end)
    return [
        from_events("assigned", "dispatch"),
        from_cases("handled", *handled),
        from_cases("handled_on_time", *handled, c.handled_at <= c.deadline_at),
        from_cases("handled_late", *handled, c.handled_at > c.deadline_at),
        from_events("reworked", "verify_fail"),
        from_cases("due", due),
        from_cases("closed", closed),
        from_cases("closed_late", late),
        from_cases("overdue_unhandled", overdue),
        *rating_facts("department", dept, start, end),
    ]


def position_facts(
    kind: str,
    start: datetime,
    end: datetime,
    config: EvaluationConfig,
    dialect: str,
    events: tuple[Any, Any, tuple[Any, ...]] | None = None,
) -> list[Fact]:
    """A position's facts, from :func:`_position_source` (``events``: one shared by kinds)."""
    v, joined, scope = _position_source(start, end) if events is None else events
    c = Case
    role = POSITION_ROLES.get(kind)
    if role is None:
        raise ValidationError(f"未知评价对象类型: {kind}")

    def fact(metric: str, action: str | tuple[str, ...], *where: Any) -> Fact:
        actions = (action,) if isinstance(action, str) else action
        return Fact(
            kind, metric, v.c.actor_id, v.c.case_id, joined, scope,
            (v.c.actor_role == role, v.c.action.in_(actions), *where),
        )  # fmt: skip

    def within(key: str, since: Any) -> ColumnElement[bool]:
        return seconds_between(dialect, since, v.c.at) <= config.limit_hours[key] * 3600.0

    def timed(step: Step) -> ColumnElement[bool]:
        assert step.limit is not None
        return within(step.limit, _previous(v.c.case_id, v.c.at, step.since))

    report, register, close, dispatch, check, verify = (STEPS[k] for k in STEP_NAMES)
    if kind == "inspector":
        return [
            fact("reported", report.actions),
            fact(
                "valid_reported",
                report.actions,
                or_(c.registered_at.is_not(None), c.state.in_(VOID_STATES)),
            ),
            fact("checked", check.actions),
            fact("checked_on_time", check.actions, timed(check)),
            fact("verified", verify.actions),
            fact("verified_on_time", verify.actions, timed(verify)),
        ]
    if kind == "intake":
        return [fact("received", report.actions)]
    if kind == "duty_chief":
        return [
            fact("registered", register.actions),
            fact("registered_on_time", register.actions, within("register", c.reported_at)),
            fact("voided_after_register", register.actions, c.state.in_(VOID_STATES)),
            fact("registered_kept", register.actions, c.state.not_in(VOID_STATES)),
            fact("closed", close.actions),
            fact("closed_on_time", close.actions, timed(close)),
        ]
    # dispatcher. A wrong dispatch is one re-dispatched to another department afterwards; it
    # counts against whoever made it, not against the dispatcher who then got it right.
    mine, later = aliased(CaseEvent), aliased(CaseEvent)
    misdispatched = exists().where(
        mine.case_id == v.c.case_id,
        mine.action.in_(dispatch.actions),
        mine.actor_id == v.c.actor_id,
        later.case_id == v.c.case_id,
        later.action.in_(dispatch.actions),
        later.id > mine.id,
        later.department_id != mine.department_id,
    )
    return [
        fact("dispatched", dispatch.actions),
        fact("dispatched_on_time", dispatch.actions, timed(dispatch)),
        fact("dispatched_accurate", dispatch.actions, not_(misdispatched)),
    ]


def all_position_facts(
    start: datetime,
    end: datetime,
    config: EvaluationConfig,
    dialect: str,
    case_ids: list[int] | None = None,
) -> list[Fact]:
    """Every position kind's facts over one shared scan of the period's events (of
    ``case_ids`` only, if given)."""
    events = _position_source(start, end, case_ids)
    return [
        f
        for kind in POSITION_ROLES
        for f in position_facts(kind, start, end, config, dialect, events)
    ]


#: The two kinds of rows of case_counts_by_grid_and_department.
GRID, DEPARTMENT = 0, 1


def case_counts_by_grid_and_department(
    start: datetime,
    end: datetime,
    config: EvaluationConfig,
    where: ColumnElement[bool] | None = None,
) -> tuple[Select[Any], list[str]]:
    """The case-column counts of the regions and the departments in one scan of the cases.

    Rows: (GRID or DEPARTMENT, its id, one count per metric of the list; the facts on the
    cases table only, not the ratings: :func:`rating_facts`). The cases are
    counted once per (grid, department); a grid's count is the sum over the departments, a
    department's the sum over the grids (each case is in one of each). ``where``: only the
    cases matching it (a confined seat's scope).
    """
    cases = Case.__table__
    facts = [f for f in region_facts("grid", start, end, config) if f.source is cases]
    names = {f.metric for f in facts}
    facts += [
        f for f in department_facts(start, end) if f.source is cases and f.metric not in names
    ]
    c = Case
    # "+ 0": group by an expression, so that SQLite reads the table in order and sorts the
    # groups, rather than walking ix_cases_grid_id with a random table read per case.
    grid = (c.grid_id + literal_column("0")).label("grid_id")
    keys = [f"m{i}" for i in range(len(facts))]
    cells = (
        select(
            grid,
            c.department_id,
            *(
                func.count().filter(and_(*f.where)).label(k)
                for k, f in zip(keys, facts, strict=True)
            ),
        )
        .where(_relevant_cases(start, end), true() if where is None else where)
        .group_by(grid, c.department_id)
        .cte("cells")
    )
    x = cells.c
    by_grid = select(literal(GRID), x.grid_id, *(func.sum(x[k]) for k in keys)).group_by(x.grid_id)
    by_department = (
        select(literal(DEPARTMENT), x.department_id, *(func.sum(x[k]) for k in keys))
        .where(x.department_id.is_not(None))
        .group_by(x.department_id)
    )
    return union_all(by_grid, by_department), [f.metric for f in facts]  # type: ignore[return-value]


def facts_for(
    kind: str, start: datetime, end: datetime, config: EvaluationConfig, dialect: str
) -> list[Fact]:
    if kind in REGION_LEVELS or kind == "district":
        return region_facts(kind, start, end, config)
    if kind == "department":
        return department_facts(start, end)
    return position_facts(kind, start, end, config, dialect)


def counts_queries(facts: list[Fact]) -> list[tuple[Select[Any], list[tuple[str, str]]]]:
    """The number of distinct cases per object of every fact, as few scans as possible.

    Facts over the same source and object share one GROUP BY query with a conditional count
    per fact: each query's rows are (object, one count per (kind, metric) in the list).
    """
    groups: dict[tuple[int, int], list[Fact]] = {}
    for f in facts:
        groups.setdefault((id(f.source), id(f.obj)), []).append(f)
    out = []
    for group in groups.values():
        obj = group[0].obj
        scopes: dict[int, ColumnElement[bool]] = {}
        for f in group:
            scopes.setdefault(id(f.scope), and_(*f.scope))
        columns = []
        for f in group:
            # one scope: the WHERE applies it; several: each count must not see the others' rows
            hit = f.case_id
            if len(scopes) > 1:
                hit = case((f.condition(), f.case_id))
            elif f.where:
                hit = case((and_(*f.where), f.case_id))
            columns.append(func.count(hit) if f.per_row else func.count(hit.distinct()))
        query = (
            select(obj.label("obj"), *columns)
            .select_from(group[0].source)
            .where(or_(*scopes.values()))
            .group_by(obj)
        )
        out.append((query, [(f.kind, f.metric) for f in group]))
    return out


def case_ids_query(
    facts: list[Fact], object_id: int, metric: str, where: ColumnElement[bool] | None = None
) -> Select[Any]:
    """The cases behind one fact of one object: the same conditions as its count (and
    ``where``, a confined seat's scope on the cases)."""
    f = next(f for f in facts if f.metric == metric)
    return (
        select(f.case_id)
        .select_from(f.source)
        .where(f.condition(), f.obj == object_id, true() if where is None else where)
        .distinct()
        .order_by(f.case_id)
    )


def count_facts(session: Session, facts: list[Fact]) -> dict[str, dict[int, dict[str, int]]]:
    """kind → object → metric → number of cases (objects and metrics without a case left out)."""
    out: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for query, keys in counts_queries(facts):
        for row in session.execute(query):
            obj = row[0]
            if obj is None:
                continue
            for (kind, metric), n in zip(keys, row[1:], strict=True):
                if n:
                    out[kind][int(obj)][metric] = int(n)
    return out
