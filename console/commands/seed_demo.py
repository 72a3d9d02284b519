"""`grid-console seed-demo [--cases N] [--days D] [--seed S]`: the demo district and cases."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from console.db import Database
from console.services.cases import CaseService
from console.services.demo import seed_demo


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cases", type=int, default=2000, metavar="N", help="demo cases to add (default 2000)"
    )
    parser.add_argument(
        "--days",
        type=float,
        default=30,
        metavar="D",
        help="spread them over the last D days (default 30)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=7,
        metavar="S",
        help="random seed: the same seed gives the same district and cases",
    )


def run(args: argparse.Namespace) -> int:
    if args.cases < 0 or args.days <= 0:
        raise SystemExit("--cases must be ≥ 0 and --days > 0")
    db = Database(args.db)
    try:
        started = time.perf_counter()
        service = CaseService(db)
        report = seed_demo(
            db,
            service.workflow,
            cases=args.cases,
            days=args.days,
            seed=args.seed,
            now=datetime.now(UTC),
        )
        elapsed = time.perf_counter() - started
    finally:
        db.dispose()
    print(f"数据库 database: {db.url}")
    print(
        "演示地域 demo geography: "
        + ("已生成 generated" if report.regions_created else "已存在 already present")
    )
    if any(report.reference.values()):
        print(
            "参考数据 reference data: " + ", ".join(f"{k} {v}" for k, v in report.reference.items())
        )
    if report.users:
        print(f"演示用户 demo users: {report.users}（登录名=角色代码，如 dispatcher、duty_chief）")
    if report.grid_staff:
        print(f"一格七员 grid staff: {report.grid_staff}")
    print(f"新增案件 cases added: {report.cases}（{elapsed:.1f} s）")
    print("案件状态 states: " + ", ".join(f"{k} {v}" for k, v in sorted(report.states.items())))
    return 0
