"""LISTEN/NOTIFY: wake a seat's change feed the moment another seat commits (PostgreSQL).

Migration 0006 makes every INSERT statement on ``case_events`` send a notification on
:data:`CHANNEL` whose payload names the table's schema. A :class:`ChangeListener` keeps one
connection of its own in autocommit, LISTENs, and calls ``wake()`` for each notification of its
own schema (several schemas may share a server). The notification only says "look": the feed's
poll reads what changed, so a lost notification costs latency, never an event.

When the connection drops, the listener reports it (``on_state(False)``), reconnects with
backoff, and on success reports it back and wakes once: whatever was committed while nobody was
listening is waiting for the next poll. On SQLite there is nothing to listen to
(:func:`supports_listen`); the seat's poll alone serves.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger(__name__)

#: Keep in step with migration 0006.
CHANNEL = "grid_console_changes"
#: Reconnect delays: doubled after each failure up to the cap, reset once listening again.
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 5.0
#: How often the listening loop looks up from the socket (to notice stop() and to ping).
POLL_S = 0.5
#: A ping this often notices a dead server even when no notification comes.
PING_EVERY_S = 5.0
#: libpq settings of the listening connection: give up connecting, and notice a silent
#: network (no FIN, no RST) within seconds rather than the kernel's two hours.
CONNECT_OPTIONS: dict[str, Any] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


def supports_listen(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"


def connect_kwargs(engine: Engine) -> dict[str, Any]:
    """psycopg.connect() arguments for ``engine``'s database (same host, user, search_path)."""
    args, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.pop("context", None)  # the engine's adapters: the listener reads no rows
    if args:  # the psycopg dialect passes keywords only; a conninfo string would come first
        kwargs = {"conninfo": args[0], **kwargs}
    return {**CONNECT_OPTIONS, **kwargs}


class ChangeListener:
    """A daemon thread that LISTENs on :data:`CHANNEL` and calls ``wake()`` for its schema.

    ``wake`` and ``on_state`` run on the listener's thread: keep them short and thread-safe
    (emit a Qt signal, set an event).
    """

    def __init__(
        self,
        engine: Engine,
        wake: Callable[[], None],
        *,
        on_state: Callable[[bool], None] | None = None,
        first_backoff_s: float = FIRST_BACKOFF_S,
        max_backoff_s: float = MAX_BACKOFF_S,
    ) -> None:
        if not supports_listen(engine):
            raise ValueError(f"LISTEN needs PostgreSQL with psycopg, not {engine.dialect.name}")
        self._connect_kwargs = connect_kwargs(engine)
        self._wake = wake
        self._on_state = on_state
        self.first_backoff_s = first_backoff_s
        self.max_backoff_s = max_backoff_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-listener", daemon=True)
        self._conn: Any = None
        #: The schema this listener answers for (known once connected).
        self.schema: str | None = None
        #: Whether the LISTEN connection is up right now.
        self.listening = False
        #: How many times the connection was (re)established: 1 after the first start.
        self.connects = 0

    def start(self) -> ChangeListener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection (returns within about POLL_S)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    # -- the thread --------------------------------------------------------------------

    def _run(self) -> None:
        import psycopg

        backoff = self.first_backoff_s
        while not self._stop.is_set():
            try:
                with psycopg.connect(autocommit=True, **self._connect_kwargs) as conn:
                    row = conn.execute("SELECT current_schema()").fetchone()
                    self.schema = row[0] if row else None
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connects += 1
                    backoff = self.first_backoff_s
                    self._set_listening(True)
                    self._call(self._wake)  # catch up on what was committed unheard
                    self._listen(conn)
            except psycopg.Error as exc:
                if not self._stop.is_set():
                    log.info("change listener: connection lost or refused: %s", exc)
            finally:
                self._set_listening(False)
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.max_backoff_s)

    def _listen(self, conn: Any) -> None:
        last_ping = time.monotonic()
        while not self._stop.is_set():
            for note in conn.notifies(timeout=POLL_S):
                if self._mine(note.payload):
                    self._call(self._wake)  # at once; whoever is woken coalesces bursts
            if time.monotonic() - last_ping >= PING_EVERY_S:
                conn.execute("SELECT 1")  # raises when the server went away unnoticed
                last_ping = time.monotonic()

    def _mine(self, payload: str) -> bool:
        try:
            schema = json.loads(payload).get("schema")
        except (ValueError, AttributeError):
            return True  # not ours to judge: a spurious poll costs little
        return schema == self.schema

    def _set_listening(self, listening: bool) -> None:
        if listening == self.listening:
            return
        self.listening = listening
        if self._on_state is not None:
            self._call(self._on_state, listening)

    @staticmethod
    def _call(callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception:  # a callback's fault must not end the listening
            log.exception("change listener callback failed")
