"""The evaluation report as an Excel workbook (openpyxl): one sheet per kind of object.

Every rate sits next to its numerator and denominator, so a reader can check the formula's
inputs; rates are written as fractions with a percent format. A report of one function (职能)
says so above the district's figures and in the workbook's title: its figures count that
function's cases only.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from console.config import LOCAL_TZ
from console.services.evaluation.patrols import LEVELS, PatrolSection, patrol_labels
from console.services.evaluation.report import KIND_LABELS, KINDS, EvaluationReport, MetricValue

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
PERCENT = "0.00%"
HOURS = "0.00"
SHEET_DISTRICT = "全区"
SHEET_DAILY = "每日"
SHEET_PATROL = "巡查覆盖率"
SHEET_PATROL_PEOPLE = "巡查人员"


def _metric_headers(metrics: tuple[MetricValue, ...]) -> list[tuple[str, str | None]]:
    """(header, number format) per metric column; a rate gets 分子/分母 columns beside it."""
    out: list[tuple[str, str | None]] = []
    for m in metrics:
        if _is_rate(m):
            out += [(m.label_zh, PERCENT), (f"{m.label_zh}·分子", "0"), (f"{m.label_zh}·分母", "0")]
        else:
            out.append((m.label_zh, HOURS if _is_average(m) else "0"))
    return out


def _is_rate(m: MetricValue) -> bool:
    return m.key.endswith("_rate")


def _is_average(m: MetricValue) -> bool:
    """An average in working hours (平均受理时长, 平均处置时长)."""
    return m.key.endswith("_hours")


def _metric_cells(metrics: tuple[MetricValue, ...]) -> list[object]:
    cells: list[object] = []
    for m in metrics:
        if _is_rate(m):
            cells += [
                None if m.value is None else float(m.value) / 100.0,
                m.numerator,
                m.denominator,
            ]
        else:
            cells.append(m.value)
    return cells


def _style(ws: Worksheet, formats: list[str | None], widths: list[int]) -> None:
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    for i, (fmt, width) in enumerate(zip(formats, widths, strict=True), start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt


def evaluation_title(report: EvaluationReport) -> str:
    """ "月度绩效评价 2026-10", with " · 公共服务" for one function's report."""
    title = f"月度绩效评价 {report.period_start.astimezone(LOCAL_TZ):%Y-%m}"
    return f"{title} · {report.function}" if report.function else title


def write_evaluation_xlsx(report: EvaluationReport, path: Path | str) -> Path:
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_DISTRICT
    start = report.period_start.astimezone(LOCAL_TZ)
    end = report.period_end.astimezone(LOCAL_TZ)
    wb.properties.title = evaluation_title(report)
    ws.append(["指标", "指标(英文)", "值", "分子", "分母"])
    if report.function is not None:  # first, where a reader looks: what the figures cover
        ws.append(["职能", "Function", report.function, report.function_en])
    for m in report.district:
        rate = _is_rate(m)
        value = None if m.value is None else (float(m.value) / 100.0 if rate else m.value)
        ws.append([m.label_zh, m.label_en, value, m.numerator, m.denominator])
        if rate:
            ws.cell(ws.max_row, 3).number_format = PERCENT
        elif _is_average(m):
            ws.cell(ws.max_row, 3).number_format = HOURS
    ws.append([])
    ws.append(["评价周期", f"{start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M}"])
    ws.append(["评价范围", f"仅“{report.function}”职能的案件" if report.function else "全部案件"])
    ws.append(["生成时间", f"{report.built_at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"])
    _style(ws, [None] * 5, [18, 28, 12, 10, 10])

    for kind in KINDS:
        ws = wb.create_sheet(KIND_LABELS[kind])
        scores = report.by_kind.get(kind, ())
        # The metrics, then the figures in no composite (a department's register figures).
        template = (*scores[0].metrics, *scores[0].extras) if scores else ()
        headers = _metric_headers(template)
        ws.append(["排名", "编号", "名称", *(h for h, _ in headers), "综合指标值", "等级"])
        for o in scores:
            # not graded: the reason (无案件 / 依据不足) in the grade column, no composite
            grade = o.grade if o.grade is not None else o.status_zh
            cells = _metric_cells((*o.metrics, *o.extras))
            ws.append([o.rank, o.object_id, o.name, *cells, o.composite, grade])
        formats: list[str | None] = ["0", "0", None, *(f for _, f in headers), "0.00", None]
        widths = [6, 8, 24, *(max(10, len(h) * 2 + 2) for h, _ in headers), 12, 10]
        _style(ws, formats, widths)

    ws = wb.create_sheet(SHEET_DAILY)
    ws.append(["日期", "上报数", "结案数"])
    for day, reported, closed in report.daily:
        ws.append([day, reported, closed])
    _style(ws, ["yyyy-mm-dd", "0", "0"], [12, 10, 10])

    ws = wb.create_sheet("类别")
    ws.append(["类别代码", "类别名称", "上报数"])
    for row in report.by_category:
        ws.append(list(row))
    _style(ws, [None, None, "0"], [10, 30, 10])

    if report.patrols is not None:
        _patrol_sheets(wb, report.patrols)

    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _patrol_sheets(wb: Workbook, section: PatrolSection) -> None:
    """巡查覆盖率 per region (district, then streets, areas, units, grids) with its inputs,
    and per person 巡查里程, 巡查次数 and 上报数 (informational: in no composite)."""
    label = {k: zh for k, (zh, _) in patrol_labels().items()}
    ws = wb.create_sheet(SHEET_PATROL)
    keys = ("grids", "required", "met", "coverage_rate", "grids_visited")
    ws.append(["层级", "编号", "名称", *(label[k] for k in keys), "巡查长度(米)"])
    rows = [section.district, *(c for level in LEVELS for c in section.by_level[level])]
    for c in rows:
        rate = None if c.rate is None else c.rate / 100.0
        level = KIND_LABELS.get(c.level, "全区")
        ws.append([level, c.region_id, c.name, c.grids, c.required, c.met, rate, c.grids_visited,
                   c.metres])  # fmt: skip
    ws.append([])
    ws.append(["计入天数", section.days, f"自 {section.first_day:%Y-%m-%d} 起"])
    ws.append(["说明", "巡查覆盖率 = 已巡查次数 / 应巡查次数；仅供参考，不计入综合指标值"])
    _style(ws, [None, "0", None, "0", "0", "0", PERCENT, "0", "0.0"],
           [8, 16, 24, 8, 12, 12, 12, 12, 14])  # fmt: skip

    ws = wb.create_sheet(SHEET_PATROL_PEOPLE)
    ws.append(["编号", "姓名", "角色", label["patrols"], label["distance_km"], label["reported"]])
    for p in section.people:
        ws.append([p.user_id, p.name, p.role_zh, p.patrols, p.distance_km, p.reported])
    _style(ws, ["0", None, None, "0", "0.00", "0"], [8, 16, 10, 10, 16, 10])
