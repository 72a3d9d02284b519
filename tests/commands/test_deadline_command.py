"""`grid-console deadline`: exact output, JSON, the database's calendar, and refusal of bad input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from console import cli
from console.commands import deadline
from console.errors import ValidationError
from tests.test_db import run_fresh


@pytest.fixture(autouse=True)
def embedded_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command's default database, as a fresh file of this test's own."""
    url = f"sqlite:///{tmp_path / 'default.sqlite3'}"
    monkeypatch.setenv("GRID_CONSOLE_DB", url)
    return url


def run_deadline(*argv: str) -> int:
    """The command through a parser built from its own add_arguments (no other modules)."""
    parser = argparse.ArgumentParser(prog="grid-console deadline")
    deadline.add_arguments(parser)
    return deadline.run(parser.parse_args(list(argv)))


def test_national_day_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_deadline("--from", "2026-09-30T16:00+08:00", "--limit", "1工作日") == 0
    assert capsys.readouterr().out == "2026-10-08T16:00:00+08:00\n"


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        ("2026-10-09T16:00+08:00", "1工作日", "2026-10-10T16:00:00+08:00"),  # adjusted Saturday
        ("2026-02-13T17:00+08:00", "2工作时", "2026-02-14T09:00:00+08:00"),  # adjusted Saturday
        ("2026-02-14T17:00+08:00", "2 work hours", "2026-02-24T09:00:00+08:00"),  # Spring Fest.
        ("2026-09-30T22:00+08:00", "6紧急工作时", "2026-10-01T04:00:00+08:00"),  # natural clock
        ("2026-09-30T08:00:00Z", "1 workday", "2026-10-08T16:00:00+08:00"),  # UTC in, local out
        ("2026-03-02T11:00+08:00", "0.25工作日", "2026-03-02T15:00:00+08:00"),  # over lunch
        # 2027 is provisional (the law's days): 元旦 on Friday, Monday the next working day
        ("2026-12-31T16:00+08:00", "1工作日", "2027-01-04T16:00:00+08:00"),
        # 除夕 02-05, 初一 a Saturday, 初三 02-08; the weekend days made up on 02-09 and 02-10
        ("2027-02-04T16:00+08:00", "1工作日", "2027-02-11T16:00:00+08:00"),
        # a 20工作日 limit dispatched on 4 December crosses 元旦
        ("2026-12-04T10:00+08:00", "20工作日", "2027-01-04T10:00:00+08:00"),
    ],
)
def test_deadlines(
    capsys: pytest.CaptureFixture[str], start: str, limit: str, expected: str
) -> None:
    assert run_deadline("--from", start, "--limit", limit) == 0
    assert capsys.readouterr().out == expected + "\n"


def test_a_provisional_year_is_said_on_standard_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_deadline("--from", "2026-12-31T16:00+08:00", "--limit", "1工作日") == 0
    captured = capsys.readouterr()
    assert captured.out == "2027-01-04T16:00:00+08:00\n"
    assert "2027 年节假日安排尚未导入，期限按法定假日推算" in captured.err
    assert run_deadline("--from", "2026-09-30T16:00+08:00", "--limit", "1工作日") == 0
    assert capsys.readouterr().err == ""  # 2026 is the State Council's (chinese-calendar)


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_deadline("--from", "2026-09-30T16:00+08:00", "--limit", "1工作日", "--json") == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {
        "from": "2026-09-30T16:00:00+08:00",
        "limit": "1工作日",
        "deadline": "2026-10-08T16:00:00+08:00",
        "working_seconds": 28800.0,
        "calendar": {"2026": "official"},
    }


def test_json_names_a_provisional_year(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_deadline("--from", "2026-12-31T16:00+08:00", "--limit", "1工作日", "--json") == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["calendar"] == {"2026": "official", "2027": "provisional"}


def test_office_hours_option(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--from", "2026-03-02T16:00+08:00", "--limit", "2工作时"]
    assert run_deadline(*argv, "--office-hours", "09:00-17:00") == 0
    assert capsys.readouterr().out == "2026-03-03T10:00:00+08:00\n"


def test_the_database_calendar_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, embedded_db: str
) -> None:
    """Once the admin imports 2027, `deadline` counts on the official schedule."""
    schedule = tmp_path / "2027.csv"
    schedule.write_text(
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦（测试）\n",
        encoding="utf-8",
    )
    assert cli.main(["calendar", "import", str(schedule)]) == 0
    capsys.readouterr()
    assert cli.main(["deadline", "--from", "2026-12-31T16:00+08:00", "--limit", "1工作日"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "2027-01-05T16:00:00+08:00\n"
    assert captured.err == ""  # 2027 is official now
    # --db after the subcommand names another database: one without the import
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    argv = ["deadline", "--db", other, "--from", "2026-12-31T16:00+08:00", "--limit", "1工作日"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "2027-01-04T16:00:00+08:00\n"


def test_from_defaults_to_now(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_deadline("--limit", "1小时") == 0
    assert capsys.readouterr().out.strip().endswith("+08:00")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--from", "2026-09-30T16:00", "--limit", "1工作日"], "缺少时区偏移"),
        (["--from", "tomorrow", "--limit", "1工作日"], "不是 ISO 8601 时间"),
        (["--from", "2026-09-30T16:00+08:00", "--limit", "1天"], "无法识别的时限"),
        (
            ["--from", "2026-09-30T16:00+08:00", "--limit", "1小时", "--office-hours", "x"],
            "办公时间",
        ),
    ],
)
def test_bad_input_raises_validation_error(argv: list[str], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        run_deadline(*argv)


def test_cli_main_exit_codes_and_messages(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["deadline", "--from", "2026-09-30T16:00+08:00", "--limit", "1工作日"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "2026-10-08T16:00:00+08:00\n"

    assert cli.main(["deadline", "--from", "2026-09-30T16:00", "--limit", "1工作日"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "错误 [invalid]: --from '2026-09-30T16:00' 缺少时区偏移，应如 2026-09-30T16:00+08:00\n"
    )

    assert cli.main(["deadline", "--from", "2026-09-30T16:00+08:00", "--limit", "soon"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 [invalid_time_limit]: 无法识别的时限 'soon'")


def test_a_start_on_an_up_to_date_database_imports_no_alembic(embedded_db: str) -> None:
    """On a database at the schema's head, the usual start, the command needs neither Alembic
    nor SQLAlchemy nor the models: the SQLite file is read with sqlite3 (issue 14 §6; how long
    the start takes is the bench's figure, not a test's). The first start migrates, as ever."""
    argv = ["deadline", "--db", embedded_db, "--from", "2026-09-30T16:00+08:00"]
    argv += ["--limit", "1工作日"]
    run = f"from console.cli import main; assert main({argv!r}) == 0"
    printed, imported = run_fresh(run)
    assert printed == "2026-10-08T16:00:00+08:00\n"
    assert "alembic" in imported  # a new file: created and migrated
    assert run_fresh(run) == (printed, set())  # at head now
