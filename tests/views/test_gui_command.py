"""`grid-console gui`: first start seeds the demo district; --screenshot renders the window."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from console.cli import main
from console.commands.gui import PASSWORD_ENV
from console.db import Database
from console.models import Case, Region
from console.services.demo import demo_accounts

ROOT = Path(__file__).resolve().parents[2]


def demo_copy(tmp_path: Path, demo_template: Path) -> str:
    """The URL of a private copy of the demo template (district, reference data, people)."""
    import shutil

    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"


DEMO_PASSWORD = {a.username: a.password for a in demo_accounts()}


def signed_in_env(password: str) -> dict[str, str]:
    """The environment of an unattended start: the password in GRID_CONSOLE_PASSWORD."""
    return {**os.environ, PASSWORD_ENV: password}


def count(url: str, model: type) -> int:
    from sqlalchemy import func, select

    db = Database(url)
    try:
        with db.read() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0
    finally:
        db.dispose()


@pytest.mark.slow
def test_first_start_seeds_and_renders(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'gui.sqlite3'}"
    png = tmp_path / "zh.png"
    # As a user starts it: a process of its own (and a fresh Qt WebEngine).
    first = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            url,
            "gui",
            "--screenshot",
            str(png),
            "--theme",
            "light",
            "--user",
            "dispatcher",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=signed_in_env(DEMO_PASSWORD["dispatcher"]),
    )
    assert first.returncode == 0, first.stderr[-2000:]
    out = first.stdout
    assert "首次运行" in out and f"screenshot: {png}" in out
    assert count(url, Region) == 1 + 9 + 41 + 134 + 364
    assert count(url, Case) == 2000  # the default demo size
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1600, 950)
    # The map dock painted the district: many distinct colours, not an empty grey page.
    colours = {image.pixel(x, y) for x in range(1000, 1600, 7) for y in range(500, 900, 7)}
    assert len(colours) > 20

    # A second start (a process of its own, as a user would start it) finds the district and
    # does not seed again; English and the dark theme work too.
    png_en = tmp_path / "en.png"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            url,
            "gui",
            "--screenshot",
            str(png_en),
            "--lang",
            "en",
            "--theme",
            "dark",
            "--user",
            "duty_chief",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=signed_in_env(DEMO_PASSWORD["duty_chief"]),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "首次运行" not in run.stdout and f"screenshot: {png_en}" in run.stdout
    assert count(url, Case) == 2000
    dark = QImage(str(png_en))
    assert dark.pixelColor(5, 940).lightness() < 100  # dark status bar


def test_no_seed_on_an_empty_database_says_what_to_do(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["--db", url, "gui", "--no-seed"]) == 2
    err = capsys.readouterr().err
    assert "seed-demo" in err and "import-geography" in err
    assert count(url, Region) == 0


def test_unknown_user_is_refused(
    qapp: object,
    tmp_path: Path,
    demo_template: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "any-password-1")
    url = demo_copy(tmp_path, demo_template)
    assert (
        main(
            [
                "--db",
                url,
                "gui",
                "--user",
                "nobody",
                "--screenshot",
                str(tmp_path / "x.png"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "nobody" in err and "用户名或密码错误" in err


def test_a_bad_basemap_is_a_clear_error(
    qapp: object,
    tmp_path: Path,
    demo_template: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, DEMO_PASSWORD["dispatcher"])
    url = demo_copy(tmp_path, demo_template)
    assert (
        main(
            [
                "--db",
                url,
                "gui",
                "--user",
                "dispatcher",
                "--basemap",
                "http://tiles/no-placeholders",
                "--screenshot",
                str(tmp_path / "x.png"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "{z}" in err and "mbtiles" in err


def test_size_and_no_display_hint(
    qapp: object,
    tmp_path: Path,
    demo_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = demo_copy(tmp_path, demo_template)
    assert main(["--db", url, "gui", "--size", "huge", "--screenshot", "x.png"]) == 2
    assert "1920x1080" in capsys.readouterr().err
    # No screen and no --screenshot: a hint, not a Qt abort.
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--db", url, "gui"]) == 2
    assert "--screenshot" in capsys.readouterr().err


def test_screenshot_signs_in_from_the_environment_or_fails_clearly(
    qapp: object, tmp_path: Path, demo_template: Path
) -> None:
    url = demo_copy(tmp_path, demo_template)
    png = tmp_path / "wall_user.png"

    def start(password: str | None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.pop(PASSWORD_ENV, None)
        if password is not None:
            env[PASSWORD_ENV] = password
        return subprocess.run(
            [
                *(sys.executable, str(ROOT / "main.py"), "--db", url, "gui"),
                *("--user", "leader", "--screenshot", str(png)),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env=env,
        )

    wrong = start("not-the-password-1")
    assert wrong.returncode == 2 and not png.exists()
    assert "登录失败（leader）" in wrong.stderr and "用户名或密码错误" in wrong.stderr
    missing = start(None)
    assert missing.returncode == 2 and PASSWORD_ENV in missing.stderr
    right = start(DEMO_PASSWORD["leader"])
    assert right.returncode == 0, right.stderr[-2000:]
    assert f"screenshot: {png}" in right.stdout and QImage(str(png)).width() == 1600
    # Each sign-in attempt is in the security log: the wrong password, then the sign-in
    # (without a password the start is refused before any attempt).
    from sqlalchemy import select

    from console.models import SecurityEvent

    db = Database(url)
    try:
        with db.read() as s:
            kinds = s.scalars(
                select(SecurityEvent.kind)
                .where(SecurityEvent.username == "leader")
                .order_by(SecurityEvent.id)
            ).all()
    finally:
        db.dispose()
    assert kinds == ["login_failed", "login_ok"]
