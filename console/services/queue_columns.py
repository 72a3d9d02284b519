"""The queue table's columns, declared once in resources/queues/columns.csv.

The table, its header's sorting and the queue export read the same records: a new column is a
row there (plus how the table shows it and how the export writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from console.config import csv_rows, resource
from console.errors import ValidationError
from console.services.queue import SORTS

WIDTHS = ("content", "time_left", "datetime", "address")


@dataclass(frozen=True)
class QueueColumn:
    key: str
    label_zh: str
    label_en: str
    sort: str | None  # QueueFilter.sort for a click on the header; None: not sortable
    width: str  # one of WIDTHS


@cache
def queue_columns() -> tuple[QueueColumn, ...]:
    """The shipped columns, in display order."""
    return load_queue_columns(resource("queues", "columns.csv"))


def load_queue_columns(path: Path) -> tuple[QueueColumn, ...]:
    """Columns from ``path``, checked: unique keys, known sort keys and widths."""
    columns: list[QueueColumn] = []
    for lineno, row in enumerate(csv_rows(path), start=1):
        where = f"{path.name} 第{lineno}条"
        try:
            column = QueueColumn(
                key=row["key"].strip(),
                label_zh=row["label_zh"].strip(),
                label_en=row["label_en"].strip(),
                sort=(row["sort"] or "").strip() or None,
                width=row["width"].strip(),
            )
        except (KeyError, AttributeError) as exc:
            raise ValidationError(f"{where}: 格式错误 {exc}") from exc
        if column.sort is not None and column.sort not in SORTS:
            raise ValidationError(f"{where}: 未知排序 {column.sort}（可选: {', '.join(SORTS)}）")
        if column.width not in WIDTHS:
            raise ValidationError(f"{where}: 未知宽度 {column.width}（可选: {', '.join(WIDTHS)}）")
        if any(c.key == column.key for c in columns):
            raise ValidationError(f"{where}: 重复的列 {column.key}")
        columns.append(column)
    if not columns:
        raise ValidationError(f"{path.name}: 没有列")
    return tuple(columns)


def column_index(key: str) -> int:
    """The column's position in the table."""
    for i, column in enumerate(queue_columns()):
        if column.key == key:
            return i
    raise KeyError(key)
