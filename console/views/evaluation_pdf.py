"""The monthly evaluation (月度绩效评价) as a PDF: the district's figures, charts, rankings.

Everything from the data is escaped with :func:`html.escape`; the charts are drawn onto
images (console.views.charts_image) and embedded, so the file stands on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from console.config import LOCAL_TZ
from console.views.charts_image import bar_chart, line_chart
from console.views.pdf import write_html_pdf

if TYPE_CHECKING:
    from PySide6.QtGui import QGuiApplication, QImage

    from console.services.evaluation.patrols import PatrolSection
    from console.services.evaluation.report import EvaluationReport, MetricValue, ObjectScore

KIND_NAMES: dict[str, tuple[str, str]] = {
    "street": ("街道", "Streets"),
    "area": ("片区", "Areas"),
    "unit": ("单元(社区)", "Units"),
    "grid": ("网格", "Grids"),
    "department": ("专业部门", "Departments"),
    "inspector": ("监督员", "Inspectors"),
    "intake": ("受理员", "Intake operators"),
    "duty_chief": ("值班长", "Duty chiefs"),
    "dispatcher": ("派遣员", "Dispatchers"),
}
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("月度绩效评价", "Monthly evaluation"),
    "function_note": (
        "本报告仅统计“{name}”职能的案件（其类别属于该职能）；网格巡查不属于任何职能，未列入。",
        "This report counts the cases of the function “{name}” only (their categories are"
        " of it); grid patrols belong to no function and are left out.",
    ),
    "district": ("全区指标", "District figures"),
    "own_street": ("本街道指标", "The street's figures"),
    "own_unit": ("本单元指标", "The unit's figures"),
    "tier_note": (
        "小事不出网格率 = 网格内解决数 / 结案数，大事不出街道率 = 不出街道数（网格与街道）/ 结案数，"
        "街道处置时长为派遣至街道城管委到其反馈的平均工作时；仅供参考，不计入综合指标值。",
        "Settled-in-grid rate = settled in the grid / closed; settled-in-street rate = settled"
        " within the street (grid and street) / closed; street handling time = mean working"
        " hours from the dispatch to the street committee to its feedback. Informational, in"
        " no composite.",
    ),
    "metric": ("指标", "Metric"),
    "value": ("数值", "Value"),
    "inputs": ("计算依据", "Inputs"),
    "rank": ("名次", "Rank"),
    "name": ("名称", "Name"),
    "grade": ("等级", "Grade"),
    "composite": ("综合指标值", "Composite"),
    "daily": ("每日上报与结案", "Reported and closed per day"),
    "reported": ("上报", "Reported"),
    "closed": ("结案", "Closed"),
    "on_time": ("按期结案率（%）", "On-time closing rate (%)"),
    "by_street": ("各街道案件", "Cases by street"),
    "by_category": ("案件类别（前15）", "Top 15 categories"),
    "patrol": ("网格巡查", "Grid patrols"),
    "patrol_streets": ("各街道巡查覆盖率（%）", "Patrol coverage by street (%)"),
    "patrol_people": ("巡查人员", "Patrolling staff"),
    "patrol_note": (
        "巡查覆盖率 = 已巡查次数 / 应巡查次数（按巡查频次，计 {days} 天）；仅供参考，不计入综合指标值。",
        "Patrol coverage = patrols done / patrols due (by each grid's frequency, {days} days"
        " counted); informational, in no composite.",
    ),
    "role": ("角色", "Role"),
}
#: The figures listed beside each object's grade, where its kind has them.
FIGURES = (
    "closed_late",
    "overdue_unhandled",
    "self_handled",
    "avg_receive_hours",
    "avg_handle_hours",
    "satisfaction_rate",
    "grid_settle_rate",
    "street_settle_rate",
    "avg_street_handle_hours",
    # a department's register figures (issue 17; in no composite: ObjectScore.extras)
    "component_cases",
    "repeat_offenders",
)
TABLE = "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
#: The coverage figures of each street in the PDF (resources/evaluation/patrol.csv's labels).
PATROL_COLUMNS = ("grids", "required", "met", "coverage_rate", "grids_visited")


def _t(key: str, english: bool) -> str:
    zh, en = TEXTS[key]
    return en if english else zh


def _value(metric: MetricValue) -> str:
    if metric.value is None:
        return "—"
    if metric.denominator is not None and isinstance(metric.value, float):
        return f"{metric.value:.2f}%"
    if str(metric.key).endswith("_hours"):
        return f"{float(metric.value):.2f}"
    return f"{metric.value:g}" if isinstance(metric.value, float) else str(metric.value)


def _inputs(metric: MetricValue) -> str:
    if metric.numerator is None or metric.denominator is None:
        return ""
    return f"{metric.numerator} / {metric.denominator}"


def _grade(score: ObjectScore, english: bool) -> str:
    """The grade, or why there is none (无案件, 依据不足)."""
    if score.grade:
        return str(score.grade)
    reason = getattr(score, "status_en" if english else "status_zh", None)
    return str(reason) if reason else "—"


def _head(cells: list[str], widths: list[int] | None = None) -> str:
    """A header row in <thead>: Qt repeats it on every page the table continues on.
    ``widths``: percent of the table per column (so that names wrap as little as possible)."""
    sized = widths or [0] * len(cells)
    return (
        "<thead><tr>"
        + "".join(
            f"<th width='{w}%'>{escape(c)}</th>" if w else f"<th>{escape(c)}</th>"
            for c, w in zip(cells, sized, strict=True)
        )
        + "</tr></thead>"
    )


def _ranking(scores: Sequence[ObjectScore], english: bool) -> list[str]:
    """Every object of a kind, ranked ones first (the worst performers are what is looked for)."""
    first = (*scores[0].metrics, *getattr(scores[0], "extras", ())) if scores else ()
    figures = [m for key in FIGURES for m in first if m.key == key]
    heads = [_t(k, english) for k in ("rank", "name", "grade", "composite")]
    heads += [m.label_en if english else m.label_zh for m in figures]
    fixed = [8, 22, 12, 11] if figures else [10, 50, 20, 20]
    rest = (100 - sum(fixed)) // max(len(figures), 1)
    parts = [TABLE, _head(heads, [*fixed, *([rest] * len(figures))])]
    for score in sorted(scores, key=lambda s: (s.rank is None, s.rank or 0)):
        composite = "—" if score.composite is None else f"{score.composite:.2f}"
        by_key = {m.key: m for m in (*score.metrics, *getattr(score, "extras", ()))}
        cells = "".join(
            f"<td align='right'>{escape(_value(by_key[m.key]))}</td>"
            for m in figures
            if m.key in by_key
        )
        parts.append(
            f"<tr><td>{score.rank or '—'}</td><td>{escape(score.name)}</td>"
            f"<td>{escape(_grade(score, english))}</td><td align='right'>{composite}</td>"
            f"{cells}</tr>"
        )
    parts.append("</table>")
    return parts


def evaluation_title(report: EvaluationReport, *, english: bool = False) -> str:
    """ "月度绩效评价 2026-10", and " · 公共服务" when the report is one function's: a printed
    report says what it covers."""
    start = report.period_start.astimezone(LOCAL_TZ)
    title = f"{_t('title', english)} {start:%Y-%m}"
    name = _function(report, english)
    return f"{title} · {name}" if name else title


def _function(report: EvaluationReport, english: bool) -> str | None:
    zh = getattr(report, "function", None)
    if not zh:
        return None
    return str((getattr(report, "function_en", None) or zh) if english else zh)


def evaluation_html(report: EvaluationReport, *, english: bool = False) -> str:
    title = evaluation_title(report, english=english)
    # a street leader's (a unit head's) report: its street's (unit's) figures stand where the
    # district's do
    heading = "district"
    if getattr(report, "scope_region_id", None):
        heading = "own_unit" if getattr(report, "scope_level", None) == "unit" else "own_street"
    parts = [f"<h1>{escape(title)}</h1>"]
    function = _function(report, english)
    if function:
        parts.append(f"<p>{escape(_t('function_note', english).format(name=function))}</p>")
    parts += [
        f"<h2>{escape(_t(heading, english))}</h2>",
        TABLE,
        _head([_t("metric", english), _t("value", english), _t("inputs", english)]),
    ]
    for metric in report.district:
        label = metric.label_en if english else metric.label_zh
        parts.append(
            f"<tr><td>{escape(label)}</td><td align='right'>{escape(_value(metric))}"
            f"</td><td align='right'>{escape(_inputs(metric))}</td></tr>"
        )
    parts.append("</table>")
    if any(m.key == "grid_settle_rate" for m in report.district):
        parts.append(f"<p>{escape(_t('tier_note', english))}</p>")
    for image in ("chart://daily", "chart://streets", "chart://on_time", "chart://categories"):
        parts.append(f"<p><img src='{image}' width='500'></p>")
    for kind, scores in report.by_kind.items():
        zh, en = KIND_NAMES.get(kind, (kind, kind))
        parts.append(f"<h2>{escape(en if english else zh)}</h2>")
        parts += _ranking(scores, english)
    section = getattr(report, "patrols", None)
    if section is not None:
        parts += _patrols(section, english)
    return "\n".join(parts)


def _patrols(section: PatrolSection, english: bool) -> list[str]:
    """巡查覆盖率 of the district and each street, then each person's 巡查里程, 巡查次数 and
    上报数 (informational: in no composite)."""
    from console.services.evaluation.patrols import patrol_labels

    labels = {k: (en if english else zh) for k, (zh, en) in patrol_labels().items()}
    parts = [
        f"<h2>{escape(_t('patrol', english))}</h2>",
        f"<p>{escape(_t('patrol_note', english).format(days=section.days))}</p>",
        "<p><img src='chart://patrol' width='500'></p>",
        TABLE,
        _head(
            [_t("name", english), *(labels[k] for k in PATROL_COLUMNS)],
            [30, 14, 14, 14, 14, 14],
        ),
    ]
    for c in (section.district, *section.by_level.get("street", ())):
        rate = "—" if c.rate is None else f"{c.rate:.2f}%"
        cells = (c.grids, c.required, c.met, rate, c.grids_visited)
        parts.append(
            f"<tr><td>{escape(c.name)}</td>"
            + "".join(f"<td align='right'>{escape(str(v))}</td>" for v in cells)
            + "</tr>"
        )
    parts += [
        "</table>",
        f"<h3>{escape(_t('patrol_people', english))}</h3>",
        TABLE,
        _head(
            [
                _t("name", english),
                _t("role", english),
                *(labels[k] for k in ("patrols", "distance_km", "reported")),
            ],
            [28, 18, 18, 18, 18],
        ),
    ]
    for p in section.people:
        role = p.role_en if english else p.role_zh
        figures = (p.patrols, f"{p.distance_km:.2f}", p.reported)
        parts.append(
            f"<tr><td>{escape(p.name)}</td><td>{escape(role)}</td>"
            + "".join(f"<td align='right'>{escape(str(v))}</td>" for v in figures)
            + "</tr>"
        )
    parts.append("</table>")
    return parts


def evaluation_charts(report: EvaluationReport, *, english: bool = False) -> dict[str, QImage]:
    days = [f"{d:%m-%d}" for d, _r, _c in report.daily]
    streets = [name for _id, name, _r, _c, _o in report.by_street]
    categories = report.by_category[:15]
    patrol: dict[str, QImage] = {}
    section = getattr(report, "patrols", None)
    if section is not None:
        rows = section.by_level.get("street", ())
        patrol["chart://patrol"] = bar_chart(
            _t("patrol_streets", english),
            [c.name for c in rows],
            [(_t("patrol_streets", english), [c.rate or 0.0 for c in rows], "#2e9d4f")],
            percent=True,
        )
    return patrol | {
        "chart://daily": line_chart(
            _t("daily", english),
            days,
            [
                (_t("reported", english), [r for _d, r, _c in report.daily], "#3b6ea8"),
                (_t("closed", english), [c for _d, _r, c in report.daily], "#2e9d4f"),
            ],
        ),
        "chart://streets": bar_chart(
            _t("by_street", english),
            streets,
            [
                (_t("reported", english), [r for _i, _n, r, _c, _o in report.by_street], "#3b6ea8"),
                (_t("closed", english), [c for _i, _n, _r, c, _o in report.by_street], "#2e9d4f"),
            ],
        ),
        "chart://on_time": bar_chart(
            _t("on_time", english),
            streets,
            [
                (
                    _t("on_time", english),
                    [100.0 * o / c if c else 0.0 for _i, _n, _r, c, o in report.by_street],
                    "#e0a800",
                ),
            ],
            percent=True,
        ),
        "chart://categories": bar_chart(
            _t("by_category", english),
            [name for _code, name, _n in categories],
            [
                (_t("reported", english), [n for _code, _name, n in categories], "#8e44ad"),
            ],
        ),
    }


def ensure_gui_application() -> None:
    """Qt paints text only with a QGuiApplication: make one for a command-line export.

    With no screen (a duty server, CI) it renders offscreen; that is no user-facing default,
    only the way a document gets drawn where there is nothing to show it on.
    """
    import os
    import sys

    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        return
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    global _APP
    _APP = QGuiApplication(sys.argv[:1])


_APP: QGuiApplication | None = None  # kept alive: Qt paints only while it exists


def write_evaluation_pdf(report: EvaluationReport, path: Path, *, english: bool = False) -> Path:
    """The evaluation report as an A4 PDF with its charts; returns the path."""
    ensure_gui_application()
    return write_html_pdf(
        evaluation_html(report, english=english),
        path,
        title=evaluation_title(report, english=english),
        images=evaluation_charts(report, english=english),
    )
