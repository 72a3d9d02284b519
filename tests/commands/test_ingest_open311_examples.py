"""`grid-console ingest --format open311` with the GeoReport v2 spec's own example documents
(tests/data/open311/, JSON and XML as the spec prints them), their codes and points mapped as a
district configures a source system (tests/data/open311/mapping.toml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from console.cli import main
from console.db import Database
from console.models import Case
from console.services.ingest.open311_reader import read_open311

DATA = Path(__file__).resolve().parents[1] / "data" / "open311"
EXAMPLES = ("get_service_requests.json", "get_service_requests.xml")


def _copy(name: str, tmp_path: Path) -> Path:
    path = tmp_path / name  # the report file is written beside it: not into tests/data
    shutil.copy(DATA / name, path)
    return path


def test_the_json_example_reads_despite_its_leading_zero_code() -> None:
    records = read_open311((DATA / EXAMPLES[0]).read_bytes()).records
    assert [r.error for r in records] == [None, None]
    assert [r.data["service_code"] for r in records if r.data] == ["006", "006"]
    assert [r.data["address_id"] for r in records if r.data] == [545483, 545483]


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_spec_examples_ingest_with_no_rejection(
    name: str, demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(demo_db.engine.url)
    path = _copy(name, tmp_path)
    mapping = str(DATA / "mapping.toml")
    args = ["--db", url, "ingest", str(path), "--format", "open311", "--no-progress"]
    assert main([*args, "--mapping", mapping]) == 0
    out, _ = capsys.readouterr()
    assert "已导入 accepted: 2" in out and "拒绝 rejected: 0" in out, out
    with demo_db.read() as s:
        cases = s.scalars(select(Case).order_by(Case.external_id)).all()
        assert [c.external_id for c in cases] == ["638344", "638349"]
        for case in cases:
            # the district's point for address 545483, not San Francisco's
            assert (case.lon, case.lat) == (108.94, 34.27)
            assert (case.taxonomy, case.kind, case.category_code) == (
                "cjt214",
                "event_type",
                "0110",
            )
            assert case.address == "8TH AVE and JUDAH ST"
            assert case.description == "Sidewalk and Curb Issues"  # no description: the name
        assert cases[0].reported_at.isoformat() == "2010-04-14T14:37:38+00:00"
    # again: both already there
    assert main([*args, "--mapping", mapping]) == 0
    out, _ = capsys.readouterr()
    assert "已导入 accepted: 0" in out and "重复 duplicates: 2" in out


def test_without_the_mapping_each_row_says_why(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(EXAMPLES[1], tmp_path)
    url = str(demo_db.engine.url)
    assert main(["--db", url, "ingest", str(path), "--format", "open311", "--no-progress"]) == 0
    out, _ = capsys.readouterr()
    assert "已导入 accepted: 0" in out and "拒绝 rejected: 2" in out
    assert "unknown_service_code" in out


def test_a_bad_mapping_file_is_one_clear_message(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(EXAMPLES[1], tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[address_ids]\n"545483" = [34.27]\n', encoding="utf-8")
    url = str(demo_db.engine.url)
    args = ["--db", url, "ingest", str(path), "--format", "open311", "--no-progress"]
    assert main([*args, "--mapping", str(bad)]) == 2
    _, err = capsys.readouterr()
    assert "address_ids.545483" in err and "经度, 纬度" in err
    with demo_db.read() as s:
        assert s.scalars(select(Case)).first() is None
