"""The start-up scenario: `grid-console deadline` in a new process, from exec to its answer.

On a database at the schema's head (what every start after the first meets) the command reads
the calendar with sqlite3 alone (console.services.calendar_read) and imports neither Alembic
nor SQLAlchemy nor the models. Timed alternately with the way it answered before issue 14 §6,
also a new process on the same file: Database's Alembic upgrade run on every open and the
calendar read through the ORM. Both must print the same deadline. A bare interpreter's start
(``python -c pass``) and ``grid-console --help`` are measured beside them, for scale.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from console.bench.harness import Figure, alternating_runs
from console.db import Database

Log = Callable[[str], None]
GOAL_S = 0.3
FIGURE = "start-up: deadline in a new process (s)"
ARGS = ("--from", "2026-09-30T16:00+08:00", "--limit", "1工作日")
#: The command as it was: every open ran Alembic's upgrade, the calendar came through the ORM.
BEFORE = """
import sys
from console.commands.time_option import aware_time
from console.config import LOCAL_TZ
from console.db import Database, upgrade
from console.domain.time_limits import deadline_after, parse_time_limit
from console.services.work_calendar import load_calendar

db = Database(sys.argv[1], migrate=False)
upgrade(db.engine)
with db.read() as s:
    cal = load_calendar(s)
db.dispose()
start = aware_time(sys.argv[3], "from", "")
print(deadline_after(cal, start, parse_time_limit(sys.argv[5])).astimezone(LOCAL_TZ).isoformat())
"""


def _timed(argv: Sequence[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def _median_start(argv: Sequence[str], repeat: int) -> float:
    return statistics.median(_timed(argv)[0] for _ in range(repeat))


def run_startup_bench(workdir: Path, quick: bool, log: Log) -> list[Figure]:
    repeat = 5 if quick else 11  # a noisy shared machine: medians
    path = workdir / "startup.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    Database(url).dispose()  # created and migrated: the first start's work, not timed here
    python = sys.executable
    command = [python, "-m", "console", "deadline", "--db", url, *ARGS]
    value, baseline, answer = alternating_runs(
        "start-up",
        repeat,
        lambda: _timed(command),
        lambda: _timed([python, "-c", BEFORE, url, *ARGS]),
        log,
    )
    bare = _median_start([python, "-c", "pass"], repeat)
    help_ = _median_start([python, "-m", "console", "--help"], repeat)
    return [
        Figure(
            FIGURE,
            value,
            "s",
            baseline,
            higher_is_better=False,
            goal=GOAL_S,
            note=f"`deadline {' '.join(ARGS)}` → {answer.strip()} on an SQLite file at head, "
            f"a new process each time; baseline: the same in a new process with Alembic's "
            f"upgrade and the ORM read; bare `python -c pass` {bare:.2f} s, `--help` "
            f"{help_:.2f} s; median of {repeat}",
        )
    ]
