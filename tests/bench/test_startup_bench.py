"""The start-up scenario runs both paths in new processes, and they print the same deadline."""

from __future__ import annotations

import math
from pathlib import Path

from console.bench.startup_bench import FIGURE, GOAL_S, run_startup_bench


def test_the_start_up_figure(tmp_path: Path) -> None:
    logged: list[str] = []
    (figure,) = run_startup_bench(tmp_path, quick=True, log=logged.append)
    assert figure.name == FIGURE and figure.unit == "s" and not figure.higher_is_better
    assert figure.goal == GOAL_S
    assert figure.baseline is not None
    assert math.isfinite(figure.value) and figure.value > 0
    assert math.isfinite(figure.baseline) and figure.baseline > 0
    # alternating_runs refused different answers; the note names the one both printed
    assert "→ 2026-10-08T16:00:00+08:00" in figure.note
    assert "python -c pass" in figure.note and "--help" in figure.note
    assert len(logged) == 5 and logged[0].startswith("start-up: run 1/5")
