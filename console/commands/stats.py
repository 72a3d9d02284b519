"""`grid-console stats [--json]`: what is in the database."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from console.db import Database
from console.domain.lifecycle import STATE_LABELS
from console.services.queries import stats

LEVEL_LABELS = {
    "district": "区",
    "street": "街道",
    "area": "片区",
    "unit": "单元(社区)",
    "grid": "网格",
}
KIND_LABELS = {
    "street_committee": "街道城管委",
    "professional": "专业部门",
    "functional": "职能部门",
}
LIGHT_LABELS = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "none": "未计时"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def format_stats(counts: dict[str, dict[str, int]]) -> str:
    lines = ["地域 regions:"]
    lines += [f"  {LEVEL_LABELS[k]} {k}: {v}" for k, v in counts["regions"].items()]
    lines.append("组织 organisation:")
    lines += [
        f"  {KIND_LABELS.get(k, k)} {k}: {v}" for k, v in sorted(counts["departments"].items())
    ]
    lines += [f"  {k}: {v}" for k, v in counts["staff"].items()]
    lines.append("案件状态 case states:")
    if not counts["states"]:
        lines.append("  (无案件 no cases)")
    for state, (zh, _en) in STATE_LABELS.items():
        if state in counts["states"]:
            lines.append(f"  {zh} {state}: {counts['states'][state]}")
    lines.append("在办案件红黄绿灯 open cases by traffic light:")
    for light in ("green", "yellow", "red", "none"):
        lines.append(f"  {LIGHT_LABELS[light]} {light}: {counts['lights'].get(light, 0)}")
    return "\n".join(lines)


def in_fixed_order(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """``counts`` with every group in one order whatever the engine's GROUP BY returned
    (states in lifecycle order, lights green → none, the rest by name): the same database on
    SQLite and on PostgreSQL prints the same JSON (copy-db's check)."""
    states = counts["states"]
    lights = counts["lights"]
    return {
        **counts,
        "departments": dict(sorted(counts["departments"].items())),
        "states": {
            **{s: states[s] for s in STATE_LABELS if s in states},
            **{s: n for s, n in sorted(states.items()) if s not in STATE_LABELS},
        },
        "lights": {
            **{k: lights[k] for k in LIGHT_LABELS if k in lights},
            **{k: n for k, n in sorted(lights.items()) if k not in LIGHT_LABELS},
        },
    }


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        with db.read() as s:
            counts = stats(s, datetime.now(UTC))
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(in_fixed_order(counts), ensure_ascii=False, indent=2))
    else:
        print(format_stats(counts))
    return 0
