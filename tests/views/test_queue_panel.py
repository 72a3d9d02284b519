"""The queue panel's category filter: the taxonomy in force first, 地方扩展 and older codes
marked (choices read from a real demo SQLite database through the Workbench)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
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
    assert len(texts) == 1 + 89 + 58 + 153 + 250  # "all", then every category of both
    # GB/T 47678.5-2026 (in force since 2026-07-01) first, plain; CJ/T 214 after, marked.
    assert texts[1] == "01001 供水井盖"
    assert box.itemData(1) == "component:01001"
    assert "0102 暴露垃圾〔CJ/T 214〕" in texts
    assert "0601 共享单车乱停放（地方扩展）〔CJ/T 214〕" in texts
    assert sum("地方扩展" in t for t in texts) == 8  # 4 扩展部件 + 4 扩展事件
