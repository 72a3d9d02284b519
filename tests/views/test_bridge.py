"""The bridge: results and errors come back on the GUI thread; the feed reports its health."""

from __future__ import annotations

import sys
import threading

from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.errors import ValidationError


def test_results_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    bridge = Bridge()
    seen: list[tuple[object, bool]] = []
    worker_threads: list[str] = []

    def work() -> int:
        worker_threads.append(threading.current_thread().name)
        return 42

    bridge.submit(
        work, lambda v: seen.append((v, threading.current_thread() is threading.main_thread()))
    )
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [(42, True)]
    assert worker_threads[0].startswith("db-worker")
    bridge.shutdown()


def test_the_last_references_to_callbacks_are_dropped_on_the_gui_thread(qtbot: QtBot) -> None:
    """A view whose only reference is a pending call must not be destroyed on the worker.

    Qt objects destroyed on the wrong thread crash the process; plain objects stand in for
    them here and record where they died. Some calls fail, some have no error handler.
    """
    bridge = Bridge()
    died_in: list[str] = []
    delivered: list[int] = []

    class View:
        def __init__(self, n: int) -> None:
            self.n = n

        def __del__(self) -> None:
            died_in.append(threading.current_thread().name)

        def done(self, value: int) -> None:
            delivered.append(value)

        def failed(self, exc: ValidationError) -> None:
            delivered.append(-self.n)

    def work(view: View) -> int:
        if view.n % 3 == 0:
            raise ValidationError("拒绝")
        return view.n

    rounds = 200
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the GIL over often: the race shows up in a few rounds
    try:
        for n in range(1, rounds + 1):
            view = View(n)
            bridge.submit(lambda v=view: work(v), view.done, view.failed)
            del view
            if n % 10 == 0:  # let the GUI thread deliver while the worker is busy
                qtbot.waitUntil(lambda n=n: len(delivered) == n, timeout=10_000)
        qtbot.waitUntil(lambda: len(died_in) == rounds, timeout=5000)
    finally:
        sys.setswitchinterval(switch)
    assert set(died_in) == {threading.main_thread().name}
    assert sorted(delivered) == sorted(n if n % 3 else -n for n in range(1, rounds + 1))
    bridge.shutdown()


def test_a_cancelled_call_never_runs_and_lets_go_of_its_view_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    bridge = Bridge()
    gate = threading.Event()
    died_in: list[str] = []
    ran: list[int] = []

    class View:
        def __del__(self) -> None:
            died_in.append(threading.current_thread().name)

        def done(self, value: int) -> None:
            ran.append(value)

    blocker = bridge.submit(gate.wait)  # the worker is busy: what follows waits its turn
    view = View()
    waiting = bridge.submit(lambda: ran.append(1) or 1, view.done)
    del view
    assert bridge.cancel(waiting) is True
    assert died_in == [threading.main_thread().name]  # let go here, at once
    gate.set()
    qtbot.waitUntil(blocker.done, timeout=5000)
    later = bridge.submit(lambda: 2, ran.append)
    qtbot.waitUntil(lambda: ran == [2], timeout=5000)  # the cancelled call never ran
    assert bridge.cancel(later) is False  # finished: nothing to cancel
    bridge.shutdown()


def test_long_work_runs_beside_the_interactive_reads(qtbot: QtBot) -> None:
    """An import on the long-work worker does not hold up a queue page (issue 14 §1)."""
    bridge = Bridge()
    gate = threading.Event()
    got: list[str] = []
    long = bridge.submit_long(lambda: gate.wait(10) and "imported", got.append)
    bridge.submit(lambda: threading.current_thread().name, got.append)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=5000)
    assert got[0].startswith("db-worker") and not long.done()  # answered while it ran
    gate.set()
    qtbot.waitUntil(lambda: got == [got[0], "imported"], timeout=5000)
    bridge.shutdown()


def test_errors_go_to_on_error_or_the_reporter(qtbot: QtBot) -> None:
    bridge = Bridge()
    handled: list[str] = []
    reported: list[str] = []
    bridge.error_reported.connect(reported.append)

    def refuse() -> None:
        raise ValidationError("缺少问题描述")

    def crash() -> None:
        raise RuntimeError("boom")

    bridge.submit(refuse, on_error=lambda exc: handled.append(exc.message))
    bridge.submit(refuse)
    bridge.submit(crash, on_error=lambda exc: handled.append("never"))
    qtbot.waitUntil(lambda: len(reported) == 2 and len(handled) == 1, timeout=5000)
    assert handled == ["缺少问题描述"]
    assert reported[0] == "缺少问题描述" and "boom" in reported[1]
    bridge.shutdown()


def test_feed_health_and_changes(qtbot: QtBot) -> None:
    bridge = Bridge()
    state = {"fail": True, "n": 0}
    health: list[tuple[bool, str]] = []
    batches: list[object] = []
    bridge.feed_health_changed.connect(lambda ok, why: health.append((ok, why)))
    bridge.changes_applied.connect(batches.append)

    def poll() -> list[int]:
        state["n"] += 1
        if state["fail"]:
            raise OSError("database file is gone")
        return [state["n"]]

    bridge.follow(poll, interval_ms=20)
    qtbot.waitUntil(lambda: bool(health), timeout=5000)
    assert health[0][0] is False and "数据库连接失败" in health[0][1]
    state["fail"] = False
    qtbot.waitUntil(lambda: len(health) == 2 and bool(batches), timeout=5000)
    assert health[1] == (True, "")
    bridge.shutdown()


LEAK_PROBE = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QCoreApplication, QTimer
from console.bridge import Bridge
app = QCoreApplication([])
bridge = Bridge()
done = []
before = sys.getrefcount(True)
for i in range(2000):
    bridge.submit(lambda i=i: (i, [i], {i}), done.append)
def check():
    if len(done) < 2000:
        QTimer.singleShot(20, check)
        return
    print(sys.getrefcount(True) - before)
    bridge.shutdown()
    app.quit()
QTimer.singleShot(20, check)
app.exec()
"""


def test_many_deliveries_keep_reference_counts() -> None:
    # PySide6 6.12.0 dropped a reference to True on every signal delivered to Python, which
    # kills the interpreter on Python 3.11 after a few thousand updates (pyproject pins < 6.12).
    # Measured in a fresh interpreter: in the test process other objects come and go.
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, "-c", LEAK_PROBE], capture_output=True, text=True, timeout=120, cwd=root
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert abs(int(run.stdout.strip().splitlines()[-1])) < 200  # the bug: about -2000
