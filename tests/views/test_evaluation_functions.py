"""The evaluation of one function (职能, #16 §3) through its real window, workbook and PDF: the
evaluation window offscreen on the real services and SQLite (the hand-counted month of
tests/services/evaluation/test_functions.py), the .xlsx read back with openpyxl, the PDF's text
read back with PDFium. Each names the function it covers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.evaluation.export import write_evaluation_xlsx
from console.services.evaluation.report import EvaluationReport, evaluate
from console.views.evaluation_pdf import write_evaluation_pdf
from console.views.evaluation_view import EvaluationView
from console.views.insight import Insight
from tests.conftest import Clock
from tests.services.evaluation.test_functions import month  # noqa: F401  (the fixture)
from tests.services.evaluation.test_report import END, START
from tests.views.test_evaluation_pdf import look_alikes, pages_text
from tests.views.test_main_window import main_window


@pytest.fixture
def insight(
    qtbot: QtBot,
    demo_db: Database,
    tmp_path: Path,
    clock: Clock,
    month: dict[str, int],  # noqa: F811
) -> Iterator[Insight]:
    """The duty chief's console (no map page), on the month's cases."""
    for window in main_window(qtbot, demo_db, tmp_path, clock, with_map=False):
        yield window.insight


def _open_november(insight: Insight, qtbot: QtBot) -> EvaluationView:
    insight.open_evaluation()
    view = insight.evaluation
    assert view is not None
    if view.month_combo.findData("2026-11") < 0:  # the test month, whenever it runs
        view.month_combo.addItem("2026-11", "2026-11")
    view.month_combo.setCurrentIndex(view.month_combo.findData("2026-11"))
    qtbot.waitUntil(
        lambda: view.report is not None and f"{view.report.period_start:%Y-%m}" == "2026-11",
        timeout=20_000,
    )
    return view


def test_the_window_evaluates_one_function_and_names_it(
    insight: Insight,
    qtbot: QtBot,
    month: dict[str, int],  # noqa: F811
) -> None:
    ids = month
    view = _open_november(insight, qtbot)
    box = view.findChild(QComboBox, "evaluationFunction")
    assert box is view.function_combo
    qtbot.waitUntil(lambda: box.count() == 6, timeout=10_000)  # 全部职能 and the five
    assert view.report is not None and view.report.function is None
    assert view.report.district_metric("reported").value == 5

    box.setCurrentIndex(box.findData("安全稳定"))  # as a leader picks it
    qtbot.waitUntil(
        lambda: view.report is not None and view.report.function == "安全稳定", timeout=20_000
    )
    report = view.report
    assert report.district_metric("reported").value == 3
    assert "安全稳定" in view.windowTitle()
    assert "安全稳定" in view.summary_label.text()
    departments = view.tables["department"][1]
    assert departments.scores[0].object_id == ids["FUN27"]  # the one that handled its cases
    assert departments.scores[0].rank == 1
    assert all(s.rank is None for s in departments.scores[1:])

    # The drill-down counts what the report counted: FUN27's 应处置 are s1 and s2.
    view.drill_requested.emit("department", ids["FUN27"], "assigned")
    qtbot.waitUntil(lambda: view.cases_dialog is not None and view.cases_dialog.isVisible())
    assert getattr(view, "_case_ids", None) == [ids["s1"], ids["s2"]]

    box.setCurrentIndex(0)  # 全部职能
    qtbot.waitUntil(lambda: view.report is not None and view.report.function is None)
    assert "安全稳定" not in view.windowTitle()
    view.close()


def _function_report(db: Database, clock: Clock) -> EvaluationReport:
    with db.read() as s:
        return evaluate(s, START, END, clock.now, function="安全稳定")


def test_the_workbook_names_the_function(
    demo_db: Database,
    clock: Clock,
    tmp_path: Path,
    month: dict[str, int],  # noqa: F811
) -> None:
    path = write_evaluation_xlsx(_function_report(demo_db, clock), tmp_path / "eval.xlsx")
    wb = load_workbook(path)
    assert wb.properties.title == "月度绩效评价 2026-11 · 安全稳定"
    rows = list(wb["全区"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:4] == ("职能", "Function", "安全稳定", "Safety and stability")
    district = {row[0]: row[2] for row in rows}
    assert district["上报数"] == 3
    assert {row[0]: row[1] for row in rows}["评价范围"] == "仅“安全稳定”职能的案件"
    assert "巡查覆盖率" not in wb.sheetnames  # patrols belong to no function


def test_the_pdf_title_names_the_function(
    qapp: object,
    demo_db: Database,
    clock: Clock,
    tmp_path: Path,
    month: dict[str, int],  # noqa: F811
) -> None:
    report = _function_report(demo_db, clock)
    pages = pages_text(write_evaluation_pdf(report, tmp_path / "eval.pdf"))
    assert pages[0].startswith("月度绩效评价2026-11·安全稳定")  # whitespace removed
    assert "本报告仅统计“安全稳定”职能的案件" in pages[0] and not look_alikes(pages[0])
    english = pages_text(write_evaluation_pdf(report, tmp_path / "en.pdf", english=True))
    assert english[0].startswith("Monthlyevaluation2026-11·Safetyandstability")
