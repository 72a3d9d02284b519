"""`grid-console deadline` with the urgent clock (紧急工作时), through the real CLI.

Kept apart from test_deadline_command.py while that command is being reworked for the
holiday calendar; same pattern: cli.main, exact output, exit code.
"""

from __future__ import annotations

import json

import pytest

from console import cli

FRIDAY_EVENING = "2026-12-04T17:00+08:00"


def test_four_urgent_working_hours_from_friday_17_00_end_at_21_00(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["deadline", "--from", FRIDAY_EVENING, "--limit", "4紧急工作时"]) == 0
    assert capsys.readouterr().out == "2026-12-04T21:00:00+08:00\n"


def test_office_hours_would_have_run_into_monday(capsys: pytest.CaptureFixture[str]) -> None:
    """The limit the 39 rows had before: 4 office hours from Friday 17:00 is Monday 11:00."""
    assert cli.main(["deadline", "--from", FRIDAY_EVENING, "--limit", "4工作时"]) == 0
    assert capsys.readouterr().out == "2026-12-07T11:00:00+08:00\n"


def test_json_names_the_natural_clock(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["deadline", "--from", FRIDAY_EVENING, "--limit", "4 紧急工作时", "--json"]
    assert cli.main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["limit"], payload["deadline"]) == ("4小时", "2026-12-04T21:00:00+08:00")
