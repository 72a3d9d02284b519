"""Losing the server: the seat keeps its head, says so, and catches up when it is back.

The machine's PostgreSQL server is shared, so "stopping the server" is the TCP proxy of
tests/integration/tcp_proxy.py: the seat talks to the server through it, and ``cut()`` closes
every connection and refuses new ones as a stopped server does, until ``restore()``. Another
seat (its own Database, straight to the server) keeps working meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QSettings, QTimer
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from console.bridge import Bridge
from console.config import LOCAL_TZ
from console.db import Database
from console.errors import DatabaseUnavailableError
from console.models import Case, CaseEvent
from console.services.queue import QueueFilter, queue_tabs
from console.services.workbench import Workbench
from console.views.main_window import MainWindow
from tests.integration.tcp_proxy import TcpProxy
from tests.integration.test_change_notify import commit_report, seed

pytestmark = pytest.mark.postgres

#: The issue's outage: the server gone for 30 s.
OUTAGE_S = 30


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    with TcpProxy() as running:
        yield running


def events_of(db: Database, case_id: int) -> list[str]:
    with db.read() as s:
        return list(
            s.scalars(
                select(CaseEvent.action).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )


def case_version(db: Database, case_id: int) -> tuple[str, int]:
    with db.read() as s:
        state, version = s.execute(select(Case.state, Case.version).where(Case.id == case_id)).one()
        return state, version


def test_an_action_during_an_outage_fails_clearly_and_writes_nothing(
    pg_url: str, proxy: TcpProxy
) -> None:
    server = seed(pg_url)
    seat_db = Database(proxy.url_for(pg_url), migrate=False)
    try:
        seat = Workbench(seat_db, username="duty_chief")
        first, second = commit_report(server, seed=1), commit_report(server, seed=2)
        before = {c: (case_version(server, c), events_of(server, c)) for c in (first, second)}

        proxy.cut()
        with pytest.raises(DatabaseUnavailableError) as refused:
            seat.act("register", first, before[first][0][1])
        assert "数据库服务器" in refused.value.message and "未执行" in refused.value.message
        # A batch stops knocking once the server is gone, and says why for every case.
        outcomes = seat.dispatch_many(
            [(first, before[first][0][1]), (second, before[second][0][1])], department_id=None
        )
        assert [o.snapshot for o in outcomes] == [None, None]
        assert {o.error for o in outcomes} == {refused.value.message}
        with pytest.raises(DatabaseUnavailableError):
            seat.poll_changes()

        # The connection dies in the middle of a transaction: nothing of it stays.
        proxy.restore()
        with pytest.raises(DatabaseUnavailableError), seat_db.session() as s:
            s.execute(
                text(
                    "INSERT INTO case_events (case_id, at, action, from_state, to_state,"
                    " actor_name, actor_role) SELECT case_id, at, 'add_note', to_state, to_state,"
                    " actor_name, actor_role FROM case_events WHERE case_id = :id"
                ),
                {"id": first},
            )
            proxy.cut()
            s.execute(text("SELECT 1"))
        assert {
            c: (case_version(server, c), events_of(server, c)) for c in (first, second)
        } == before

        # Back: the same seat acts again without being restarted.
        proxy.restore()
        snap = seat.act("register", first, before[first][0][1])
        assert snap.state == "registered"
        assert events_of(server, first) == [*before[first][1], "register"]
    finally:
        seat_db.dispose()
        server.dispose()


@pytest.mark.slow
def test_the_console_rides_out_a_30_s_outage(
    qtbot: QtBot, pg_url: str, proxy: TcpProxy, tmp_path: Path
) -> None:
    server = seed(pg_url)
    seat_db = Database(proxy.url_for(pg_url), migrate=False)
    bridge = Bridge()
    win: MainWindow | None = None
    try:
        known = commit_report(server, seed=1)
        workbench = Workbench(seat_db, username="duty_chief")
        win = MainWindow(
            bridge,
            workbench,
            tabs=queue_tabs(),
            filter_type=QueueFilter,
            settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
            theme="light",
        )
        seen: list[Any] = []
        reachable: list[tuple[bool, Any]] = []
        bridge.changes_applied.connect(seen.extend)
        bridge.database_reachable_changed.connect(lambda ok, last: reachable.append((ok, last)))
        bridge.follow(workbench.poll_changes, interval_ms=200)  # listens: a PostgreSQL seat
        with qtbot.waitSignal(win.first_view_ready, timeout=30_000):
            win.show()
        banner = win.connection_banner
        qtbot.waitUntil(lambda: bridge.listening, timeout=15_000)
        assert banner.isHidden()

        # The GUI thread's heartbeat: the longest pause between two ticks tells if it blocked.
        ticks = {"n": 0, "longest_ms": 0}
        since = QElapsedTimer()
        since.start()

        def tick() -> None:
            ticks["n"] += 1
            ticks["longest_ms"] = max(ticks["longest_ms"], since.restart())

        heartbeat = QTimer(interval=100)
        heartbeat.timeout.connect(tick)
        heartbeat.start()

        proxy.cut()
        down_at = time.monotonic()
        qtbot.waitUntil(lambda: banner.isVisible(), timeout=15_000)
        assert [ok for ok, _ in reachable] == [False]
        last_reached = reachable[0][1]  # the last poll that worked: just before the cut
        assert 0 <= (datetime.now(UTC) - last_reached).total_seconds() < 15
        assert banner.label.text() == banner.message(last_reached)
        assert last_reached.astimezone(LOCAL_TZ).strftime("%H:%M:%S") in banner.label.text()
        assert win.feed_label.text() == win.tr("Live feed down")

        # Another seat, straight to the server, keeps working during the outage.
        during = commit_report(server, seed=2)
        # This seat's action fails with a clear message and writes nothing.
        failures: list[Any] = []
        state_before = case_version(server, known)
        bridge.submit(
            lambda: workbench.act("register", known, state_before[1]),
            lambda snap: failures.append(snap),
            failures.append,
        )
        qtbot.waitUntil(lambda: bool(failures), timeout=15_000)
        assert isinstance(failures[0], DatabaseUnavailableError)

        qtbot.wait(int(max(0.0, OUTAGE_S - (time.monotonic() - down_at)) * 1000))
        assert banner.isVisible()
        assert all(c.case_id != during for c in seen)  # nothing could reach the seat
        proxy.restore()

        # Back by itself: the banner goes, the feed catches up, each event once.
        qtbot.waitUntil(lambda: banner.isHidden(), timeout=20_000)
        assert [ok for ok, _ in reachable] == [False, True]
        qtbot.waitUntil(lambda: any(c.case_id == during for c in seen), timeout=15_000)
        after = commit_report(server, seed=3)  # a later commit: every earlier id is in by then
        qtbot.waitUntil(lambda: any(c.case_id == after for c in seen), timeout=15_000)
        qtbot.waitUntil(lambda: bridge.listening, timeout=15_000)
        assert [c.action for c in seen if c.case_id == during] == ["report"]
        ids = [c.event_id for c in seen]
        assert len(ids) == len(set(ids))
        assert case_version(server, known) == state_before
        assert events_of(server, known) == ["report"]
        assert win.feed_label.text() == win.tr("Live ●")

        heartbeat.stop()
        assert ticks["n"] >= OUTAGE_S * 5  # ~10 a second for the whole outage, at least half
        assert ticks["longest_ms"] < 3_000  # never frozen (a blocked connect waits 5 s)
    finally:
        bridge.shutdown()
        if win is not None:
            win.close()
            win.deleteLater()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        seat_db.dispose()
        server.dispose()
