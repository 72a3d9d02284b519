"""What the evaluation counts and how it scores: the metrics per kind of object, their labels,
and the weights, bands, grades and time limits read from resources/evaluation/*.csv.

The SQL that counts the metrics is console.services.evaluation.metrics. Definitions:
resources/evaluation/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from console.config import csv_rows, resource
from console.domain.lifecycle import NEW, Lifecycle, default_lifecycle
from console.errors import ValidationError

#: Cases the public brought in (监督举报): 12345, the public, public opinion.
PUBLIC_SOURCES = ("hotline", "public", "opinion")
#: States in which a case counts as closed (结案, then 归档; a voided case is not closed).
CLOSED_STATES = ("closed", "archived")
REGION_LEVELS = ("street", "area", "unit", "grid")
POSITION_ROLES = {
    "inspector": "inspector",
    "intake": "intake",
    "duty_chief": "duty_chief",
    "dispatcher": "dispatcher",
}


@dataclass(frozen=True)
class Step:
    """A step of the case a position is evaluated on: its events (actions by roles) and, for
    the timed ones, the limit and the actions it is timed from (the latest at or before it;
    none: from the case's reported_at)."""

    actions: tuple[str, ...]
    roles: tuple[str, ...]
    since: tuple[str, ...] = ()
    limit: str | None = None


#: The steps the position metrics are counted on (each has its own metrics below).
STEP_NAMES = ("report", "register", "close", "dispatch", "check", "verify")


def position_steps(lifecycle: Lifecycle) -> dict[str, Step]:
    """The steps from transitions.csv's evaluation_step column: the actions that count in a
    step, by the positions' roles that may take them; a step is timed (its limit keyed by its
    name in time_limits.csv) from the actions that bring a case into a state it starts from.
    A step starting where a new report lands (立案) is timed from the case's own reported_at
    instead, which needs no event lookup."""
    positions = set(POSITION_ROLES.values())
    steps: dict[str, Step] = {}
    for name in STEP_NAMES:
        counted = [t for t in lifecycle.transitions.values() if t.evaluation_step == name]
        if not counted:
            raise ValidationError(f"transitions.csv: 没有计入考核环节 {name} 的操作")
        starts = frozenset().union(*(t.from_states for t in counted))
        # Where a new report lands, the case's reported_at is the start (a case that comes
        # back there, a self-handling rejected, is still timed from its report).
        from_report = any(
            NEW in t.from_states and t.to_state in starts for t in lifecycle.transitions.values()
        )
        since = () if from_report else lifecycle.leading_to(starts)
        roles = tuple(dict.fromkeys(r for t in counted for r in t.roles if r in positions))
        # Timed unless it is the report itself (it starts before there is a case).
        timed = bool(starts - {NEW})
        steps[name] = Step(tuple(t.action for t in counted), roles, since, name if timed else None)
    unknown = {
        t.evaluation_step for t in lifecycle.transitions.values() if t.evaluation_step
    } - set(STEP_NAMES)
    if unknown:
        raise ValidationError(
            f"transitions.csv: 未知考核环节 {'、'.join(sorted(unknown))}"
            f"（可选: {'、'.join(STEP_NAMES)}）"
        )
    return steps


STEPS = position_steps(default_lifecycle())


# -- the tier figures (小事不出网格、大事不出街道) ---------------------------------------------


@dataclass(frozen=True)
class TierFigure:
    """One row of resources/evaluation/tiers.csv: a count, a rate or an average of the tiers
    (``rule`` and its argument ``value``: how console.services.evaluation.tiers counts it)."""

    key: str
    label_zh: str
    label_en: str
    rule: str
    value: str
    definition: str

    @property
    def arguments(self) -> tuple[str, ...]:
        return tuple(v for v in self.value.split("|") if v)


#: The rules of tiers.csv that count cases (the others derive from the counts).
TIER_COUNT_RULES = ("event", "self_handled", "department_kind", "rest", "any")
TIER_DERIVED_RULES = ("rate", "average")


def load_tier_figures(path: Path | None = None) -> tuple[TierFigure, ...]:
    """tiers.csv, checked: known rules, and a rate, an average or an "any" names counts above it."""
    try:
        rows = csv_rows(path or resource("evaluation", "tiers.csv"))
        figures = tuple(
            TierFigure(
                r["key"].strip(),
                r["label_zh"].strip(),
                r["label_en"].strip(),
                r["rule"].strip(),
                (r["value"] or "").strip(),
                (r["definition"] or "").strip(),
            )
            for r in rows
        )
    except KeyError as exc:
        raise ValidationError(f"tiers.csv: 缺少列 {exc}") from exc
    counts: set[str] = set()
    for f in figures:
        if f.rule not in (*TIER_COUNT_RULES, *TIER_DERIVED_RULES):
            raise ValidationError(f"tiers.csv: {f.key} 未知规则 {f.rule}")
        if f.rule in ("any", "rate", "average"):
            unknown = [a for a in f.arguments if a not in counts]
            if not f.arguments or unknown:
                raise ValidationError(
                    f"tiers.csv: {f.key} 引用的计数不存在或在其后: {'、'.join(unknown) or '（空）'}"
                )
        if f.rule in ("rate", "average") and len(f.arguments) != 1:
            raise ValidationError(f"tiers.csv: {f.key} 只能引用一个计数")
        if f.rule in ("event", "self_handled", "department_kind") and not f.value:
            raise ValidationError(f"tiers.csv: {f.key} 缺少规则参数")
        if f.rule in TIER_COUNT_RULES:
            counts.add(f.key)
    if sum(f.rule == "rest" for f in figures) > 1:
        raise ValidationError("tiers.csv: 只能有一个 rest（区级）计数")
    return figures


TIER_FIGURES = load_tier_figures()
TIER_COUNTS = tuple(f.key for f in TIER_FIGURES if f.rule in TIER_COUNT_RULES)
#: The tier rates as METRICS rates: (key, numerator, 结案数).
TIER_RATES = tuple((f.key, f.arguments[0], "closed") for f in TIER_FIGURES if f.rule == "rate")
#: The events a position metric counts (any position's); narrows the one scan of the period.
POSITION_ACTIONS = tuple(a for step in STEPS.values() for a in step.actions)


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
    "verified": ("核实数", "report checks"),
    "verified_on_time": ("按时核实数", "report checks on time"),
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
    "closed_late": ("超期结案数", "closed late"),
    "overdue_unhandled": ("超期未处置数", "overdue, not handled"),
    "self_handled": ("自行处置数", "self-handled"),
    "avg_receive_hours": ("平均受理时长(工作时)", "mean time to register (working h)"),
    "avg_handle_hours": ("平均处置时长(工作时)", "mean time to handle (working h)"),
    "rated": ("评价数", "public ratings"),
    "satisfied": ("满意数", "satisfied ratings"),
    "satisfaction_rate": ("群众满意率", "public satisfaction rate"),
    **{f.key: (f.label_zh, f.label_en) for f in TIER_FIGURES},
}

