"""A command started while the database cannot be reached says so in one line and exits 2
(#13 §4): no traceback from the migration step that runs first. Real processes against a real
closed port (PostgreSQL's client is refused), and a SQLite path that cannot be opened."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A port nobody listens on: the system gives it to us, and we let it go at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def grid_console(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "main.py", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["simulate", "--duration", "1"],
        ["ingest", "whatever.csv"],
        ["import-geography", "whatever.geojson"],
        ["scan"],
    ],
)
def test_postgresql_down_is_one_line(command: list[str]) -> None:
    port = closed_port()
    url = f"postgresql+psycopg://grid:secret@127.0.0.1:{port}/test"
    done = grid_console("--db", url, *command)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"错误 [database_unavailable]: 无法连接数据库 "
        f"postgresql+psycopg://grid:***@127.0.0.1:{port}/test: Connection refused"
    ], done.stderr
    assert "secret" not in done.stderr and done.stdout == ""


def test_sqlite_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()  # a directory where the database file should be
    done = grid_console("--db", f"sqlite:///{folder}", "stats")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"错误 [database_unavailable]: 无法连接数据库 sqlite:///{folder}: "
        "unable to open database file"
    ]
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    done = grid_console("--db", f"sqlite:///{blocked}/db.sqlite3", "stats")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"错误 [database_unavailable]: 无法创建数据库所在目录 {blocked}: File exists"
    ], done.stderr
