"""The app shell scenario once in quick mode, in Chromium against a real `grid-console serve`.

Timings are the benchmark's business; the test checks what the figures count: every shell
file came (the worker's install fetches them all), gzip made the bytes smaller, the identity
load came uncompressed, and the offline reloads were answered by the service worker.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from console.bench import app_shell_bench
from console.bench.app_shell_bench import (
    BYTES_FIGURE,
    BYTES_GOAL_KB,
    LOAD_FIGURE,
    OFFLINE_FIGURE,
    TIMEOUT_S,
    run_app_shell_bench,
)


@pytest.mark.slow
def test_the_app_shell_figures(tmp_path: Path) -> None:
    if app_shell_bench.missing() is not None:
        pytest.skip(str(app_shell_bench.missing()))
    from console.gateway.webapp import APP_DIR, LEAFLET_DIR, shell_files

    logged: list[str] = []
    figures = run_app_shell_bench(tmp_path, quick=True, log=logged.append)
    assert [f.name for f in figures] == [BYTES_FIGURE, LOAD_FIGURE, OFFLINE_FIGURE]
    for f in figures:
        assert f.baseline is not None and math.isfinite(f.baseline) and f.baseline > 0, f.name
        assert math.isfinite(f.value) and f.value > 0, f.name
        assert not f.higher_is_better and f.meets_goal in (True, False), f.name
    size, load, offline = figures

    # Every file of the shell was counted once at least (the worker's install fetches them
    # all), decoded; gzip made the transfer smaller than that.
    on_disk = sum(
        (
            LEAFLET_DIR / url.removeprefix("vendor/leaflet/")
            if url.startswith("vendor/")
            else APP_DIR / ("index.html" if url == "./" else url)
        )
        .stat()
        .st_size
        for url in shell_files()
    )
    assert size.unit == "KB" and size.goal == BYTES_GOAL_KB
    assert size.baseline is not None and size.baseline * 1024 >= on_disk
    assert size.value < size.baseline
    identity = re.search(r"identity got ([\d.]+) KB encoded = ([\d.]+) KB decoded", size.note)
    assert identity is not None and identity.group(1) == identity.group(2)

    assert load.unit == "s" and "Accept-Encoding: identity" in load.note
    assert offline.unit == "s" and offline.value < TIMEOUT_S
    assert "works offline: yes (2 of 2 reloads" in offline.note
    assert sum("offline reload: run" in m for m in logged) == 2
    assert not any("FAILED" in m for m in logged)


def test_without_chromium_the_scenario_says_so_and_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_shell_bench, "CHROMIUM", tmp_path / "no-chromium")
    logged: list[str] = []
    assert run_app_shell_bench(tmp_path, quick=True, log=logged.append) == []
    assert len(logged) == 1 and "skipped" in logged[0] and "chromium" in logged[0].lower()
    assert not list(tmp_path.glob("*.sqlite3"))  # no server was started
