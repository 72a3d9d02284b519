"""The departments' register figures (issue 17) in the evaluation window, the Excel workbook and
the PDF's HTML: the hand-counted November of tests/services/evaluation/test_component_figures
(PRO01: 4 cases on its objects, 1 repeat offender; PRO04: 2 and 0)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.evaluation.export import write_evaluation_xlsx
from console.services.evaluation.report import KIND_LABELS, EvaluationReport, evaluate
from console.views.evaluation_pdf import evaluation_html
from console.views.evaluation_view import EvaluationView
from console.views.i18n import set_language
from tests.conftest import Clock
from tests.services.evaluation.test_component_figures import crafted  # noqa: F401 (fixture)
from tests.services.evaluation.test_report import END, START

HEADS = ["本部门部件案件", "重复故障部件"]


def _report(db: Database, clock: Clock) -> EvaluationReport:
    with db.read() as s:
        return evaluate(s, START, END, clock())


def _name(report: EvaluationReport, department: object) -> str:
    return next(o.name for o in report.by_kind["department"] if o.object_id == department)


def test_the_window_shows_the_figures_as_columns(
    qtbot: QtBot,
    demo_db: Database,
    clock: Clock,
    crafted: dict[str, object],  # noqa: F811
) -> None:
    set_language("zh")
    report = _report(demo_db, clock)
    view = EvaluationView(today=date(2026, 11, 25))
    qtbot.addWidget(view)
    view.show_report(report)
    model = view.tables["department"][1]
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert heads[-2:] == HEADS
    rows = {
        model.data(model.index(r, 1)): [
            model.data(model.index(r, c))
            for c in range(model.columnCount() - 2, model.columnCount())
        ]
        for r in range(model.rowCount())
    }
    assert rows[_name(report, crafted["a"])] == ["4", "1"]
    assert rows[_name(report, crafted["b"])] == ["2", "0"]
    assert view.describe("department", crafted["a"], "repeat_offenders").endswith("重复故障部件")  # type: ignore[arg-type]


def test_excel_and_pdf_carry_the_figures(
    tmp_path: Path,
    demo_db: Database,
    clock: Clock,
    crafted: dict[str, object],  # noqa: F811
) -> None:
    report = _report(demo_db, clock)
    sheet = load_workbook(write_evaluation_xlsx(report, tmp_path / "e.xlsx"))[
        KIND_LABELS["department"]
    ]
    rows = list(sheet.iter_rows(values_only=True))
    heads = list(rows[0])
    columns = [heads.index(h) for h in HEADS]
    by_name = {row[2]: [row[c] for c in columns] for row in rows[1:]}
    assert by_name[_name(report, crafted["a"])] == [4, 1]
    assert by_name[_name(report, crafted["b"])] == [2, 0]
    # Beside the metrics, before the composite (which they are not in).
    assert heads[columns[1] + 1] == "综合指标值"

    html = evaluation_html(report)
    assert all(h in html for h in HEADS)
    a_row = next(r for r in html.split("<tr>") if _name(report, crafted["a"]) in r)
    assert [c.strip() for c in a_row.split("<td align='right'>")[-2:]] == ["4</td>", "1</td></tr>"]
