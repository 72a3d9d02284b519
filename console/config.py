"""Settings and paths: where the database lives and where reference data is read from.

Nothing here needs Qt. The default database is an SQLite file in the user data dir
(platformdirs), so a fresh install needs no set-up at all.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs

APP_NAME = "grid-dispatch-console"
APP_AUTHOR = "grid-console"

#: The district's local time: deadlines, office hours and display all use it.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

#: Environment variable that overrides the default database URL (an admin's knob, and tests').
DB_URL_ENV = "GRID_CONSOLE_DB"
#: Environment variable that overrides the resources directory.
RESOURCES_ENV = "GRID_CONSOLE_RESOURCES"


def resources_dir() -> Path:
    """The reference-data directory (taxonomy, deadlines, organisation, geography)."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """Path of one file under resources/; raises FileNotFoundError naming it when absent."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"resource file missing: {path}")
    return path


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV data file under resources/ (or an admin's copy): a header row,
    ``#`` lines are comments, UTF-8 with or without the BOM that Excel writes."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def data_dir() -> Path:
    """The per-user data directory (created on demand)."""
    path = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """The embedded SQLite database unless GRID_CONSOLE_DB names another."""
    override = os.environ.get(DB_URL_ENV)
    if override:
        return override
    return f"sqlite:///{data_dir() / 'console.sqlite3'}"


@dataclass(frozen=True)
class LifecycleSettings:
    """Knobs of the deadline clock that an admin may change."""

    #: Share of the time limit after which an open case turns yellow.
    warning_share: float = 0.8
