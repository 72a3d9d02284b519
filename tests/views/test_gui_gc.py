"""Cyclic garbage is collected on the GUI thread, never on a worker (console/views/gui_gc.py)."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from console.views.app import application
from console.views.gui_gc import GuiGarbageCollector, collect_due, collect_on_gui_thread


class _Node(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.me: Any = self  # a reference cycle: only the cyclic collector frees it


def test_a_qobject_in_a_cycle_is_collected_on_the_gui_thread(qtbot: QtBot) -> None:
    app = application()
    assert collect_on_gui_thread(app) is collect_on_gui_thread(app)  # one per app
    assert app.findChildren(GuiGarbageCollector) and not gc.isenabled()

    freed_on: list[int] = []
    node = _Node()
    weakref.finalize(node, lambda: freed_on.append(threading.get_ident()))
    del node

    def churn() -> None:  # far past gen 0's threshold: with automatic collection, it runs here
        junk: list[Any] = []
        for _ in range(50 * gc.get_threshold()[0]):
            pair: list[Any] = []
            pair.append(pair)
            junk.append(pair)

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    assert freed_on == []  # the worker's allocations collected nothing

    qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)  # the app's timer did
    assert freed_on == [threading.main_thread().ident]


def test_collect_due_follows_the_thresholds() -> None:
    gc.collect()
    assert collect_due() is None  # nothing allocated since
    for _ in range(gc.get_threshold()[0] + 10):
        cycle: list[Any] = []
        cycle.append(cycle)
    assert collect_due() in (0, 1, 2)
    assert gc.get_count()[0] < gc.get_threshold()[0]
