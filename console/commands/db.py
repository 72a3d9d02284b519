"""`grid-console --db OWNER_URL db grant --role NAME`: the seats' role on PostgreSQL.

Run as the role that owns the tables (the one that ran `migrate`): gives ``NAME`` exactly what
a seat needs in the URL's schema and nothing more (console.services.seat_grants): no
ownership, no TRUNCATE, no DDL, only INSERT and SELECT on the append-only audit tables.
Running it again gives the same privileges.
"""

from __future__ import annotations

import argparse

from console.db import make_engine
from console.services.seat_grants import grant_seat_role


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    grant = sub.add_parser(
        "grant", help="give a seat role exactly the seats' privileges (PostgreSQL, as the owner)"
    )
    grant.add_argument("--role", required=True, help="the seats' login role (must exist)")


def run(args: argparse.Namespace) -> int:
    engine = make_engine(args.db)
    try:
        done = grant_seat_role(engine, args.role)
    finally:
        engine.dispose()
    print(
        f"已授权 granted role {done.role} in schema {done.schema} (owner {done.owner}): "
        f"{len(done.tables) - len(done.audit_tables) - 1} 张表 SELECT/INSERT/UPDATE/DELETE, "
        f"审计表 audit tables INSERT/SELECT only: {', '.join(done.audit_tables)}; "
        f"alembic_version SELECT; {done.sequences} sequences USAGE/SELECT; "
        "默认权限 default privileges for new tables"
    )
    return 0
