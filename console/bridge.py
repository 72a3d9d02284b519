"""The one Qt bridge: runs service calls on the database worker and brings results home.

Views never call a service directly. They hand a callable to :meth:`Bridge.submit`; it runs on
a single worker thread (one owner for database work, as in Anki's collection executor) and its
result or error comes back as a queued signal, so callbacks always run on the GUI thread and the
GUI thread never waits on the database. The bridge also follows the change feed and re-emits it
as :attr:`Bridge.changes_applied`.

Following the feed: a timer polls it on the worker. Where the workbench can listen (PostgreSQL
LISTEN/NOTIFY, console.services.change_notify), a notification polls at once instead — at most
one poll in flight and one more queued behind it, however many notifications arrive — and the
timer slows to a safety net. When the database cannot be reached the bridge says so
(:attr:`Bridge.database_reachable_changed`), retries with backoff, and the feed, whose cursor
only moves on a successful poll, delivers everything committed meanwhile once it is back.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from console.errors import ConsoleError, DatabaseUnavailableError

if TYPE_CHECKING:
    from console.services.change_feed import CaseChange

log = logging.getLogger(__name__)

T = TypeVar("T")
#: What to do with a call's result, on the GUI thread (what it returns is ignored).
Callback = Callable[[T], object]
#: What to do with a refused call (its result is ignored: a message box's button will do).
ErrorCallback = Callable[[ConsoleError], object]

#: The feed's safety-net poll while LISTEN works (notifications do the real work), ms.
LISTEN_POLL_MS = 2_000
#: The longest wait between two tries while the database cannot be reached, ms.
MAX_RETRY_MS = 5_000


class Listener(Protocol):
    def stop(self, timeout: float = ...) -> None: ...


#: ``listen(wake, on_state)`` starts calling ``wake()`` on commits (any thread) and returns
#: something to stop, or None where nothing can be listened to (Workbench.listen).
ListenSource = Callable[[Callable[[], None], Callable[[bool], None]], Listener | None]


class Bridge(QObject):
    #: A batch of console.services.change_feed.CaseChange, in event order.
    changes_applied = Signal(object)
    #: Whether the change feed works, and why not when it does not.
    feed_health_changed = Signal(bool, str)
    #: Whether the database answers; when it stops: the last time it did (aware, or None).
    database_reachable_changed = Signal(bool, object)
    #: A failure nobody handled: the main window shows it in the status bar.
    error_reported = Signal(str)
    _finished = Signal(object)  # [callback, value]: hops to the GUI thread
    _woken = Signal()  # a notification arrived (on the listener's thread)
    _listening_changed = Signal(bool)  # the LISTEN connection dropped or came back

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-worker")
        # Long work (an import, an export, the month's evaluation) on a worker of its own, so
        # a queue page or a feed poll never waits behind a 200,000-row import.
        self._long_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-long")
        self._finished.connect(self._on_finished)
        self._feed_timer = QTimer(self)
        self._feed_timer.timeout.connect(self._poll_feed)
        self._feed_poll: Callable[[], list[CaseChange]] | None = None
        self._feed_busy = False
        self._feed_again = False  # woken while a poll ran: poll once more when it ends
        self._feed_interval_ms = 500
        self._feed_failures = 0  # polls failed in a row; the feed is healthy while 0
        self._reachable = True
        self._last_reached: datetime | None = None
        self._listener: Listener | None = None
        self._listening = False
        self._woken.connect(self._on_woken)
        self._listening_changed.connect(self._on_listening_changed)
        self._closed = False

    # -- background calls --------------------------------------------------------------

    def submit_long(
        self,
        call: Callable[[], T],
        on_done: Callback[T] | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[None]:
        """As :meth:`submit`, on the long-work worker: imports, exports, evaluations. The
        interactive reads (queue pages, the feed, the detail) keep the other worker."""
        return self.submit(call, on_done, on_error, executor=self._long_executor)

    def submit(
        self,
        call: Callable[[], T],
        on_done: Callback[T] | None = None,
        on_error: ErrorCallback | None = None,
        *,
        executor: ThreadPoolExecutor | None = None,
    ) -> Future[None]:
        """Run ``call`` on the worker; ``on_done(result)`` or ``on_error(exc)`` on the GUI thread.

        A :class:`ConsoleError` without ``on_error`` and any other exception go to
        :attr:`error_reported`. ``call`` must not touch widgets. The returned future only says
        when the call has ended (its result is None): results travel through the callbacks.
        """
        # The callables usually hold widgets (bound methods, lambdas over ``self``). A widget
        # whose last reference is dropped on the worker thread is destroyed there, which
        # crashes Qt; so the worker hands every reference over in a box that the GUI thread
        # empties, and itself only ever drops the (then empty) box.
        box: list[Any] = [call, on_done, on_error]

        def run() -> None:
            call, on_done, on_error = box
            box.clear()
            handoff: list[Any]
            try:
                handoff = [on_done, call()]
            except ConsoleError as exc:
                handoff = [on_error if on_error is not None else self._report, exc]
            except Exception as exc:
                handoff = [self._report, exc]
            del call, on_done, on_error
            if not self._closed and handoff[0] is not None:
                self._finished.emit(handoff)
            else:
                handoff.clear()  # nothing to deliver: a closed bridge, or no on_done

        future = (executor or self._executor).submit(run)
        future._console_box = box  # type: ignore[attr-defined]  # for cancel(), below
        return future

    def cancel(self, future: Future[None]) -> bool:
        """Drop a call that has not started (True); a running or finished one goes on (False).

        Its callables are let go here, on the GUI thread: the worker only drops the empty box.
        """
        if not future.cancel():
            return False
        box = getattr(future, "_console_box", None)
        if box is not None:
            box.clear()
        return True

    def post(self, callback: Callback[T], value: T) -> None:
        """Call ``callback(value)`` on the GUI thread, from any thread (e.g. the scheduler's)."""
        if not self._closed:
            self._finished.emit([callback, value])

    @Slot(object)
    def _on_finished(self, handoff: list[Any]) -> None:
        callback, value = handoff
        handoff.clear()
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

    def follow(
        self,
        poll: Callable[[], list[CaseChange]],
        interval_ms: int = 500,
        *,
        listen: ListenSource | None = None,
    ) -> None:
        """Call ``poll`` on the worker every ``interval_ms``; emit its non-empty results.

        With ``listen`` (by default the ``listen`` method of the object ``poll`` is bound to,
        e.g. Workbench.listen) a notification polls at once and the timer only backs it up.
        """

        def guarded() -> list[CaseChange]:
            try:
                return poll()
            except ConsoleError:
                raise
            except Exception as exc:  # the database went away: say so, keep polling
                raise DatabaseUnavailableError(f"数据库连接失败: {exc}") from exc

        self._stop_listening()
        self._feed_poll = guarded
        self._feed_interval_ms = interval_ms
        self._last_reached = datetime.now(UTC)  # the caller just read from it
        if listen is None:
            listen = getattr(getattr(poll, "__self__", None), "listen", None)
        if listen is not None:
            self._listener = listen(self._woken.emit, self._listening_changed.emit)
        self._feed_timer.start(self._timer_interval())

    @property
    def listening(self) -> bool:
        """Whether notifications wake the feed right now (PostgreSQL, connection up)."""
        return self._listening

    def _timer_interval(self) -> int:
        if self._feed_failures:  # unreachable: back off, 2×, 4×… the interval, capped
            backoff = self._feed_interval_ms * 2 ** min(self._feed_failures, 10)
            return max(self._feed_interval_ms, min(backoff, MAX_RETRY_MS))
        if self._listening:
            return max(self._feed_interval_ms, LISTEN_POLL_MS)
        return self._feed_interval_ms

    def _retime(self) -> None:
        interval = self._timer_interval()
        if self._feed_timer.isActive() and self._feed_timer.interval() != interval:
            self._feed_timer.start(interval)

    def _poll_feed(self) -> None:
        if self._feed_busy or self._feed_poll is None:
            return  # the previous poll is still running: never queue them up
        self._feed_busy = True
        self._feed_again = False
        self.submit(self._feed_poll, self._on_feed, self._on_feed_error)

    def poll_now(self) -> bool:
        """Poll the change feed at once (e.g. after this seat's own action, so its views
        refresh from the feed, once); False when no feed is followed."""
        if self._closed or self._feed_poll is None:
            return False
        self._on_woken()
        return True

    def _on_woken(self) -> None:
        if self._closed or self._feed_poll is None:
            return
        if self._feed_busy:
            self._feed_again = True  # the running poll may have read before this commit
        else:
            self._poll_feed()

    def _on_listening_changed(self, listening: bool) -> None:
        if self._closed:
            return
        self._listening = listening
        self._retime()
        if not listening:
            self._on_woken()  # the server may be gone: find out now, not at the next tick

    def _on_feed(self, changes: list[CaseChange]) -> None:
        self._feed_busy = False
        self._last_reached = datetime.now(UTC)
        recovered = self._feed_failures > 0
        if recovered:
            self._feed_failures = 0
            self._retime()
        if not self._reachable:
            self._reachable = True
            self.database_reachable_changed.emit(True, self._last_reached)
        if recovered:
            self.feed_health_changed.emit(True, "")
        if changes:
            self.changes_applied.emit(changes)
        if self._feed_again:
            self._poll_feed()

    def _on_feed_error(self, exc: ConsoleError) -> None:
        self._feed_busy = False
        self._feed_again = False  # the retry timer polls again
        self._feed_failures += 1
        self._retime()
        if self._feed_failures == 1:
            self.feed_health_changed.emit(False, exc.message)
        if self._reachable and isinstance(exc, DatabaseUnavailableError):
            self._reachable = False
            self.database_reachable_changed.emit(False, self._last_reached)

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        self._listening = False
        if listener is not None:
            listener.stop()

    def shutdown(self) -> None:
        """Stop the feed and the worker (waits for the running call, drops queued ones)."""
        self._closed = True
        self._feed_timer.stop()
        self._stop_listening()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._long_executor.shutdown(wait=True, cancel_futures=True)
