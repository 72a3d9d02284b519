"""The queue's columns are declared once (resources/queues/columns.csv): the table, its
sorting and the export read the same records (issue 14 §2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.errors import ValidationError
from console.services.cases.export import COLUMNS, QUEUE_COLUMNS
from console.services.queue import SORTS
from console.services.queue_columns import column_index, load_queue_columns, queue_columns

HEAD = "key,label_zh,label_en,sort,width\n"


def test_the_shipped_columns_are_the_tables_and_the_exports() -> None:
    keys = [c.key for c in queue_columns()]
    assert keys[0] == "number" and column_index("reported_at") == keys.index("reported_at")
    assert tuple(keys) == QUEUE_COLUMNS  # the export's default is the table, in its order
    assert all(k in COLUMNS for k in keys)
    assert {c.sort for c in queue_columns() if c.sort} <= set(SORTS)
    assert all(c.label_zh and c.label_en for c in queue_columns())


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        ("number,编号,No.,nonsense,content\n", "未知排序 nonsense"),
        ("number,编号,No.,,huge\n", "未知宽度 huge"),
        ("number,编号,No.,,content\nnumber,编号,No.,,content\n", "重复的列 number"),
        ("", "没有列"),
    ],
)
def test_a_bad_file_is_refused_with_its_line(tmp_path: Path, rows: str, says: str) -> None:
    path = tmp_path / "columns.csv"
    path.write_text(HEAD + rows, encoding="utf-8")
    with pytest.raises(ValidationError, match=says):
        load_queue_columns(path)


def test_a_new_column_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "columns.csv"
    path.write_text(HEAD + "number,编号,No.,number,content\nurgent,紧急,Urgent,,content\n")
    assert [(c.key, c.sort) for c in load_queue_columns(path)] == [
        ("number", "number"),
        ("urgent", None),
    ]
