"""`grid-console import-geography FILE [--replace]` through the module's run()."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from console.commands import import_geography as command
from console.db import Database
from console.errors import ConsoleError, GeographyImportError
from console.services.geography import ensure_demo_district, region_counts

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "geo" / "two_streets.geojson"


def parse(*argv: str, db: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    args = parser.parse_args(list(argv))
    args.db = db
    return args


def test_imports_and_prints_counts(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{db_path}"
    assert command.run(parse(str(FIXTURE), db=url)) == 0
    out = capsys.readouterr().out
    assert "已导入 11 个区域" in out and "网格 4" in out
    database = Database(url)
    with database.session() as s:
        assert region_counts(s)["grid"] == 4
    database.dispose()


def test_replace_flag(db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with db.session() as s:
        ensure_demo_district(s)
    args = parse(str(FIXTURE), "--replace", db=f"sqlite:///{db_path}")
    assert args.replace is True
    assert command.run(args) == 0
    assert "已删除原有区域" in capsys.readouterr().out
    with db.session() as s:
        assert region_counts(s)["street"] == 2


def test_bad_file_raises_a_console_error(db_path: Path, tmp_path: Path) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["features"][-1]["properties"]["level"] = "楼栋"
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(GeographyImportError) as info:
        command.run(parse(str(bad), db=f"sqlite:///{db_path}"))
    assert isinstance(info.value, ConsoleError)
    assert any(p.startswith("610104002001002:") for p in info.value.problems)
