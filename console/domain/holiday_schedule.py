"""A year's official holiday schedule as an admin types it from the State Council's notice.

The file is UTF-8 CSV ``date,kind,name`` (resources/calendar/holiday_overrides.csv is the
template): ``holiday`` for a day off (the weekdays of a bridge included), ``workday`` for an
adjusted working weekend day (调休上班). The same checks serve the command line and the
console's year view, so both refuse the same schedules with the same words:

* refused (nothing is saved): a malformed line, a date outside the year, a date given twice,
  a ``workday`` on a Monday–Friday (it can only be a mistyped date);
* reported but kept: a ``holiday`` on a Saturday or Sunday changes nothing to the count (the
  notice lists the weekend days inside a holiday block, so such rows are normal).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from console.errors import ScheduleImportError

KINDS = ("holiday", "workday")
_NAME_MAX = 40


@dataclass(frozen=True)
class ScheduleDay:
    day: date
    kind: str  # holiday | workday
    name: str = ""


@dataclass(frozen=True)
class ParsedSchedule:
    year: int
    days: tuple[ScheduleDay, ...]
    #: Rows kept that change nothing (a holiday on a weekend), with their line.
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def holidays(self) -> dict[date, str]:
        return {d.day: d.name for d in self.days if d.kind == "holiday"}

    @property
    def workdays(self) -> dict[date, str]:
        return {d.day: d.name for d in self.days if d.kind == "workday"}


def check_schedule(
    year: int, rows: Iterable[tuple[str, ScheduleDay]], *, source: str
) -> ParsedSchedule:
    """Check ``(where, day)`` rows as one year's schedule; ScheduleImportError lists every fault."""
    problems: list[str] = []
    notes: list[str] = []
    seen: dict[date, str] = {}
    days: list[ScheduleDay] = []
    for where, item in rows:
        if item.kind not in KINDS:
            problems.append(f"{where}：类型 '{item.kind}' 无效，应为 holiday 或 workday")
            continue
        if item.day.year != year:
            problems.append(f"{where}：日期 {item.day} 不在 {year} 年内")
            continue
        if item.day in seen:
            problems.append(f"{where}：日期 {item.day} 重复（{seen[item.day]} 已有）")
            continue
        if len(item.name) > _NAME_MAX:
            problems.append(f"{where}：名称超过 {_NAME_MAX} 个字")
            continue
        seen[item.day] = where
        weekend = item.day.weekday() >= 5
        if item.kind == "workday" and not weekend:
            problems.append(
                f"{where}：{item.day}（{_WEEKDAYS[item.day.weekday()]}）本是工作日，"
                "标为 workday（调休上班）不改变任何事，日期是否有误？"
            )
            continue
        if item.kind == "holiday" and weekend:
            notes.append(
                f"{where}：{item.day}（{_WEEKDAYS[item.day.weekday()]}）本是休息日，"
                "标为 holiday 不改变工作日计算（已保留为假期名称）"
            )
        days.append(item)
    if problems:
        raise ScheduleImportError(
            f"{source}：{year} 年节假日安排有 {len(problems)} 处错误，未导入任何内容", problems
        )
    return ParsedSchedule(
        year=year, days=tuple(sorted(days, key=lambda d: d.day)), notes=tuple(notes)
    )


_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def read_schedule_file(path: Path, year: int | None = None) -> ParsedSchedule:
    """Parse and check a ``date,kind,name`` file as the schedule of ``year``.

    Without ``year`` the file's first date gives it. '#' lines and blank lines are skipped; the
    header row is optional. Every fault is reported at once, with its line number.
    """
    label = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ScheduleImportError(f"{label}：无法读取（{exc.strerror or exc}）", []) from exc
    except UnicodeDecodeError as exc:
        raise ScheduleImportError(f"{label}：不是 UTF-8 编码的文本", []) from exc

    problems: list[str] = []
    rows: list[tuple[str, ScheduleDay]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([stripped]))]
        if not rows and not problems and [c.lower() for c in cells[:2]] == ["date", "kind"]:
            continue  # the header
        where = f"第 {line_no} 行"
        if len(cells) not in (2, 3):
            problems.append(f"{where}：应有 2 或 3 列（date,kind,name），实有 {len(cells)} 列")
            continue
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            problems.append(f"{where}：日期 '{cells[0]}' 无效，应为 YYYY-MM-DD")
            continue
        rows.append(
            (where, ScheduleDay(day, cells[1].lower(), cells[2] if len(cells) == 3 else ""))
        )
    if problems:
        raise ScheduleImportError(
            f"{label}：有 {len(problems)} 行无法读取，未导入任何内容", problems
        )
    if not rows:
        raise ScheduleImportError(f"{label}：没有任何日期行（date,kind,name）", [])
    return check_schedule(year if year is not None else rows[0][1].day.year, rows, source=label)
