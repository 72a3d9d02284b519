"""The queue panel's category filter: the taxonomy in force first, 地方扩展 and older codes
marked (choices read from a real demo SQLite database through the Workbench)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.services.queue import QueueFilter, queue_tabs
from console.services.workbench import Workbench
from console.views.queue_panel import QueuePanel
from tests.conftest import Clock


@pytest.fixture
def panel(qtbot: QtBot, demo_db: Database, clock: Clock) -> Iterator[QueuePanel]:
    bridge = Bridge()
    workbench = Workbench(demo_db, username="duty_chief", clock=clock)
    widget = QueuePanel(bridge, workbench, queue_tabs(), QueueFilter)
    qtbot.addWidget(widget)
    widget.set_choices(workbench.filter_choices())
    yield widget
    bridge.shutdown()


def test_category_filter_labels(panel: QueuePanel) -> None:
    box = panel.category_box
    texts = [box.itemText(i) for i in range(box.count())]
    # "all", then every category of both (the 2026 events with the 13 local items of #16 §3)
    assert len(texts) == 1 + 89 + 58 + 153 + 250 + 13
    # GB/T 47678.5-2026 (in force since 2026-07-01) first, plain; CJ/T 214 after, marked.
    assert texts[1] == "01001 供水井盖"
    assert box.itemData(1) == "component:01001"
    assert "0102 暴露垃圾〔CJ/T 214〕" in texts
    assert "0601 共享单车乱停放（地方扩展）〔CJ/T 214〕" in texts
    assert "14001 矛盾纠纷（地方扩展）" in texts
    # 4 扩展部件 + 4 扩展事件 (CJ/T 214) + 13 of the grid's other four functions (2026)
    assert sum("地方扩展" in t for t in texts) == 8 + 13


def test_the_search_tab_filters_by_state_and_a_custom_date_range(
    qtbot: QtBot, panel: QueuePanel, demo_db: Database, clock: Clock
) -> None:
    from datetime import date

    from PySide6.QtCore import QDate

    from console.services.cases.service import CaseService
    from tests.services.console_support import CHIEF, INTAKE, report_input, street_points

    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    first = service.report(INTAKE, report_input(point))  # Mon 23 Nov
    service.register(CHIEF, first.id, first.version)
    clock.advance(days=3)
    later = service.report(INTAKE, report_input(point))  # Thu 26 Nov

    panel.with_tab("search")
    assert panel.state_box.isVisible() or panel.state_box.isVisibleTo(panel)
    panel.state_box.setCurrentIndex(panel.state_box.findData("registered"))
    f = panel.current_filter()
    assert f.tab == "search" and f.state == "registered"
    panel.state_box.setCurrentIndex(0)
    panel.period_box.setCurrentIndex(panel.period_box.findData(-1))  # from … to …
    panel.from_edit.setDate(QDate(2026, 11, 25))
    panel.to_edit.setDate(QDate(2026, 11, 26))
    f = panel.current_filter()
    assert panel.from_edit.isVisibleTo(panel) and panel.to_edit.isVisibleTo(panel)
    assert f.reported_from.date() == date(2026, 11, 25)
    assert f.reported_to.date() == date(2026, 11, 27)  # the end day included
    with qtbot.waitSignal(panel.model.total_changed, timeout=10_000) as total:
        panel.reload()
    assert total.args == [1]
    assert panel.model.row_of(later.id) is not None and panel.model.row_of(first.id) is None
    # Another tab: the state filter is the search tab's only.
    panel.with_tab("all_open")
    assert not panel.state_box.isVisibleTo(panel) and panel.current_filter().state is None


def test_columns_fit_what_they_will_show(panel: QueuePanel) -> None:
    """剩余时间 never cut off (a long-overdue case), 处置期限 not stretched over spare width."""
    from console.services.queue_columns import column_index
    from console.views.formatting import remaining_text

    TIME_LEFT_COLUMN, DEADLINE_COLUMN = column_index("remaining"), column_index("deadline_at")

    panel.resize(1400, 600)
    panel.fit_columns()
    header = panel.table.horizontalHeader()
    assert not header.stretchLastSection()
    needed = panel.table.fontMetrics().horizontalAdvance(remaining_text(-(999 * 3600)))
    assert header.sectionSize(TIME_LEFT_COLUMN) > needed
    assert header.sectionSize(DEADLINE_COLUMN) < 300
    assert panel.model.headerData(
        TIME_LEFT_COLUMN, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole
    ) in ("Time left", "剩余时间")


def test_the_function_filter(
    qtbot: QtBot, panel: QueuePanel, demo_db: Database, clock: Clock
) -> None:
    """职能: the five functions in the file's order; choosing one narrows the real queue."""
    from console.services.cases.service import CaseService
    from tests.services.console_support import INTAKE, report_input, street_points

    box = panel.function_box
    assert [box.itemText(i) for i in range(1, box.count())] == [
        "党的建设",
        "经济发展",
        "城市管理",
        "公共服务",
        "安全稳定",
    ]
    assert box.itemData(0) is None and panel.current_filter().function is None
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    dispute = service.report(
        INTAKE, report_input(point, category_code="14001", description="邻里噪音纠纷")
    )
    rubbish = service.report(INTAKE, report_input(point))  # 06010 暴露垃圾: 城市管理
    panel.with_tab("search")
    box.setCurrentIndex(box.findData("安全稳定"))
    assert panel.current_filter().function == "安全稳定"
    with qtbot.waitSignal(panel.model.total_changed, timeout=10_000) as total:
        panel.reload()
    assert total.args == [1]
    assert panel.model.row_of(dispute.id) is not None and panel.model.row_of(rubbish.id) is None
    box.setCurrentIndex(box.findData("城市管理"))
    with qtbot.waitSignal(panel.model.total_changed, timeout=10_000) as total:
        panel.reload()
    assert total.args == [1] and panel.model.row_of(rubbish.id) is not None


def test_the_function_filter_in_english(panel: QueuePanel, demo_db: Database, clock: Clock) -> None:
    from console.views.i18n import set_language

    set_language("en")
    try:
        panel.set_choices(Workbench(demo_db, username="duty_chief", clock=clock).filter_choices())
        box = panel.function_box
        assert box.itemText(5) == "Safety and stability" and box.itemData(5) == "安全稳定"
    finally:
        set_language("zh")
