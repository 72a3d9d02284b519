"""Hostile rows in an import (#13 §4): times at 0001/9999 (±14:00), report times before 2000 or
in the future, numbers of 400 and 5,000 digits, 1e400, NaN and Infinity, 100,000-deep nesting,
NUL in any field, values longer than their column. Each is a rejection with its line and code
(or, where the file itself cannot be read, one clear message); the good rows beside them are
imported, the rest is not written at all. On a real SQLite demo database."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.db import Database
from console.errors import ValidationError
from console.models import Case, User
from console.services.actors import actor_of
from console.services.cases.service import CaseService
from console.services.ingest import IngestFileError, ingest_file
from console.services.ingest.report import read_report
from console.services.report_input import MAX_DESCRIPTION, ReportInput
from tests.services.ingest.support import IMPORTER, NOW, case_count, points, seeded

HEADER = "外部编号,类别代码,类型,经度,纬度,问题描述,地址,上报时间"


def run(db: Database, path: Path, **kw: Any):  # type: ignore[no-untyped-def]
    return ingest_file(db, path, actor=IMPORTER, now=NOW, **kw)


def _stored_ids(db: Database) -> set[str | None]:
    with db.read() as s:
        return set(s.scalars(select(Case.external_id)))


def test_csv_times_and_numbers(demo_db: Database, tmp_path: Path) -> None:
    (x, y) = points(demo_db)[0]
    soon = (NOW + timedelta(minutes=9)).strftime("%Y-%m-%d %H:%M")
    late = (NOW + timedelta(minutes=11)).strftime("%Y-%m-%d %H:%M")
    lines = [
        HEADER,  # 1
        f"T1,0102,事件,{x},{y},正常,莲湖路,2026-11-23 09:00",  # 2 ok
        f"T2,0102,事件,{x},{y},远古,莲湖路,0001-01-01T00:00+14:00",  # 3
        f"T3,0102,事件,{x},{y},末日,莲湖路,9999-12-31T23:59-14:00",  # 4
        f"T4,0102,事件,{x},{y},千禧前,莲湖路,1999-12-31 23:59",  # 5
        f"T5,0102,事件,{x},{y},千禧,莲湖路,2000-01-01 00:00",  # 6 ok
        f"T6,0102,事件,{x},{y},时钟快,莲湖路,{soon}",  # 7 ok: within the allowance
        f"T7,0102,事件,{x},{y},未来,莲湖路,{late}",  # 8
        f"T8,0102,事件,{'9' * 400},{y},长数字,莲湖路,",  # 9
        f"T9,0102,事件,1e400,{y},溢出,莲湖路,",  # 10
        f"T10,0102,事件,NaN,{y},非数,莲湖路,",  # 11
        f"T11,0102,事件,{x},-inf,负无穷,莲湖路,",  # 12
        f"T12,0102,事件,{x},{y},{'长' * (MAX_DESCRIPTION + 1)},莲湖路,",  # 13 past its limit
        f"T13,0102,事件,{x},{y},地址长,{'路' * 257},",  # 14 address past String(256)
        f"{'X' * 65},0102,事件,{x},{y},编号长,莲湖路,",  # 15 external_id past String(64)
        f"T15,{'1' * 65},事件,{x},{y},代码长,莲湖路,",  # 16
        f"T16,0102,{'事' * 65},{x},{y},类型长,莲湖路,",  # 17
        f"T17,0102,事件,{x},{y},时间长,莲湖路,{'2' * 65}",  # 18
    ]
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run(demo_db, path)
    got = {line: code for line, code, _ in result.rejected}
    assert got == {
        3: "invalid_time",
        4: "invalid_time",
        5: "invalid_time",
        8: "invalid_time",
        9: "invalid_coordinates",
        10: "invalid_coordinates",
        11: "invalid_coordinates",
        12: "invalid_coordinates",
        13: "text_too_long",
        14: "text_too_long",
        15: "text_too_long",
        16: "text_too_long",
        17: "text_too_long",
        18: "invalid_time",
    }
    messages = {line: message for line, _, message in result.rejected}
    assert "时间超出范围" in messages[3] and "时间超出范围" in messages[4]
    assert "早于 2000-01-01" in messages[5]
    assert "晚于当前时间（允许误差 10 分钟）" in messages[8]
    assert "经度数值过长" in messages[9] and len(messages[9]) < 80
    assert "不是有效数字" in messages[10] and "不是有效数字" in messages[11]
    assert "纬度" in messages[12]
    assert result.accepted == 3
    assert _stored_ids(demo_db) == {"T1", "T5", "T6"}
    rows, summary = read_report(result.report_path)
    assert [r["line"] for r in rows] == [str(n) for n in range(2, 19)]
    assert summary["rejected"] == "14"


def _row(x: float, y: float, i: int, **extra: Any) -> dict[str, Any]:
    return {
        "external_id": f"J{i}",
        "category_code": "0102",
        "kind": "event_type",
        "lon": x,
        "lat": y,
        "description": "垃圾",
        "address": "莲湖路",
        **extra,
    }


def test_jsonl_numbers_nesting_and_nul(demo_db: Database, tmp_path: Path) -> None:
    check_jsonl_numbers_nesting_and_nul(demo_db, tmp_path)


@pytest.mark.postgres
def test_jsonl_numbers_nesting_and_nul_on_postgresql(
    pg_url: str,
    tmp_path: Path,
) -> None:
    """The same rows on the real server: NUL never reaches psycopg (which cannot send it)."""
    db = seeded(pg_url)
    try:
        check_jsonl_numbers_nesting_and_nul(db, tmp_path)
    finally:
        db.dispose()


def check_jsonl_numbers_nesting_and_nul(demo_db: Database, tmp_path: Path) -> None:
    (x, y) = points(demo_db)[0]
    lines = [
        json.dumps(_row(x, y, 1)),  # 1 ok
        json.dumps(_row(x, y, 2)).replace(f'"lon": {x}', '"lon": ' + "1" * 400),  # 2
        json.dumps(_row(x, y, 3)).replace(f'"lon": {x}', '"lon": ' + "7" * 5000),  # 3
        json.dumps(_row(x, y, 4)).replace(f'"lon": {x}', '"lon": 1e400'),  # 4
        json.dumps(_row(x, y, 5)).replace(f'"lat": {y}', '"lat": NaN'),  # 5
        json.dumps(_row(x, y, 6)).replace(f'"lat": {y}', '"lat": -Infinity'),  # 6
        "[" * 100_000 + "]" * 100_000,  # 7
        json.dumps(_row(x, y, 8, description="[" * 500 + "]" * 500)).replace(
            '"' + "[" * 500 + "]" * 500 + '"', "[" * 500 + "]" * 500
        ),  # 8: nested inside a field
        json.dumps(_row(x, y, 9, description="垃\u0000圾")),  # 9
        json.dumps(_row(x, y, 10, address="\u0000")),  # 10
        json.dumps(_row(x, y, 11, external_id="J\u000011")),  # 11
        json.dumps(_row(x, y, 12, category_code="01\u000002")),  # 12
        json.dumps(_row(x, y, 13, reported_at="2026-11-23\u000009:00")),  # 13
        json.dumps(_row(x, y, 14, reporter="张" * 51)),  # 14 reporter past String(50)
        json.dumps({**_row(x, y, 15), "备\u0000注": "x"}),  # 15 ok: an unused column
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run(demo_db, path)
    got = {line: code for line, code, _ in result.rejected}
    assert got == {
        2: "invalid_coordinates",
        3: "invalid_coordinates",
        4: "invalid_coordinates",
        5: "invalid_coordinates",
        6: "invalid_coordinates",
        7: "malformed_json",
        8: "invalid",
        9: "nul_character",
        10: "nul_character",
        11: "nul_character",
        12: "nul_character",
        13: "nul_character",
        14: "text_too_long",
    }
    messages = {line: message for line, _, message in result.rejected}
    assert "嵌套过深" in messages[7]
    assert messages[9] == "问题描述含 NUL 字符（\\0）"
    assert "地址" in messages[10] and "外部编号" in messages[11] and "上报时间" in messages[13]
    assert all(len(m) < 120 for m in messages.values())
    assert _stored_ids(demo_db) == {"J1", "J15"}
    # the unused column's name is shown with its NUL spelled out, never the raw byte
    assert result.unknown_columns == ["备\\0注"]
    assert "\x00" not in result.report_path.read_text(encoding="utf-8-sig")


def test_open311_nul_and_long_values(demo_db: Database, tmp_path: Path) -> None:
    (x, y) = points(demo_db)[0]

    def request(i: int, **extra: Any) -> dict[str, Any]:
        return {"service_request_id": f"O{i}", "service_code": "garbage", "lat": y, "long": x,
                "description": "垃圾", "address_string": "莲湖路", **extra}  # fmt: skip

    requests = [
        request(1),
        request(2, service_code="garb\u0000age"),
        request(3, service_request_id="O\u00003"),
        request(4, long="1" * 400),
        request(5, requested_datetime="0001-01-01T00:00:00+14:00"),
        request(6, requested_datetime="2099-01-01T00:00:00+08:00"),
        request(7, service_code="9" * 400),
    ]
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(requests, indent=0), "utf-8")
    result = run(demo_db, path, format="open311")
    assert [c for _, c, _ in result.rejected] == [
        "nul_character",
        "nul_character",
        "invalid_coordinates",
        "invalid_time",
        "invalid_time",
        "text_too_long",
    ], result.rejected
    assert result.accepted == 1 and _stored_ids(demo_db) == {"O1"}
    assert "\x00" not in result.report_path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("name", ["deep.json", "deep.geojson"])
def test_a_100000_deep_document_is_one_clear_message(
    demo_db: Database, tmp_path: Path, name: str
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / name
    if name.endswith(".geojson"):
        path.write_text('{"type": "FeatureCollection",\n"features": [' + deep + "]}", "utf-8")
    else:
        path.write_text("[\n" + deep + "\n]", "utf-8")
    with pytest.raises(IngestFileError) as info:
        run(demo_db, path)
    assert info.value.code == "malformed_json" and "嵌套过深" in info.value.message
    assert info.value.line == 2
    assert case_count(demo_db) == 0


def test_geojson_point_with_hostile_coordinates(demo_db: Database, tmp_path: Path) -> None:
    (x, y) = points(demo_db)[0]

    def feature(i: int, coords: str) -> str:
        props = json.dumps({"external_id": f"G{i}", "category_code": "0102", "kind": "事件",
                            "description": "垃圾", "address": "路"}, ensure_ascii=False)  # fmt: skip
        return (
            f'{{"type": "Feature", "properties": {props}, '
            f'"geometry": {{"type": "Point", "coordinates": {coords}}}}}'
        )

    features = [
        feature(1, f"[{x}, {y}]"),
        feature(2, f"[{'9' * 400}, {y}]"),
        feature(3, f"[NaN, {y}]"),
        feature(4, f"[{x}, Infinity]"),
        feature(5, f"[{x}, 1e400]"),
    ]
    path = tmp_path / "points.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [\n' + ",\n".join(features) + "\n]}", "utf-8"
    )
    result = run(demo_db, path)
    assert {line: code for line, code, _ in result.rejected} == {
        3: "invalid_coordinates",
        4: "invalid_coordinates",
        5: "invalid_coordinates",
        6: "invalid_coordinates",
    }
    assert _stored_ids(demo_db) == {"G1"}


def test_the_seat_form_takes_the_same_report_time_rule(demo_db: Database) -> None:
    """One rule for every path: CaseService.report (the seat's form, the gateway) refuses a
    future or pre-2000 report time as the import does."""
    (x, y) = points(demo_db)[0]
    service = CaseService(demo_db, clock=lambda: NOW)
    with demo_db.read() as s:
        inspector = actor_of(s.scalars(select(User).where(User.role == "inspector")).first())
    base = ReportInput(
        category_code="0102", kind="event_type", lon=x, lat=y, description="垃圾", address="路"
    )
    for at, words in (
        (NOW + timedelta(minutes=11), "晚于当前时间"),
        (NOW.replace(year=1999), "早于 2000-01-01"),
    ):
        with pytest.raises(ValidationError, match=words) as info:
            service.report(inspector, ReportInput(**{**base.__dict__, "reported_at": at}))
        assert info.value.field == "reported_at"
    assert case_count(demo_db) == 0
    assert service.report(inspector, ReportInput(**{**base.__dict__, "reported_at": NOW})).number
