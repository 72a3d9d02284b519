"""`grid-console export` → `grid-console ingest` into an empty district (#13 §2): every case of
a demo database comes back, field by field, from the default CSV (UTF-8, GBK, GB18030), Excel
and JSON exports; nothing is rejected, and importing the file again adds nothing."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from console.cli import main
from console.db import Database
from tests.services.ingest.support import cases, points

#: Case text a spreadsheet would run, and text that already looks guarded: each must come
#: back exactly (the export's leading ' is taken off again, and only that one).
TRICKY = ["=1+1", "-5 度", "@张三", "+86 029 1234", "'quoted", "'=已加引号", "''-两个引号"]


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def count_in(out: str, label: str) -> int:
    found = re.search(rf"{label}: (\d+)", out)
    assert found, out
    return int(found.group(1))


def _special_rows(db: Database, tmp_path: Path) -> Path:
    """Cases the seed does not make: formula-like text, and CJ/T 214 codes reported before the
    2026 taxonomy took effect, where 0305 is a component (垃圾箱) and an event (无证掘路)."""
    pts = points(db, len(TRICKY) + 2)
    rows = [
        {
            "外部编号": f"T{i}",
            "category_code": "06010",
            "kind": "事件",
            "lon": x,
            "lat": y,
            "description": text,
            "address": text,
            "来源": "公众",
            "上报时间": f"2026-11-20T10:{i:02d}:{i + 7:02d}+08:00",
        }
        for i, (text, (x, y)) in enumerate(zip(TRICKY, pts, strict=False))
    ]
    for kind, (x, y) in zip(("部件", "事件"), pts[len(TRICKY) :], strict=True):
        rows.append(
            {
                "外部编号": f"OLD-{kind}",
                "taxonomy": "cjt214",
                "category_code": "0305",
                "kind": kind,
                "lon": x,
                "lat": y,
                "description": f"旧标准 0305 {kind}",
                "address": "莲湖路 9 号",
                "来源": "12345",
                "上报时间": "2026-05-10 10:00:05",
            }
        )
    path = tmp_path / "special.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def seed_source(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo district ``db`` with the seed's 309 cases (every state) and the special ones."""
    url = str(db.engine.url)
    run_cli(["--db", url, "seed-demo", "--cases", "309", "--seed", "3"], capsys)
    out = run_cli(["--db", url, "ingest", str(_special_rows(db, tmp_path)), "-q"], capsys)
    assert count_in(out, "已导入 accepted") == len(TRICKY) + 2, out
    return url


@pytest.fixture
def source(demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    return seed_source(demo_db, tmp_path, capsys)


@pytest.fixture
def empty(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    """The same district with no cases: a fresh copy of the migrated demo template."""
    path = tmp_path / "empty.sqlite3"
    shutil.copy(demo_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


def mismatches(before: list[SimpleNamespace], after: list[SimpleNamespace]) -> dict[str, list[str]]:
    """Source case number → the fields its imported case (external id = number) lacks."""
    imported = {c.external_id: c for c in after}
    found = {
        a.number: _same(a, imported[a.number]) if a.number in imported else ["missing"]
        for a in before
    }
    return {number: wrong for number, wrong in found.items() if wrong}


def _same(a: SimpleNamespace, b: SimpleNamespace) -> list[str]:
    """The fields of source case ``a`` that imported case ``b`` does not hold."""
    wrong = [
        f
        for f in ("kind", "taxonomy", "category_code", "description", "address", "source")
        if getattr(a, f) != getattr(b, f)
    ]
    if abs(a.lon - b.lon) > 1e-6 or abs(a.lat - b.lat) > 1e-6:
        wrong.append("lon/lat")
    if a.reported_at.replace(microsecond=0) != b.reported_at:
        wrong.append("reported_at")
    return wrong


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("cases.csv", []),
        ("cases_gbk.csv", ["--encoding", "gbk"]),
        ("cases_gb18030.csv", ["--encoding", "gb18030"]),
        ("cases.xlsx", []),
        ("cases.json", []),
    ],
)
def test_export_imports_whole_into_an_empty_district(
    source: str,
    demo_db: Database,
    empty: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    extra: list[str],
) -> None:
    path = tmp_path / name
    out = run_cli(["--db", source, "export", "--out", str(path), *extra], capsys)
    exported = count_in(out, "exported")
    before = cases(demo_db)
    assert exported == len(before) == 309 + len(TRICKY) + 2

    target = str(empty.engine.url)
    out = run_cli(["--db", target, "ingest", str(path), "-q"], capsys)
    assert count_in(out, "拒绝 rejected") == 0, out
    assert count_in(out, "已导入 accepted") == exported
    after = {c.external_id: c for c in cases(empty)}
    assert len(after) == exported
    assert mismatches(before, list(after.values())) == {}
    # The formula-like text came back as it was, not with the guard.
    assert {after[a.number].description for a in before} >= set(TRICKY)
    # The older taxonomy's 0305 stayed a component and an event, each its own category.
    old = sorted(
        (c.taxonomy, c.kind, c.category_code) for c in after.values() if c.taxonomy == "cjt214"
    )
    assert old == [("cjt214", "component", "0305"), ("cjt214", "event_type", "0305")]

    out = run_cli(["--db", target, "ingest", str(path), "-q"], capsys)
    assert count_in(out, "已导入 accepted") == 0 and count_in(out, "重复 duplicates") == exported
    assert len(cases(empty)) == exported


def test_csv_and_excel_carry_the_guard_and_the_fields_ingest_reads(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    csv_path, xlsx_path = tmp_path / "t.csv", tmp_path / "t.xlsx"
    for path in (csv_path, xlsx_path):
        run_cli(["--db", source, "export", "--out", str(path)], capsys)
    text = csv_path.read_text(encoding="utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert header[:11] == [
        "案件编号", "类型", "分类标准", "类别代码", "类别名称", "经度", "纬度", "地址", "问题描述",
        "来源", "上报时间",
    ]  # fmt: skip
    # In the file: a leading ' on what a spreadsheet would run, one more on what looks guarded.
    for raw in ("'=1+1", "'-5 度", "'@张三", "'+86 029 1234", "''=已加引号", "'''-两个引号"):
        assert f",{raw}," in text
    assert ",'quoted," in text
    assert re.search(r",2026-05-10 10:00:05\+08:00,", text)  # to the second, with the zone
    sheet = load_workbook(xlsx_path, read_only=True).worksheets[0]
    values = {v for row in sheet.iter_rows(values_only=True) for v in row}
    # Excel: string cells are never formulas, so only text that looks guarded gets the ' .
    assert {"=1+1", "-5 度", "'quoted", "''=已加引号"} <= values
