"""`grid-console bench [--quick] [--json]`: speed figures, each beside a same-run baseline."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

from console.bench.calendar_bench import run_calendar_bench
from console.bench.copy_db_bench import run_copy_db_bench
from console.bench.evaluation_bench import run_evaluation_bench
from console.bench.feed_bench import run_feed_bench
from console.bench.foundation import run_foundation
from console.bench.harness import format_table, settle
from console.bench.ingest_bench import run_ingest_bench
from console.bench.notify_bench import run_notify_bench
from console.bench.patrol_bench import run_patrol_bench
from console.bench.scan_bench import run_scan_bench
from console.bench.search_bench import run_search_bench
from console.bench.seed_bench import run_seed_bench
from console.bench.startup_bench import run_startup_bench


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="small sizes (for CI)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--no-gui", action="store_true", help="skip the scenarios that need Qt (the map)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the benchmark databases go (default: a temp dir)",
    )


def run(args: argparse.Namespace) -> int:
    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="grid-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        log("start-up…")  # first, on a machine not yet busy with the big databases
        figures = run_startup_bench(workdir, args.quick, log)
        settle()
        figures.extend(run_foundation(workdir, args.quick, log))
        figures.extend(run_search_bench(workdir, args.quick, log))  # on foundation's big DB
        settle()
        log("feed…")
        figures.extend(run_feed_bench(workdir, args.quick, log))
        settle()
        log("notify (several seats on PostgreSQL, --db)…")
        figures.extend(run_notify_bench(getattr(args, "db", None), args.quick, log))
        settle()
        log("copy-db (SQLite → PostgreSQL, --db)…")
        figures.extend(run_copy_db_bench(getattr(args, "db", None), workdir, args.quick, log))
        settle()
        log("scan…")
        figures.extend(run_scan_bench(workdir, args.quick, log))
        settle()
        log("calendar…")
        figures.extend(run_calendar_bench(workdir, args.quick, log))
        settle()
        log("evaluation…")
        figures.extend(run_evaluation_bench(workdir, args.quick, log))
        settle()
        log("patrols (coverage)…")
        figures.extend(run_patrol_bench(workdir, args.quick, log))
        settle()
        log("seed (the first start)…")
        figures.extend(run_seed_bench(workdir, args.quick, log))
        settle()
        log("component register: nearby objects, the demo census…")
        from console.bench.component_nearby_bench import run_component_nearby_bench

        figures.extend(run_component_nearby_bench(workdir, args.quick, log))
        settle()
        log("ingest…")
        figures.extend(run_ingest_bench(workdir, args.quick, log))
        settle()
        log("component register import…")
        from console.bench.component_import_bench import run_component_import_bench

        figures.extend(run_component_import_bench(workdir, args.quick, log))
        settle()
        log("gateway…")
        try:  # the optional gateway extra (and httpx for the clients)
            from console.bench.gateway_bench import run_gateway_bench
        except ImportError as exc:
            log(f"  skipped: {exc.name} is not installed (pip install -e '.[gateway,test]')")
        else:
            figures.extend(run_gateway_bench(workdir, args.quick, log))
            from console.bench.patrol_load_bench import run_patrol_load_bench

            settle()
            log("patrols under load (200 devices, a seat's feed meanwhile)…")
            figures.extend(run_patrol_load_bench(workdir, args.quick, log))
            from console.bench.app_shell_bench import run_app_shell_bench

            settle()
            log("app shell (the field app in Chromium)…")
            figures.extend(run_app_shell_bench(workdir, args.quick, log))
        if not args.no_gui:
            from console.views.bridge_bench import run_bridge_bench
            from console.views.map_bench import run_map_bench

            settle()
            log("map…")
            figures.extend(run_map_bench(workdir, args.quick, log))
            from console.views.component_map_bench import run_component_map_bench

            settle()
            log("component layer (the register on the map)…")
            figures.extend(run_component_map_bench(workdir, args.quick, log))
            # After the map: it makes the process's QApplication as WebEngine needs it.
            settle()
            log("long work beside the queue…")
            figures.extend(run_bridge_bench(workdir, args.quick, log))
    if args.json:
        print(
            json.dumps(
                {
                    "quick": args.quick,
                    "python": platform.python_version(),
                    "figures": [f.as_dict() for f in figures],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(format_table(figures))
    return 0
