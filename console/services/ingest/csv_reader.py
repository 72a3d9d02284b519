"""CSV (and TSV / semicolon / pipe) files, in UTF-8, UTF-8 with BOM or GBK/GB18030.

A cell the exporter guarded against spreadsheet formulas ('=1+1) is read without the guard
(console.services.ingest.report.unguard_text), so exported text comes back unchanged.
"""

from __future__ import annotations

import csv
import io

from console.services.ingest.formats import IngestFileError, Parsed, Record, decode
from console.services.ingest.report import unguard_text

#: One cell may hold at most this many characters (the longest text field is 2,000).
MAX_CELL = 20_000
DELIMITERS = ",\t;|"


def sniff_delimiter(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # The header line decides: the delimiter it holds most of.
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.__getitem__)
        return best if counts[best] else ","


def read_csv(data: bytes) -> Parsed:
    text, encoding = decode(data)
    return parse_csv_text(text, encoding)


def parse_csv_text(text: str, encoding: str = "utf-8") -> Parsed:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise IngestFileError(
            f"第 {line} 行含 NUL 字节：不是文本文件（或编码为 UTF-16 无 BOM）",
            code="malformed_csv",
            line=line,
        )
    if not text.strip():
        raise IngestFileError("文件为空", code="empty_file")
    delimiter = sniff_delimiter(text[:8192])
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_CELL)
    try:
        return _parse(text, delimiter, encoding)
    finally:
        csv.field_size_limit(previous)


def _parse(text: str, delimiter: str, encoding: str) -> Parsed:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    unguard = "'" in text  # no apostrophe anywhere: no cell to look at
    records: list[Record] = []
    header: list[str] | None = None
    start = 1
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                records.append(
                    Record(start, error=("text_too_long", f"字段过长（超过 {MAX_CELL} 字）"))
                )
            else:
                records.append(Record(start, error=("malformed_row", f"CSV 格式错误: {message}")))
            if header is None:
                raise IngestFileError(
                    f"第 {start} 行（表头）无法读取: {message}", code="malformed_csv", line=start
                ) from None
            continue
        if not "".join(cells).strip():
            continue  # blank lines and Excel's trailing ",,,," rows
        if unguard:
            cells = [unguard_text(c) if c[:1] == "'" else c for c in cells]
        if header is None:
            header = [c.strip().lstrip("\ufeff") for c in cells]
            continue
        if len(cells) != len(header):
            # Excel pads short rows with empty trailing cells; extra empty cells are harmless too.
            extra = cells[len(header) :]
            if len(cells) > len(header) and not any(c.strip() for c in extra):
                cells = cells[: len(header)]
            else:
                records.append(
                    Record(
                        start,
                        error=(
                            "malformed_row",
                            f"列数不符：表头 {len(header)} 列，本行 {len(cells)} 列",
                        ),
                    )
                )
                continue
        records.append(Record(start, dict(zip(header, cells, strict=False))))  # checked above
    if header is None:
        raise IngestFileError("文件为空（没有表头）", code="empty_file")
    return Parsed(records, "csv", encoding, header)
