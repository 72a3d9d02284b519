"""`grid-console ingest`: summary on stdout, progress bar on stderr, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.db import Database
from tests.services.ingest.support import case_count, points


def _file(db: Database, tmp_path: Path) -> Path:
    pts = points(db)
    rows = [f"K{i},0102,事件,{x},{y},垃圾,莲湖路" for i, (x, y) in enumerate(pts[:3])]
    rows.append("K9,9999,事件,1,2,坏,路")
    path = tmp_path / "报表.csv"
    path.write_bytes("\n".join(["编号,类别代码,类型,经度,纬度,描述,地址", *rows]).encode("gbk"))
    return path


def test_ingest_twice_then_dry_run(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(demo_db, tmp_path)
    url = str(demo_db.engine.url)
    assert main(["--db", url, "ingest", str(path), "--source", "12345"]) == 0
    out, err = capsys.readouterr()
    assert "编码 gb18030" in out and "已导入 accepted: 3" in out and "拒绝 rejected: 1" in out
    assert "第 5 行 [invalid_coordinates]" in out or "第 5 行 [" in out
    assert "\r[" in err and "100.0%" in err
    assert (tmp_path / "报表.csv.report.csv").exists()
    assert main(["--db", url, "ingest", str(path), "--source", "12345"]) == 0
    out, _ = capsys.readouterr()
    assert "已导入 accepted: 0" in out and "重复 duplicates: 3" in out
    assert case_count(demo_db) == 3
    assert main(["--db", url, "ingest", str(path), "--dry-run", "--source", "公众"]) == 0
    out, _ = capsys.readouterr()
    assert "试运行" in out and "可导入 valid: 3" in out
    assert case_count(demo_db) == 3


def test_unreadable_file_exits_2(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "evil.xml"
    path.write_text('<!DOCTYPE x [<!ENTITY a "b">]><service_requests/>', encoding="utf-8")
    url = str(demo_db.engine.url)
    assert main(["--db", url, "ingest", str(path), "--no-progress"]) == 2
    _, err = capsys.readouterr()
    assert "xml_forbidden" in err
    assert main(["--db", url, "ingest", str(tmp_path / "missing.csv")]) == 2
    assert main(["--db", url, "ingest", str(path), "--source", "火星"]) == 2
