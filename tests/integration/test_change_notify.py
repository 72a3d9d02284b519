"""LISTEN/NOTIFY on the real server: migration 0006's trigger and the ChangeListener.

A commit in another process wakes a listening seat; a commit in another schema of the same
server does not; the listener comes back by itself after its connection is cut (through the
TCP proxy of tests/integration/tcp_proxy.py, never by stopping the shared server).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

import console
from console.bridge import Bridge
from console.cli import main
from console.db import Database
from console.models import Category
from console.services.actors import Actor
from console.services.cases.service import CaseService
from console.services.change_notify import CHANNEL, ChangeListener, connect_kwargs
from console.services.demo import random_points_in_grids
from console.services.reference import data as reference_data
from console.services.report_input import ReportInput
from console.services.workbench import Workbench
from tests.integration.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres

INSPECTOR = Actor(id=None, name="监督员甲", role="inspector")
#: Generous bounds for things that take milliseconds: waits, not timing assertions.
WAIT_S = 15.0


def seed(url: str) -> Database:
    """The demo district and people in the schema of ``url`` (no cases)."""
    assert main(["--db", url, "seed-demo", "--cases", "0", "--seed", "2"]) == 0
    return Database(url)


def commit_report(db: Database, description: str = "通知测试上报", seed: int = 1) -> int:
    """One new case through the real service: one transaction, one case_events row."""
    with db.read() as s:
        code, kind = s.execute(
            select(Category.code, Category.kind)
            .where(Category.taxonomy == reference_data.TAXONOMY_GBT2026)
            .order_by(Category.code, Category.kind)
            .limit(1)
        ).one()
        lons, lats = random_points_in_grids(s, 1, seed=seed)
    report = ReportInput(
        category_code=code,
        kind=kind,
        lon=float(lons[0]),
        lat=float(lats[0]),
        description=description,
        address="莲湖路1号",
        source="hotline",
    )
    return CaseService(db).report(INSPECTOR, report).id


class Wakes:
    """Counts a listener's wakes and states; waits for them from the test thread."""

    def __init__(self) -> None:
        self.count = 0
        self.states: list[bool] = []
        self._cond = threading.Condition()

    def wake(self) -> None:
        with self._cond:
            self.count += 1
            self._cond.notify_all()

    def state(self, listening: bool) -> None:
        with self._cond:
            self.states.append(listening)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float = WAIT_S) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)


@pytest.fixture
def other_schema_url(pg_url: str) -> Iterator[str]:
    """A second fresh schema on the same server (the pg_url fixture gives one per test)."""
    schema = f"grid_test_{uuid.uuid4().hex[:12]}"
    base = make_url(pg_url).difference_update_query(["options"])
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def listen(db: Database, wakes: Wakes, **kwargs: float) -> ChangeListener:
    listener = ChangeListener(db.engine, wakes.wake, on_state=wakes.state, **kwargs).start()
    assert wakes.wait_for(lambda: listener.listening), "the listener never connected"
    return listener


def test_the_trigger_notifies_once_per_transaction_with_its_schema(pg_url: str) -> None:
    db = seed(pg_url)
    try:
        with db.read() as s:
            schema = s.scalar(text("SELECT current_schema()"))
            # FOR EACH STATEMENT: a bulk insert is one pg_notify, not one per row.
            row_level = s.scalar(
                text(
                    "SELECT t.tgtype & 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE t.tgname = 'case_events_notify' AND n.nspname = current_schema()"
                )
            )
        assert row_level == 0
        with psycopg.connect(autocommit=True, **connect_kwargs(db.engine)) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            case_id = commit_report(db)
            # One transaction, 2,000 more events in two statements: still one notification.
            with db.session() as s:
                for _ in range(2):
                    s.execute(
                        text(
                            "INSERT INTO case_events (case_id, at, action, from_state, to_state,"
                            " actor_name, actor_role) SELECT case_id, at, 'add_note', to_state,"
                            " to_state, actor_name, actor_role FROM case_events, "
                            "generate_series(1, 1000) WHERE case_events.id = "
                            "(SELECT min(id) FROM case_events WHERE case_id = :id)"
                        ),
                        {"id": case_id},
                    )
            with db.session() as s:  # a transaction that appends no event sends nothing
                s.execute(
                    text("UPDATE cases SET description = description WHERE id = :id"),
                    {"id": case_id},
                )
            payloads = [n.payload for n in conn.notifies(timeout=WAIT_S, stop_after=2)]
            payloads += [n.payload for n in conn.notifies(timeout=0.5)]  # and nothing more
    finally:
        db.dispose()
    assert [json.loads(p) for p in payloads] == [{"schema": schema, "table": "case_events"}] * 2


