"""The patrols' bench scenario in quick mode: one figure, its baseline, the same answer."""

from __future__ import annotations

from pathlib import Path

from console.bench.patrol_bench import FIGURE, run_patrol_bench


def test_quick_patrol_coverage_figure(tmp_path: Path) -> None:
    lines: list[str] = []
    (figure,) = run_patrol_bench(tmp_path, True, lines.append)
    assert figure.name == FIGURE and figure.unit == "s" and not figure.higher_is_better
    assert figure.value > 0 and figure.baseline is not None and figure.baseline > 0
    assert "7,200 points" in figure.note and "median of 3" in figure.note
    assert any("baseline" in line for line in lines)
