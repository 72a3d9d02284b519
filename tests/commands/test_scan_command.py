"""`grid-console scan [--now ISO] [--json]` through cli.main: text, JSON, nothing due, bad --now."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from console import cli
from console.db import Database
from console.models import Alert
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    report_input,
    street_points,
)


@pytest.fixture(autouse=True)
def scan_only_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    """cli.main with only the scan subcommand wired (sibling modules may be mid-edit)."""
    monkeypatch.setattr(cli, "SUBCOMMANDS", {"scan": cli.SUBCOMMANDS["scan"]})


@pytest.fixture
def case_id(demo_db: Database, clock: Clock) -> int:
    """A 4工作时 case dispatched Mon 2026-11-23 09:00: yellow 14:12, red 15:00."""
    service = CaseService(demo_db, clock=clock)
    (_, _, point), _ = street_points(demo_db)
    s = service.report(INTAKE, report_input(point))
    s = service.register(CHIEF, s.id, s.version)
    return service.dispatch(DISPATCHER, s.id, s.version).id


def scan(db: Database, *argv: str) -> int:
    return cli.main(["--db", db.url, "scan", *argv])


def test_text_output_one_line_per_alert(
    demo_db: Database, case_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scan(demo_db, "--now", "2026-11-23T14:30+08:00") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("#") and "黄灯预警" in lines[0] and "2026-11-23 14:12" in lines[0]
    assert lines[1].startswith("1 alerts raised at 2026-11-23T14:30:00+08:00")
    assert scan(demo_db, "--now", "2026-11-23T15:00+08:00") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "超期" in lines[0] and "区环境卫生管理中心" in lines[0]
    assert lines[1].startswith("1 alerts raised at 2026-11-23T15:00:00+08:00")
    # The same moment again: nothing new.
    assert scan(demo_db, "--now", "2026-11-23T15:00+08:00") == 0
    assert capsys.readouterr().out.startswith("0 alerts at 2026-11-23T15:00:00+08:00")


def test_json_output(demo_db: Database, case_id: int, capsys: pytest.CaptureFixture[str]) -> None:
    # UTC input is fine: 01:00Z is 09:00 in Xi'an, Tuesday: the first 督办 is due.
    assert scan(demo_db, "--now", "2026-11-24T01:00:00+00:00", "--json") == 0
    alerts = json.loads(capsys.readouterr().out)
    # The first scan ever: only the current level, not the warning and overdue it passed.
    assert [a["level"] for a in alerts] == ["supervise_1"]
    first = alerts[0]
    assert first["case_id"] == case_id and first["level_label_zh"] == "一级督办"
    assert first["due_at"] == "2026-11-24T09:00:00+08:00"
    assert first["recipient_kind"] == "department"
    assert first["acknowledged_at"] is None
    assert "已超期 4 工作时" in first["message"]
    assert scan(demo_db, "--now", "2026-11-24T09:00+08:00", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("bad", ["2026-11-24T09:00", "tomorrow"])
def test_bad_now_is_refused_before_anything_is_written(
    demo_db: Database, case_id: int, bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert scan(demo_db, "--now", bad) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--now" in captured.err and "2026-11-24T09:00+08:00" in captured.err
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Alert)) == 0
