"""The benchmark's record of one measurement and the table it prints."""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Figure:
    """One measured figure beside its naive baseline.

    ``higher_is_better`` tells how the ratio reads: for a rate, value / baseline; for a time,
    baseline / value. ``goal`` is checked against ``value`` (and ``ratio_goal`` against the ratio).
    """

    name: str
    value: float
    unit: str
    baseline: float | None
    higher_is_better: bool
    goal: float | None = None
    ratio_goal: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0 or self.value == 0:
            return None
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value

    @property
    def meets_goal(self) -> bool | None:
        checks: list[bool] = []
        if self.goal is not None:
            checks.append(
                self.value >= self.goal if self.higher_is_better else self.value <= self.goal
            )
        if self.ratio_goal is not None and self.ratio is not None:
            checks.append(self.ratio >= self.ratio_goal)
        return all(checks) if checks else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "meets_goal": self.meets_goal}


def settle() -> None:
    """Start a scenario on a quiet machine: the previous one's dirty pages written out (the
    2,000,000-case databases leave gigabytes for the kernel to write back, which otherwise
    lands in the next scenario's timings) and its garbage collected."""
    if hasattr(os, "sync"):  # POSIX; Windows writes back on its own terms
        os.sync()
    gc.collect()


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls (the machines are shared and noisy)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def alternating_runs(
    label: str,
    repeat: int,
    run: Callable[[], tuple[float, Any]],
    baseline: Callable[[], tuple[float, Any]],
    log: Callable[[str], None],
) -> tuple[float, float, Any]:
    """``run`` and ``baseline`` taken in turn ``repeat`` times, so that a shared machine's drift
    touches both alike. Each returns (seconds, its answer), and both must give the same answer.
    The medians of each, and that answer."""
    times: list[float] = []
    base_times: list[float] = []
    answer = base_answer = None
    for i in range(repeat):
        elapsed, answer = run()
        times.append(elapsed)
        elapsed, base_answer = baseline()
        base_times.append(elapsed)
        log(f"{label}: run {i + 1}/{repeat}: {times[-1]:.2f} s vs {base_times[-1]:.2f} s")
    if answer != base_answer:
        raise AssertionError(f"{label}: the measured path gave {answer}, the baseline {base_answer}")
    return statistics.median(times), statistics.median(base_times), answer


def format_table(figures: list[Figure]) -> str:
    lines = [f"{'scenario':44} {'value':>14} {'baseline':>14} {'ratio':>8} {'goal':>16}  ok"]
    for f in figures:
        goal = ""
        if f.goal is not None:
            goal = f"{'≥' if f.higher_is_better else '≤'}{f.goal:g}"
        if f.ratio_goal is not None:
            goal += f" ≥{f.ratio_goal:g}×"
        ok = {True: "yes", False: "NO", None: "-"}[f.meets_goal]
        base = f"{f.baseline:,.2f}" if f.baseline is not None else "-"
        ratio = f"{f.ratio:,.1f}×" if f.ratio is not None else "-"
        lines.append(
            f"{f.name:44} {f.value:>11,.2f} {f.unit:<2} {base:>14} {ratio:>8} {goal:>16}  {ok}"
        )
        if f.note:
            lines.append(f"    {f.note}")
    return "\n".join(lines)
