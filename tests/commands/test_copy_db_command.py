"""`grid-console copy-db` without a server: targets refused before anything is opened, the
progress lines, and the table of counts and checksums. The copy itself into the real server:
tests/integration/test_copy_db_postgres.py."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from console.cli import main
from console.commands.copy_db import TableProgress, format_report
from console.services.copy_db import CopyReport, TableCopy
from console.services.copy_tables import STEP_COPY, STEP_INDEX, STEP_VERIFY


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("sqlite:///{tmp}/other.sqlite3", "必须是 PostgreSQL"),
        ("mysql://root@localhost/grid", "必须是 PostgreSQL"),
        ("postgresql+psycopg2://grid_owner@localhost/grid", "需要 psycopg 3 驱动"),
        ("not a url", "不是数据库 URL"),
    ],
)
def test_a_target_that_is_not_postgresql_through_psycopg_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, words: str
) -> None:
    source = tmp_path / "seat.sqlite3"
    to = target.format(tmp=tmp_path)
    assert main(["--db", f"sqlite:///{source}", "copy-db", "--to", to]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("错误 [copy_db_refused]: ") and words in err
    assert out == ""
    # Refused before anything was opened: neither file was created.
    assert not source.exists() and not (tmp_path / "other.sqlite3").exists()


def test_progress_is_a_line_per_table_and_step_off_a_terminal() -> None:
    stream = io.StringIO()  # not a terminal: plain lines
    bar = TableProgress(stream)
    bar.step(STEP_COPY, "regions", 0, 549)
    bar.step(STEP_COPY, "regions", 549, 549)
    bar.step(STEP_COPY, "cases", 0, 0)
    bar.step(STEP_INDEX, "", 0, 45)
    bar.step(STEP_INDEX, "", 45, 45)
    bar.step(STEP_VERIFY, "regions", 549, 549)
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "复制 copy regions",
        "复制 copy cases",
        "重建索引 index",
        "核对 verify regions",
    ]
    assert "100.0%  549/549 行" in lines[0] and "行/s" in lines[0]
    assert "0/0 行  -" in lines[1]


def test_progress_on_a_terminal_redraws_each_table_in_place() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = TableProgress(stream)
    bar.step(STEP_COPY, "cases", 0, 10)
    bar.step(STEP_COPY, "cases", 10, 10)
    bar.step(STEP_COPY, "case_events", 5, 10)
    bar.finish()
    text = stream.getvalue()
    # Two tables, each kept on its own line; the bar redrawn with \r within one.
    assert text.count("\n") == 2 and text.count("\r") == 3
    assert "[" + "#" * 30 + "] 100.0%" in text and "[" + "#" * 15 + "." * 15 + "]  50.0%" in text


def test_the_report_marks_a_table_that_differs() -> None:
    same = TableCopy("cases", 3, 3, "a" * 64, "a" * 64)
    short = TableCopy("case_events", 5, 4, "b" * 64, "c" * 64)
    report = CopyReport((same, short), {}, "0024", (), 1.0, 0.5)
    assert not report.matches and report.rows == 8
    lines = format_report(report).splitlines()
    assert lines[1].split()[:3] == ["cases", "3", "3"] and lines[1].endswith("是 yes")
    assert lines[2].split()[:3] == ["case_events", "5", "4"] and lines[2].endswith("否 NO")
    assert f"{'b' * 16} ≠ {'c' * 16}" in lines[2]
    assert lines[3].split()[-2:] == ["8", "7"]


def test_a_server_that_does_not_answer_is_said_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = f"sqlite:///{tmp_path / 'seat.sqlite3'}"
    nobody = "postgresql+psycopg://grid_owner@127.0.0.1:1/grid_console"  # port 1: refused
    assert main(["--db", source, "copy-db", "--to", nobody]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 [copy_db_refused]: 无法连接目标数据库 (cannot reach the target)")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
