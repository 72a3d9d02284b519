"""Case export on a real SQLite file: Open311 JSON, CSV (BOM / GBK) and Excel, read back."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.db import Database
from console.domain.worktime import WorkCalendar
from console.errors import ValidationError
from console.services.cases.dto import CaseSnapshot
from console.services.cases.export import (
    COLUMNS,
    ROUND_TRIP_COLUMNS,
    export_cases,
    format_for,
)
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, count_queue, fetch_queue
from tests.conftest import Clock
from tests.services.console_support import INTAKE, build_zoo, local, report_input, street_points

CAL = WorkCalendar()
NOW = local(23, 16)
#: Case text a spreadsheet would run as a formula if written naively.
FORMULAS = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture
def cases(demo_db: Database, clock: Clock) -> dict[str, CaseSnapshot]:
    service = CaseService(demo_db, calendar=CAL, clock=clock)
    zoo = build_zoo(service, demo_db, clock)
    (_, _, point), _ = street_points(demo_db)
    for i, text in enumerate(FORMULAS):
        clock.advance(minutes=1)
        zoo[f"formula{i}"] = service.report(
            INTAKE, report_input(point, description=text, address=text)
        )
    return zoo


def _export(db: Database, path: Path, **kw: object):  # type: ignore[no-untyped-def]
    with db.read() as s:
        return export_cases(s, path, now=NOW, calendar=CAL, **kw)  # type: ignore[arg-type]


def _count(db: Database, f: QueueFilter) -> int:
    with db.read() as s:
        return count_queue(s, f, NOW)


def _order(db: Database, f: QueueFilter) -> list[str]:
    with db.read() as s:
        return [r.number for r in fetch_queue(s, f, NOW, CAL, offset=0, limit=10_000)]


def test_csv_has_a_bom_every_matching_row_in_queue_order(
    demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path
) -> None:
    f = QueueFilter(tab="all_open")
    path = tmp_path / "队列.csv"
    result = _export(demo_db, path, filter=f)
    assert result.format == "csv" and result.count == _count(demo_db, f) > 10
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [COLUMNS[k].header for k in ROUND_TRIP_COLUMNS]
    assert len(rows) == result.count + 1
    assert [r[0] for r in rows[1:]] == _order(demo_db, f)
    # Chinese text round-trips; a formula-looking value is kept as text with an apostrophe.
    addresses = {r[ROUND_TRIP_COLUMNS.index("address")] for r in rows[1:]}
    assert "西大街88号" in addresses
    assert {"'" + text for text in FORMULAS} <= addresses
    assert not any(a.startswith(("=", "+", "-", "@")) for a in addresses)
    assert not list(tmp_path.glob(".*.part"))


def test_filter_is_respected_street_source_and_text(
    demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path
) -> None:
    (street_id, _, _), _ = street_points(demo_db)
    for f in (
        QueueFilter(tab="search", street_id=street_id),
        QueueFilter(tab="search", source="hotline"),
        QueueFilter(tab="to_register"),
        QueueFilter(tab="search", text="西大街"),
    ):
        path = tmp_path / "out.csv"
        result = _export(demo_db, path, filter=f)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            numbers = [r[0] for r in list(csv.reader(fh))[1:]]
        assert result.count == len(numbers) == _count(demo_db, f)
        assert numbers == _order(demo_db, f)
    assert _count(demo_db, QueueFilter(tab="search", source="hotline")) == 1


def test_columns_in_the_order_given_with_the_headers_given(
    demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path
) -> None:
    path = tmp_path / "out.csv"
    columns = [("state", "State"), ("number", "Case no."), ("street", "Street")]
    _export(demo_db, path, filter=QueueFilter(tab="to_dispatch"), columns=columns)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["State", "Case no.", "Street"]
    assert rows[1][0] == "待派遣" and rows[1][1] == cases["registered"].number
    with pytest.raises(ValidationError, match="未知的导出列"):
        _export(demo_db, path, filter=QueueFilter(), columns=[("password", "x")])


def test_gbk_csv(demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    result = _export(demo_db, path, filter=QueueFilter(tab="search"), encoding="gbk")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("gbk")
    assert "案件编号" in text and "西大街88号" in text
    assert len(list(csv.reader(text.splitlines()))) == result.count + 1


def test_xlsx_bold_frozen_header_real_dates_and_text_cells(
    demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path
) -> None:
    f = QueueFilter(tab="search")
    path = tmp_path / "案件.xlsx"
    result = _export(demo_db, path, filter=f)
    assert result.format == "xlsx" and result.count == _count(demo_db, f)
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == [COLUMNS[k].header for k in ROUND_TRIP_COLUMNS]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["A"].width >= 20
    assert sheet.max_row == result.count + 1
    reported = ROUND_TRIP_COLUMNS.index("reported_at") + 1
    address = ROUND_TRIP_COLUMNS.index("address") + 1
    first = sheet.cell(row=2, column=reported)
    assert isinstance(first.value, datetime) and first.is_date
    assert first.number_format == "yyyy-mm-dd hh:mm:ss" and first.value.microsecond == 0
    numbers = [sheet.cell(row=r, column=1).value for r in range(2, sheet.max_row + 1)]
    assert numbers == _order(demo_db, f)
    # Formula-looking case text stays a string cell holding exactly the text.
    cells = [sheet.cell(row=r, column=address) for r in range(2, sheet.max_row + 1)]
    by_value = {c.value: c for c in cells}
    for text in FORMULAS:
        assert by_value[text].data_type == "s"
    assert "西大街88号" in by_value
    # The local wall-clock time of the report (Excel has no zones).
    row_of = {n: i for i, n in enumerate(numbers, start=2)}
    at = sheet.cell(row=row_of[cases["registered"].number], column=reported).value
    assert at.strftime("%Y-%m-%d") == "2026-11-23" and 9 <= at.hour <= 10


def test_xlsx_formulas_are_not_formulas_in_the_file(
    demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path
) -> None:
    path = tmp_path / "out.xlsx"
    _export(demo_db, path, filter=QueueFilter(tab="search"), columns=["address"])
    import zipfile

    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "HYPERLINK" in xml  # written as a string, never as <f>…</f>


def test_open311_json(demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path) -> None:
    f = QueueFilter(tab="search")
    path = tmp_path / "requests.json"
    result = _export(demo_db, path, filter=f)
    assert result.format == "open311" and result.count == _count(demo_db, f)
    requests = json.loads(path.read_text(encoding="utf-8"))
    assert len(requests) == result.count
    by_number = {r["service_request_id"]: r for r in requests}
    closed = by_number[cases["closed"].number]
    assert closed["status"] == "closed" and closed["status_notes"] == "已结案"
    reported = by_number[cases["reported"].number]
    assert reported["status"] == "open"
    assert reported["description"] == "<script>alert(1)</script> 进度100%_done"
    assert reported["requested_datetime"].endswith("+08:00")
    assert isinstance(reported["lat"], float) and isinstance(reported["long"], float)
    # The service_code is the gateway's own (console.services.open311_catalog): E + the code,
    # the one GET requests.json shows and services/{code} answers for.
    assert reported["service_code"] == "E06010" and reported["service_name"] == "暴露垃圾"
    # The category named outright too, for ingest (a service_code maps by a district's table).
    assert (reported["taxonomy"], reported["kind"], reported["category_code"]) == (
        "gbt47678-5-2026",
        "event_type",
        "06010",
    )
    required = {"service_request_id", "status", "service_code", "requested_datetime"}
    assert all(required <= set(r) for r in requests)


def test_open311_of_a_selection(
    demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path
) -> None:
    chosen = [cases["urgent"].id, cases["reported"].id]
    path = tmp_path / "two.json"
    result = _export(demo_db, path, case_ids=chosen, format="open311")
    requests = json.loads(path.read_text(encoding="utf-8"))
    assert result.count == 2
    assert [r["service_request_id"] for r in requests] == [
        cases["urgent"].number,
        cases["reported"].number,
    ]
    assert requests[0]["service_code"] == "C0101"  # the gateway's own code: C + CJ/T 214 0101


def test_empty_result_is_a_valid_file(demo_db: Database, tmp_path: Path) -> None:
    f = QueueFilter(tab="search", text="不存在的地址")
    assert _export(demo_db, tmp_path / "e.json", filter=f).count == 0
    assert json.loads((tmp_path / "e.json").read_text(encoding="utf-8")) == []
    assert _export(demo_db, tmp_path / "e.xlsx", filter=f).count == 0
    assert load_workbook(tmp_path / "e.xlsx").active.max_row == 1


def test_format_and_target_errors(demo_db: Database, tmp_path: Path) -> None:
    assert format_for("a.XLSX") == "xlsx" and format_for("a.json") == "open311"
    with pytest.raises(ValidationError, match="无法从文件名判断导出格式"):
        _export(demo_db, tmp_path / "out.txt", filter=QueueFilter())
    with pytest.raises(ValidationError, match="目录不存在"):
        _export(demo_db, tmp_path / "nope" / "out.csv", filter=QueueFilter())
    with pytest.raises(ValidationError, match="未知状态"):
        _export(demo_db, tmp_path / "out.csv", filter=QueueFilter(), states=["flying"])


def test_states_narrow_the_filter(
    demo_db: Database, cases: dict[str, CaseSnapshot], tmp_path: Path
) -> None:
    path = tmp_path / "s.json"
    result = _export(demo_db, path, filter=QueueFilter(tab="search"), states=["closed", "archived"])
    requests = json.loads(path.read_text(encoding="utf-8"))
    assert result.count == 2
    assert {r["service_request_id"] for r in requests} == {
        cases["closed"].number,
        cases["archived"].number,
    }
