"""Live changes keep a queue in the order the seat chose: a changed case takes the place the next
page load would give it (or waits for its page), never simply the top (real demo SQLite, the
real model and worker)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QEvent, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtWidgets import QApplication, QTableView, QToolTip
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter
from console.services.workbench import Workbench
from console.views.queue_model import PAGE_SIZE, QueueTableModel
from tests.conftest import Clock
from tests.services.console_support import CHIEF, INTAKE, report_input, street_points


@pytest.fixture
def bridge() -> Iterator[Bridge]:
    b = Bridge()
    yield b
    b.shutdown()


def _model(bridge: Bridge, demo_db: Database, clock: Clock) -> QueueTableModel:
    return QueueTableModel(bridge, Workbench(demo_db, username="duty_chief", clock=clock))


def _report(service: CaseService, db: Database, clock: Clock, n: int) -> list[int]:
    (_, _, point), _ = street_points(db)
    ids = []
    for _ in range(n):
        clock.advance(minutes=7)
        ids.append(service.report(INTAKE, report_input(point)).id)
    return ids


def _load(qtbot: QtBot, model: QueueTableModel, f: QueueFilter) -> None:
    with qtbot.waitSignal(model.total_changed, timeout=20_000):
        model.load(f)


def _apply(qtbot: QtBot, model: QueueTableModel, ids: list[int]) -> None:
    with qtbot.waitSignal(model.total_changed, timeout=20_000):
        model.apply_changes(ids)


def _database_order(model: QueueTableModel, count: int) -> list[int]:
    return [r.id for r in model.workbench.queue_page(model.filter, 0, count)]


def test_a_changed_case_on_a_later_page_is_not_put_on_top(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    service = CaseService(demo_db, clock=clock)
    ids = _report(service, demo_db, clock, PAGE_SIZE + 30)
    model = _model(bridge, demo_db, clock)
    _load(qtbot, model, QueueFilter(tab="search"))  # newest first, one page loaded
    assert (len(model.rows), model.total) == (PAGE_SIZE, PAGE_SIZE + 30)

    oldest = service.register(CHIEF, ids[0], 1)  # a case past the loaded page moves
    _apply(qtbot, model, [oldest.id])
    assert model.row_of(oldest.id) is None  # it waits for its page, not on top
    assert model.total == PAGE_SIZE + 30  # the same case, not one more
    assert [r.id for r in model.rows] == _database_order(model, PAGE_SIZE)

    new = _report(service, demo_db, clock, 1)[0]
    _apply(qtbot, model, [new])
    assert model.rows[0].id == new and model.total == PAGE_SIZE + 31
    assert [r.id for r in model.rows] == _database_order(model, PAGE_SIZE + 1)


def test_oldest_first_a_new_case_waits_for_the_last_page(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    service = CaseService(demo_db, clock=clock)
    _report(service, demo_db, clock, PAGE_SIZE + 5)
    model = _model(bridge, demo_db, clock)
    _load(qtbot, model, QueueFilter(tab="search", descending=False))
    new = _report(service, demo_db, clock, 1)[0]
    _apply(qtbot, model, [new])
    assert model.row_of(new) is None and model.total == PAGE_SIZE + 6
    assert [r.id for r in model.rows] == _database_order(model, PAGE_SIZE)


def test_a_loaded_case_whose_sort_value_changes_moves_and_the_selection_follows(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    service = CaseService(demo_db, clock=clock)
    ids = _report(service, demo_db, clock, 6)
    model = _model(bridge, demo_db, clock)
    _load(qtbot, model, QueueFilter(tab="search", sort="state", descending=False))
    assert [r.id for r in model.rows] == _database_order(model, 6)
    at = model.row_of(ids[2])
    assert at is not None
    held = QPersistentModelIndex(model.index(at, 0))  # what a view's selection holds

    service.register(CHIEF, ids[2], 1)  # 待立案 → 待派遣: after every reported case
    _apply(qtbot, model, [ids[2]])
    assert [r.id for r in model.rows] == _database_order(model, 6)
    assert model.rows[-1].id == ids[2] and model.total == 6
    assert held.isValid() and held.row() == len(model.rows) - 1

    # And in a queue the case leaves, its row goes (the order of the rest kept).
    _load(qtbot, model, QueueFilter(tab="to_register", descending=False))
    service.register(CHIEF, ids[3], 1)
    _apply(qtbot, model, [ids[3]])
    assert model.row_of(ids[3]) is None and model.total == 4
    assert [r.id for r in model.rows] == _database_order(model, 4)


def test_a_superseded_load_is_cancelled_not_run(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    """Tab hopping or typing in the search box: the loads overtaken before the worker got to
    them are cancelled (issue 14 §1), only the last one reads."""
    import threading

    model = _model(bridge, demo_db, clock)
    read: list[str] = []
    real_count = model.workbench.queue_count

    def count(f: QueueFilter) -> int:
        read.append(f.tab)
        return int(real_count(f))

    model.workbench.queue_count = count  # type: ignore[method-assign]
    gate = threading.Event()
    bridge.submit(gate.wait)  # the worker busy with something long
    for tab in ("to_register", "to_dispatch", "in_progress", "search"):
        model.load(QueueFilter(tab=tab))
    gate.set()
    qtbot.waitUntil(lambda: model.filter.tab == "search" and read == ["search"], timeout=10_000)
    qtbot.wait(200)
    assert read == ["search"]


ADDRESS = '<h1>莲湖路1号</h1><a href="http://evil.example/">点我</a>'
DESCRIPTION = "<img src=file:///etc/passwd> 垃圾 & <b>未清运</b>\n<script>alert(1)</script>"


def shown_by_qt(tip: str) -> QTextDocument:
    """The document Qt's tooltip label builds from ``tip`` (rich text when mightBeRichText)."""
    assert QtGui.Qt.mightBeRichText(tip)  # so Qt would render it as HTML: it must be escaped
    doc = QTextDocument()
    if QtGui.Qt.mightBeRichText(tip):  # Qt::mightBeRichText lives in QtGui
        doc.setHtml(tip)
    else:
        doc.setPlainText(tip)
    return doc


