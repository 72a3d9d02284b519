"""Reading an admin's holiday schedule file: every fault named with its line, nothing kept half."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from console.domain.holiday_schedule import read_schedule_file
from console.errors import ScheduleImportError


def write(tmp_path: Path, body: str, name: str = "2027.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_good_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# 国务院办公厅关于2027年部分节假日安排的通知\n"
        "date,kind,name\n"
        "\n"
        "2027-01-01,holiday,元旦\n"
        "2027-02-05,holiday,春节\n"
        "2027-02-06,holiday,春节\n"
        '2027-02-20,workday,"春节调休, 上班"\n',
    )
    parsed = read_schedule_file(path)
    assert parsed.year == 2027
    assert parsed.holidays == {
        date(2027, 1, 1): "元旦",
        date(2027, 2, 5): "春节",
        date(2027, 2, 6): "春节",
    }
    assert parsed.workdays == {date(2027, 2, 20): "春节调休, 上班"}
    # 02-06 is a Saturday: kept (the notice lists it) but reported as changing nothing
    assert len(parsed.notes) == 1
    assert "第 6 行" in parsed.notes[0] and "2027-02-06" in parsed.notes[0]


def test_the_header_is_optional_and_a_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff2027-01-01,holiday\n".encode())
    assert read_schedule_file(path).holidays == {date(2027, 1, 1): ""}


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("date,kind,name\n2027-13-01,holiday,x\n", 2, "日期 '2027-13-01' 无效"),
        ("date,kind,name\n# note\n2027-01-01,vacation,x\n", 3, "类型 'vacation' 无效"),
        ("date,kind,name\n2027-01-01\n", 2, "应有 2 或 3 列"),
        ("date,kind,name\n2027-01-01,holiday,a,b\n", 2, "实有 4 列"),
        ("2027-01-01,holiday\n2027-01-01,holiday\n", 2, "重复"),
        ("date,kind,name\n01/01/2027,holiday,x\n", 2, "YYYY-MM-DD"),
        ("2027-01-01,holiday\n2028-01-01,holiday\n", 2, "不在 2027 年内"),
        ("2027-01-01,holiday\n2027-01-05,workday,调休\n", 2, "本是工作日"),
    ],
)
def test_each_fault_names_the_file_line_and_problem(
    tmp_path: Path, body: str, line: int, problem: str
) -> None:
    path = write(tmp_path, body, name="bad.csv")
    with pytest.raises(ScheduleImportError) as info:
        read_schedule_file(path)
    assert "bad.csv" in info.value.message
    assert "未导入任何内容" in info.value.message
    assert any(f"第 {line} 行" in p and problem in p for p in info.value.problems), (
        info.value.problems
    )


def test_every_fault_is_listed_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2027-01-01,holiday\n2026-12-31,holiday\n2027-01-01,holiday\n2027-03-03,workday\n",
    )
    with pytest.raises(ScheduleImportError) as info:
        read_schedule_file(path)
    assert len(info.value.problems) == 3


def test_the_year_given_wins_over_the_first_date(tmp_path: Path) -> None:
    path = write(tmp_path, "2027-01-01,holiday\n")
    with pytest.raises(ScheduleImportError, match="2028"):
        read_schedule_file(path, year=2028)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "没有任何日期行"), (b"\xff\xfe\x00bad", "UTF-8")],
)
def test_empty_or_not_text(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ScheduleImportError, match=fragment):
        read_schedule_file(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScheduleImportError, match=r"nope\.csv"):
        read_schedule_file(tmp_path / "nope.csv")
