"""`grid-console deadline`: exact output, JSON, and refusal of bad input (exit code 2)."""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import pytest

from console import cli
from console.commands import deadline
from console.errors import ValidationError


def run_deadline(*argv: str) -> int:
    """The command through a parser built from its own add_arguments (no other modules)."""
    parser = argparse.ArgumentParser(prog="grid-console deadline")
    deadline.add_arguments(parser)
    return deadline.run(parser.parse_args(list(argv)))


@pytest.fixture
def deadline_only_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """cli.main with only the deadline subcommand wired, so its error handling is exercised
    even while sibling command modules are still being written."""
    monkeypatch.setattr(cli, "SUBCOMMANDS", {"deadline": cli.SUBCOMMANDS["deadline"]})


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
    ],
)
def test_deadlines(
    capsys: pytest.CaptureFixture[str], start: str, limit: str, expected: str
) -> None:
    assert run_deadline("--from", start, "--limit", limit) == 0
    assert capsys.readouterr().out == expected + "\n"


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_deadline("--from", "2026-09-30T16:00+08:00", "--limit", "1工作日", "--json") == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {
        "from": "2026-09-30T16:00:00+08:00",
        "limit": "1工作日",
        "deadline": "2026-10-08T16:00:00+08:00",
        "working_seconds": 28800.0,
    }
    assert out == (
        '{"from": "2026-09-30T16:00:00+08:00", "limit": "1工作日", '
        '"deadline": "2026-10-08T16:00:00+08:00", "working_seconds": 28800.0}\n'
    )


def test_office_hours_option(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--from", "2026-03-02T16:00+08:00", "--limit", "2工作时"]
    assert run_deadline(*argv, "--office-hours", "09:00-17:00") == 0
    assert capsys.readouterr().out == "2026-03-03T10:00:00+08:00\n"


def test_overrides_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text("date,kind,name\n2026-10-08,holiday,test\n", encoding="utf-8")
    argv = ["--from", "2026-09-30T16:00+08:00", "--limit", "1工作日", "--overrides", str(path)]
    assert run_deadline(*argv) == 0
    assert capsys.readouterr().out == "2026-10-09T16:00:00+08:00\n"


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


@pytest.mark.usefixtures("deadline_only_cli")
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


@pytest.mark.usefixtures("deadline_only_cli")
def test_cli_main_ignores_db_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'never.sqlite3'}"
    argv = ["--db", db_url, "deadline", "--from", "2026-09-30T16:00+08:00", "--limit", "1工作日"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "2026-10-08T16:00:00+08:00\n"
    assert not (tmp_path / "never.sqlite3").exists()  # the database is never opened


_MISSING_COMMANDS = [
    module
    for module, _ in cli.SUBCOMMANDS.values()
    if importlib.util.find_spec(f"console.commands.{module}") is None
]


@pytest.mark.skipif(
    bool(_MISSING_COMMANDS),
    reason=f"command modules not written yet: {', '.join(_MISSING_COMMANDS)}",
)
def test_full_cli_main(capsys: pytest.CaptureFixture[str]) -> None:
    """Through the real parser with every subcommand wired (runs once all modules exist)."""
    argv = ["deadline", "--from", "2026-09-30T16:00+08:00", "--limit", "1工作日"]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == "2026-10-08T16:00:00+08:00\n"
    assert cli.main(["deadline", "--from", "garbage", "--limit", "1工作日"]) == 2
    assert "不是 ISO 8601 时间" in capsys.readouterr().err
