"""`grid-console seed-demo [--cases N] [--days D] [--seed S] [--components N]`: the demo
district, its component census and cases."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from console.db import Database
from console.services.cases.service import CaseService
from console.services.demo import DemoAccount, seed_demo


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
    parser.add_argument(
        "--components",
        type=int,
        default=None,
        metavar="N",
        help="about N objects in the demo's component census (default: the full census, "
        "about 128,000; 0: none)",
    )


def print_sign_ins(accounts: list[DemoAccount]) -> None:
    """The demo accounts and their published passwords, as a table."""
    if not accounts:
        return
    print("演示账户 demo sign-ins（仅供演示，切勿用于正式环境 / demo only, never for real use）:")
    width = max(len(a.username) for a in accounts)
    print(f"  {'用户名 username'.ljust(width + 4)}  密码 password      角色 role")
    for a in accounts:
        name = a.username
        if a.role == "department":
            name += " …"  # every handler: dept-<department code>
        print(f"  {name.ljust(width + 4)}  {a.password.ljust(16)}  {a.label} {a.role}")
    if any(a.role == "department" for a in accounts):
        print(
            "  （每个部门一个处置员账户 dept-<部门代码小写>，密码相同 / one handler per department)"
        )


def run(args: argparse.Namespace) -> int:
    if args.cases < 0 or args.days <= 0 or (args.components or 0) < 0:
        raise SystemExit("--cases and --components must be ≥ 0 and --days > 0")
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
            components=args.components,
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
        print(f"演示用户 demo users: {report.users}")
    print_sign_ins(report.sign_ins)
    if report.grid_staff:
        print(f"一格七员 grid staff: {report.grid_staff}")
    if report.components:
        print(f"演示部件 demo census components: {report.components:,}")
    print(f"新增案件 cases added: {report.cases}（{elapsed:.1f} s）")
    print("案件状态 states: " + ", ".join(f"{k} {v}" for k, v in sorted(report.states.items())))
    return 0
