"""The bench's alternating runs: medians of each side, and both sides must agree."""

from __future__ import annotations

import pytest

from console.bench.harness import alternating_runs


def test_medians_and_the_shared_answer() -> None:
    fast, slow = iter([0.3, 0.1, 0.2]), iter([3.0, 1.0, 2.0])
    order: list[str] = []

    def run() -> tuple[float, int]:
        order.append("run")
        return next(fast), 42

    def baseline() -> tuple[float, int]:
        order.append("baseline")
        return next(slow), 42

    logged: list[str] = []
    assert alternating_runs("x", 3, run, baseline, logged.append) == (0.2, 2.0, 42)
    assert order == ["run", "baseline"] * 3  # in turn, not one side then the other
    assert len(logged) == 3 and logged[0].startswith("x: run 1/3")


def test_different_answers_are_refused() -> None:
    with pytest.raises(AssertionError, match="gave 1, the baseline 2"):
        alternating_runs("x", 1, lambda: (0.1, 1), lambda: (0.2, 2), lambda _m: None)
