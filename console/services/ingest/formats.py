"""What every reader yields, the file-level errors and decoding (the formats themselves:
console.services.ingest.registry)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any

from console.errors import ConsoleError

#: Messages quote at most this much of the input.
QUOTE = 60


class IngestFileError(ConsoleError):
    """A file that cannot be read at all (nothing in it is imported)."""

    code = "file_rejected"

    def __init__(self, message: str, *, code: str = "file_rejected", line: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.line = line


class IngestCancelled(ConsoleError):
    """The user cancelled the import before it was committed: nothing was written."""

    code = "cancelled"

    def __init__(self, message: str = "导入已取消，未写入任何记录") -> None:
        super().__init__(message)


@dataclass(slots=True)
class Record:
    """One row of the input: its (1-based) line, the raw fields, or why it could not be read."""

    line: int
    data: dict[str, Any] | None = None
    #: (code, message) when the row itself is unreadable
    error: tuple[str, str] | None = None


@dataclass
class Parsed:
    records: list[Record]
    format: str
    encoding: str = "utf-8"
    #: the file's column names (CSV headers, JSON keys seen) and which were not used
    columns: list[str] = field(default_factory=list)


def quote(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= QUOTE else text[:QUOTE] + "…"


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    problem = ""
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            problem = f"第 {line} 行（字节 {exc.start}）"
    raise IngestFileError(
        f"无法识别文件编码（试过 {' / '.join(candidates)}，{problem} 处解码失败）；"
        "请另存为 UTF-8 或 GBK",
        code="bad_encoding",
    )
