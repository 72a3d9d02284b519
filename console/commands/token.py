"""`grid-console token create|list|revoke`: the field gateway's device tokens.

``create`` prints the secret once (only its SHA-256 is stored: lose it and create another);
``list`` shows who holds which token and when it was last used; ``revoke`` ends one at once.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from console.config import LOCAL_TZ
from console.db import Database
from console.services.api_tokens import ApiTokenService, TokenRecord


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="issue a token for a user's device; prints it once")
    create.add_argument("--user", required=True, help="username the device acts as")
    create.add_argument("--label", required=True, help='device or system, e.g. "城管通-007"')
    create.add_argument(
        "--rate",
        type=float,
        default=None,
        help="requests per minute for this token (default: resources/gateway/limits.csv)",
    )
    listing = sub.add_parser("list", help="list tokens (never their secrets)")
    listing.add_argument("--active", action="store_true", help="hide revoked tokens")
    revoke = sub.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("id", type=int, help="the token's id (see token list)")


def _when(at: datetime | None) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if at else "-"


def format_record(r: TokenRecord) -> str:
    status = "有效 active" if r.active else f"已吊销 revoked {_when(r.revoked_at)}"
    rate = f"{r.rate_per_minute:g}/min" if r.rate_per_minute else "default"
    return (
        f"{r.id:>4}  {r.label}  user={r.username} ({r.display_name}, {r.role})  "
        f"created {_when(r.created_at)}  last used {_when(r.last_used_at)}  rate {rate}  {status}"
    )


def run(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        service = ApiTokenService(db)
        if args.token_command == "create":
            issued = service.create(
                args.user, args.label, rate_per_minute=args.rate, note="命令行签发"
            )
            print(f"令牌 {issued.id} 已创建: {issued.label} → 用户 {issued.username}")
            print("请立即复制，此令牌只显示这一次 (shown once, store it now):")
            print(issued.secret)
        elif args.token_command == "list":
            records = service.list_tokens(include_revoked=not args.active)
            for record in records:
                print(format_record(record))
            if not records:
                print("没有令牌 (no tokens)")
        else:
            record = service.revoke(args.id, note="命令行吊销")
            print(f"已吊销 revoked: {format_record(record)}")
    finally:
        db.dispose()
    return 0
