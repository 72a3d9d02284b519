"""Export from the queue panel: the filter on screen, every matching row, the visible columns."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.services.bulk_intake import bulk_report
from console.services.cases.export import QUEUE_COLUMNS
from console.services.locator import DbLocator
from console.services.queue import QueueFilter, count_queue, queue_tabs
from console.services.workbench import Workbench
from console.views.queue_model import PAGE_SIZE
from console.views.queue_panel import EXPORT_KEYS, QueuePanel
from tests.conftest import Clock
from tests.services.console_support import INTAKE, report_input, street_points

HOTLINE = PAGE_SIZE + 40  # more than one page: the export must not stop at the loaded rows


@pytest.fixture
def keep() -> Iterator[list[object]]:
    """Widgets made in a test, held until the bridge's worker has stopped: a finished call
    may still hold the last reference to one, and a widget must not die on that thread."""
    widgets: list[object] = []
    yield widgets
    widgets.clear()


@pytest.fixture
def bridge(keep: list[object]) -> Iterator[Bridge]:
    bridge = Bridge()
    yield bridge
    bridge.shutdown()


@pytest.fixture
def seeded(demo_db: Database, clock: Clock) -> Database:
    (_, _, p1), (_, _, p2) = street_points(demo_db)
    reports = [
        report_input(p1, source="hotline", address=f"莲湖路{i}号", description="垃圾")
        for i in range(HOTLINE)
    ]
    reports += [report_input(p2, address="=cmd|' /C calc'!A0", description="注入")]
    reports += [report_input(p2, source="video", address=f"西大街{i}号") for i in range(5)]
    result = bulk_report(demo_db, INTAKE, reports, now=clock(), locator=DbLocator(demo_db))
    assert result.accepted == len(reports)
    return demo_db


def _panel(
    qtbot: QtBot, bridge: Bridge, keep: list[object], db: Database, clock: Clock, user: str
) -> QueuePanel:
    workbench = Workbench(db, username=user, clock=clock)
    panel = QueuePanel(bridge, workbench, queue_tabs(), QueueFilter)
    qtbot.addWidget(panel)
    keep.append(panel)
    with qtbot.waitSignal(panel.model.total_changed, timeout=30_000):
        bridge.submit(workbench.filter_choices, panel.set_choices)
        panel.reload()
    panel.show()
    return panel


def _choose(qtbot: QtBot, panel: QueuePanel, box_name: str, data: object) -> None:
    box = getattr(panel, f"{box_name}_box")
    qtbot.waitUntil(lambda: box.findData(data) >= 0, timeout=10_000)
    with qtbot.waitSignal(panel.model.total_changed, timeout=30_000):
        box.setCurrentIndex(box.findData(data))


def test_export_csv_of_the_filtered_queue_in_the_columns_on_screen(
    qtbot: QtBot, bridge: Bridge, keep: list[object], seeded: Database, clock: Clock, tmp_path: Path
) -> None:
    panel = _panel(qtbot, bridge, keep, seeded, clock, "duty_chief")
    assert len(EXPORT_KEYS) == panel.model.columnCount()
    # The panel's copy of the service's default columns (a view does not import it) agrees.
    assert EXPORT_KEYS == QUEUE_COLUMNS
    assert panel.export_action in panel.table.actions()
    _choose(qtbot, panel, "source", "hotline")
    assert panel.model.total == HOTLINE and len(panel.model.rows) == PAGE_SIZE
    header = panel.table.horizontalHeader()
    header.hideSection(1)  # the light
    header.moveSection(6, 0)  # the street first
    path = tmp_path / "热线.csv"
    with qtbot.waitSignal(panel.export_finished, timeout=30_000) as done:
        panel.export_to(str(path))
    assert done.args[0].count == HOTLINE
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    titles = [str(panel.model.headerData(i, header.orientation())) for i in range(12)]
    expected = [titles[6]] + [t for i, t in enumerate(titles) if i not in (1, 6)]
    assert rows[0] == expected
    assert len(rows) == HOTLINE + 1
    with seeded.read() as s:
        assert count_queue(s, panel.current_filter(), clock()) == HOTLINE
    numbers_on_screen = [r.number for r in panel.model.rows]
    assert [r[1] for r in rows[1 : PAGE_SIZE + 1]] == numbers_on_screen  # same order
    assert {r[0] for r in rows[1:]} == {street_name(panel)}
    assert "莲湖路0号" in {
        r[5] for r in rows[1:]
    }  # street, number, time left, state, category, address
    assert panel.export_message is not None and str(HOTLINE) in panel.export_message.text()


def street_name(panel: QueuePanel) -> str:
    return panel.model.rows[0].street_name


def test_export_xlsx_keeps_formula_text_as_text(
    qtbot: QtBot, bridge: Bridge, keep: list[object], seeded: Database, clock: Clock, tmp_path: Path
) -> None:
    panel = _panel(qtbot, bridge, keep, seeded, clock, "leader")
    _choose(qtbot, panel, "source", "inspector")
    path = tmp_path / "out.xlsx"
    with qtbot.waitSignal(panel.export_finished, timeout=30_000) as done:
        panel.export_to(str(path))
    assert done.args[0].count == 1
    sheet = load_workbook(path).active
    assert [c.value for c in sheet[1]] == [t for _, t in panel.visible_columns()]
    address = [k for k, _ in panel.visible_columns()].index("address") + 1
    cell = sheet.cell(row=2, column=address)
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"


def test_export_needs_the_permission(
    qtbot: QtBot, bridge: Bridge, keep: list[object], seeded: Database, clock: Clock, tmp_path: Path
) -> None:
    panel = _panel(qtbot, bridge, keep, seeded, clock, "inspector")  # views queues, exports nothing
    path = tmp_path / "no.csv"
    with qtbot.waitSignal(panel.export_failed, timeout=30_000):
        panel.export_to(str(path))
    assert not path.exists()
