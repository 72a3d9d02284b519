"""`grid-console --db OWNER_URL migrate`: bring the schema to the newest migration.

On PostgreSQL run it as the role that owns the tables (the seats' role may not change the
schema); on SQLite any seat may. It says the revision before and after.
"""

from __future__ import annotations

import argparse

from sqlalchemy import Engine, inspect, text

from console.db import make_engine, upgrade
from console.schema_head import VERSION_SQL, VERSION_TABLE


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options of its own


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return ", ".join(sorted(conn.execute(text(VERSION_SQL)).scalars())) or None


def run(args: argparse.Namespace) -> int:
    engine = make_engine(args.db)
    try:
        before = _revision(engine)
        upgrade(engine)
        after = _revision(engine)
        dialect = engine.dialect.name
    finally:
        engine.dispose()
    if before == after:
        print(f"数据库已是最新版本 already at the newest revision: {after}")
    else:
        print(f"已迁移 migrated: {before or '(空 empty)'} → {after}")
    if dialect == "postgresql":
        print(
            "席位角色 seat roles: 新表经默认权限授予；请再运行 "
            "`grid-console --db OWNER_URL db grant --role SEAT_ROLE` 以确保权限准确 "
            "(re-run db grant after every migrate)"
        )
    return 0
