"""import-components and export-components on PostgreSQL: the bulk insert (psycopg
executemany), updates with their ComponentChange rows, all or nothing, the round trip."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from console.db import Database
from console.models import Case, Component, ComponentChange
from console.services.components.exporter import export_components
from console.services.components.importer import import_components
from tests.services.components.register_files import (
    NOW,
    changes,
    component_count,
    ident,
    points,
    register,
    write_csv,
    zh_row,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_db(pg_demo_url: str) -> Iterator[Database]:
    database = Database(pg_demo_url)
    with database.session() as s:
        # The demo's own census (seed-demo) out of the way: this test's register is its file.
        s.execute(delete(ComponentChange))
        s.execute(update(Case).values(component_id=None))
        s.execute(delete(Component))
    yield database
    database.dispose()


def test_import_update_and_round_trip_on_postgres(pg_db: Database, tmp_path: Path) -> None:
    p = points(pg_db, 3)
    x, y = p[2]
    rows = [
        zh_row(p[0], 1),
        zh_row(p[1], 2, 部件类别="0102", 养护单位="区市政工程管理中心"),
        zh_row(p[2], 3, 经度="", 纬度="", WKT=f"LINESTRING ({x} {y}, {x + 0.0002} {y})"),
    ]
    first = import_components(pg_db, write_csv(tmp_path / "a.csv", rows, "gbk"), now=NOW)
    assert (first.inserted, first.rejected) == (3, [])
    reg = register(pg_db)
    assert reg[ident("01002", 2)].legacy_category_code == "0102"
    assert reg[ident("01002", 2)].maintainer_department_id is not None
    assert reg[ident("01002", 3)].geometry_kind == "line"

    later = NOW + timedelta(days=1)
    rows[0] = zh_row(p[0], 1, 管理部件状态="丢失", 主管部门="PRO01")
    second = import_components(pg_db, write_csv(tmp_path / "b.csv", rows, "gbk"), now=later)
    assert (second.inserted, second.updated, second.unchanged, second.changes) == (0, 1, 2, 2)
    assert register(pg_db)[ident("01002", 1)].status == "missing"
    assert sorted((c.field, c.old_value, c.new_value) for c in changes(pg_db)) == [
        ("owner", "SC610104001", "PRO01"),
        ("status", "intact", "missing"),
    ]

    before = register(pg_db)
    rows.append(zh_row(p[0], 4, 部件类别="99001"))
    bad = import_components(pg_db, write_csv(tmp_path / "c.csv", rows, "gbk"), now=later)
    assert [(line, code) for line, code, _ in bad.rejected] == [(5, "unknown_class")]
    assert register(pg_db) == before

    for name in ("r.geojson", "r.csv"):
        with pg_db.read() as s:
            assert export_components(s, tmp_path / name).count == 3
        again = import_components(pg_db, tmp_path / name, now=later + timedelta(days=1))
        assert (again.unchanged, again.updated, again.inserted) == (3, 0, 0)
    assert register(pg_db) == before and component_count(pg_db) == 3
