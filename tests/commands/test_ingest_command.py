"""`grid-console ingest`: summary on stdout, progress bar on stderr, exit codes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.commands.ingest import Progress
from console.db import Database
from tests.services.ingest.support import case_count, points


def _file(db: Database, tmp_path: Path) -> Path:
    pts = points(db)
    rows = [f"K{i},0102,事件,{x},{y},垃圾,莲湖路" for i, (x, y) in enumerate(pts[:3])]
    rows.append("K9,9999,事件,1,2,坏,路")
    path = tmp_path / "报表.csv"
    path.write_bytes("\n".join(["编号,类别代码,类型,经度,纬度,描述,地址", *rows]).encode("gbk"))
    return path


def test_ingest_twice_then_dry_run(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(demo_db, tmp_path)
    url = str(demo_db.engine.url)
    assert main(["--db", url, "ingest", str(path), "--source", "12345"]) == 0
    out, err = capsys.readouterr()
    assert "编码 gb18030" in out and "已导入 accepted: 3" in out and "拒绝 rejected: 1" in out
    assert "第 5 行 [invalid_coordinates]" in out or "第 5 行 [" in out
    # Not a terminal (captured): plain progress lines, the last one at 100 %.
    assert "\r" not in err and "导入进度" in err
    assert err.strip().splitlines()[-1].startswith("导入进度 100.0%  4/4 行")
    assert (tmp_path / "报表.csv.report.csv").exists()
    assert main(["--db", url, "ingest", str(path), "--source", "12345"]) == 0
    out, _ = capsys.readouterr()
    assert "已导入 accepted: 0" in out and "重复 duplicates: 3" in out
    assert case_count(demo_db) == 3
    assert main(["--db", url, "ingest", str(path), "--dry-run", "--source", "公众"]) == 0
    out, _ = capsys.readouterr()
    assert "试运行" in out and "可导入 valid: 3" in out
    assert case_count(demo_db) == 3


def test_unreadable_file_exits_2(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.xml"
    path.write_text('<!DOCTYPE x [<!ENTITY a "b">]><service_requests/>', encoding="utf-8")
    url = str(demo_db.engine.url)
    assert main(["--db", url, "ingest", str(path), "--no-progress"]) == 2
    _, err = capsys.readouterr()
    assert "xml_forbidden" in err
    assert main(["--db", url, "ingest", str(tmp_path / "missing.csv")]) == 2
    assert main(["--db", url, "ingest", str(path), "--source", "火星"]) == 2


def test_quiet_prints_no_progress(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(demo_db, tmp_path)
    assert main(["--db", str(demo_db.engine.url), "ingest", str(path), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and "已导入 accepted: 3" in out


def test_plain_progress_lines_are_rate_limited() -> None:
    stream = io.StringIO()
    progress = Progress(stream, every=3600)
    for done in range(0, 1001, 100):
        progress(done, 1000)
    progress.finish()
    lines = stream.getvalue().splitlines()
    # The first call and the last (done == total) only: the rest fall inside the interval.
    assert [line.split()[1] for line in lines] == ["0.0%", "100.0%"]
    assert "1,000/1,000 行" in lines[-1] and "行/s" in lines[-1]


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_terminal_gets_a_redrawn_bar(demo_db: Database, tmp_path: Path) -> None:
    """stderr on a real pseudo-terminal: the bar is redrawn in place with \\r."""
    path = _file(demo_db, tmp_path)
    master, slave = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "main.py", "--db", str(demo_db.engine.url), "ingest", str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=120,
        )
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if slave >= 0:
            os.close(slave)
        os.close(master)
    err = b"".join(chunks).decode("utf-8")
    assert done.returncode == 0, err
    assert "\r[" in err and "100.0%" in err and "4/4 行" in err and "导入进度" not in err
    assert "已导入 accepted: 3" in done.stdout.decode("utf-8")
    assert case_count(demo_db) == 3
