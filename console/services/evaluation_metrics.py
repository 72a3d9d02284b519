"""The evaluation's metric definitions as SQL, and its configuration read from resources.

Every count is the number of distinct cases over a *fact*: a source (the cases, the events),
an object column and the conditions under which a row counts a case for a metric. The same
conditions answer both the report (one GROUP BY object per source, a conditional count per
metric) and the drill-down (the cases behind one number), so a number and its cases can never
disagree. Definitions: resources/evaluation/
README.md.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
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
    union_all,
)
from sqlalchemy.orm import Session, aliased

from console.config import resource
from console.errors import ValidationError
from console.models import Case, CaseEvent

#: Cases the public brought in (监督举报): 12345, the public, public opinion.
PUBLIC_SOURCES = ("hotline", "public", "opinion")
CLOSED_STATES = ("closed", "archived")
REGION_LEVELS = ("street", "area", "unit", "grid")
POSITION_ROLES = {
    "inspector": "inspector",
    "intake": "intake",
    "duty_chief": "duty_chief",
    "dispatcher": "dispatcher",
}

#: metric key → (label_zh, label_en). Counts first, then rates.
LABELS: dict[str, tuple[str, str]] = {
    "reported": ("上报数", "reported"),
    "registered": ("立案数", "registered"),
    "public_registered": ("监督举报核实数", "public reports registered"),
    "due": ("应结案数", "due to close"),
    "closed": ("结案数", "closed"),
    "closed_on_time": ("按期结案数", "closed on time"),
    "close_rate": ("结案率", "close rate"),
    "on_time_close_rate": ("按期结案率", "on-time close rate"),
    "public_report_rate": ("监督举报率", "public report rate"),
    "assigned": ("应处置数", "assigned"),
    "handled": ("处置数", "handled"),
    "handled_on_time": ("按时处置数", "handled on time"),
    "handled_late": ("超期处置数", "handled late"),
    "reworked": ("返工数", "reworked"),
    "handle_rate": ("处置率", "handle rate"),
    "on_time_handle_rate": ("按时处置率", "on-time handle rate"),
    "rework_rate": ("返工率", "rework rate"),
    "valid_reported": ("有效上报数", "valid reports"),
    "valid_report_rate": ("有效上报率", "valid report rate"),
    "missed_report_rate": ("漏报率", "missed report rate"),
    "on_time_verify_rate": ("按时核实率", "on-time verification rate"),
    "checked": ("核查数", "checks"),
    "checked_on_time": ("按时核查数", "checks on time"),
    "on_time_check_rate": ("按时核查率", "on-time check rate"),
    "received": ("受理数", "received"),
    "verify_forward_on_time_rate": ("核实按时派发率", "verification tasks sent on time"),
    "check_forward_on_time_rate": ("核查按时派发率", "check tasks sent on time"),
    "registered_on_time": ("按时立案数", "registered on time"),
    "voided_after_register": ("作废数", "voided after registration"),
    "registered_kept": ("准确立案数", "registrations kept"),
    "on_time_register_rate": ("按时立案率", "on-time registration rate"),
    "accurate_register_rate": ("准确立案率", "accurate registration rate"),
    "dispatched": ("派遣数", "dispatched"),
    "dispatched_on_time": ("按时派遣数", "dispatched on time"),
    "dispatched_accurate": ("准确派遣数", "dispatched accurately"),
    "on_time_dispatch_rate": ("按时派遣率", "on-time dispatch rate"),
    "accurate_dispatch_rate": ("准确派遣率", "accurate dispatch rate"),
}

#: Per kind: the counts, then the rates as (key, numerator key, denominator key). A rate whose
#: numerator key is None is not derivable from the data yet: its value is None.
REGION_RATES = (
    ("close_rate", "closed", "due"),
    ("on_time_close_rate", "closed_on_time", "due"),
    ("public_report_rate", "public_registered", "registered"),
)
METRICS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str | None, str | None], ...]]] = {
    "region": (
        ("reported", "registered", "public_registered", "due", "closed", "closed_on_time"),
        REGION_RATES,
    ),
    "department": (
        ("assigned", "handled", "handled_on_time", "handled_late", "reworked", "due", "closed"),
        (
            ("handle_rate", "handled", "assigned"),
            ("on_time_handle_rate", "handled_on_time", "assigned"),
            ("close_rate", "closed", "due"),
            ("rework_rate", "reworked", "due"),
        ),
    ),
    "inspector": (
        ("reported", "valid_reported", "checked", "checked_on_time"),
        (
            ("valid_report_rate", "valid_reported", "reported"),
            ("missed_report_rate", None, None),
            ("on_time_verify_rate", None, None),
            ("on_time_check_rate", "checked_on_time", "checked"),
        ),
    ),
    "intake": (
        ("received",),
        (
            ("verify_forward_on_time_rate", None, None),
            ("check_forward_on_time_rate", None, None),
        ),
    ),
    "duty_chief": (
        (
            "registered",
            "registered_on_time",
            "voided_after_register",
            "registered_kept",
            "closed",
            "closed_on_time",
        ),
        (
            ("on_time_register_rate", "registered_on_time", "registered"),
            ("accurate_register_rate", "registered_kept", "registered"),
            ("on_time_close_rate", "closed_on_time", "closed"),
        ),
    ),
    "dispatcher": (
        ("dispatched", "dispatched_on_time", "dispatched_accurate"),
        (
            ("on_time_dispatch_rate", "dispatched_on_time", "dispatched"),
            ("accurate_dispatch_rate", "dispatched_accurate", "dispatched"),
        ),
    ),
}
#: Why a metric has no value yet (the README lists the same).
NOT_DERIVABLE = {
    "missed_report_rate": "漏报需经核实的公众举报与监督员责任网格的对应，尚无此数据",
    "on_time_verify_rate": "核实任务（派给监督员的核实单）尚无数据模型",
    "verify_forward_on_time_rate": "受理员派发核实任务尚无数据模型",
    "check_forward_on_time_rate": "受理员派发核查任务尚无数据模型",
}

#: States that end a report without handling it: 作废, and 合并 (a merged duplicate is a
#: 重复上报 voided into the case it repeats). Evaluated alike (evaluation.md: 有效上报, 准确立案).
VOID_STATES = ("voided", "merged")


def metric_family(kind: str) -> str:
    return "region" if kind in (*REGION_LEVELS, "district") else kind


# -- configuration ---------------------------------------------------------------------------


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@dataclass(frozen=True)
class Term:
    metric: str
    weight: float
    scoring: str  # rate | inverse_rate | band:NAME | band_per_grid:NAME


@dataclass(frozen=True)
class EvaluationConfig:
    """Weights, bands, grades and time limits (resources/evaluation/*.csv)."""

    weights: dict[str, tuple[Term, ...]]
    bands: dict[str, tuple[tuple[str, float | None, float], ...]]
    grades: tuple[tuple[str, float], ...]
    limit_hours: dict[str, float]
    public_sources: tuple[str, ...] = field(default=PUBLIC_SOURCES)

    @classmethod
    def load(cls, directory: Path | None = None) -> EvaluationConfig:
        def path(name: str) -> Path:
            return directory / name if directory else resource("evaluation", name)

        try:
            weights: dict[str, list[Term]] = {}
            for r in _rows(path("weights.csv")):
                weights.setdefault(r["kind"], []).append(
                    Term(r["metric"], float(r["weight"]), r["scoring"])
                )
            bands: dict[str, list[tuple[str, float | None, float]]] = {}
            for r in _rows(path("bands.csv")):
                bound = float(r["bound"]) if r["bound"].strip() else None
                bands.setdefault(r["band"], []).append((r["op"], bound, float(r["score"])))
            grades = tuple(
                sorted(
                    ((r["grade"], float(r["min_composite"])) for r in _rows(path("grades.csv"))),
                    key=lambda g: -g[1],
                )
            )
            limits = {r["key"]: float(r["hours"]) for r in _rows(path("time_limits.csv"))}
        except (KeyError, ValueError) as exc:
            raise ValidationError(f"绩效评价配置格式错误: {exc}") from exc
        for kind, terms in weights.items():
            for t in terms:
                if t.scoring.split(":")[0] not in ("rate", "inverse_rate", "band", "band_per_grid"):
                    raise ValidationError(f"weights.csv: {kind}/{t.metric} 未知计分 {t.scoring}")
                if ":" in t.scoring and t.scoring.split(":", 1)[1] not in bands:
                    raise ValidationError(f"weights.csv: 未知分档 {t.scoring}")
        return cls(
            {k: tuple(v) for k, v in weights.items()},
            {k: tuple(v) for k, v in bands.items()},
            grades,
            limits,
        )

    def band_score(self, band: str, value: float) -> float:
        for op, bound, score in self.bands[band]:
            if (
                op == "*"
                or (op == "<=" and value <= bound)  # type: ignore[operator]
                or (op == "<" and value < bound)  # type: ignore[operator]
                or (op == ">=" and value >= bound)  # type: ignore[operator]
                or (op == "==" and value == bound)
            ):
                return score
        return 0.0


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


#: The events a position metric counts (any position's); narrows the one scan of the period.
POSITION_ACTIONS = (
    "report", "register", "close", "dispatch", "verify_pass", "verify_fail",
)  # fmt: skip


@dataclass(frozen=True)
class Step:
    """A step of the case a position is evaluated on: its events (actions by roles) and, for
    the timed ones, the actions it is timed from (the latest at or before it) and the limit."""

    actions: tuple[str, ...]
    roles: tuple[str, ...]
    since: tuple[str, ...] = ()
    limit: str | None = None


STEPS = {
    "report": Step(("report",), ("inspector", "intake")),
    "register": Step(("register",), ("duty_chief",)),
    "close": Step(("close",), ("duty_chief",), ("verify_pass", "self_handle"), "close"),
    "dispatch": Step(("dispatch",), ("dispatcher",), ("register", "approve_return"), "dispatch"),
    "check": Step(("verify_pass", "verify_fail"), ("inspector",), ("feedback",), "check"),
}


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
        in_period(c.handled_at, start, end),
        in_period(c.closed_at, start, end),
        in_period(c.deadline_at, start, end),
    )


def _due_and_closed(start: datetime, end: datetime) -> tuple[Any, Any]:
    c = Case
    closed = and_(c.state.in_(CLOSED_STATES), in_period(c.closed_at, start, end))
    due = or_(
        closed,
        and_(
            in_period(c.deadline_at, start, end),
            not_(and_(c.state.in_(CLOSED_STATES), c.closed_at < start)),
        ),
    )
    return due, closed


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
    on_time = and_(closed, or_(c.deadline_at.is_(None), and_(c.handled_at <= c.deadline_at)))
    registered = in_period(c.registered_at, start, end)
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
    ]


def department_facts(
    start: datetime, end: datetime, config: EvaluationConfig, dialect: str
) -> list[Fact]:
    c, e = Case, CaseEvent
    due, closed = _due_and_closed(start, end)
    handled = in_period(c.handled_at, start, end)
    dept = c.department_id
    cases_scope = (dept.is_not(None), _relevant_cases(start, end))

    def from_cases(metric: str, *where: Any) -> Fact:
        return Fact("department", metric, dept, c.id, c.__table__, cases_scope, where, True)

    def from_events(metric: str, action: str) -> Fact:
        scope = (e.action == action, in_period(e.at, start, end), e.department_id.is_not(None))
        return Fact("department", metric, e.department_id, e.case_id, e.__table__, scope, ())

    return [
        from_events("assigned", "dispatch"),
        from_cases("handled", handled),
        from_cases("handled_on_time", handled, c.handled_at <= c.deadline_at),
        from_cases("handled_late", handled, c.handled_at > c.deadline_at),
        from_events("reworked", "verify_fail"),
        from_cases("due", due),
        from_cases("closed", closed),
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

    report, register, close, dispatch, check = (STEPS[k] for k in STEPS)
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
    # dispatcher. A case counts as wrongly dispatched if it went to more than one department.
    later = aliased(CaseEvent)
    redispatched = exists().where(
        later.case_id == v.c.case_id,
        later.action.in_(dispatch.actions),
        later.department_id != v.c.department_id,
    )
    return [
        fact("dispatched", dispatch.actions),
        fact("dispatched_on_time", dispatch.actions, timed(dispatch)),
        fact("dispatched_accurate", dispatch.actions, not_(redispatched)),
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
    start: datetime, end: datetime, config: EvaluationConfig, dialect: str
) -> tuple[Select[Any], list[str]]:
    """The case-column counts of the regions and the departments in one scan of the cases.

    Rows: (GRID or DEPARTMENT, its id, one count per metric of the list). The cases are
    counted once per (grid, department); a grid's count is the sum over the departments, a
    department's the sum over the grids (each case is in one of each).
    """
    facts = region_facts("grid", start, end, config)
    names = {f.metric for f in facts}
    facts += [
        f
        for f in department_facts(start, end, config, dialect)
        if f.per_row and f.metric not in names
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
        .where(_relevant_cases(start, end))
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
        return department_facts(start, end, config, dialect)
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
            condition = and_(*f.where) if len(scopes) == 1 else f.condition()
            hit = case((condition, f.case_id)) if f.where or len(scopes) > 1 else f.case_id
            columns.append(func.count(hit) if f.per_row else func.count(hit.distinct()))
        query = (
            select(obj.label("obj"), *columns)
            .select_from(group[0].source)
            .where(or_(*scopes.values()))
            .group_by(obj)
        )
        out.append((query, [(f.kind, f.metric) for f in group]))
    return out


def case_ids_query(facts: list[Fact], object_id: int, metric: str) -> Select[Any]:
    """The cases behind one fact of one object: the same conditions as its count."""
    f = next(f for f in facts if f.metric == metric)
    return (
        select(f.case_id)
        .select_from(f.source)
        .where(f.condition(), f.obj == object_id)
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
