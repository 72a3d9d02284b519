"""PostgreSQL fixtures: each test gets a fresh schema of the server named by $GRID_TEST_PG_URL
(default: postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped afterwards.

Without a reachable server the tests are skipped, except in CI ($CI set), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema of their own (dropped afterwards)."""
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
    schema = f"grid_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
