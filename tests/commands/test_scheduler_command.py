"""`grid-console scheduler`: `--once` through cli.main, and the loop as a real process."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.cli import main
from console.db import Database
from console.models import Alert
from console.services.cases.service import CaseService, utc_now
from console.services.demo import seed_cases

ROOT = Path(__file__).resolve().parents[2]
ONCE = re.compile(r"^扫描完成 scan done: (\d+) 条预警 alerts raised$", re.M)
ALERT_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 预警 \[.+?\] [CE]\d+ .+", re.M)


@pytest.fixture
def seeded_db(demo_db: Database) -> Database:
    """The demo district with 40 cases over the last 12 days (some of them late)."""
    service = CaseService(demo_db)
    with demo_db.session() as s:
        seed_cases(s, service.workflow, cases=40, days=12, seed=5, now=utc_now())
    return demo_db


def alert_count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Alert)) or 0


def test_once_scans_and_prints_the_count(
    seeded_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("console.services.supervision")
    assert main(["--db", seeded_db.url, "scheduler", "--once"]) == 0
    out = capsys.readouterr().out
    match = ONCE.search(out)
    assert match, out
    raised = int(match[1])
    assert raised > 0, out  # 12 days of cases: some are late
    assert len(ALERT_LINE.findall(out)) == raised
    assert alert_count(seeded_db) == raised

    # alerts are raised once: a second scan right after raises (almost) nothing new
    assert main(["--db", seeded_db.url, "scheduler", "--once"]) == 0
    again = int(ONCE.search(capsys.readouterr().out)[1])  # type: ignore[index]
    assert again < raised
    assert alert_count(seeded_db) == raised + again


def test_once_on_an_empty_database_raises_nothing(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("console.services.supervision")
    assert main(["--db", db.url, "scheduler", "--once"]) == 0
    assert "scan done: 0 条预警" in capsys.readouterr().out


def test_interval_must_be_positive(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db.url, "scheduler", "--interval", "0"]) == 2
    assert "--interval 必须大于 0" in capsys.readouterr().err


def _reader(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is a POSIX signal")
def test_the_loop_runs_until_sigterm(seeded_db: Database, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg"), "PYTHONUNBUFFERED": "1"}
    env.pop("GRID_CONSOLE_DB", None)
    proc = subprocess.Popen(
        [sys.executable, "main.py", "--db", seeded_db.url, "scheduler", "--interval", "0.5"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    out: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while not any("督办调度已启动" in line for line in out):
            assert time.monotonic() < deadline, "".join(out)
            assert proc.poll() is None, "".join(out) + proc.stderr.read()  # type: ignore[union-attr]
            with contextlib.suppress(queue.Empty):
                out.append(lines.get(timeout=0.5))
        # the first scan runs at start: wait (with a deadline) until it has raised its alerts
        deadline = time.monotonic() + 30
        while alert_count(seeded_db) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alert_count(seeded_db) > 0
        time.sleep(1.2)  # a couple more scans at 0.5 s
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = proc.wait(timeout=10)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(0.1)
    while not lines.empty():
        out.append(lines.get())
    text = "".join(out)
    stderr = proc.stderr.read()  # type: ignore[union-attr]
    assert code == 0, text + stderr
    assert took < 5
    assert "督办调度已停止" in text
    assert "错误" not in text, text
    assert len(ALERT_LINE.findall(text)) == alert_count(seeded_db), text
    assert (tmp_path / "xdg").exists()  # the server seat's job store lives in its data dir
    assert list((tmp_path / "xdg").rglob("jobs-server.sqlite3"))
