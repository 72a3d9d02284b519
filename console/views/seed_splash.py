"""The first start's splash: the demo district is seeded on the database worker, the step and a
progress bar on screen, the GUI thread free meanwhile (it never waits on the database)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QVBoxLayout, QWidget

from console.bridge import Bridge
from console.services.demo import (
    STEP_CASES,
    STEP_FINISHING,
    STEP_GEOGRAPHY,
    STEP_PEOPLE,
    STEP_REFERENCE,
    SeedProgress,
)

#: ``seed(progress)``: the seeding, run on the database worker; progress from that thread.
SeedCall = Callable[[SeedProgress], object]
T = TypeVar("T")


def step_label(step: str) -> str:
    return {
        STEP_GEOGRAPHY: QCoreApplication.translate(
            "SeedSplash", "Generating the district's streets, units and grids…"
        ),
        STEP_REFERENCE: QCoreApplication.translate(
            "SeedSplash", "Loading categories, time limits and departments…"
        ),
        STEP_PEOPLE: QCoreApplication.translate(
            "SeedSplash", "Creating the demo accounts and grid staff…"
        ),
        STEP_CASES: QCoreApplication.translate(
            "SeedSplash", "Walking the demo cases through the loop…"
        ),
        STEP_FINISHING: QCoreApplication.translate("SeedSplash", "Finishing…"),
    }.get(step, step)


class SeedSplash(QFrame):
    """A small window over the desktop while the demo is seeded. :meth:`start` runs the seed
    and returns at once; ``finished(result)`` or ``failed(exception)`` follows."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, bridge: Bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        self.bridge = bridge
        self.setObjectName("seedSplash")
        self.setFrameShape(QFrame.Shape.Box)
        self.setWindowTitle(self.tr("Grid Dispatch Console"))
        title = QLabel(self.tr("First start: preparing the demo district (莲湖区)"))
        title.setStyleSheet("font-weight: bold; font-size: 12pt;")
        self.step = QLabel(step_label(STEP_GEOGRAPHY))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until a step has a count
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(title)
        layout.addWidget(self.step)
        layout.addWidget(self.bar)
        self.resize(520, 130)

    def start(self, seed: SeedCall) -> None:
        """Show, and run ``seed`` on the database worker (never on this thread)."""

        def progress(step: str, done: int, total: int) -> None:  # the worker's thread
            self.bridge.post(self._pull_progress, (step, done, total))

        def run() -> tuple[bool, object]:
            try:
                return True, seed(progress)
            except Exception as exc:  # handed back to the GUI thread, raised there
                return False, exc

        self.show()
        self.bridge.submit(run, self._on_seed_done)

    def _pull_progress(self, value: tuple[str, int, int]) -> None:
        step, done, total = value
        self.step.setText(step_label(step))
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.bar.setFormat(
                self.tr("%1 of %2 cases").replace("%1", f"{done:,}").replace("%2", f"{total:,}")
            )
        else:
            self.bar.setRange(0, 0)

    def _on_seed_done(self, outcome: tuple[bool, object]) -> None:
        ok, value = outcome
        self.close()
        (self.finished if ok else self.failed).emit(value)


def seed_with_splash(bridge: Bridge, seed: Callable[[SeedProgress], T]) -> T:
    """Run ``seed`` behind the splash and return its result (or raise its error); the event
    loop runs meanwhile, so the splash paints and the desktop stays responsive."""
    splash = SeedSplash(bridge)
    results: list[T] = []  # seed's result (finished), or
    errors: list[BaseException] = []  # what it raised (failed)
    loop = QEventLoop()

    def finished(result: T) -> None:
        results.append(result)
        loop.quit()

    def failed(exc: BaseException) -> None:
        errors.append(exc)
        loop.quit()

    splash.finished.connect(finished)
    splash.failed.connect(failed)
    splash.start(seed)
    if not results and not errors:
        loop.exec()
    splash.deleteLater()
    if errors:
        raise errors[0]
    return results[0]
