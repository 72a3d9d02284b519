"""`grid-console simulate` through cli.main on a real seeded SQLite file."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import func, select

from console.cli import main
from console.db import Database
from console.domain.lifecycle import default_lifecycle
from console.models import Case, CaseEvent
from tests.commands.expected import assert_histories, assert_legal
from tests.integration.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]


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


# --- the server goes away and comes back (#13 §4) --------------------------------------------


class Lines:
    """A process's output, read line by line on a thread as it comes."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def count(self, pattern: str) -> int:
        return sum(1 for line in list(self.lines) if re.search(pattern, line))

    def wait_for(self, pattern: str, n: int, proc: subprocess.Popen[str], within: float) -> None:
        deadline = time.monotonic() + within
        while self.count(pattern) < n:
            assert proc.poll() is None or self.count(pattern) >= n, self.lines
            assert time.monotonic() < deadline, f"no {n}× {pattern!r} in {self.lines}"
            time.sleep(0.05)


@pytest.mark.postgres
def test_simulate_waits_for_the_server_and_resumes(
    pg_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """simulate talks to the real server through a TCP proxy; cutting the proxy is the server
    going away (open connections closed, new ones refused). simulate says so once, keeps
    trying with back-off, and carries on when the proxy listens again."""
    assert main(["--db", pg_url, "seed-demo", "--cases", "10", "--seed", "2"]) == 0
    capsys.readouterr()
    cases_before = counts(pg_url)[0]
    with TcpProxy() as proxy:
        proc = subprocess.Popen(
            [sys.executable, "main.py", "--db", proxy.url_for(pg_url), "simulate",
             "--rate", "300", "--duration", "12", "--seed", "3"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        try:
            out.wait_for(r"^上报 ", 3, proc, within=30)
            proxy.cut()
            err.wait_for("连接已中断", 1, proc, within=10)
            reported_in_outage = out.count(r"^上报 ")
            time.sleep(3)  # several tries, all refused
            assert out.count(r"^上报 ") == reported_in_outage
            proxy.restore()
            err.wait_for("连接已恢复", 1, proc, within=10)
            out.wait_for(r"^上报 ", reported_in_outage + 3, proc, within=15)
            assert proc.wait(timeout=30) == 0, err.lines
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        out.thread.join(5)
        err.thread.join(5)
    assert err.count("连接已中断") == 1 and err.count("连接已恢复") == 1, err.lines
    assert not any("Traceback" in line for line in err.lines), err.lines
    # a step cut off by the outage is retried, never printed as a refusal of that step
    assert not any("连接已中断" in line for line in out.lines), out.lines
    ticks = int(re.search(r"模拟结束 simulated (\d+) ticks", "\n".join(out.lines))[1])  # type: ignore[index]
    reported = out.count(r"^上报 [CE]\d+$")
    assert reported == ticks > reported_in_outage
    # every report printed is in the database once, and nothing else was added
    assert counts(pg_url)[0] == cases_before + reported
