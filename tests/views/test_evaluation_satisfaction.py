"""群众满意率 in the evaluation window and the PDF, from a real report on a real SQLite file
(the ratings of tests/services/evaluation/test_satisfaction.py): its columns, the rate as a
percent with its inputs, unknown as —, and a double-click drills into the rated cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.evaluation.report import evaluate, month_period
from console.views.evaluation_pdf import evaluation_html
from console.views.evaluation_view import EvaluationView
from tests.services.evaluation.test_satisfaction import END, START, rated  # noqa: F401


def test_the_window_and_the_pdf_show_the_rate(
    demo_db: Database,
    rated: Any,  # noqa: F811
    qtbot: QtBot,
) -> None:
    with demo_db.read() as s:
        report = evaluate(s, START, END, END)
        start, end = month_period("2026-12")
        empty = evaluate(s, start, end, end)
    view = EvaluationView(today=date(2026, 11, 25))
    qtbot.addWidget(view)
    view.resize(1000, 800)
    view.show()
    view.show_report(report)
    table, model = view.tables["department"]
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert {"评价数", "满意数", "群众满意率"} <= set(header)
    column = header.index("群众满意率")
    row = next(r for r, o in enumerate(model.scores) if o.object_id == rated["d1"])
    index = model.index(row, column)
    assert model.data(index) == "50.0%"
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "1 / 2"
    assert "群众满意率: 50.0%" in view.summary_label.text()
    # double-click: the cases behind the rate (its numerator, 满意数)
    view.ranking_tabs.setCurrentWidget(table)
    qtbot.waitExposed(table)
    table.scrollTo(index)
    pos = table.visualRect(index).center()
    with qtbot.waitSignal(view.drill_requested) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["department", rated["d1"], "satisfaction_rate"]
    assert view.describe("department", rated["d1"], "satisfaction_rate").endswith("· 群众满意率")

    # a month without ratings: the rate is unknown (—), in the window and in the PDF
    view.show_report(empty)
    assert "群众满意率: —" in view.summary_label.text()
    html = evaluation_html(report)
    assert "群众满意率" in html and "50.00%" in html
    assert "public satisfaction rate" in evaluation_html(report, english=True)
