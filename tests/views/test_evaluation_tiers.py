"""The tier figures (小事不出网格率, 大事不出街道率, 街道处置时长) in the real widgets, offscreen:
the evaluation window (a district seat's, a street leader's and a unit head's), the PDF and the workbook, the
dashboard's block and the wall's, from the cases of tests/services/evaluation/test_tiers.py
built through the real services on a real SQLite file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.db import Database
from console.services.dashboard import dashboard_numbers
from console.services.evaluation.export import write_evaluation_xlsx
from console.services.wall_data import wall_numbers
from console.services.workbench import Workbench
from console.views.dashboard_panel import DashboardPanel
from console.views.evaluation_pdf import evaluation_html
from console.views.evaluation_view import EvaluationView
from tests.conftest import Clock
from tests.services.console_support import CHIEF
from tests.services.evaluation.test_tiers import (  # noqa: F401
    Paths,
    actor_of_user,
    paths,
    street_leader,
)
from tests.views.test_wall import make_wall


def header(model: object) -> list[str]:
    return [
        model.headerData(c, Qt.Orientation.Horizontal)  # type: ignore[attr-defined]
        for c in range(model.columnCount())  # type: ignore[attr-defined]
    ]


def test_the_evaluation_window_pdf_and_workbook_show_the_tiers(
    demo_db: Database,
    paths: Paths,  # noqa: F811
    clock: Clock,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    report = Workbench(demo_db, actor=CHIEF, clock=clock).evaluation("2026-11")
    view = EvaluationView(today=date(2026, 11, 25))
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.show_report(report)
    table, model = view.tables["street"]
    columns = header(model)
    assert {"小事不出网格率", "大事不出街道率", "街道处置时长(工作时)", "提级数"} <= set(columns)
    row = next(r for r, o in enumerate(model.scores) if o.object_id == paths.street1)
    grid_rate = model.index(row, columns.index("小事不出网格率"))
    assert model.data(grid_rate) == "20.0%"
    assert model.data(grid_rate, Qt.ItemDataRole.ToolTipRole) == "1 / 5"
    assert model.data(model.index(row, columns.index("大事不出街道率"))) == "40.0%"
    assert model.data(model.index(row, columns.index("街道处置时长(工作时)"))) == "4.00"
    summary = view.summary_label.text()
    assert "小事不出网格率: 33.3%" in summary and "大事不出街道率: 50.0%" in summary
    # double-click: the cases behind the rate (its numerator, 网格内解决数)
    view.ranking_tabs.setCurrentWidget(table)
    qtbot.waitExposed(table)
    table.scrollTo(grid_rate)
    pos = table.visualRect(grid_rate).center()
    with qtbot.waitSignal(view.drill_requested) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["street", paths.street1, "grid_settle_rate"]

    html = evaluation_html(report)
    assert "小事不出网格率" in html and "33.33%" in html and "2 / 6" in html
    assert "仅供参考，不计入综合指标值" in html and "全区指标" in html
    assert "settled-in-street rate" in evaluation_html(report, english=True)

    path = write_evaluation_xlsx(report, tmp_path / "tiers.xlsx")
    book = load_workbook(path, read_only=True)
    found = [
        (sheet.title, row_values)
        for sheet in book.worksheets
        for row_values in sheet.iter_rows(values_only=True)
        if row_values and "小事不出网格率" in [str(v) for v in row_values]
    ]
    assert found, "no sheet has a 小事不出网格率 column"


def test_a_street_leaders_window_is_its_streets_daily_assessment(
    demo_db: Database,
    paths: Paths,  # noqa: F811
    clock: Clock,
    qtbot: QtBot,
) -> None:
    leader = street_leader(demo_db)
    report = Workbench(demo_db, actor=leader, clock=clock).evaluation("2026-11")
    view = EvaluationView(today=date(2026, 11, 25))
    qtbot.addWidget(view)
    view.show_report(report)
    # its regions ranked; no department or position tab
    assert set(view.tables) == {"street", "area", "unit", "grid"}
    _, streets = view.tables["street"]
    assert [o.object_id for o in streets.scores] == [paths.street1]
    _, grids = view.tables["grid"]
    assert grids.scores[0].object_id == paths.grid1 and grids.scores[0].rank == 1
    assert "小事不出网格率: 20.0%" in view.summary_label.text()  # its own, not 33.3%
    assert "本街道指标" in evaluation_html(report)


def test_a_unit_heads_window_is_its_units(
    demo_db: Database,
    paths: Paths,  # noqa: F811
    clock: Clock,
    qtbot: QtBot,
) -> None:
    """单元长: the same window on its unit — the unit and its grids ranked, the street and
    area tables empty, its own figures in the summary."""
    head = actor_of_user(demo_db, "unit_head")
    report = Workbench(demo_db, actor=head, clock=clock).evaluation("2026-11")
    view = EvaluationView(today=date(2026, 11, 25))
    qtbot.addWidget(view)
    view.show_report(report)
    assert set(view.tables) == {"street", "area", "unit", "grid"}
    assert not view.tables["street"][1].scores and not view.tables["area"][1].scores
    assert [o.object_id for o in view.tables["unit"][1].scores] == [head.region_id]
    _, grids = view.tables["grid"]
    assert grids.scores[0].object_id == paths.grid1 and grids.scores[0].rank == 1
    assert "小事不出网格率: 20.0%" in view.summary_label.text()
    assert "本单元指标" in evaluation_html(report) and "本街道指标" not in evaluation_html(report)


def test_the_dashboard_and_the_wall_show_this_months_rates(
    demo_db: Database,
    paths: Paths,  # noqa: F811
    clock: Clock,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    panel = DashboardPanel()
    qtbot.addWidget(panel)
    with demo_db.read() as s:
        numbers = dashboard_numbers(s, clock())
        wall = wall_numbers(s, clock())
    panel.show_numbers(numbers)
    assert panel.tier_label.text() == (
        "本月小事不出网格率 33.3% (2/6)    本月大事不出街道率 50.0% (3/6)"
    )
    # a street seat's dashboard: its street's closed cases only
    leader = street_leader(demo_db)
    own = Workbench(demo_db, actor=leader, clock=clock).dashboard_numbers()
    panel.show_numbers(own)
    assert panel.tier_label.text() == (
        "本月小事不出网格率 20.0% (1/5)    本月大事不出街道率 40.0% (2/5)"
    )

    window, _bridge = make_wall(qtbot, demo_db, clock, tmp_path)
    window.show_numbers(wall)
    assert window.tier_label.text() == (
        "本月小事不出网格率 33.3% (2/6)\n本月大事不出街道率 50.0% (3/6)"
    )
