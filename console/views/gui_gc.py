"""Python's cyclic garbage collection on the GUI thread only.

A Qt object caught in a reference cycle is destroyed on whichever thread the collector happens
to run. On the Bridge's database worker, ``~QObject`` takes Qt's connection lock and then waits
for the GIL, while the GUI thread holds the GIL and waits for that lock in a ``connect``: the
console freezes for good (seen in the suite: the GUI thread stuck building a pyqtgraph view, the
worker in ``QObject::~QObject`` from a collection started by a SQLAlchemy read). As Anki does,
automatic collection is switched off and a timer on the GUI thread collects by gc's own
thresholds, so no Qt object is ever collected anywhere else.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the GUI thread looks at the collector's counts (ms).
INTERVAL_MS = 500


def collect_due() -> int | None:
    """Collect as automatic collection would now: the oldest generation past its threshold.

    Returns the generation collected, or None when gen 0 has not reached its threshold.
    """
    t0, t1, t2 = gc.get_threshold()
    c0, c1, c2 = gc.get_count()
    if c0 <= t0:
        return None
    generation = 2 if c2 > t2 else 1 if c1 > t1 else 0
    gc.collect(generation)
    return generation


class GuiGarbageCollector(QObject):
    """Owns the timer; made once per application by :func:`collect_on_gui_thread`."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.setObjectName("gui-garbage-collector")
        gc.disable()
        self._timer = QTimer(self, interval=INTERVAL_MS)
        self._timer.timeout.connect(collect_due)
        self._timer.start()


def collect_on_gui_thread(app: QCoreApplication) -> GuiGarbageCollector:
    """Switch automatic collection off and collect from ``app``'s thread (once per app)."""
    found = app.findChild(GuiGarbageCollector, "gui-garbage-collector")
    return found if isinstance(found, GuiGarbageCollector) else GuiGarbageCollector(app)
