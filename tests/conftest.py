"""Shared fixtures: a real, migrated SQLite file per test (and PostgreSQL where asked)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

from console.config import LOCAL_TZ
from console.db import Database
from tests.postgres_server import _pg_demo_template, pg_demo_url, pg_url  # noqa: F401  (fixtures)


def pytest_configure(config: pytest.Config) -> None:
    # Collection runs on the main thread only, between tests (and in the Qt tests from the
    # app's timer too): collected on a DB worker, a Qt object deadlocks the process, as it
    # would the console (console/views/gui_gc.py).
    gc.disable()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The slow tests first (the quick bench alone is minutes): handed out to the workers at
    # the start, they run beside the many short ones instead of alone at the end.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def collect_on_the_main_thread() -> Iterator[None]:
    yield
    from console.views.gui_gc import collect_due

    collect_due()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "console.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """An empty, migrated SQLite database in a real file."""
    database = Database(f"sqlite:///{db_path}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the demo district, reference data and people (no cases), built once."""
    import random

    from console.services import geography
    from console.services.demo import ensure_people
    from console.services.reference import data as reference_data

    path = tmp_path_factory.mktemp("template") / "demo.sqlite3"
    database = Database(f"sqlite:///{path}")
    with database.session() as s:
        geography.ensure_demo_district(s)
    with database.session() as s:
        reference_data.load_reference_data(s)
        ensure_people(s, random.Random(1))
    database.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the demo template: a real migrated SQLite file per test."""
    import shutil

    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


class Clock:
    """A controllable clock for services: tests set and advance the time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    # Monday 2026-11-23 09:00 in Xi'an: a plain working day.
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ))
