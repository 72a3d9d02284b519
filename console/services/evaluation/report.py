"""绩效评价: counts, rates, the 综合指标值 and A–E grades per evaluated object, for a period.

Objects: the regions (street, area, unit, grid), the departments and the positions (监督员,
受理员, 值班长, 派遣员). The counts come from GROUP BY aggregations over the cases and their
events (console.services.evaluation.metrics: a handful of queries per kind, never one per
object); rates, scores and grades are computed from those few hundred numbers. Definitions,
weights and the choices made where evaluation.md leaves gaps: resources/evaluation/README.md.

The period is half-open, [start, end); :func:`month_period` gives a local calendar month.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select, true
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.worktime import WorkCalendar
from console.errors import PermissionDeniedError, ValidationError
from console.models import Case, CaseEvent, Category, Department, Region, User
from console.services.case_scope import DISTRICT, CaseScope
from console.services.evaluation import components
from console.services.evaluation.config import (
    AVERAGES,
    CLOSED_STATES,
    LABELS,
    METRICS,
    NOT_DERIVABLE,
    POSITION_ROLES,
    REGION_LEVELS,
    STATUS_LABELS,
    EvaluationConfig,
    metric_family,
)
from console.services.evaluation.durations import Sums, add_sums, duration_sums
from console.services.evaluation.metrics import (
    DEPARTMENT,
    GRID,
    Fact,
    case_counts_by_grid_and_department,
    case_ids_query,
    count_facts,
    facts_for,
    rating_counts_by_grid_and_department,
)
from console.services.evaluation.patrols import PatrolSection, patrol_section
from console.services.evaluation.positions import start_position_counts
from console.services.queries import function_condition
from console.services.reference.files import read_function_names
from console.services.work_calendar import load_calendar

KINDS = (*REGION_LEVELS, "department", *POSITION_ROLES)
KIND_LABELS = {
    "street": "街道",
    "area": "片区",
    "unit": "单元",
    "grid": "网格",
    "department": "部门",
    "inspector": "监督员",
    "intake": "受理员",
    "duty_chief": "值班长",
    "dispatcher": "派遣员",
}


@dataclass(frozen=True)
class MetricValue:
    key: str
    label_zh: str
    label_en: str
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class ObjectScore:
    kind: str
    object_id: int
    name: str
    metrics: tuple[MetricValue, ...]
    composite: float | None
    grade: str | None
    rank: int | None
    #: "graded", or why not: "no_cases" (无案件), "insufficient" (依据不足; STATUS_LABELS)
    status: str = "graded"
    #: Figures shown beside the metrics but in no composite: a department's register figures
    #: (issue 17, console.services.evaluation.components).
    extras: tuple[MetricValue, ...] = ()

    def metric(self, key: str) -> MetricValue:
        return next(m for m in self.metrics if m.key == key)

    @property
    def status_zh(self) -> str | None:
        return STATUS_LABELS[self.status][0] if self.status in STATUS_LABELS else None

    @property
    def status_en(self) -> str | None:
        return STATUS_LABELS[self.status][1] if self.status in STATUS_LABELS else None


@dataclass(frozen=True)
class EvaluationReport:
    period_start: datetime
    period_end: datetime
    built_at: datetime
    by_kind: dict[str, tuple[ObjectScore, ...]]
    district: tuple[MetricValue, ...]
    #: (local day, reported that day, closed that day)
    daily: list[tuple[date, int, int]]
    #: (category code, name, reported in the period), most first
    by_category: list[tuple[str, str, int]]
    #: (street id, name, reported, closed, closed on time)
    by_street: list[tuple[int, str, int, int, int]]
    #: 网格定期巡查: coverage per region, distance and reports per person (informational,
    #: in no composite; console.services.evaluation.patrols)
    patrols: PatrolSection | None = None
    #: A confined seat's report (a street leader's 日常考核): the region its rows lie in (its
    #: street's regions only; ``by_kind`` has no department or position kind; ``district`` is
    #: the street's own figures). None: the district's report.
    scope_region_id: int | None = None
    #: That region's level (case_scope: street, unit); None for the district's report.
    scope_level: str | None = None
    #: The one function (职能, #16 §3) the report covers, its Chinese name (the filter's
    #: value) and its English one: every figure counts that function's cases only, and the
    #: patrol section, which belongs to no function, is left out. None: every case.
    function: str | None = None
    function_en: str | None = None

    def district_metric(self, key: str) -> MetricValue:
        return next(m for m in self.district if m.key == key)


# -- small pure helpers ----------------------------------------------------------------------


def month_period(month: str | date | None = None) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar month: "YYYY-MM", or the month of a date/datetime."""
    if month is None:
        month = datetime.now(LOCAL_TZ)
    if isinstance(month, datetime):
        month = (month.astimezone(LOCAL_TZ) if month.tzinfo else month).date()
    if isinstance(month, date):
        year, mon = month.year, month.month
    else:
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", str(month).strip())
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise ValidationError(f"月份格式应为 YYYY-MM（如 2026-10），收到: {month!r}")
        year, mon = int(found.group(1)), int(found.group(2))
    start = datetime(year, mon, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + mon // 12, mon % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start, end


def previous_month(now: datetime) -> str:
    first = now.astimezone(LOCAL_TZ).date().replace(day=1)
    last = first - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def rates(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator in percent, 2 decimals; None when undefined."""
    if numerator is None or not denominator:
        return None
    return round(100.0 * numerator / denominator, 2)


def bulletin_rates(due: int, closed: int, on_time: int) -> tuple[float | None, float | None]:
    """(结案率, 按期结案率) as a bulletin prints them: both over 应结案数."""
    return rates(closed, due), rates(on_time, due)


def grade(composite: float | None, config: EvaluationConfig | None = None) -> str | None:
    if composite is None:
        return None
    for name, minimum in (config or _config()).grades:
        if composite >= minimum:
            return name
    return None


_CONFIG: EvaluationConfig | None = None


def _config() -> EvaluationConfig:
    global _CONFIG
    if _CONFIG is None:
        _CONFIG = EvaluationConfig.load()
    return _CONFIG


def metric_values(
    kind: str, counts: dict[str, int], durations: dict[str, tuple[float, int]] | None = None
) -> tuple[MetricValue, ...]:
    """The counts, the rates and the averages (``durations``: key → (Σ seconds, cases))."""
    family = metric_family(kind)
    count_keys, rate_defs = METRICS[family]
    values = [MetricValue(k, *LABELS[k], counts.get(k, 0)) for k in count_keys]
    for key, num_key, den_key in rate_defs:
        if num_key is None or den_key is None:
            values.append(MetricValue(key, *LABELS[key], None, note=NOT_DERIVABLE.get(key)))
            continue
        num, den = counts.get(num_key, 0), counts.get(den_key, 0)
        values.append(MetricValue(key, *LABELS[key], rates(num, den), num, den))
    for key, *_ in AVERAGES.get(family, ()):
        seconds, n = (durations or {}).get(key, (0.0, 0))
        hours = round(seconds / 3600.0 / n, 2) if n else None
        values.append(MetricValue(key, *LABELS[key], hours, note=f"{n} 件" if n else None))
    return tuple(values)


def has_cases(kind: str, metrics: tuple[MetricValue, ...]) -> bool:
    """Whether any count of the object is non-zero (else it had nothing to be evaluated on)."""
    count_keys = set(METRICS[metric_family(kind)][0])
    return any(m.value for m in metrics if m.key in count_keys)


def known_weight_share(
    kind: str, metrics: tuple[MetricValue, ...], config: EvaluationConfig
) -> float:
    """The share of the kind's weights carried by terms that have a value."""
    by_key = {m.key: m for m in metrics}
    terms = config.weights.get(metric_family(kind), ())
    total = sum(t.weight for t in terms)
    known = sum(t.weight for t in terms if by_key[t.metric].value is not None)
    return known / total if total else 0.0


def grading_status(kind: str, metrics: tuple[MetricValue, ...], config: EvaluationConfig) -> str:
    """ "graded", "no_cases" or "insufficient" (less than ``min_weight_share`` known)."""
    if not has_cases(kind, metrics):
        return "no_cases"
    if known_weight_share(kind, metrics, config) < config.min_weight_share:
        return "insufficient"
    return "graded"


def composite_score(
    kind: str, metrics: tuple[MetricValue, ...], config: EvaluationConfig, grids: int = 1
) -> float | None:
    """Σ weight × score / Σ weight over the terms with a known value (None if there is none).

    Whether an object is graded at all is :func:`grading_status`'s question."""
    by_key = {m.key: m for m in metrics}
    total = weights = 0.0
    for term in config.weights.get(metric_family(kind), ()):
        value = by_key[term.metric].value
        if value is None:
            continue
        method, _, band = term.scoring.partition(":")
        if method == "rate":
            score = float(value)
        elif method == "inverse_rate":
            score = max(0.0, 100.0 - float(value))
        elif method == "band_per_grid":
            score = config.band_score(band, float(value) / max(grids, 1))
        else:
            score = config.band_score(band, float(value))
        total += term.weight * score
        weights += term.weight
    return round(total / weights, 2) if weights else None


_STATUS_ORDER = {"graded": 0, "insufficient": 1, "no_cases": 2}


def _ranked(scores: list[ObjectScore]) -> tuple[ObjectScore, ...]:
    """Sorted by composite (best first), competition ranks; objects without one last (those
    with some data before those with no case)."""
    scores.sort(
        key=lambda o: (
            o.composite is None,
            _STATUS_ORDER.get(o.status, 3),
            -(o.composite or 0.0),
            o.object_id,
        )
    )
    out: list[ObjectScore] = []
    previous: float | None = None
    rank = 0
    for i, o in enumerate(scores, start=1):
        if o.composite is None:
            out.append(o)
            continue
        if o.composite != previous:
            rank, previous = i, o.composite
        out.append(
            ObjectScore(
                o.kind, o.object_id, o.name, o.metrics, o.composite, o.grade, rank, o.status
            )
        )
    return tuple(out)


# -- the evaluation --------------------------------------------------------------------------


def _case_counts(
    session: Session,
    start: datetime,
    end: datetime,
    config: EvaluationConfig,
    where: ColumnElement[bool] | None = None,
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """(grid → metric → n, department → metric → n) of the case-column facts, one scan, and
    of the ratings (评价数, 满意数), one scan of the period's ratings (of the cases matching
    ``where``, if given)."""
    query, keys = case_counts_by_grid_and_department(start, end, config, where)
    wanted = {GRID: set(METRICS["region"][0]), DEPARTMENT: set(METRICS["department"][0])}
    out: dict[int, dict[int, dict[str, int]]] = {GRID: {}, DEPARTMENT: {}}
    for kind, object_id, *numbers in session.execute(query):
        out[kind][int(object_id)] = {
            key: int(n) for key, n in zip(keys, numbers, strict=True) if n and key in wanted[kind]
        }
    query, keys = rating_counts_by_grid_and_department(start, end, where)
    for grid_id, department_id, *numbers in session.execute(query):
        owners = [(GRID, grid_id)] + ([(DEPARTMENT, department_id)] if department_id else [])
        for kind, object_id in owners:
            bucket = out[kind].setdefault(int(object_id), {})
            for key, n in zip(keys, numbers, strict=True):
                if n:
                    bucket[key] = bucket.get(key, 0) + int(n)
    return out[GRID], out[DEPARTMENT]


def _score(
    kind: str,
    objects: dict[int, str],
    counts: dict[int, dict[str, int]],
    config: EvaluationConfig,
    grids: dict[int, int] | None = None,
    durations: Sums | None = None,
) -> tuple[ObjectScore, ...]:
    scores = []
    for object_id in sorted(set(objects) | set(counts)):
        metrics = metric_values(kind, counts.get(object_id, {}), (durations or {}).get(object_id))
        status = grading_status(kind, metrics, config)
        composite = (
            composite_score(kind, metrics, config, (grids or {}).get(object_id, 1))
            if status == "graded"
            else None
        )
        scores.append(
            ObjectScore(
                kind,
                object_id,
                objects.get(object_id, f"#{object_id}"),
                metrics,
                composite,
                grade(composite, config),
                None,
                status,
            )
        )
    return _ranked(scores)


def evaluate(
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    calendar: WorkCalendar | None = None,
    *,
    config: EvaluationConfig | None = None,
    scope: CaseScope = DISTRICT,
    function: str | None = None,
) -> EvaluationReport:
    """The evaluation of [start, end) as of ``now``.

    ``calendar`` measures the averages in working hours (if None: the database's, as
    load_calendar reads it); the position metrics' time limits are natural hours
    (resources/evaluation/time_limits.csv). A confined ``scope`` (a street leader: its
    street) counts only its cases and lists only its regions, ranked among themselves; the
    departments and the positions, district-wide objects, are left out. A ``function`` (one
    of resources/org/functions.csv; an unknown one is refused by name) counts that
    function's cases only, in every figure, selected by category code in SQL (as the queues'
    filter): the departments and people ranked are those that handled its cases.
    """
    if start.tzinfo is None or end.tzinfo is None or start >= end:
        raise ValidationError("评价周期须为带时区的时间，且开始早于结束")
    config = config or _config()
    calendar = calendar or load_calendar(session)
    by_kind: dict[str, tuple[ObjectScore, ...]] = {}
    where = _case_condition(scope, function)
    names_of_function = _function_names(function)

    # Regions: one query at grid level, rolled up the tree (each case is in exactly one grid).
    regions = session.execute(select(Region.id, Region.level, Region.name, Region.parent_id)).all()
    parent: dict[int, int | None] = {r.id: r.parent_id for r in regions}
    inside = _regions_inside(parent, scope)
    names = {
        level: {r.id: r.name for r in regions if r.level == level and r.id in inside}
        for level in REGION_LEVELS
    }
    dialect = session.get_bind().dialect.name
    if not scope.confined:
        position_result = start_position_counts(session, start, end, config, dialect, where)
    else:
        position_result = _no_positions
    grid_counts, department_case_counts = _case_counts(session, start, end, config, where)
    averaged = {"region": _within(facts_for("grid", start, end, config, dialect), where)}
    if not scope.confined:  # a confined report has no department rows
        averaged["department"] = _within(
            facts_for("department", start, end, config, dialect), where
        )
    durations = duration_sums(session, averaged, calendar)
    grid_durations = durations["region"]
    rolled: dict[str, dict[int, dict[str, int]]] = {lv: defaultdict(dict) for lv in REGION_LEVELS}
    grids_in: dict[str, dict[int, int]] = {lv: defaultdict(int) for lv in REGION_LEVELS}
    district_counts: dict[str, int] = defaultdict(int)
    rolled_durations: dict[str, Sums] = {lv: defaultdict(dict) for lv in REGION_LEVELS}
    district_durations: dict[str, tuple[float, int]] = {}
    for grid_id, sums in grid_durations.items():
        for level, rid in _chain(parent, grid_id):
            add_sums(rolled_durations[level][rid], sums)
        add_sums(district_durations, sums)
    for grid_id in names["grid"]:
        unit = parent.get(grid_id)
        area = parent.get(unit) if unit is not None else None
        street = parent.get(area) if area is not None else None
        for level, up in (("grid", grid_id), ("unit", unit), ("area", area), ("street", street)):
            if up is not None:
                grids_in[level][up] += 1
    for grid_id, metrics in grid_counts.items():
        unit = parent.get(grid_id)
        area = parent.get(unit) if unit is not None else None
        street = parent.get(area) if area is not None else None
        for level, up in (("grid", grid_id), ("unit", unit), ("area", area), ("street", street)):
            if up is None:
                continue
            bucket = rolled[level][up]
            for key, n in metrics.items():
                bucket[key] = bucket.get(key, 0) + n
        for key, n in metrics.items():
            district_counts[key] += n
    for level in REGION_LEVELS:
        in_scope = {rid: counts for rid, counts in rolled[level].items() if rid in inside}
        by_kind[level] = _score(
            level, names[level], in_scope, config, grids_in[level], rolled_durations[level]
        )
    if scope.confined:
        assert where is not None  # the scope's condition at least
        report = _confined_report(
            session, start, end, now, scope, by_kind, district_counts, district_durations, where
        )
        return _of_function(report, names_of_function)

    departments = dict(session.execute(select(Department.id, Department.name)).all())
    department_facts = facts_for("department", start, end, config, dialect)
    # the facts on the events (应处置, 返工); the cases' and the ratings' are counted above
    event_facts = _within([f for f in department_facts if f.source is CaseEvent.__table__], where)
    department_counts = count_facts(session, event_facts)["department"]
    for department_id, metrics in department_case_counts.items():
        department_counts[department_id].update(metrics)
    by_kind["department"] = _score(
        "department", departments, department_counts, config, durations=durations["department"]
    )
    by_kind["department"] = components.with_component_figures(
        by_kind["department"], components.component_figures(session, start, end, where)
    )
    daily = _daily(session, start, end, where)
    by_category = _by_category(session, start, end, where)
    position_counts = position_result()
    for kind, role in POSITION_ROLES.items():
        counts = position_counts[kind]
        people = dict(
            session.execute(
                select(User.id, User.display_name).where(User.role == role, User.active.is_(True))
            ).all()
        )
        missing = set(counts) - set(people)
        if missing:
            people.update(
                session.execute(
                    select(User.id, User.display_name).where(User.id.in_(missing))
                ).all()
            )
        by_kind[kind] = _score(kind, people, counts, config)

    district = metric_values("district", district_counts, district_durations)
    return _of_function(
        EvaluationReport(
            period_start=start,
            period_end=end,
            built_at=now,
            by_kind=by_kind,
            district=district,
            daily=daily,
            by_category=by_category,
            by_street=_street_rows(by_kind["street"]),
            patrols=patrol_section(session, start, end, now) if function is None else None,
        ),
        names_of_function,
    )


def _case_condition(scope: CaseScope, function: str | None) -> ColumnElement[bool] | None:
    """The cases a report counts: a confined seat's, one function's, both, or (None) all."""
    parts = [scope.where()] if scope.confined else []
    if function is not None:
        parts.append(function_condition(function))  # refuses an unknown function by name
    return and_(*parts) if parts else None


def _function_names(function: str | None) -> tuple[str, str] | None:
    """(Chinese, English) name of ``function`` (resources/org/functions.csv), or None."""
    if function is None:
        return None
    return function, read_function_names().get(function, function)


def _of_function(report: EvaluationReport, names: tuple[str, str] | None) -> EvaluationReport:
    """``report`` marked as one function's (its patrol section left out: patrols belong to
    no function)."""
    if names is None:
        return report
    return replace(report, function=names[0], function_en=names[1], patrols=None)


def _street_rows(streets: tuple[ObjectScore, ...]) -> list[tuple[int, str, int, int, int]]:
    """EvaluationReport.by_street: (id, name, reported, closed, closed on time) by id."""
    return [
        (
            o.object_id,
            o.name,
            int(o.metric("reported").value or 0),
            int(o.metric("closed").value or 0),
            int(o.metric("closed_on_time").value or 0),
        )
        for o in sorted(streets, key=lambda o: o.object_id)
    ]


def _no_positions() -> dict[str, dict[int, dict[str, int]]]:
    return defaultdict(lambda: defaultdict(dict))


def _within(facts: list[Fact], where: ColumnElement[bool] | None) -> list[Fact]:
    """The facts narrowed to the cases matching ``where`` (a condition on the cases table).
    A fact over the events alone (应处置, 返工) is read joined with its case, one join shared
    by all such facts so that they still count in one query; the others' sources have the
    case already (the cases table; the ratings and the positions' events joined with it)."""
    if where is None:
        return facts
    events = CaseEvent.__table__
    joined: Any = None
    out = []
    for f in facts:
        source = f.source
        if source is events:
            if joined is None:
                joined = events.join(Case.__table__, Case.id == CaseEvent.case_id)
            source = joined
        out.append(replace(f, source=source, where=(*f.where, where)))
    return out


def _regions_inside(parent: dict[int, int | None], scope: CaseScope) -> set[int]:
    """The regions a scope's report lists: every region for the district; for a confined
    seat its own region and the regions under it."""
    if not scope.confined:
        return set(parent)
    inside: set[int] = set()
    for rid in parent:
        up: int | None = rid
        while up is not None and up != scope.region_id:
            up = parent.get(up)
        if up is not None:
            inside.add(rid)
    return inside


def _confined_report(
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    scope: CaseScope,
    by_kind: dict[str, tuple[ObjectScore, ...]],
    counts: dict[str, int],
    durations: dict[str, tuple[float, int]],
    where: ColumnElement[bool],
) -> EvaluationReport:
    """A confined seat's report: its regions, its totals in place of the district's, its own
    patrol coverage (the people's figures are district-wide: left out)."""
    inside = {o.object_id for level in REGION_LEVELS for o in by_kind[level]}
    section = patrol_section(session, start, end, now)
    own = next(
        (c for rows in section.by_level.values() for c in rows if c.region_id == scope.region_id),
        section.district,
    )
    patrols = replace(
        section,
        by_level={
            level: tuple(c for c in rows if c.region_id in inside)
            for level, rows in section.by_level.items()
        },
        district=own,
        people=(),
    )
    return EvaluationReport(
        period_start=start,
        period_end=end,
        built_at=now,
        by_kind={level: by_kind[level] for level in REGION_LEVELS},
        district=metric_values("district", counts, durations),
        daily=_daily(session, start, end, where),
        by_category=_by_category(session, start, end, where),
        by_street=_street_rows(by_kind["street"]),
        patrols=patrols,
        scope_region_id=scope.region_id,
        scope_level=scope.level,
    )


def _chain(parent: dict[int, int | None], grid_id: int) -> list[tuple[str, int]]:
    """(level, region id) of a grid and the regions above it."""
    out: list[tuple[str, int]] = []
    rid: int | None = grid_id
    for level in ("grid", "unit", "area", "street"):
        if rid is None:
            break
        out.append((level, rid))
        rid = parent.get(rid)
    return out


def _daily(
    session: Session, start: datetime, end: datetime, where: ColumnElement[bool] | None = None
) -> list[tuple[date, int, int]]:
    """Reported and closed per local day: one query, two sums per day (no date functions)."""
    inside = true() if where is None else where
    days: list[tuple[date, datetime, datetime]] = []
    day = start.astimezone(LOCAL_TZ)
    while day < end:
        following = datetime.combine(day.date() + timedelta(days=1), datetime.min.time(), LOCAL_TZ)
        days.append((day.date(), day, min(following, end)))
        day = following
    if not days:
        return []
    closed = Case.state.in_(CLOSED_STATES)
    columns: list[Any] = []
    # index-only range counts (ix_cases_reported_at, ix_cases_closed_at_state). The state is
    # tested in the count, not the WHERE: without ANALYZE statistics SQLite would otherwise
    # pick a state index and read every closed case once per day.
    for _, lo, hi in days:
        reported = select(func.count()).where(Case.reported_at >= lo, Case.reported_at < hi, inside)
        closed_then = select(func.count().filter(closed)).where(
            Case.closed_at >= lo, Case.closed_at < hi, inside
        )
        columns += [reported.scalar_subquery(), closed_then.scalar_subquery()]
    row = session.execute(select(*columns)).one()
    return [(d, int(row[2 * i] or 0), int(row[2 * i + 1] or 0)) for i, (d, _, _) in enumerate(days)]


def _by_category(
    session: Session, start: datetime, end: datetime, where: ColumnElement[bool] | None = None
) -> list[tuple[str, str, int]]:
    counted = (
        select(Case.taxonomy, Case.kind, Case.category_code, func.count().label("n"))
        .where(Case.reported_at >= start, Case.reported_at < end)
        .where(true() if where is None else where)
        .group_by(Case.taxonomy, Case.kind, Case.category_code)
        .subquery()
    )
    rows = session.execute(
        select(counted.c.category_code, func.coalesce(Category.name, literal("")), counted.c.n)
        .outerjoin(
            Category,
            and_(
                Category.taxonomy == counted.c.taxonomy,
                Category.kind == counted.c.kind,
                Category.code == counted.c.category_code,
            ),
        )
        .order_by(counted.c.n.desc(), counted.c.category_code)
    ).all()
    return [(code, name, int(n)) for code, name, n in rows]


def case_ids_for(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    kind: str,
    object_id: int,
    metric: str,
    config: EvaluationConfig | None = None,
    scope: CaseScope = DISTRICT,
    function: str | None = None,
) -> list[int]:
    """The cases behind one count (or a rate's numerator) of one object: the drill-down.

    ``kind`` may also be "district" (object_id ignored; a confined seat: its own cases). A
    rate key gives its numerator's cases, an average the cases averaged; a metric that is not
    derivable gives []. A confined ``scope`` may drill into its own regions only; a
    ``function``'s report, into that function's cases only.
    """
    if kind not in (*KINDS, "district"):
        raise ValidationError(f"未知评价对象类型: {kind}")
    where = _case_condition(scope, function)
    if scope.confined:
        parent = dict(session.execute(select(Region.id, Region.parent_id)).all())
        if kind not in (*REGION_LEVELS, "district") or (
            kind != "district" and object_id not in _regions_inside(parent, scope)
        ):
            raise PermissionDeniedError(scope.refusal("考核和案件"))
    if kind == "department" and metric in components.KEYS:  # the register's figures
        return components.component_case_ids(session, start, end, object_id, metric, where)
    count_keys, rate_defs = METRICS[metric_family(kind)]
    rate_numerators = {key: num for key, num, _ in rate_defs}
    populations = {key: fact for key, fact, *_ in AVERAGES.get(metric_family(kind), ())}
    if metric in populations:
        metric = populations[metric]
    elif metric in rate_numerators:
        numerator = rate_numerators[metric]
        if numerator is None:
            return []
        metric = numerator
    elif metric not in count_keys:
        raise ValidationError(f"{KIND_LABELS.get(kind, kind)}没有指标 {metric}")
    dialect = session.get_bind().dialect.name
    facts = _within(facts_for(kind, start, end, config or _config(), dialect), where)
    return list(
        session.scalars(case_ids_query(facts, 0 if kind == "district" else object_id, metric))
    )
