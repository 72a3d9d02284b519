"""Excel workbooks (.xlsx): the first sheet, its first non-empty row the header.

Read with openpyxl in read-only mode, row by row (the sheet's XML is streamed, never held as
cell objects). Before that the archive is checked as the Open311 XML reader checks its input:
no part may declare a DOCTYPE or ENTITY, and the parts may not unpack to more than
:data:`MAX_UNPACKED` bytes (a small file made to inflate). Cells become what the CSV reader would give the mapping: text (without the
exporter's formula guard, console.services.ingest.report.unguard_text), numbers as numbers,
and date cells as ISO 8601 text in the district's local time (Excel has no time zones: the
importer reads a time without a zone as local, as it does in CSV).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import date, datetime, time
from typing import Any, NoReturn
from xml.parsers import expat

from console.services.ingest.formats import IngestFileError, Parsed, Record
from console.services.ingest.report import unguard_text

#: As in CSV: one cell may hold at most this many characters.
MAX_CELL = 20_000
#: Rows read at most: past ingest's own row limit the file is refused anyway, and reading on
#: would only spend memory on a sheet made to be huge.
MAX_ROWS = 1_000_001
#: The start of every .xlsx file (a zip archive).
ZIP_MAGIC = b"PK\x03\x04"
#: The most the archive's parts may unpack to, as their sizes declare (zipfile reads no more
#: than declared): a million rows of a wide sheet stay below it.
MAX_UNPACKED = 2_000_000_000
#: Bytes of a part fed to expat at a time while looking for a DOCTYPE before its root element.
_CHUNK = 65_536


#: What a damaged archive or part raises on the way (ElementTree's ParseError is a SyntaxError).
_BROKEN = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    SyntaxError,
    OSError,
)


class _Forbidden(Exception):
    pass


class _Root(Exception):
    pass


def _prolog_is_plain(part: Any) -> bool:
    """False when the XML ``part`` (a binary file) declares a DOCTYPE or ENTITY; only its prolog,
    up to the root element, is read."""
    parser = expat.ParserCreate()

    def forbid(*_args: object) -> NoReturn:
        raise _Forbidden

    def root(*_args: object) -> NoReturn:
        raise _Root

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.StartElementHandler = root
    try:
        while chunk := part.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Root:
        return True
    except _Forbidden:
        return False
    except expat.ExpatError:
        return True  # not well-formed: openpyxl's own reading refuses it
    return True


def check_archive(data: bytes) -> None:
    """Refuse an .xlsx that declares DOCTYPE/ENTITY in any XML part or unpacks too large."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if sum(p.file_size for p in parts) > MAX_UNPACKED:
                raise IngestFileError(
                    f"Excel 文件解压后超过 {MAX_UNPACKED / 1e9:.0f} GB，拒绝读取；请拆分后导入",
                    code="file_too_large",
                )
            for info in parts:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        if not _prolog_is_plain(part):
                            raise IngestFileError(
                                f"Excel 文件的 {info.filename[:60]} 含 DOCTYPE/ENTITY 声明，"
                                "出于安全原因拒绝读取",
                                code="xml_forbidden",
                            )
    except _BROKEN as exc:
        raise IngestFileError(
            f"无法读取 Excel 文件（{type(exc).__name__}）：不是有效的 .xlsx 工作簿",
            code="malformed_xlsx",
        ) from None


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

    check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _BROKEN as exc:
        raise IngestFileError(
            f"无法读取 Excel 文件（{type(exc).__name__}）：不是有效的 .xlsx 工作簿",
            code="malformed_xlsx",
        ) from None
    try:
        if not book.worksheets:
            raise IngestFileError("Excel 文件中没有工作表", code="empty_file")
        return _parse(book.worksheets[0].iter_rows(values_only=True))
    except _BROKEN as exc:  # a part broken further in
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
