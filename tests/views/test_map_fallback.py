"""Qt WebEngine that cannot start does not take the console down: it runs without the map and
the map dock says why. Each start is a process of its own, as a user's would be, with WebEngine
really unable to run there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from console.commands.gui import PASSWORD_ENV
from console.views.map_fallback import DISABLE_SANDBOX_ENV, FLAGS_ENV
from tests.views.test_gui_command import DEMO_PASSWORD, ROOT, demo_copy

#: The light theme's notice banner (resources/themes/light.qss, QFrame#noticeBanner).
BANNER = QColor("#fff3b0").rgb()


def start(
    program: list[str], url: str, png: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``python PROGRAM gui --screenshot PNG`` as the dispatcher, in English, light theme."""
    args = ["--db", url, "gui", "--screenshot", str(png), "--theme", "light", "--lang", "en"]
    return subprocess.run(
        [sys.executable, *program, *args, "--user", "dispatcher"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**env, PASSWORD_ENV: DEMO_PASSWORD["dispatcher"]},
    )


def banner_pixels(png: Path) -> int:
    """Pixels of the banner's colour in the right-hand third (the map dock's column)."""
    image = QImage(str(png))
    return sum(
        image.pixel(x, y) == BANNER
        for x in range(image.width() * 2 // 3, image.width(), 3)
        for y in range(0, image.height(), 3)
    )


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop(DISABLE_SANDBOX_ENV, None)
    return env


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_as_root_without_no_sandbox_the_console_runs_without_the_map(
    tmp_path: Path, demo_template: Path
) -> None:
    url = demo_copy(tmp_path, demo_template)
    png = tmp_path / "root.png"
    # Chromium refuses to run as root with its sandbox on, and ends the whole process when
    # the first page starts: here nothing says --no-sandbox.
    env = clean_env() | {FLAGS_ENV: "--disable-gpu"}
    run = start([str(ROOT / "main.py")], url, png, env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"screenshot: {png}" in run.stdout
    assert "Qt WebEngine unavailable" in run.stderr and "root_sandbox" in run.stderr
    assert banner_pixels(png) > 500  # the banner in the map dock, across its width

    # The same start with the sandbox off draws the map, not the banner (the control).
    png_map = tmp_path / "map.png"
    env = clean_env() | {FLAGS_ENV: "--no-sandbox --disable-gpu"}
    run = start([str(ROOT / "main.py")], url, png_map, env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Qt WebEngine unavailable" not in run.stderr
    assert banner_pixels(png_map) == 0


@pytest.mark.slow
def test_webengine_that_will_not_load_leaves_the_console_running(
    tmp_path: Path, demo_template: Path
) -> None:
    url = demo_copy(tmp_path, demo_template)
    png = tmp_path / "no-lib.png"
    # As when a system library it needs is missing: its import fails in this process.
    code = (
        "import sys; sys.modules['PySide6.QtWebEngineWidgets'] = None; "
        "from console.cli import main; raise SystemExit(main(sys.argv[1:]))"
    )
    env = clean_env() | {FLAGS_ENV: "--no-sandbox --disable-gpu"}
    run = start(["-c", code], url, png, env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert f"screenshot: {png}" in run.stdout
    assert "Qt WebEngine unavailable" in run.stderr and "not_loaded" in run.stderr
    assert banner_pixels(png) > 500


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_the_wall_runs_without_the_map_too(tmp_path: Path, demo_template: Path) -> None:
    url = demo_copy(tmp_path, demo_template)
    png = tmp_path / "wall.png"
    env = clean_env() | {FLAGS_ENV: "--disable-gpu", "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", url, "wall", "--screenshot", str(png)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Qt WebEngine unavailable" in run.stderr
    image = QImage(str(png))
    dark_banner = QColor("#4d3d0a").rgb()  # resources/themes/dark.qss: the wall is dark
    # The banner stands where the map would be: the wall's left-hand side, near the top.
    hits = sum(
        image.pixel(x, y) == dark_banner
        for x in range(0, image.width() // 2, 3)
        for y in range(0, image.height() // 3, 3)
    )
    assert hits > 500
