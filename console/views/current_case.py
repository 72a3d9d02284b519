"""The one owner of "the case this seat is working on".

Every way a case becomes current (a queue row, the keyboard, Ctrl+J, a search, a map marker,
an alert, a possible duplicate) calls :meth:`CurrentCase.set`. The queue, the map and the
detail panel follow :attr:`CurrentCase.changed` and :attr:`CurrentCase.loaded`, and every
action asks :meth:`CurrentCase.target`. Nothing else keeps its own idea of the current case,
so the case on screen and the case an action acts on cannot differ (issue 12: a marker click
once moved the queue and the map while the detail, and so 备注, stayed on the previous case).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from console.bridge import Bridge
from console.errors import ConsoleError

if TYPE_CHECKING:
    from console.services.cases.detail import CaseDetail


class CurrentCase(QObject):
    """The current case's id and, once read on the worker, its ``CaseDetail``."""

    #: A different case became current (its id); its detail is on the way.
    changed = Signal(int)
    #: The current case's detail was read: (CaseDetail, notice or "").
    loaded = Signal(object, str)
    #: The current case could not be read: (case id, message).
    load_failed = Signal(int, str)

    def __init__(
        self, bridge: Bridge, load: Callable[[int], CaseDetail], parent: QObject | None = None
    ) -> None:
        """``load(case_id)`` reads a ``CaseDetail``; it runs on the bridge's worker."""
        super().__init__(parent)
        self._bridge = bridge
        self._load = load
        self._case_id: int | None = None
        self._detail: CaseDetail | None = None
        self._generation = 0  # latest request wins: an older answer is dropped
        self._loading = False

    @property
    def case_id(self) -> int | None:
        return self._case_id

    @property
    def detail(self) -> CaseDetail | None:
        """The current case's detail, or None while it is being read."""
        return self._detail

    @property
    def loading(self) -> bool:
        """A read of the current case is under way."""
        return self._loading

    def target(self) -> tuple[int, int] | None:
        """(case id, version) an action acts on; None until the detail is on screen."""
        if self._detail is None:
            return None
        snap = self._detail.snapshot
        return int(snap.id), int(snap.version)

    def set(self, case_id: int) -> None:
        """Make ``case_id`` current (nothing to do when it already is)."""
        if case_id == self._case_id and (self._detail is not None or self._loading):
            return
        self._case_id = case_id
        self._detail = None  # no action may act on it before its detail is shown
        self.changed.emit(case_id)
        self._fetch("")

    def reload(self, notice: str = "") -> None:
        """Read the current case again (it changed, or the user did); it stays current."""
        if self._case_id is not None:
            self._fetch(notice)

    def _fetch(self, notice: str) -> None:
        self._generation += 1
        generation, case_id, load = self._generation, self._case_id, self._load
        assert case_id is not None
        self._loading = True
        self._bridge.submit(
            lambda: load(case_id),
            lambda detail: self._on_loaded(generation, detail, notice),
            lambda exc: self._on_load_failed(generation, case_id, exc),
        )

    def _on_loaded(self, generation: int, detail: CaseDetail, notice: str) -> None:
        if generation != self._generation:
            return  # the user moved on, or a newer read is under way
        self._loading = False
        self._detail = detail
        self.loaded.emit(detail, notice)

    def _on_load_failed(self, generation: int, case_id: int, exc: ConsoleError) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._detail = None
        self.load_failed.emit(case_id, exc.message)
