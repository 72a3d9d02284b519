"""The one Qt bridge: runs service calls on the database worker and brings results home.

Views never call a service directly. They hand a callable to :meth:`Bridge.submit`; it runs on
a single worker thread (one owner for database work, as in Anki's collection executor) and its
result or error comes back as a queued signal, so callbacks always run on the GUI thread and the
GUI thread never waits on the database. The bridge also follows the change feed and re-emits it
as :attr:`Bridge.changes_applied`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from console.errors import ConsoleError, DatabaseUnavailableError

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class Bridge(QObject):
    #: A batch of console.services.change_feed.CaseChange, in event order.
    changes_applied = Signal(object)
    #: Whether the change feed works, and why not when it does not.
    feed_health_changed = Signal(bool, str)
    #: A failure nobody handled: the main window shows it in the status bar.
    error_reported = Signal(str)
    _finished = Signal(object, object)  # (callback, value): hops to the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-worker")
        self._finished.connect(self._on_finished)
        self._feed_timer = QTimer(self)
        self._feed_timer.timeout.connect(self._poll_feed)
        self._feed_poll: Callable[[], list[Any]] | None = None
        self._feed_busy = False
        self._feed_ok = True
        self._closed = False

    # -- background calls --------------------------------------------------------------

    def submit(
        self,
        call: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: Callable[[ConsoleError], None] | None = None,
    ) -> Future[Any]:
        """Run ``call`` on the worker; ``on_done(result)`` or ``on_error(exc)`` on the GUI thread.

        A :class:`ConsoleError` without ``on_error`` and any other exception go to
        :attr:`error_reported`. ``call`` must not touch widgets.
        """
        future = self._executor.submit(call)

        def finished(fut: Future[Any]) -> None:
            if self._closed:
                return
            exc = fut.exception()
            if exc is None:
                if on_done is not None:
                    self._finished.emit(on_done, fut.result())
            elif isinstance(exc, ConsoleError) and on_error is not None:
                self._finished.emit(on_error, exc)
            else:
                self._finished.emit(self._report, exc)

        future.add_done_callback(finished)
        return future

    def post(self, callback: Callback, value: Any) -> None:
        """Call ``callback(value)`` on the GUI thread, from any thread (e.g. the scheduler's)."""
        if not self._closed:
            self._finished.emit(callback, value)

    @Slot(object, object)
    def _on_finished(self, callback: Callback, value: Any) -> None:
        try:
            callback(value)
        except Exception:  # a view's callback failed: report, never kill the event loop
            log.exception("callback failed")
            self.error_reported.emit(traceback.format_exc(limit=3).splitlines()[-1])

    def _report(self, exc: BaseException) -> None:
        if isinstance(exc, ConsoleError):
            self.error_reported.emit(exc.message)
        else:
            log.error("background call failed", exc_info=exc)
            self.error_reported.emit(f"{type(exc).__name__}: {exc}")

    # -- the change feed ---------------------------------------------------------------

    def follow(self, poll: Callable[[], list[Any]], interval_ms: int = 500) -> None:
        """Call ``poll`` on the worker every ``interval_ms``; emit its non-empty results."""

        def guarded() -> list[Any]:
            try:
                return poll()
            except ConsoleError:
                raise
            except Exception as exc:  # the database went away: say so, keep polling
                raise DatabaseUnavailableError(f"数据库连接失败: {exc}") from exc

        self._feed_poll = guarded
        self._feed_timer.start(interval_ms)

    def _poll_feed(self) -> None:
        if self._feed_busy or self._feed_poll is None:
            return  # the previous poll is still running: never queue them up
        self._feed_busy = True
        self.submit(self._feed_poll, self._on_feed, self._on_feed_error)

    def _on_feed(self, changes: list[Any]) -> None:
        self._feed_busy = False
        if not self._feed_ok:
            self._feed_ok = True
            self.feed_health_changed.emit(True, "")
        if changes:
            self.changes_applied.emit(changes)

    def _on_feed_error(self, exc: ConsoleError) -> None:
        self._feed_busy = False
        if self._feed_ok:
            self._feed_ok = False
            self.feed_health_changed.emit(False, exc.message)

    def shutdown(self) -> None:
        """Stop the feed and the worker (waits for the running call, drops queued ones)."""
        self._closed = True
        self._feed_timer.stop()
        self._executor.shutdown(wait=True, cancel_futures=True)
