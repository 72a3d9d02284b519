"""The export → ingest round trip (#13 §2) into an empty district on PostgreSQL: the demo
cases of an SQLite seat, exported as CSV, Excel and JSON by `grid-console export`, imported by
`grid-console ingest` into a fresh schema holding the same district: nothing rejected, every
case equal field by field, a second import adds nothing. Skipped without a server, except in CI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from console.db import Database
from tests.commands.test_export_roundtrip import TRICKY, count_in, mismatches, run_cli, seed_source
from tests.services.ingest.support import cases

pytestmark = pytest.mark.postgres


@pytest.fixture
def empty_pg(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    yield database
    database.dispose()


def test_sqlite_export_imports_whole_into_postgres(
    demo_db: Database, empty_pg: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = seed_source(demo_db, tmp_path, capsys)
    before = cases(demo_db)
    target = empty_pg.engine.url.render_as_string(hide_password=False)
    imported = 0
    for name in ("cases.csv", "cases.xlsx", "cases.json"):
        path = tmp_path / name
        run_cli(["--db", source, "export", "--out", str(path)], capsys)
        out = run_cli(["--db", target, "ingest", str(path), "-q"], capsys)
        assert count_in(out, "拒绝 rejected") == 0, out
        # The first file brings every case; the others are the same cases: all duplicates.
        assert count_in(out, "已导入 accepted") == (len(before) if not imported else 0)
        assert count_in(out, "重复 duplicates") == (0 if not imported else len(before))
        imported += count_in(out, "已导入 accepted")
    assert imported == len(before) == 309 + len(TRICKY) + 2
    assert mismatches(before, cases(empty_pg)) == {}
