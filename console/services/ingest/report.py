"""The report file written beside the input: one line per row, then a summary."""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MAX_MESSAGE = 300
#: A text cell starting with one of these is a formula to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = ("line", "status", "case_number", "code", "message")


@dataclass(frozen=True)
class RowOutcome:
    line: int
    status: str  # accepted / duplicate / rejected (/ valid in a dry run)
    case_number: str = ""
    code: str = ""
    message: str = ""


def report_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".report.csv")


def _looks_guarded(value: str) -> bool:
    """Apostrophes, then a formula's first character: what unguard_text takes one ' off."""
    rest = value.lstrip("'")
    return len(rest) < len(value) and rest.startswith(FORMULA_START)


def safe_text(value: str) -> str:
    """CSV: a value a spreadsheet would evaluate is kept as text with a leading apostrophe.
    Text that already looks guarded ('=…) gets one more, so unguard_text reverses it exactly."""
    return "'" + value if value.startswith(FORMULA_START) or _looks_guarded(value) else value


def excel_text(value: str) -> str:
    """Excel: string cells are never formulas, so only text that looks guarded gets the guard
    (unguard_text, which also serves spreadsheets saved from a guarded CSV, gives it back)."""
    return "'" + value if _looks_guarded(value) else value


def unguard_text(value: str) -> str:
    """An imported cell without the guard safe_text (or excel_text) put on: one leading
    apostrophe is dropped, and only before a formula's first character (or more apostrophes
    leading to one); "'quoted" stays as it is."""
    return value[1:] if value.startswith("'") and _looks_guarded(value) else value


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "…"
    return safe_text(text)


def write_report(
    path: Path,
    outcomes: Iterable[RowOutcome],
    summary: dict[str, object],
    *,
    header: tuple[str, ...] = HEADER,
) -> Path:
    """``path`` in UTF-8 with BOM (Excel opens it as such), rows by line, summary at the end.
    ``header`` renames the columns (the component register's third is its identifier)."""
    # A temporary name of this writer's own (two imports of one file at once each write
    # theirs); opened as any file is, so the report gets the user's usual permissions.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for o in sorted(outcomes, key=lambda o: o.line):
            w.writerow((o.line, o.status, o.case_number, safe_cell(o.code), safe_cell(o.message)))
        w.writerow(())
        w.writerow(("#summary", *(f"{k}={safe_cell(v)}" for k, v in summary.items())))
    tmp.replace(path)
    return path


def read_report(path: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The rows and summary of a report file (for tests and tools), keyed by its header."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    body = [dict(zip(header, r, strict=True)) for r in rows[1:] if r and r[0] != "#summary"]
    summary: dict[str, str] = {}
    for r in rows:
        if r and r[0] == "#summary":
            summary = dict(cell.split("=", 1) for cell in r[1:])
    return body, summary