def test_a_commit_in_another_process_wakes_the_listener(pg_url: str) -> None:
    db = seed(pg_url)
    wakes = Wakes()
    listener = listen(db, wakes)
    try:
        before = wakes.count
        root = Path(console.__file__).resolve().parent.parent
        env = {**os.environ, "PYTHONPATH": str(root)}
        # The feed bench's writer: one new case through CaseService, in its own process.
        writer = subprocess.run(
            [sys.executable, "-m", "console.bench.feed_bench", "writer", pg_url, "1", "3"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert writer.returncode == 0, writer.stderr[-2000:]
        assert "change " in writer.stdout
        assert wakes.wait_for(lambda: wakes.count > before), "no wake after the commit"
    finally:
        listener.stop()
        db.dispose()
    assert not listener.listening


def test_notifications_are_scoped_to_the_schema(pg_url: str, other_schema_url: str) -> None:
    mine, theirs = seed(pg_url), seed(other_schema_url)
    my_wakes, their_wakes = Wakes(), Wakes()
    listeners = [listen(mine, my_wakes), listen(theirs, their_wakes)]
    try:
        assert listeners[0].schema != listeners[1].schema
        my_wakes.count = their_wakes.count = 0
        # Notifications reach every listener in commit order: by the time a listener wakes
        # for its own schema's commit, it has seen (and dropped) the other schema's before.
        commit_report(theirs, seed=1)
        assert their_wakes.wait_for(lambda: their_wakes.count == 1)
        commit_report(mine, seed=2)
        assert my_wakes.wait_for(lambda: my_wakes.count == 1)
        commit_report(theirs, seed=3)
        assert their_wakes.wait_for(lambda: their_wakes.count == 2)
        assert my_wakes.count == 1
        assert their_wakes.count == 2
    finally:
        for listener in listeners:
            listener.stop()
        mine.dispose()
        theirs.dispose()


def test_the_listener_reconnects_after_its_connection_is_cut(pg_url: str) -> None:
    db = seed(pg_url)
    with TcpProxy() as proxy:
        through_proxy = Database(proxy.url_for(pg_url), migrate=False)
        wakes = Wakes()
        listener = listen(through_proxy, wakes, first_backoff_s=0.1, max_backoff_s=0.5)
        try:
            assert proxy.cut() >= 1
            assert wakes.wait_for(lambda: wakes.states[-1] is False), "the drop went unnoticed"
            assert not listener.listening
            woken_while_down = wakes.count
            commit_report(db)  # straight to the server: nobody hears it
            assert wakes.count == woken_while_down
            proxy.restore()
            # Back: listening again, and one wake to catch up on what was missed.
            assert wakes.wait_for(lambda: listener.listening and listener.connects == 2)
            assert wakes.wait_for(lambda: wakes.count > woken_while_down)
            caught_up = wakes.count
            commit_report(db, seed=2)
            assert wakes.wait_for(lambda: wakes.count > caught_up), "no wake after reconnecting"
            assert wakes.states == [True, False, True]
        finally:
            listener.stop()
            through_proxy.dispose()
            db.dispose()


def test_a_notification_polls_the_seats_feed_at_once(qtbot: QtBot, pg_url: str) -> None:
    db = seed(pg_url)
    other = Database(pg_url, migrate=False)  # another seat
    bridge = Bridge()
    try:
        workbench = Workbench(db, username="duty_chief")
        seen: list[Any] = []
        bridge.changes_applied.connect(seen.extend)
        # A timer that would not fire during the test: only a notification can bring the change.
        bridge.follow(workbench.poll_changes, interval_ms=600_000)
        qtbot.waitUntil(lambda: bridge.listening, timeout=int(WAIT_S * 1000))
        case_ids = [commit_report(other, seed=i) for i in range(1, 6)]
        qtbot.waitUntil(
            lambda: {c.case_id for c in seen} == set(case_ids), timeout=int(WAIT_S * 1000)
        )
        assert len(seen) == len({c.event_id for c in seen}) == len(case_ids)  # each once
    finally:
        bridge.shutdown()
        other.dispose()
        db.dispose()
    assert not bridge.listening
