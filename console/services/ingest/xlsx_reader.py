"""Excel workbooks (.xlsx): the first sheet, its first non-empty row the header.

Read with openpyxl in read-only mode, row by row (the sheet's XML is streamed, never held as
cell objects). Cells become what the CSV reader would give the mapping: text (without the
exporter's formula guard, console.services.ingest.report.unguard_text), numbers as numbers,
and date cells as ISO 8601 text in the district's local time (Excel has no time zones: the
importer reads a time without a zone as local, as it does in CSV).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from typing import Any

from console.services.ingest.formats import IngestFileError, Parsed, Record
from console.services.ingest.report import unguard_text

#: As in CSV: one cell may hold at most this many characters.
MAX_CELL = 20_000
#: Rows read at most: past ingest's own row limit the file is refused anyway, and reading on
#: would only spend memory on a sheet made to be huge.
MAX_ROWS = 1_000_001
#: The start of every .xlsx file (a zip archive).
ZIP_MAGIC = b"PK\x03\x04"


def looks_like_xlsx(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return unguard_text(value) if value[:1] == "'" else value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def read_xlsx(data: bytes) -> Parsed:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IngestFileError(
            f"无法读取 Excel 文件（{type(exc).__name__}）：不是有效的 .xlsx 工作簿",
            code="malformed_xlsx",
        ) from None
    try:
        if not book.worksheets:
            raise IngestFileError("Excel 文件中没有工作表", code="empty_file")
        return _parse(book.worksheets[0].iter_rows(values_only=True))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:  # a broken sheet, mid-read
        raise IngestFileError(
            f"Excel 工作表无法读取（{type(exc).__name__}: {str(exc)[:60]}）",
            code="malformed_xlsx",
        ) from None
    finally:
        book.close()


def _parse(rows: Any) -> Parsed:
    records: list[Record] = []
    header: list[str] | None = None
    for line, raw in enumerate(rows, start=1):
        if line > MAX_ROWS:
            raise IngestFileError(
                f"工作表行数过多（超过 {MAX_ROWS - 1:,} 行）；请拆分后导入", code="too_many_rows"
            )
        cells = [_cell(v) for v in raw]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue  # empty rows, and rows Excel keeps only for their formatting
        if header is None:
            header = ["" if v is None else str(v).strip() for v in cells]
            while header and not header[-1]:  # the sheet's width, not the header's
                header.pop()
            continue
        if len(cells) < len(header):
            cells += [None] * (len(header) - len(cells))
        elif len(cells) > len(header):
            if any(v not in (None, "") for v in cells[len(header) :]):
                records.append(
                    Record(
                        line,
                        error=(
                            "malformed_row",
                            f"列数不符：表头 {len(header)} 列，本行有数据的列更多",
                        ),
                    )
                )
                continue
            cells = cells[: len(header)]
        if any(isinstance(v, str) and len(v) > MAX_CELL for v in cells):
            records.append(Record(line, error=("text_too_long", f"字段过长（超过 {MAX_CELL} 字）")))
            continue
        records.append(Record(line, dict(zip(header, cells, strict=True))))
    if header is None:
        raise IngestFileError("工作表为空（没有表头）", code="empty_file")
    return Parsed(records, "xlsx", "xlsx", header)
