"""`grid-console simulate` through cli.main on a real seeded SQLite file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.cli import main
from console.db import Database
from console.domain.lifecycle import default_lifecycle
from console.models import Case, CaseEvent
from tests.commands.expected import assert_histories, assert_legal


def counts(url: str) -> tuple[int, int, int]:
    db = Database(url)
    try:
        with db.read() as s:
            return (
                s.scalar(select(func.count()).select_from(Case)) or 0,
                s.scalar(select(func.count()).select_from(CaseEvent)) or 0,
                s.scalar(select(func.max(CaseEvent.id))) or 0,
            )
    finally:
        db.dispose()


def test_simulate_reports_and_moves_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    assert main(["--db", url, "seed-demo", "--cases", "60", "--days", "4", "--seed", "2"]) == 0
    capsys.readouterr()
    cases_before, events_before, last_event = counts(url)
    assert cases_before == 60

    code = main(["--db", url, "simulate", "--rate", "600", "--duration", "2", "--seed", "1"])
    out = capsys.readouterr().out
    assert code == 0

    ticks = int(re.search(r"模拟结束 simulated (\d+) ticks", out)[1])  # type: ignore[index]
    reported = re.findall(r"^上报 ([CE]\d+)$", out, re.M)
    moved = re.findall(r"^(\w+) ([CE]\d+) → (\w+)$", out, re.M)
    assert ticks >= 2
    assert len(reported) == ticks  # one new report per tick
    assert moved, out

    cases_after, events_after, _ = counts(url)
    assert cases_after == cases_before + ticks
    assert events_after >= events_before + ticks + len(moved)

    lifecycle = default_lifecycle()
    db = Database(url)
    try:
        with db.read() as s:
            new_events = s.scalars(
                select(CaseEvent).where(CaseEvent.id > last_event).order_by(CaseEvent.id)
            ).all()
            assert len(new_events) == events_after - events_before
            for event in new_events:
                assert_legal(event, lifecycle)
            new_reports = [e for e in new_events if e.action == "report"]
            assert len(new_reports) == ticks
            moves = [e for e in new_events if e.action != "report"]
            assert len(moves) == len(moved)
            new_case_ids = {e.case_id for e in new_reports}
            numbers = set(s.scalars(select(Case.number).where(Case.id.in_(new_case_ids))))
            assert numbers == set(reported)
            # each printed move is in the database with the state it printed
            by_number = {c.number: c for c in s.scalars(select(Case))}
            for action, number, state in moved:
                assert action in lifecycle.transitions
                assert any(
                    e.case_id == by_number[number].id and e.action == action and e.to_state == state
                    for e in moves
                )
            # the whole history, old and new, still chains and is legal
            assert_histories(s, lifecycle)
    finally:
        db.dispose()


def test_simulate_on_an_empty_database_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    code = main(["--db", url, "simulate", "--rate", "600", "--duration", "1", "--seed", "1"])
    captured = capsys.readouterr()
    assert code == 2
    assert "请先运行 seed-demo" in captured.err
    assert captured.err.startswith("错误 [")
    assert "模拟结束" not in captured.out
    cases, events, _ = counts(url)
    assert (cases, events) == (0, 0)
