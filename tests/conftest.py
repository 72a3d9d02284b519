"""Shared fixtures: a real, migrated SQLite file per test (and PostgreSQL where asked)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")

from console.db import Database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "console.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """An empty, migrated SQLite database in a real file."""
    database = Database(f"sqlite:///{db_path}")
    yield database
    database.dispose()
