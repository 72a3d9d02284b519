"""The one-shot calendar read (`grid-console deadline`'s) is the seats' read, on either database.

On an SQLite file at the schema's head it runs through sqlite3 alone; on PostgreSQL, or on a
database that needs migrating first, through console.db.Database. Either way it gives the
calendar a seat's session loads.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from alembic import command

import console.db
from console.config import LOCAL_TZ
from console.db import Database, alembic_config
from console.domain.holiday_schedule import read_schedule_file
from console.domain.worktime import YearStatus
from console.schema_head import head_revisions, open_sqlite_at_head
from console.services.actors import Actor
from console.services.calendar_read import read_calendar
from console.services.work_calendar import load_calendar, save_year
from tests.integration import test_postgres

ADMIN = Actor(6, "管理员", "admin")
HOURS = ((time(9), time(12)), (time(13), time(17)))
demo_pg = test_postgres.demo_pg


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue("demo_db" if request.param == "sqlite" else "demo_pg")


def import_2027(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦补休\n"
        "2027-02-20,workday,春节调休\n",
        encoding="utf-8",
    )
    parsed = read_schedule_file(path)
    now = datetime(2026, 12, 3, 9, tzinfo=LOCAL_TZ)
    with db.session() as s:
        save_year(s, ADMIN, load_calendar(s), parsed, source="t", action="import", now=now)


def test_the_one_shot_read_is_the_seats(
    any_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_2027(any_db, tmp_path)
    with any_db.read() as s:
        seat = load_calendar(s, office_hours=HOURS)
    if any_db.dialect == "sqlite":  # sqlite3 alone: no Database opened

        def refused(*_a: object, **_kw: object) -> None:
            raise AssertionError("the SQLite file at head was opened through SQLAlchemy")

        monkeypatch.setattr(console.db, "Database", refused)
    one_shot = read_calendar(any_db.url, office_hours=HOURS)
    assert one_shot.official_years == seat.official_years
    assert one_shot.revision == seat.revision and seat.revision
    assert one_shot.office_hours == seat.office_hours
    year = one_shot.schedule(2027)
    assert year.status is YearStatus.OFFICIAL
    assert year.holidays == {date(2027, 1, 1): "元旦", date(2027, 1, 4): "元旦补休"}
    assert year.workdays == {date(2027, 2, 20): "春节调休"}


def test_an_empty_calendar(db: Database) -> None:
    one_shot = read_calendar(db.url)
    assert one_shot.official_years == {}
    assert one_shot.revision == 0
    assert one_shot.year_status(2026) is YearStatus.OFFICIAL  # chinese-calendar's


def test_a_database_below_head_is_migrated_first(demo_db: Database, tmp_path: Path) -> None:
    import_2027(demo_db, tmp_path)
    command.downgrade(alembic_config(demo_db.engine), "0013")
    assert open_sqlite_at_head(demo_db.url) is None
    one_shot = read_calendar(demo_db.url)
    assert one_shot.year_status(2027) is YearStatus.OFFICIAL
    connection = open_sqlite_at_head(demo_db.url)  # at head again
    assert connection is not None
    try:
        (version,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        assert {version} == head_revisions()
    finally:
        connection.close()


def test_a_new_file_is_created_and_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'new.sqlite3'}"
    assert read_calendar(url).official_years == {}
    assert (tmp_path / "sub" / "new.sqlite3").exists()
    connection = open_sqlite_at_head(url)
    assert connection is not None
    connection.close()
