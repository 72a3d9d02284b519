"""`grid-console serve [--host 127.0.0.1] [--port 8311]`: the field gateway for handhelds.

Open311 GeoReport v2 under /open311/v2, the handhelds' task API under /api/v1, the schema at
/openapi.json. Needs the optional ``gateway`` extra (FastAPI, uvicorn, python-multipart).
"""

from __future__ import annotations

import argparse
import sys
from importlib.util import find_spec
from pathlib import Path

from console.db import Database

INSTALL_HINT = "pip install -e '.[gateway]'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8311, help="port to listen on")
    parser.add_argument(
        "--attachments-dir",
        type=Path,
        default=None,
        help="where photos are stored (default: attachments/ in the user data dir)",
    )
    parser.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )


def run(args: argparse.Namespace) -> int:
    try:
        # python-multipart parses forms and photo uploads (module renamed in 0.0.13)
        if not (find_spec("python_multipart") or find_spec("multipart")):
            raise ImportError("python-multipart", name="python-multipart")
        import uvicorn

        from console.gateway.app import create_app
    except ImportError as exc:
        print(
            f"错误: 现场网关需要可选依赖 gateway（缺少 {exc.name}）。请安装: {INSTALL_HINT}\n"
            f"The field gateway needs the 'gateway' extra (missing {exc.name}): {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 2
    from console.gateway.settings import GatewaySettings

    db = Database(args.db)
    try:
        settings = GatewaySettings.load(attachments_dir=args.attachments_dir)
        app = create_app(db, settings)
        print(
            f"现场网关 field gateway: http://{args.host}:{args.port}/  "
            f"(Open311 /open311/v2, tasks /api/v1, schema /openapi.json; "
            f"photos in {settings.attachments_dir})",
            flush=True,
        )
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    finally:
        db.dispose()
    return 0
