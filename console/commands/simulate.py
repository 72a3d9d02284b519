"""`grid-console simulate [--rate R] [--duration S]`: keep the database live for a watching console."""

from __future__ import annotations

import argparse
import sys
import time

from console.db import Database
from console.errors import DatabaseUnavailableError
from console.services.cases.service import CaseService
from console.services.simulator import Simulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rate",
        type=float,
        default=30,
        metavar="R",
        help="new reports per minute (default 30); each also moves one case",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=0,
        metavar="S",
        help="stop after S seconds (default: run until Ctrl-C)",
    )
    parser.add_argument("--seed", type=int, default=None)


def run(args: argparse.Namespace) -> int:
    if args.rate <= 0:
        raise SystemExit("--rate must be > 0")
    db = Database(args.db)
    interval = 60.0 / args.rate
    deadline = time.monotonic() + args.duration if args.duration else None
    ticks = 0
    outage = Outage()
    try:
        # Inside the try: an empty database raises here, and the engine is still disposed.
        sim = Simulator(CaseService(db), seed=args.seed)
        while deadline is None or time.monotonic() < deadline:
            started = time.monotonic()
            try:
                lines = sim.tick()
            except DatabaseUnavailableError:
                # The server went away (restart, network): wait for it, then carry on.
                pause = outage.lost()
                if deadline is not None:
                    pause = min(pause, deadline - time.monotonic())
                time.sleep(max(pause, 0.0))
                continue
            outage.back()
            for line in lines:
                print(line, flush=True)
            ticks += 1
            remaining = interval - (time.monotonic() - started)
            if deadline is not None:
                remaining = min(remaining, deadline - time.monotonic())
            if remaining > 0:
                time.sleep(remaining)
    finally:
        db.dispose()
    print(f"模拟结束 simulated {ticks} ticks")
    return 0


class Outage:
    """Says once that the database is gone and once that it is back; the wait between tries
    doubles from ``first`` to ``longest`` seconds (the console's banner backs off the same)."""

    def __init__(self, *, first: float = 0.5, longest: float = 5.0) -> None:
        self.first, self.longest = first, longest
        self.since: float | None = None
        self.wait = first

    def lost(self) -> float:
        """Seconds to wait before the next try."""
        if self.since is None:
            self.since = time.monotonic()
            self.wait = self.first
            print(
                "与数据库的连接已中断，正在等待恢复（自动重试）… (database unreachable; retrying)",
                file=sys.stderr,
                flush=True,
            )
        else:
            self.wait = min(self.wait * 2, self.longest)
        return self.wait

    def back(self) -> None:
        if self.since is not None:
            print(
                f"数据库连接已恢复，继续模拟（中断 {time.monotonic() - self.since:.0f} 秒） "
                "(database back; resuming)",
                file=sys.stderr,
                flush=True,
            )
            self.since = None
