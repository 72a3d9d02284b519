"""PostgreSQL fixtures (registered for the whole suite by tests/conftest.py): each test gets a fresh schema of the server named by $GRID_TEST_PG_URL
(default: postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped afterwards; or, with
pg_demo_url, a fresh database copied from a seeded demo template.

Without a reachable server the tests are skipped, except in CI ($CI set), where they fail.
"""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from console.bench.notify_bench import temporary_schema

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _admin() -> tuple[str, Engine]:
    """The server's base URL and an autocommit engine on it; skip (or, in CI, fail) when the
    server is not there."""
    base = os.environ.get("GRID_TEST_PG_URL") or DEFAULT_PG_URL
    admin = create_engine(base, connect_args={"connect_timeout": 5}, isolation_level="AUTOCOMMIT")
    problem = None
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        problem = str(exc.orig).strip().splitlines()[0]
    if problem is not None:
        admin.dispose()
        message = (
            f"PostgreSQL is not reachable at {make_url(base).render_as_string()} "
            f"(set GRID_TEST_PG_URL): {problem}"
        )
        if in_ci():
            pytest.fail(f"{message}; in CI the server must be there", pytrace=False)
        pytest.skip(message)
    return base, admin


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema of their own (dropped afterwards)."""
    base, admin = _admin()
    admin.dispose()
    with temporary_schema(base, prefix="grid_test") as url:
        yield url


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def _pg_demo_template() -> Iterator[str]:
    """A database with the demo district, reference data, people and a small component census
    (``seed-demo --cases 0 --seed 2 --components 2000``), built once per test process: each
    pg_demo_url test gets a copy of it, where migrating and seeding anew took seconds a test."""
    from console.cli import main

    base, admin = _admin()
    name = f"grid_tpl_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            # A small census (the full one is 128,000 objects: seconds here, and in every copy)
            args = ["seed-demo", "--cases", "0", "--seed", "2", "--components", "2000"]
            assert main(["--db", url, *args]) == 0
        yield name
    finally:
        _drop_database(admin, name)
        admin.dispose()


@pytest.fixture
def pg_demo_url(_pg_demo_template: str) -> Iterator[str]:
    """A URL of a fresh database holding the demo district, reference data and people, no
    cases (as ``seed-demo --cases 0 --seed 2 --components 2000`` leaves it); dropped
    afterwards."""
    base, admin = _admin()
    name = f"grid_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        # A template must have no sessions: end any the seeding left (a pool's idle one).
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": _pg_demo_template},
        )
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_demo_template}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()
