"""`grid-console roster show|set` on a real demo database."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from console.cli import main
from console.config import LOCAL_TZ
from console.db import Database
from console.services import handover


@pytest.fixture
def url(demo_db: Database) -> str:
    with demo_db.session() as s:
        handover.ensure_demo_roster(s, datetime(2026, 11, 23, 9, tzinfo=LOCAL_TZ))
    return demo_db.url


def show(url: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    assert (
        main(["--db", url, "roster", "show", "--from", "2026-11-23", "--days", "1", "--json"]) == 0
    )
    return json.loads(capsys.readouterr().out)


def test_show_and_set(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = show(url, capsys)
    assert [(e["username"], e["starts_at"][5:16]) for e in before] == [
        ("duty_chief2", "11-22T20:00"),  # the night before ends on the day
        ("dispatcher2", "11-22T20:00"),
        ("duty_chief", "11-23T08:00"),
        ("dispatcher", "11-23T08:00"),
        ("duty_chief2", "11-23T20:00"),
        ("dispatcher2", "11-23T20:00"),
    ]
    # The night's duty chief takes the day shift instead; the day's takes the night.
    assert main(["roster", "--db", url, "set", "2026-11-23", "night", "duty_chief", "-"]) == 0
    assert (
        main(["roster", "--db", url, "set", "2026-11-23", "day", "duty_chief", "duty_chief2"]) == 0
    )
    assert "duty_chief2" in capsys.readouterr().out
    assert (
        main(["roster", "--db", url, "set", "2026-11-23", "night", "duty_chief", "duty_chief"]) == 0
    )
    capsys.readouterr()
    after = show(url, capsys)[2:]
    assert [(e["username"], e["starts_at"][11:16]) for e in after] == [
        ("duty_chief2", "08:00"),
        ("dispatcher", "08:00"),
        ("duty_chief", "20:00"),
        ("dispatcher2", "20:00"),
    ]
    assert main(["--db", url, "roster", "show", "--from", "2026-11-23", "--days", "1"]) == 0
    text = capsys.readouterr().out
    assert "2026-11-23 08:00–20:00 白班 值班长 duty_chief2" in text


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["set", "2026-11-23", "noon", "duty_chief", "duty_chief"], "班次 'noon' 不存在"),
        (["set", "2026-11-23", "day", "duty_chief", "dispatcher"], "不能担任"),
        (["set", "2026-11-23", "day", "duty_chief", "nobody"], "用户不存在"),
        (["set", "23/11/2026", "day", "duty_chief", "duty_chief"], "日期"),
    ],
)
def test_bad_input_changes_nothing(
    url: str, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    before = show(url, capsys)
    assert main(["--db", url, "roster", *argv]) == 2
    assert fragment in capsys.readouterr().err
    assert show(url, capsys) == before
