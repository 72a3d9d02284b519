"""The positions pass of the evaluation: one pass over the events of each case.

Counting a position's facts event by event (position_facts) needs, for each of the period's
events, a look-up of its case and of the case's earlier events: ~5 random index seeks per
case. Here the cases' events are read in case order instead (one range of the covering index
ix_case_events_case_action_actor) and each case is summed up once: who did each step in the
period, when, and when the steps it is timed from last happened. A case where every step has
at most one such event, and nothing it is timed from comes after it, counts exactly as the
per-event facts would count it; every other case ("complex": a rework, a returned dispatch,
a step taken twice) is counted by the per-event facts, restricted to those cases. The two
parts partition the cases, so their sums are the per-event counts.

On an SQLite file the pass is split by case id over extra read connections that see the
same snapshot (start_position_counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from console.models import Case, CaseEvent
from console.services.evaluation.config import (
    POSITION_ACTIONS,
    POSITION_ROLES,
    STEPS,
    VOID_STATES,
    EvaluationConfig,
    Step,
)
from console.services.evaluation.metrics import (
    all_position_facts,
    count_facts,
    in_period,
    seconds_between,
)

#: (step, reporter role or None) → the (kind, metric) of each count column of its rows.
STEP_COUNTS: dict[tuple[str, str | None], tuple[tuple[str, str], ...]] = {
    ("report", "inspector"): (("inspector", "reported"), ("inspector", "valid_reported")),
    ("report", "intake"): (("intake", "received"),),
    ("register", None): (
        ("duty_chief", "registered"),
        ("duty_chief", "registered_on_time"),
        ("duty_chief", "voided_after_register"),
        ("duty_chief", "registered_kept"),
    ),
    ("close", None): (("duty_chief", "closed"), ("duty_chief", "closed_on_time")),
    ("dispatch", None): (
        ("dispatcher", "dispatched"),
        ("dispatcher", "dispatched_on_time"),
        ("dispatcher", "dispatched_accurate"),
    ),
    ("check", None): (("inspector", "checked"), ("inspector", "checked_on_time")),
    ("verify", None): (("inspector", "verified"), ("inspector", "verified_on_time")),
}
#: The step index of the rows naming a complex case (its id in the object column).
COMPLEX = -1
_STEP_INDEX = {name: i for i, name in enumerate(STEPS)}


def position_case_range(start: datetime, end: datetime) -> Select[int | None, int | None]:
    """(first, last) case id with a position event in the period (ix_case_events_action_at)."""
    e = CaseEvent
    return select(func.min(e.case_id), func.max(e.case_id)).where(
        e.action.in_(POSITION_ACTIONS), in_period(e.at, start, end)
    )


def positions_by_case(
    start: datetime,
    end: datetime,
    config: EvaluationConfig,
    dialect: str,
    first: int,
    last: int,
    where: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """The simple cases' position counts and the complex cases' ids, for cases first…last
    (and matching ``where``, a condition on the cases: one function's, #16 §3).

    Rows: (step index, reporter role, object, four counts). A step's counts are those of
    STEP_COUNTS, in order (unused columns are 0). Step COMPLEX: the object is a case id.
    Three levels: each case summed up (per_case); the simple cases grouped by who did their
    steps (teams: one sort, few rows); each step's counts per person from the teams.
    """
    c, e = Case.__table__, CaseEvent.__table__

    def of(step: Step) -> ColumnElement[bool]:
        return and_(
            e.c.action.in_(step.actions),
            e.c.actor_role.in_(step.roles),
            in_period(e.c.at, start, end),
            e.c.actor_id.is_not(None),
        )

    agg: dict[str, Any] = {
        # Every step's events, and possibly a few more (an action by another position's role):
        # a case with such an event is complex, and counted event by event.
        "n": func.count().filter(
            e.c.action.in_(POSITION_ACTIONS),
            e.c.actor_role.in_(tuple(POSITION_ROLES.values())),
            in_period(e.c.at, start, end),
            e.c.actor_id.is_not(None),
        ),
        "report_role": func.max(e.c.actor_role).filter(of(STEPS["report"])),
    }
    for name, st in STEPS.items():
        agg[f"{name}_by"] = func.max(e.c.actor_id).filter(of(st))
        if name != "report":  # no report metric is timed
            agg[f"{name}_at"] = func.max(e.c.at).filter(of(st))
        if st.since:
            agg[f"{name}_since"] = func.max(e.c.at).filter(e.c.action.in_(st.since))
    dispatch = STEPS["dispatch"]
    agg["dept_min"] = func.min(e.c.department_id).filter(e.c.action.in_(dispatch.actions))
    agg["dept_max"] = func.max(e.c.department_id).filter(e.c.action.in_(dispatch.actions))
    per_case = (
        select(
            c.c.id.label("case_id"),
            c.c.reported_at,
            c.c.registered_at,
            c.c.state,
            *(expr.label(key) for key, expr in agg.items()),
        )
        .select_from(c.join(e, e.c.case_id == c.c.id))
        .where(c.c.id.between(first, last), *(() if where is None else (where,)))
        .group_by(c.c.id)
        .cte("per_case")
    )
    p = per_case.c
    # Simple: one event per step at most, nothing a timed step is timed from after it, and
    # never dispatched to two departments (then the one dispatch is accurate). Tested on the
    # summed-up columns, not on the aggregates again: with bound parameters SQLite would not
    # see that they are the same aggregates and compute them twice.
    steps_done: Any = literal_column("0")
    for name in STEPS:
        steps_done = steps_done + case(
            (p[f"{name}_by"].is_not(None), literal_column("1")), else_=literal_column("0")
        )
    simple = and_(
        p.n == steps_done,
        *(
            or_(
                p[f"{n}_by"].is_(None),
                p[f"{n}_since"].is_(None),
                p[f"{n}_since"] <= p[f"{n}_at"],
            )
            for n, st in STEPS.items()
            if st.since
        ),
        or_(p.dispatch_by.is_(None), p.dept_min.is_(None), p.dept_min == p.dept_max),
    )

    def within(key: str, since: Any, at: Any) -> ColumnElement[bool]:
        return seconds_between(dialect, since, at) <= config.limit_hours[key] * 3600.0

    def timed(name: str) -> ColumnElement[bool]:
        limit = STEPS[name].limit
        assert limit is not None
        return within(limit, p[f"{name}_since"], p[f"{name}_at"])

    def flag(*condition: Any) -> Any:
        return case((and_(*condition), 1), else_=0)

    done = {name: p[f"{name}_by"].is_not(None) for name in STEPS}
    # Per step: the case counts for its person (1) or not (0), one flag per count column.
    flags: dict[str, list[Any]] = {
        "report": [
            flag(done["report"]),
            flag(done["report"], or_(p.registered_at.is_not(None), p.state.in_(VOID_STATES))),
        ],
        "register": [
            flag(done["register"]),
            flag(within("register", p.reported_at, p.register_at)),
            flag(done["register"], p.state.in_(VOID_STATES)),
            flag(done["register"], p.state.not_in(VOID_STATES)),
        ],
        "close": [flag(done["close"]), flag(timed("close"))],
        "dispatch": [
            flag(done["dispatch"]),
            flag(timed("dispatch")),
            flag(done["dispatch"]),  # accurate: one department at most (simple)
        ],
        "check": [flag(done["check"]), flag(timed("check"))],
        "verify": [flag(done["verify"]), flag(timed("verify"))],
    }
    people = ["report_role", *(f"{name}_by" for name in STEPS), "complex_case"]
    # A complex case is a team of its own (its id in complex_case), named in a row of its own.
    per_case_flags = (
        select(
            p.report_role,
            *(p[f"{name}_by"] for name in STEPS),
            case((simple, null()), else_=p.case_id).label("complex_case"),
            *(f.label(f"{name}_{i}") for name, fs in flags.items() for i, f in enumerate(fs)),
        )
        .where(p.n > 0)
        .cte("per_case_flags")
    )
    f = per_case_flags.c
    teams = (
        select(
            *(f[k] for k in people),
            *(
                func.sum(f[f"{name}_{i}"]).label(f"{name}_{i}")
                for name, fs in flags.items()
                for i in range(len(fs))
            ),
        )
        .group_by(*(f[k] for k in people))
        .cte("teams")
    )
    t = teams.c
    no_role = cast(null(), String)
    arms = []
    for name, fs in flags.items():
        by = t[f"{name}_by"]
        role = t.report_role if name == "report" else no_role
        sums: list[ColumnElement[Any]] = [func.sum(t[f"{name}_{i}"]) for i in range(len(fs))]
        sums += [literal(0)] * (4 - len(sums))
        group = (role, by) if name == "report" else (by,)
        arms.append(
            select(literal(_STEP_INDEX[name]), role, by, *sums)
            .where(by.is_not(None), t.complex_case.is_(None))
            .group_by(*group)
        )
    arms.append(
        select(literal(COMPLEX), no_role, t.complex_case, *(literal(0) for _ in range(4))).where(
            t.complex_case.is_not(None)
        )
    )
    return union_all(*arms)  # type: ignore[return-value]


#: Cases per query of the per-event count of the complex cases (bound parameters).
_COMPLEX_CHUNK = 5_000


def _position_counts(
    session: Session,
    start: datetime,
    end: datetime,
    config: EvaluationConfig,
    dialect: str,
    first: int,
    last: int,
    where: ColumnElement[bool] | None = None,
) -> dict[str, dict[int, dict[str, int]]]:
    """kind → person → metric → cases, for the cases first…last (matching ``where``): the
    simple cases from the per-case pass, the complex ones from the per-event facts
    (positions_by_case explains the split; the complex ones it names match ``where``)."""
    out: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    steps = list(STEPS)
    complex_ids: list[int] = []
    for step, role, obj, *numbers in session.execute(
        positions_by_case(start, end, config, dialect, first, last, where)
    ):
        if step == COMPLEX:
            complex_ids.append(obj)
            continue
        name = steps[step]
        keys = STEP_COUNTS[name, role if name == "report" else None]
        for (kind, metric), n in zip(keys, numbers[: len(keys)], strict=True):
            if n:
                bucket = out[kind][obj]
                bucket[metric] = bucket.get(metric, 0) + int(n)  # PostgreSQL: sum() is numeric
    for i in range(0, len(complex_ids), _COMPLEX_CHUNK):
        chunk = complex_ids[i : i + _COMPLEX_CHUNK]
        counted = count_facts(session, all_position_facts(start, end, config, dialect, chunk))
        _add_counts(out, counted)
    return out


def _add_counts(
    into: dict[str, dict[int, dict[str, int]]], more: dict[str, dict[int, dict[str, int]]]
) -> None:
    for kind, objects in more.items():
        for obj, metrics in objects.items():
            bucket = into[kind][obj]
            for metric, n in metrics.items():
                bucket[metric] = bucket.get(metric, 0) + n


#: Extra read connections for the positions pass on an SQLite file (one per case-id half).
_POSITION_WORKERS = 2


def last_event_id(session: Session) -> int:
    return session.scalar(select(func.max(CaseEvent.id))) or 0


@contextmanager
def position_sessions(session: Session, seen: int) -> Iterator[list[Session]]:
    """Read sessions on their own connections that see exactly ``session``'s data, or none.

    The positions pass is most of an evaluation's time, and an SQLite connection runs one
    query on one core; split by case id over connections it uses both. Their snapshots must
    match: case_events is append-only, every change to a case appends an event in the same
    transaction, and SQLite's ids grow in commit order, so the same last event id means the
    same cases and events. If a seat committed in between, the pass runs on ``session`` alone.
    """
    bind = session.get_bind()
    if (
        not isinstance(bind, Engine)
        or bind.dialect.name != "sqlite"
        or bind.url.database in (None, "", ":memory:")
    ):
        yield []
        return
    extra = [Session(bind=bind) for _ in range(_POSITION_WORKERS)]
    try:
        if all(last_event_id(s) == seen for s in extra):
            yield extra
        else:
            yield []
    finally:
        for s in extra:
            s.rollback()
            s.close()


def start_position_counts(
    session: Session,
    start: datetime,
    end: datetime,
    config: EvaluationConfig,
    dialect: str,
    where: ColumnElement[bool] | None = None,
) -> Callable[[], dict[str, dict[int, dict[str, int]]]]:
    """Start the positions pass (on extra connections when it can) and return its result's
    getter; the caller does the rest of the evaluation meanwhile. ``where``: only the cases
    matching it (one function's)."""
    first, last = session.execute(position_case_range(start, end)).one()
    if first is None or last is None:  # both or neither: min and max of the same rows
        return lambda: defaultdict(lambda: defaultdict(dict))
    seen = last_event_id(session)
    stack = ExitStack()
    sessions = stack.enter_context(position_sessions(session, seen))
    if not sessions:
        stack.close()
        return lambda: _position_counts(session, start, end, config, dialect, first, last, where)
    step = (last - first) // len(sessions) + 1
    pool = ThreadPoolExecutor(max_workers=len(sessions), thread_name_prefix="evaluation")
    futures = [
        pool.submit(
            _position_counts, s, start, end, config, dialect, lo, min(lo + step - 1, last), where
        )
        for s, lo in zip(sessions, range(first, last + 1, step), strict=False)
    ]

    def result() -> dict[str, dict[int, dict[str, int]]]:
        try:
            out: dict[str, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
            for future in futures:
                _add_counts(out, future.result())
            return out
        finally:
            pool.shutdown(wait=True)
            stack.close()

    return result
