"""`grid-console calendar import|show|log` on SQLite and PostgreSQL, with bad files refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.cli import main
from console.db import Database
from console.models import CalendarChange, CalendarDay, CalendarYear

SCHEDULE_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知 (a test schedule, not the real one)
date,kind,name
2027-01-01,holiday,元旦
2027-02-05,holiday,春节
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-20,workday,春节调休
"""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cal.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


def write(tmp_path: Path, body: str, name: str = "2027.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def show(url: str, year: int, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["--db", url, "calendar", "show", "--year", str(year), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_import_then_show_and_deadline(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = show(url, 2027, capsys)
    assert before["status"] == "provisional"
    assert before["notice"] == "2027 年节假日安排尚未导入，期限按法定假日推算"
    assert before["workdays"] == []

    assert main(["--db", url, "calendar", "import", str(write(tmp_path, SCHEDULE_2027))]) == 0
    out = capsys.readouterr().out
    assert "2027 年节假日安排已导入为正式安排" in out
    assert "8 个假日，1 个调休上班日" in out
    assert "2027-02-06" in out and "本是休息日" in out  # a weekend holiday is reported

    after = show(url, 2027, capsys)
    assert after["status"] == "official"
    assert after["source"] == "database"
    assert after["notice"] is None
    assert after["workdays"] == [{"date": "2027-02-20", "name": "春节调休"}]
    assert len(after["holidays"]) == 8  # type: ignore[arg-type]

    # The deadline command now counts on the official year: 02-11 is off, 02-20 worked.
    argv = ["deadline", "--db", url, "--from", "2027-02-04T16:00+08:00", "--limit", "1工作日"]
    assert main(argv) == 0
    assert capsys.readouterr().out == "2027-02-12T16:00:00+08:00\n"

    assert main(["calendar", "log", "--db", url, "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert len(log) == 1 and log[0]["year"] == 2027 and log[0]["action"] == "import"
    assert log[0]["actor"].startswith("命令行")
    assert log[0]["detail"]["source"] == "2027.csv"


def test_show_a_package_year_and_its_text(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert show(url, 2026, capsys)["status"] == "official"
    assert main(["--db", url, "calendar", "show", "--year", "2027"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2027 年：暂定 provisional（来源 statutory rule）")
    assert "2027-02-09 二 春节补休" in out


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (SCHEDULE_2027 + "2028-01-01,holiday,元旦\n", "不在 2027 年内"),
        (SCHEDULE_2027 + "2027-01-01,holiday,again\n", "重复"),
        (SCHEDULE_2027 + "2027-03-03,workday,x\n", "本是工作日"),
        (SCHEDULE_2027 + "2027-03-32,holiday,x\n", "无效"),
    ],
)
def test_a_bad_file_is_refused_whole(
    url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    body: str,
    fragment: str,
) -> None:
    assert main(["--db", url, "calendar", "import", str(write(tmp_path, body))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "未导入任何内容" in captured.err and fragment in captured.err
    database = Database(url)
    try:
        with database.read() as s:
            for table in (CalendarYear, CalendarDay, CalendarChange):
                assert s.scalar(select(func.count()).select_from(table)) == 0
    finally:
        database.dispose()
    assert show(url, 2027, capsys)["status"] == "provisional"


def test_log_is_empty_at_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert main(["--db", url, "calendar", "log"]) == 0
    assert "没有变更记录" in capsys.readouterr().out
