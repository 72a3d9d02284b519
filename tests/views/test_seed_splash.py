"""The first start's splash: the real demo seed on the database worker, the step and the bar on
screen, the GUI thread turning meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from console.bridge import Bridge
from console.db import Database
from console.models import Case
from console.services.cases.service import CaseService
from console.services.demo import STEP_CASES, SeedProgress, seed_demo
from console.views.seed_splash import SeedSplash, seed_with_splash, step_label
from tests.views.test_gui_command import count

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def test_the_splash_follows_the_seed_while_the_gui_thread_runs(
    qtbot: QtBot, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    db = Database(url)
    bridge = Bridge()
    splash = SeedSplash(bridge)
    qtbot.addWidget(splash)
    shown: list[tuple[str, int, int, bool]] = []
    # What the splash shows, sampled on the GUI thread while the worker seeds.
    ticks = QTimer(interval=20)
    ticks.timeout.connect(
        lambda: shown.append(
            (splash.step.text(), splash.bar.value(), splash.bar.maximum(), splash.isVisible())
        )
    )

    def seed(progress: SeedProgress) -> Any:
        return seed_demo(db, CaseService(db).workflow, cases=200, now=NOW, progress=progress)

    # Sampling ends with the seed: a tick left in the event loop's pass when ``finished`` quits
    # it would sample the splash already closed (a flake seen in CI).
    splash.finished.connect(ticks.stop)
    try:
        ticks.start()
        with qtbot.waitSignal(splash.finished, timeout=120_000) as done:
            splash.start(seed)
        ticks.stop()
    finally:
        bridge.shutdown()
        db.dispose()
    assert done.args[0].cases == 200
    assert count(url, Case) == 200
    assert not splash.isVisible()
    # The GUI thread was free all along: it sampled the splash many times, visible, first on a
    # busy bar (no count yet), then on the cases with their count.
    assert len(shown) > 20 and all(visible for *_, visible in shown)
    assert shown[0][2] == 0
    on_cases = [value for text, value, maximum, _ in shown if text == step_label(STEP_CASES)]
    # The bar counted the cases up (out of 200), and was seen part way.
    assert on_cases == sorted(on_cases) and any(0 < v < 200 for v in on_cases)
    assert {maximum for text, _, maximum, _ in shown if text == step_label(STEP_CASES)} <= {0, 200}


def test_a_failed_seed_is_raised_to_the_caller(qtbot: QtBot) -> None:
    bridge = Bridge()

    def seed(progress: SeedProgress) -> Any:
        progress(STEP_CASES, 0, 10)
        raise RuntimeError("disk full")

    try:
        with pytest.raises(RuntimeError, match="disk full"):
            seed_with_splash(bridge, seed)
    finally:
        bridge.shutdown()
