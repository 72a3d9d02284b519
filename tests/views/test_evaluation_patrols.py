"""The evaluation window's Patrols tab with a real report: real patrols through PatrolService on
a real SQLite file, evaluated, shown in the real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.evaluation.report import EvaluationReport, evaluate
from console.views.evaluation_pdf import evaluation_charts, evaluation_html, write_evaluation_pdf
from console.views.evaluation_view import EvaluationView
from tests.services.evaluation.test_patrols import END, INSPECTOR_ID, NOW, START, walk_month
from tests.services.test_patrols import two_neighbours
from tests.views.test_evaluation_pdf import look_alikes, pages_text


@pytest.fixture
def report(demo_db: Database) -> EvaluationReport:
    walk_month(demo_db)
    with demo_db.read() as s:
        return evaluate(s, START, END, NOW)


@pytest.fixture
def view(qtbot: QtBot) -> EvaluationView:
    widget = EvaluationView(today=date(2026, 11, 5))
    qtbot.addWidget(widget)
    widget.resize(1100, 800)
    widget.show()
    return widget


def rows(t: QTableWidget) -> list[list[str]]:
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_the_patrol_tab_shows_coverage_per_level_and_people(
    view: EvaluationView, report: EvaluationReport, demo_db: Database
) -> None:
    view.show_report(report)
    panel = view.patrol_panel
    tabs = view.ranking_tabs
    assert tabs.widget(tabs.count() - 1) is panel and tabs.tabText(tabs.count() - 1)
    note = panel.note_label.text()
    assert "0.2%" in note and "3" in note and "1820" in note and "5" in note

    # Streets: nine rows, the patrolled street(s) first.
    streets = rows(panel.coverage_table)
    assert len(streets) == 9
    assert streets[0][3] in ("2", "3") and streets[0][4] != "0.0%"
    assert streets[-1][3] == "0" and streets[-1][4] == "0.0%"

    # Grids: A (2 of 5 days) then B (1 of 5).
    panel.level_combo.setCurrentIndex(panel.level_combo.findData("grid"))
    grids = rows(panel.coverage_table)
    assert len(grids) == 364
    (ka, _), (kb, _) = two_neighbours(demo_db)
    names = {c.region_id: c.name for c in report.patrols.by_level["grid"]}  # type: ignore[union-attr]
    assert grids[0][:6] == [names[ka], "1", "5", "2", "40.0%", "1"]
    assert grids[1][:6] == [names[kb], "1", "5", "1", "20.0%", "1"]

    people = rows(panel.people_table)
    inspector = next(p for p in report.patrols.people if p.user_id == INSPECTOR_ID)  # type: ignore[union-attr]
    assert people[0] == [
        inspector.name,
        "监督员",
        "1",
        f"{inspector.distance_km:.2f}",
        "2",
    ]
    assert inspector.distance_km > 0


def test_a_report_without_patrol_figures_empties_the_tab(
    view: EvaluationView, report: EvaluationReport
) -> None:
    view.show_report(report)
    assert view.patrol_panel.coverage_table.rowCount() == 9
    view.patrol_panel.show_section(None)
    assert view.patrol_panel.coverage_table.rowCount() == 0
    assert view.patrol_panel.people_table.rowCount() == 0


def test_the_pdf_has_the_patrol_section(
    qapp: object, report: EvaluationReport, tmp_path: Path
) -> None:
    assert report.patrols is not None
    html = evaluation_html(report)
    assert "网格巡查" in html and "chart://patrol" in html
    assert "chart://patrol" in evaluation_charts(report)
    text = "".join(pages_text(write_evaluation_pdf(report, tmp_path / "eval.pdf")))
    street = report.patrols.by_level["street"][0]
    assert "巡查覆盖率" in text and "巡查里程(公里)" in text and street.name in text
    assert f"{street.rate:.2f}%" in text  # the first street's rate, as the table prints it
    inspector = next(p for p in report.patrols.people if p.user_id == INSPECTOR_ID)
    assert inspector.name in text and f"{inspector.distance_km:.2f}" in text
    assert "不计入综合指标值" in text and not look_alikes(text)
