"""`grid-console migrate` and `db grant` on the embedded SQLite file (the PostgreSQL side, with
real roles, is tests/integration/test_seat_role_postgres.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.db import Database, schema_at_head
from console.schema_head import head_revisions

#: The newest revision (the history is a line: one head).
HEAD = "".join(head_revisions() or ())


def test_migrate_creates_the_schema_and_says_the_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'seat.sqlite3'}"
    assert main(["--db", url, "migrate"]) == 0
    out = capsys.readouterr().out
    assert f"已迁移 migrated: (空 empty) → {HEAD}" in out
    assert "db grant" not in out  # no roles on SQLite
    db = Database(url, migrate=False)
    try:
        assert schema_at_head(db.engine)
    finally:
        db.dispose()
    assert main(["migrate", "--db", url]) == 0
    assert f"already at the newest revision: {HEAD}" in capsys.readouterr().out


def test_grant_refuses_on_sqlite_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'seat.sqlite3'}"
    assert main(["--db", url, "db", "grant", "--role", "grid_seat"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "错误 [seat_grant_refused]: db grant 只用于 PostgreSQL (only on PostgreSQL; this is "
        "sqlite): 嵌入式 SQLite 没有角色，文件权限即访问控制"
    )


def test_grant_needs_a_role(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["db", "grant"])
    assert "--role" in capsys.readouterr().err
