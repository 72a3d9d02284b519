"""`grid-console simulate [--rate R] [--duration S]`: keep the database live for a watching console."""

from __future__ import annotations

import argparse
import time

from console.db import Database
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
    try:
        # Inside the try: an empty database raises here, and the engine is still disposed.
        sim = Simulator(CaseService(db), seed=args.seed)
        while deadline is None or time.monotonic() < deadline:
            started = time.monotonic()
            for line in sim.tick():
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
