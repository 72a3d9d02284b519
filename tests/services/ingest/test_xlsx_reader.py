"""Excel workbooks as an import format: openpyxl's read-only reader over a real .xlsx file,
rows numbered as Excel numbers them, the formula guard undone, dates read as local times."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from console.config import LOCAL_TZ
from console.db import Database
from console.services.ingest import ingest_file
from console.services.ingest.formats import IngestFileError
from console.services.ingest.registry import detect
from console.services.ingest.xlsx_reader import MAX_CELL, read_xlsx
from tests.services.ingest.support import IMPORTER, NOW, cases, points

HEADER = ["外部编号", "类别代码", "类型", "经度", "纬度", "问题描述", "地址", "上报时间"]


def _book(rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_part(data: bytes, name: str, text: bytes) -> bytes:
    """``data`` (an .xlsx) with its part ``name`` replaced by ``text``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, text if info.filename == name else src.read(info))
    return out.getvalue()


def test_rows_with_their_excel_line_numbers() -> None:
    data = _book(
        [
            [],  # Excel row 1 empty: the header is the first row with something in it
            HEADER,
            [
                "X1",
                "06010",
                "事件",
                108.9,
                34.27,
                "'=1+1",
                "莲湖路",
                datetime(2026, 11, 20, 9, 5, 7),
            ],
            ["X2", "06010"],  # short: padded with empty cells
            [None] * 8,
            ["X3", "06010", "事件", 1, 2, "d", "a", None, "多出来的数据"],
            ["X4", "06010", "事件", 1, 2, "d", "a", None, None, ""],  # empty extra cells
            ["X5", "06010", "事件", 1, 2, "长" * (MAX_CELL + 1), "a"],
        ]
    )
    parsed = read_xlsx(data)
    assert parsed.format == "xlsx" and parsed.columns == HEADER
    by_line = {r.line: r for r in parsed.records}
    assert sorted(by_line) == [3, 4, 6, 7, 8]
    first = by_line[3].data
    assert first is not None
    assert first["问题描述"] == "=1+1"  # the exporter's guard taken off
    assert first["经度"] == 108.9 and first["上报时间"] == "2026-11-20 09:05:07"
    assert by_line[4].data is not None and by_line[4].data["地址"] is None
    assert by_line[6].error is not None and by_line[6].error[0] == "malformed_row"
    assert by_line[7].data is not None and by_line[7].data["外部编号"] == "X4"
    assert by_line[8].error is not None and by_line[8].error[0] == "text_too_long"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"PK\x03\x04not really a zip", "malformed_xlsx"),
        (b"just text", "malformed_xlsx"),
        (_with_part(_book([["a"]]), "xl/worksheets/sheet1.xml", b"<worksheet><"), "malformed_xlsx"),
        (_book([[], [None, None]]), "empty_file"),
    ],
)
def test_unreadable_workbooks_are_a_clear_file_error(data: bytes, code: str) -> None:
    with pytest.raises(IngestFileError) as caught:
        read_xlsx(data)
    assert caught.value.code == code and caught.value.message


def test_detected_by_extension_or_by_its_zip_header() -> None:
    data = _book([HEADER])
    assert detect(Path("a.xlsx"), b"") == "xlsx"
    assert detect(Path("报表.dat"), data[:4096]) == "xlsx"


def test_a_workbook_imports(demo_db: Database, tmp_path: Path) -> None:
    (x, y), (x2, y2) = points(demo_db, 2)
    path = tmp_path / "上报.xlsx"
    path.write_bytes(
        _book(
            [
                HEADER,
                [
                    "W1",
                    "06010",
                    "事件",
                    x,
                    y,
                    "@张三 反映",
                    "莲湖路",
                    datetime(2026, 11, 20, 9, 5, 7),
                ],
                ["W2", "0305", "部件", x2, y2, "垃圾箱破损", "西大街", "2026-11-20 10:00"],
                ["W3", "06010", "事件", 1.0, 2.0, "界外", "火星"],
            ]
        )
    )
    result = ingest_file(demo_db, path, actor=IMPORTER, now=NOW)
    assert result.format == "xlsx" and result.accepted == 2
    assert [line for line, _, _ in result.rejected] == [4]
    got = {c.external_id: c for c in cases(demo_db)}
    assert got["W1"].description == "@张三 反映"
    assert got["W1"].reported_at == datetime(2026, 11, 20, 9, 5, 7, tzinfo=LOCAL_TZ)
    assert got["W2"].kind == "component"
    again = ingest_file(demo_db, path, actor=IMPORTER, now=NOW)
    assert again.accepted == 0 and again.duplicates == 2


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
        b"<!-- " + b"x" * 200_000 + b' --><!DOCTYPE x SYSTEM "file:///etc/passwd">',
    ],
)
def test_a_part_declaring_a_doctype_is_refused(prolog: bytes) -> None:
    data = _book([HEADER, ["X1"]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    declaration = b'<?xml version="1.0" encoding="UTF-8"?>'
    evil = _with_part(data, "xl/worksheets/sheet1.xml", declaration + prolog + sheet)
    with pytest.raises(IngestFileError) as caught:
        read_xlsx(evil)
    assert caught.value.code == "xml_forbidden" and "sheet1.xml" in caught.value.message
    assert read_xlsx(data).records[0].data == dict.fromkeys(HEADER) | {"外部编号": "X1"}


#: One workbook's bytes (saving again would stamp another time into them).
GOOD = _book([HEADER, ["X1", "06010", "事件", 1.5, 2.5, "d", "a"]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_workbook_is_rows_or_a_clear_error(data: st.DataObject) -> None:
    good = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(good) - 1))
        good[at] = data.draw(st.integers(0, 255))
    try:
        parsed = read_xlsx(bytes(good))
    except IngestFileError as exc:
        assert exc.code and exc.message
        return
    for record in parsed.records:
        assert (record.data is None) != (record.error is None)
