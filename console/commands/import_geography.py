"""`grid-console import-geography FILE [--replace]`: load a district's region layer from GeoJSON.

The file is a FeatureCollection in WGS-84 whose features carry ``code``, ``name``, ``level``
(district/street/area/unit/grid or 区/街道/片区/单元/网格) and ``parent_code``. Everything is
validated first; on any problem the command lists them all, writes nothing and exits with 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from console.db import Database
from console.domain.geography_rules import LEVEL_NAMES_ZH, RegionLevel
from console.services.geography import import_geography


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="GeoJSON FeatureCollection")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="replace the stored geography (e.g. the demo district); refused once cases exist",
    )
    parser.add_argument(
        "--allow-gaps",
        action="store_true",
        help="with --replace: accept a grid layer that leaves part of the district uncovered "
        "(the gaps are still reported)",
    )


def run(args: argparse.Namespace) -> int:
    database = Database(getattr(args, "db", None))
    try:
        result = import_geography(
            database, args.file, replace=args.replace, allow_gaps=args.allow_gaps
        )
    finally:
        database.dispose()
    parts = [
        f"{LEVEL_NAMES_ZH[level]} {result.counts[level.value]}"
        for level in RegionLevel
        if result.counts.get(level.value)
    ]
    print(f"已导入 {result.total} 个区域：" + "，".join(parts))
    if result.removed:
        print(f"已删除原有区域 {result.removed} 个（网格人员 {result.staff_removed} 条）")
    coverage = result.coverage
    if coverage is not None:
        findings = coverage.lines()
        if findings:
            print(
                f"覆盖检查：区域面积约 {coverage.district_m2 / 1e6:,.2f} km²，发现 {len(findings)} 项"
            )
            for line in findings:
                print(f"  - {line}")
        else:
            print(
                f"覆盖检查：网格覆盖全区（约 {coverage.district_m2 / 1e6:,.2f} km²），无缺口、无重叠"
            )
    return 0