#: Per kind: the averages in working hours, as (key, the fact whose cases are averaged, the
#: case column the time runs from, the one it runs to). 受理: report → 立案; 处置: the (last)
#: dispatch → the standing feedback.
AVERAGES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "region": (
        ("avg_receive_hours", "registered", "reported_at", "registered_at"),
        ("avg_handle_hours", "handled_dispatched", "dispatched_at", "handled_at"),
        # the street-level handling time(s) of tiers.csv
        *(
            (f.key, f.arguments[0], "dispatched_at", "handled_at")
            for f in TIER_FIGURES
            if f.rule == "average"
        ),
    ),
    "department": (("avg_handle_hours", "handled", "dispatched_at", "handled_at"),),
}

#: Why an object has no composite: (label_zh, label_en) per status (see EvaluationConfig).
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "no_cases": ("无案件", "no cases"),
    "insufficient": ("依据不足", "too little data"),
}

#: Per kind: the counts, then the rates as (key, numerator key, denominator key). A rate whose
#: numerator key is None is not derivable from the data yet: its value is None.
#: 群众满意率 (informational, in no composite): the public's ratings given in the period of the
#: object's cases, 满意 or 基本满意 over all (console.models.PublicRating).
SATISFACTION_COUNTS = ("rated", "satisfied")
SATISFACTION_RATE = ("satisfaction_rate", "satisfied", "rated")
REGION_RATES = (
    ("close_rate", "closed", "due"),
    ("on_time_close_rate", "closed_on_time", "due"),
    ("public_report_rate", "public_registered", "registered"),
    SATISFACTION_RATE,
    *TIER_RATES,
)
METRICS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str | None, str | None], ...]]] = {
    "region": (
        (
            "reported",
            "registered",
            "public_registered",
            "due",
            "closed",
            "closed_on_time",
            "closed_late",
            "overdue_unhandled",
            "self_handled",
            *SATISFACTION_COUNTS,
            *TIER_COUNTS,
        ),
        REGION_RATES,
    ),
    "department": (
        (
            "assigned",
            "handled",
            "handled_on_time",
            "handled_late",
            "reworked",
            "due",
            "closed",
            "closed_late",
            "overdue_unhandled",
            *SATISFACTION_COUNTS,
        ),
        (
            ("handle_rate", "handled", "assigned"),
            ("on_time_handle_rate", "handled_on_time", "assigned"),
            ("close_rate", "closed", "due"),
            ("rework_rate", "reworked", "due"),
            SATISFACTION_RATE,
        ),
    ),
    "inspector": (
        (
            "reported",
            "valid_reported",
            "checked",
            "checked_on_time",
            "verified",
            "verified_on_time",
        ),
        (
            ("valid_report_rate", "valid_reported", "reported"),
            ("missed_report_rate", None, None),
            ("on_time_verify_rate", "verified_on_time", "verified"),
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
    "verify_forward_on_time_rate": "受理员派发核实任务的计时起点与时限尚未定义",
    "check_forward_on_time_rate": "受理员派发核查任务的计时起点与时限尚未定义",
}

#: 满意度 codes (console.models.PublicRating.rating) that count as 满意 for 群众满意率: 满意 and
#: 基本满意 (console/services/public_reports.py: RATINGS has the labels).
SATISFIED_RATINGS = ("satisfied", "basically_satisfied")

#: States that end a report without handling it: 作废, and 合并 (a merged duplicate is a
#: 重复上报 voided into the case it repeats). Evaluated alike (evaluation.md: 有效上报, 准确立案).
VOID_STATES = ("voided", "merged")


def metric_family(kind: str) -> str:
    return "region" if kind in (*REGION_LEVELS, "district") else kind


# -- configuration ---------------------------------------------------------------------------


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
    #: An object is graded only if the terms with a value carry at least this share of its
    #: kind's weights (policy.csv); below it the composite would rest on too little.
    min_weight_share: float = 0.5
    public_sources: tuple[str, ...] = field(default=PUBLIC_SOURCES)

    @classmethod
    def load(cls, directory: Path | None = None) -> EvaluationConfig:
        def path(name: str) -> Path:
            return directory / name if directory else resource("evaluation", name)

        try:
            weights: dict[str, list[Term]] = {}
            for r in csv_rows(path("weights.csv")):
                weights.setdefault(r["kind"], []).append(
                    Term(r["metric"], float(r["weight"]), r["scoring"])
                )
            bands: dict[str, list[tuple[str, float | None, float]]] = {}
            for r in csv_rows(path("bands.csv")):
                bound = float(r["bound"]) if r["bound"].strip() else None
                bands.setdefault(r["band"], []).append((r["op"], bound, float(r["score"])))
            grades = tuple(
                sorted(
                    ((r["grade"], float(r["min_composite"])) for r in csv_rows(path("grades.csv"))),
                    key=lambda g: -g[1],
                )
            )
            limits = {r["key"]: float(r["hours"]) for r in csv_rows(path("time_limits.csv"))}
            policy = {r["key"]: float(r["value"]) for r in csv_rows(path("policy.csv"))}
            share = policy["min_weight_share"]
        except (KeyError, ValueError) as exc:
            raise ValidationError(f"绩效评价配置格式错误: {exc}") from exc
        missing = {s.limit for s in STEPS.values() if s.limit} - set(limits)
        if missing:
            raise ValidationError(f"time_limits.csv: 缺少考核环节时限 {'、'.join(sorted(missing))}")
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
            share,
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
