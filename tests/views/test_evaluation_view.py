"""The evaluation view on a stand-in report: real widgets and real pyqtgraph items, offscreen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from console.config import LOCAL_TZ
from console.views.evaluation_view import (
    EvaluationView,
    RankingModel,
    metric_text,
    recent_months,
)


@dataclass(frozen=True)
class Metric:
    key: str
    label_zh: str
    label_en: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Score:
    kind: str
    object_id: int
    name: str
    metrics: tuple[Metric, ...]
    composite: float | None
    grade: str | None
    rank: int | None
    status_zh: str | None = None
    status_en: str | None = None
    status: str = "graded"


def metrics(on_time: int, closed: int, reported: int) -> tuple[Metric, ...]:
    return (
        Metric("reported", "上报数", "Reported", reported),
        Metric("on_time_rate", "按期处置率", "On-time rate", pct(on_time, closed), on_time, closed),
        Metric("close_rate", "结案率", "Close rate", pct(closed, reported), closed, reported),
        Metric("missed_report_rate", "漏报率", "Missed", None, note="无法从案件推出"),
    )


def pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 2) if den else None


def stand_in_report() -> SimpleNamespace:
    start = datetime(2026, 10, 1, tzinfo=LOCAL_TZ)
    streets = (  # listed out of rank order on purpose
        Score("street", 12, "青年路街道", metrics(3, 4, 8), 71.25, "B", 2),
        Score("street", 11, "北院门街道", metrics(9, 10, 10), 93.5, "A", 1),
        Score("street", 13, "<b>桃园路</b>", metrics(1, 4, 5), 40.0, "D", 3),
        Score("street", 14, "土门街道", metrics(0, 0, 0), None, None, None, "无案件", "no cases",
              "no_cases"),
        Score("street", 15, "西关街道", metrics(0, 0, 2), None, None, None, "依据不足",
              "too little data", "insufficient"),
    )  # fmt: skip
    departments = (Score("department", 7, "区城管局", metrics(5, 5, 6), 88.0, "A", 1),)
    daily = [(date(2026, 10, d), d % 4, d % 3) for d in range(1, 32)]
    categories = [(f"01{i:02d}", f"类别{i}", 40 - i) for i in range(20)]
    return SimpleNamespace(
        period_start=start,
        period_end=datetime(2026, 11, 1, tzinfo=LOCAL_TZ),
        built_at=start + timedelta(days=40),
        by_kind={"street": streets, "department": departments},
        district=(Metric("on_time_rate", "按期处置率", "On-time rate", 75.0, 15, 20),),
        daily=daily,
        by_category=categories,
        by_street=[
            (11, "北院门街道", 10, 10, 9),
            (12, "青年路街道", 8, 4, 3),
            (13, "桃园路街道", 5, 0, 0),
        ],
    )


@pytest.fixture
def view(qtbot: QtBot) -> EvaluationView:
    widget = EvaluationView(today=date(2026, 11, 25))
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    return widget


def cells(model: RankingModel) -> list[list[str]]:
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_months_default_to_the_last_complete_one(view: EvaluationView, qtbot: QtBot) -> None:
    assert recent_months(date(2026, 2, 3), 2) == ["2026-02", "2026-01", "2025-12"]
    assert view.month_combo.count() == 13
    assert view.month_combo.itemData(0) == "2026-11"
    assert view.month_combo.itemData(12) == "2025-11"
    assert view.current_month() == "2026-10"
    with qtbot.waitSignal(view.period_changed) as blocker:
        view.month_combo.setCurrentIndex(3)
    assert blocker.args == ["2026-08"]


def test_rankings_in_rank_order_with_percent_and_grade(view: EvaluationView) -> None:
    view.show_report(stand_in_report())
    assert view.ranking_tabs.count() == 3  # two kinds, then the patrol tab
    assert view.ranking_tabs.widget(2) is view.patrol_panel
    model = view.tables["street"][1]
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert header[:4] == ["Rank", "Name", "Grade", "Composite"]
    assert header[4:] == ["上报数", "按期处置率", "结案率", "漏报率"]
    assert cells(model) == [
        ["1", "北院门街道", "A", "93.5", "10", "90.0%", "100.0%", "—"],
        ["2", "青年路街道", "B", "71.2", "8", "75.0%", "50.0%", "—"],
        ["3", "<b>桃园路</b>", "D", "40.0", "5", "25.0%", "80.0%", "—"],
        # not graded: no rank, no composite, the reason where the grade would be
        # too little data before no case at all (土门 would come first by name)
        ["—", "西关街道", "依据不足", "—", "2", "—", "0.0%", "—"],
        ["—", "土门街道", "无案件", "—", "0", "—", "—", "—"],
    ]
    assert model.data(model.index(1, 5), Qt.ItemDataRole.ToolTipRole) == "3 / 4"
    assert model.data(model.index(1, 7), Qt.ItemDataRole.ToolTipRole) == "无法从案件推出"
    assert "75.0%" in view.summary_label.text()
    assert view.summary_label.textFormat() == Qt.TextFormat.PlainText


def test_report_again_reuses_tables_and_chart_items(view: EvaluationView) -> None:
    view.show_report(stand_in_report())
    tables = dict(view.tables)
    items = [list(p.getPlotItem().items) for p in view.plots]
    report = stand_in_report()
    report.by_kind = {"street": report.by_kind["street"]}
    view.show_report(report)
    assert view.tables == {"street": tables["street"]}
    assert view.ranking_tabs.count() == 2  # and the patrol tab
    assert [list(p.getPlotItem().items) for p in view.plots] == items


def test_charts_have_the_expected_points_and_bars(view: EvaluationView) -> None:
    view.show_report(stand_in_report())
    x, y = view.reported_curve.getData()
    assert len(x) == 31 and y[0] == 1
    assert len(view.closed_curve.getData()[0]) == 31
    widths = list(view.category_bars.opts["width"])
    shown = view.category_rows()
    assert 3 <= shown <= 15 and len(widths) == shown
    assert widths[0] == 40 and widths == sorted(widths, reverse=True)
    assert list(view.street_reported_bars.opts["height"]) == [10, 8, 5]
    assert list(view.street_closed_bars.opts["height"]) == [10, 4, 0]
    assert list(view.on_time_bars.opts["height"]) == pytest.approx([90.0, 75.0, 0.0])


def test_the_category_chart_shows_as_many_categories_as_its_height_can_label(
    view: EvaluationView, qtbot: QtBot
) -> None:
    """Regression (the evaluation window at 1400×900 under Xvfb): 15 names crammed into a
    short chart overlapped into an unreadable block."""
    view.show_report(stand_in_report())
    view.resize(1000, 600)
    qtbot.waitUntil(lambda: view.category_plot.height() < 200, timeout=5000)
    short = len(view.category_bars.opts["width"])
    room = view.category_plot.getViewBox().height()
    assert 3 <= short < 15 and short * 20 <= max(room, 60)  # ≥ 20 px a label (or the floor)
    view.resize(1000, 1800)
    qtbot.waitUntil(lambda: len(view.category_bars.opts["width"]) > short, timeout=5000)
    ticks = view.category_plot.getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == [f"类别{i}" for i in range(len(ticks))]


def test_double_click_on_a_metric_drills_down(view: EvaluationView, qtbot: QtBot) -> None:
    view.show_report(stand_in_report())
    table, model = view.tables["street"]
    view.ranking_tabs.setCurrentWidget(table)
    qtbot.waitExposed(table)
    index = model.index(1, 5)  # 青年路街道, on-time rate
    rect = table.visualRect(index)
    pos = rect.center()
    with qtbot.waitSignal(view.drill_requested) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["street", 12, "on_time_rate"]
    assert view.describe("street", 12, "on_time_rate") == "青年路街道 · 按期处置率"
    # The fixed columns and a metric without a value are not numbers to drill into.
    drilled: list[tuple[str, int, str]] = []
    view.drill_requested.connect(lambda *a: drilled.append(a))
    for column in (1, 7):
        spot = table.visualRect(model.index(0, column)).center()
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(spot))
    assert drilled == []


def test_show_cases_lists_rows_as_plain_text(view: EvaluationView) -> None:
    rows = [
        SimpleNamespace(
            id=11,
            number="LH20261023000001",
            state_label="已结案",
            category_name="暴露垃圾",
            address="<b>x</b>",
            reported_at=datetime(2026, 10, 23, 9, 0, tzinfo=LOCAL_TZ),
        ),
        SimpleNamespace(
            id=12,
            number="LH20261024000002",
            state_label="处置中",
            category_name="井盖",
            address="西大街88号",
            reported_at=datetime(2026, 10, 24, 1, 0, tzinfo=LOCAL_TZ),
        ),
    ]
    view.show_cases("青年路街道 · 按期处置率", rows)
    dialog, table = view.cases_dialog, view.cases_table
    assert dialog is not None and table is not None and dialog.isVisible()
    assert table.rowCount() == 2
    assert [table.item(0, c).text() for c in range(5)] == [
        "LH20261023000001",
        "已结案",
        "暴露垃圾",
        "<b>x</b>",
        "2026-10-23 09:00",
    ]
    assert "(2)" in dialog.windowTitle()
    opened: list[int] = []
    view.case_requested.connect(opened.append)
    table.cellDoubleClicked.emit(1, 0)
    assert opened == [12]
    view.show_cases("again", rows[:1])
    assert view.cases_dialog is dialog and table.rowCount() == 1


def test_export_emits_the_path(view: EvaluationView, qtbot: QtBot) -> None:
    with qtbot.waitSignal(view.export_requested) as blocker:
        view.request_export("/tmp/evaluation-2026-10.xlsx")
    assert blocker.args == ["/tmp/evaluation-2026-10.xlsx"]


def test_averages_in_working_hours_show_two_decimals() -> None:
    assert metric_text(Metric("avg_handle_hours", "平均处置时长(工作时)", "h", 1.0)) == "1.00"
    assert metric_text(Metric("avg_receive_hours", "平均受理时长(工作时)", "h", 0.26)) == "0.26"
    assert metric_text(Metric("closed_late", "超期结案数", "late", 3)) == "3"