def test_the_address_tooltip_shows_the_publics_text_verbatim_never_as_html(
    qtbot: QtBot, bridge: Bridge, demo_db: Database, clock: Clock
) -> None:
    """A public report's address and description with markup (a heading, a local file as an
    image, a link, a script) are shown as typed in the queue's tooltip: escaped, no image,
    no heading, no link; and the real table view shows that very string."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    case = service.report(INTAKE, report_input(point, address=ADDRESS, description=DESCRIPTION))
    model = _model(bridge, demo_db, clock)
    _load(qtbot, model, QueueFilter(tab="search"))
    row = model.row_of(case.id)
    assert row is not None and model.tooltip_column >= 0
    tip = model.data(model.index(row, model.tooltip_column), Qt.ItemDataRole.ToolTipRole)
    assert isinstance(tip, str)
    for raw in ("<h1>", "<img", "<a ", "<script>", "<b>"):
        assert raw not in tip
    assert "&lt;img src=file:///etc/passwd&gt;" in tip and "&amp;" in tip

    doc = shown_by_qt(tip)
    shown = doc.toPlainText().replace("\u2028", "\n")
    assert shown == f"{ADDRESS}\n{DESCRIPTION}"  # every character, as typed
    block = doc.begin()
    while block.isValid():
        assert block.blockFormat().headingLevel() == 0
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert not fmt.isImageFormat() and not fmt.isAnchor()
            it += 1
        block = block.next()
    # Other columns carry no tooltip.
    assert model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole) is None

    # The real view asks the model and shows that string.
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1200, 400)
    view.show()
    qtbot.waitExposed(view)
    rect = view.visualRect(model.index(row, model.tooltip_column))
    assert rect.isValid()
    pos = rect.center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=5_000)
    assert QToolTip.text() == tip
    QToolTip.hideText()
