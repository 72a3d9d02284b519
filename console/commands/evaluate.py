"""`grid-console evaluate [--month YYYY-MM] [--function 职能] [--out FILE.xlsx|FILE.pdf]`: the
monthly 绩效评价, of every case or of one function's (#16 §3)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from console.db import Database
from console.errors import ConsoleError, ValidationError
from console.services.evaluation.report import (
    EvaluationReport,
    evaluate,
    month_period,
    previous_month,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", help="the month to evaluate, YYYY-MM (default: last month)")
    parser.add_argument(
        "--function",
        help="only the cases of one function of grid work (resources/org/functions.csv: "
        "党的建设, 经济发展, 城市管理, 公共服务 or 安全稳定)",
    )
    parser.add_argument("--out", type=Path, help="write the report to FILE.xlsx or FILE.pdf")


def summary(report: EvaluationReport, month: str) -> str:
    def pct(key: str) -> str:
        m = report.district_metric(key)
        return "—" if m.value is None else f"{m.value:.2f}% ({m.numerator}/{m.denominator})"

    lines = [
        f"绩效评价 {month}" + (f" · 职能 function: {report.function}" if report.function else ""),
        f"  全区 结案率 close rate: {pct('close_rate')}",
        f"  全区 按期结案率 on-time close rate: {pct('on_time_close_rate')}",
        f"  全区 群众满意率 public satisfaction rate: {pct('satisfaction_rate')}",
    ]
    streets = [o for o in report.by_kind.get("street", ()) if o.composite is not None]
    if streets:
        top, bottom = streets[0], streets[-1]
        lines.append(f"  最好街道 top street: {top.name} {top.composite:.2f} {top.grade}")
        lines.append(
            f"  最差街道 bottom street: {bottom.name} {bottom.composite:.2f} {bottom.grade}"
        )
    return "\n".join(lines)


def write_report(report: EvaluationReport, out: Path) -> None:
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        from console.services.evaluation.export import write_evaluation_xlsx

        write_evaluation_xlsx(report, out)
    elif suffix == ".pdf":
        try:
            from console.views.evaluation_pdf import write_evaluation_pdf
        except ImportError as exc:
            raise ConsoleError(
                f"PDF 导出不可用（console.views.evaluation_pdf 缺失）: {exc}"
            ) from exc
        write_evaluation_pdf(report, out)
    else:
        raise ValidationError(f"输出文件须为 .xlsx 或 .pdf: {out}", field="out")


def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    month = args.month or previous_month(now)
    start, end = month_period(month)  # a bad month raises ValidationError → exit 2
    if args.out is not None and args.out.suffix.lower() not in (".xlsx", ".pdf"):
        raise ValidationError(f"输出文件须为 .xlsx 或 .pdf: {args.out}", field="out")
    db = Database(args.db)
    try:
        with db.read() as s:
            report = evaluate(s, start, end, now, function=args.function)
    finally:
        db.dispose()
    print(summary(report, month))
    if args.out is not None:
        write_report(report, args.out)
        print(f"已写入 written: {args.out}")
    return 0
