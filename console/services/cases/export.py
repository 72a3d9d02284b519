"""Cases out of the console: Open311 GeoReport v2 JSON, and CSV / Excel of a queue view.

A queue export takes the queue's own filter object (console.services.queue.QueueFilter) and
writes every matching case, not just the page on screen, in the filter's order; the caller
names the columns (keys of :data:`COLUMNS`, with the headers the screen shows), or takes
:data:`ROUND_TRIP_COLUMNS`: what ``ingest`` reads back into another district (the case number
as external id, kind, taxonomy and category code, lon/lat, times to the second with their
zone), beside the names a person reads. The JSON export carries the same in each request.

Case text is written as data: in Excel every text cell is a string cell, and in CSV a value
that a spreadsheet would run as a formula (= + - @) gets a leading apostrophe, which the
importer takes off again (console.services.ingest.report.safe_text / unguard_text). Files are
written beside the target and renamed into place, so a failed export leaves no half file.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, overload

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.domain.lifecycle import FINAL_STATES, STATE_LABELS, state_label
from console.domain.worktime import WorkCalendar
from console.errors import ValidationError
from console.models import Case, Category, Department
from console.services import queue
from console.services.cases.detail import limit_text
from console.services.ingest.report import excel_text, safe_text
from console.services.queries import case_category
from console.services.queue import QueueFilter, QueueRow
from console.services.queue_columns import queue_columns
from console.services.reference.open311_codes import service_code
from console.services.report_input import SOURCE_LABELS

FORMATS = ("open311", "csv", "xlsx")
SUFFIXES = {".json": "open311", ".csv": "csv", ".xlsx": "xlsx"}
#: CSV encodings by option: UTF-8 with BOM (Excel on Windows detects it), GBK proper (a
#: character GBK lacks is refused, naming the case) or GB18030 (every character; read as GBK
#: by software that knows only GBK, except the characters GBK lacks).
ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}
#: Excel's sheet holds 1,048,576 rows, one of them the header.
MAX_ROWS = 1_048_575
#: Cases read per query while writing.
BATCH = 2_000
LIGHTS_ZH = {"green": "绿", "yellow": "黄", "red": "红"}
KINDS_ZH = {"component": "部件", "event_type": "事件"}
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"


@dataclass(frozen=True)
class ExportRow:
    """A queue row and what the queue does not show but an importer needs."""

    queue: QueueRow
    taxonomy: str
    lon: float
    lat: float
    closed_at: datetime | None


@dataclass(frozen=True)
class Column:
    header: str  # the default (Chinese) header; the console passes the one on screen
    value: Callable[[ExportRow], Any]
    width: int = 14  # Excel column width, in characters


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


#: Every column an export can carry, by key. A header the importer knows
#: (resources/intake/columns.csv) must hold that field: the category's name is 类别名称
#: because 类别 would be read as its code.
COLUMNS: dict[str, Column] = {
    "number": Column("案件编号", lambda r: r.queue.number, 22),
    "light": Column("灯色", lambda r: LIGHTS_ZH.get(r.queue.light or "", ""), 6),
    "remaining": Column("剩余时限(小时)", lambda r: _hours(r.queue.remaining_seconds), 12),
    "state": Column("状态", lambda r: r.queue.state_label, 10),
    "kind": Column("类型", lambda r: KINDS_ZH.get(r.queue.kind, r.queue.kind), 6),
    "taxonomy": Column("分类标准", lambda r: r.taxonomy, 16),
    "category": Column("类别名称", lambda r: r.queue.category_name, 16),
    "category_code": Column("类别代码", lambda r: r.queue.category_code, 10),
    "lon": Column("经度", lambda r: r.lon, 12),
    "lat": Column("纬度", lambda r: r.lat, 12),
    "address": Column("地址", lambda r: r.queue.address, 30),
    "description": Column("问题描述", lambda r: r.queue.description, 40),
    "street": Column("街道", lambda r: r.queue.street_name, 12),
    "grid": Column("网格", lambda r: r.queue.grid_code, 16),
    "department": Column("处置部门", lambda r: r.queue.department_name or "", 16),
    "source": Column("来源", lambda r: r.queue.source_label, 10),
    "reported_at": Column("上报时间", lambda r: r.queue.reported_at, 20),
    "deadline_at": Column("处置时限", lambda r: r.queue.deadline_at, 20),
    "closed_at": Column("结案时间", lambda r: r.closed_at, 20),
    "urgent": Column("紧急", lambda r: "是" if r.queue.urgent else "", 6),
}
#: The queue table's columns, in its order (resources/queues/columns.csv): what the console's
#: export offers, the columns on screen.
QUEUE_COLUMNS = tuple(c.key for c in queue_columns())
_missing = [k for k in QUEUE_COLUMNS if k not in COLUMNS]
if _missing:  # a table column the export cannot write: say so at start, not on export
    raise ValidationError(f"columns.csv: 导出不支持的列 {_missing}")
#: The default export: every field ``ingest`` reads (the case number is the external id), then
#: what a person reads beside them. Imported into another district, it reads back whole.
ROUND_TRIP_COLUMNS = (
    "number",
    "kind",
    "taxonomy",
    "category_code",
    "category",
    "lon",
    "lat",
    "address",
    "description",
    "source",
    "reported_at",
    "state",
    "street",
    "grid",
    "department",
    "deadline_at",
    "closed_at",
    "urgent",
)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    count: int


def format_for(path: Path | str, format: str | None = None) -> str:
    """The export format: as given, or from the file's extension (.json / .csv / .xlsx)."""
    if format:
        if format not in FORMATS:
            raise ValidationError(f"未知导出格式 {format!r}（可选: {', '.join(FORMATS)}）")
        return format
    found = SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise ValidationError(
            f"无法从文件名判断导出格式: {Path(path).name}（用 .json / .csv / .xlsx）"
        )
    return found


def resolve_columns(columns: Sequence[tuple[str, str] | str] | None) -> list[tuple[str, str]]:
    """(key, header) pairs; a bare key takes its default header. Default: the round trip's."""
    chosen: list[tuple[str, str]] = []
    for item in columns if columns is not None else ROUND_TRIP_COLUMNS:
        key, header = (item, "") if isinstance(item, str) else item
        if key not in COLUMNS:
            raise ValidationError(f"未知的导出列: {key}（可选: {', '.join(COLUMNS)}）")
        chosen.append((key, header or COLUMNS[key].header))
    if not chosen:
        raise ValidationError("没有要导出的列")
    return chosen


# --------------------------------------------------------------------------- reading


def matching_ids(
    session: Session,
    f: QueueFilter,
    now: datetime,
    *,
    states: Sequence[str] | None = None,
    limit: int = MAX_ROWS,
) -> list[int]:
    """Every case id the queue filter matches, in the queue's order (not only one page);
    ``states`` narrows it to those states (the command line's --state)."""
    stmt = queue.page_ids_select(f, now, offset=0, limit=limit + 1)
    if states:
        unknown = [state for state in states if state not in STATE_LABELS]
        if unknown:
            raise ValidationError(
                f"未知状态: {', '.join(unknown)}（可选: {', '.join(STATE_LABELS)}）",
                field="state",
            )
        stmt = stmt.where(Case.state.in_(list(states)))
    ids = list(session.scalars(stmt))
    if len(ids) > limit:
        raise ValidationError(f"匹配的案件超过 {limit:,} 件，无法导出到一个文件；请先缩小筛选范围")
    return ids


def _selected(
    session: Session,
    f: QueueFilter | None,
    case_ids: Sequence[int] | None,
    now: datetime,
    states: Sequence[str] | None,
) -> list[int]:
    if case_ids is not None:
        if len(case_ids) > MAX_ROWS:
            raise ValidationError(f"选中的案件超过 {MAX_ROWS:,} 件")
        return list(dict.fromkeys(case_ids))
    return matching_ids(session, f or QueueFilter(), now, states=states)


def _export_rows(
    session: Session, ids: list[int], now: datetime, calendar: WorkCalendar
) -> Iterator[ExportRow]:
    extras = select(Case.id, Case.taxonomy, Case.lon, Case.lat, Case.closed_at)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        more = {r.id: r for r in session.execute(extras.where(Case.id.in_(chunk)))}
        for row in queue.fetch_rows(session, chunk, now, calendar):
            m = more[row.id]
            yield ExportRow(row, m.taxonomy, m.lon, m.lat, m.closed_at)


@overload
def _local(at: datetime) -> datetime: ...
@overload
def _local(at: datetime | None) -> datetime | None: ...
def _local(at: datetime | None) -> datetime | None:
    # Excel has no time zones: the wall-clock time of the district, naive, to the second (a
    # fraction would come back rounded from Excel's day fractions).
    if at is None:
        return None
    return at.astimezone(LOCAL_TZ).replace(tzinfo=None, microsecond=0)


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(LOCAL_TZ).isoformat(timespec="seconds") if at is not None else None


def _csv_time(at: datetime) -> str:
    """ISO 8601 with a space, to the second, with the zone: 2026-11-23 09:30:05+08:00."""
    return at.astimezone(LOCAL_TZ).isoformat(sep=" ", timespec="seconds")


# --------------------------------------------------------------------------- writing


def _tmp_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


class UnencodableError(ValidationError):
    """A case's text holds a character the chosen CSV encoding cannot (nothing is written)."""

    code = "unencodable"


def _check_encodable(text: str, encoding: str, number: str, header: str) -> None:
    try:
        text.encode(encoding)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        where = f"案件 {number} 的“{header}”" if number else f"表头“{header}”"
        raise UnencodableError(
            f"{where}含 {encoding.upper()} 无法表示的字符 “{char}”（U+{ord(char):04X}），"
            f"未写入文件；请改用 gb18030（GBK 的超集，无损）或 utf-8 编码",
            field="encoding",
        ) from None


def write_csv(
    rows: Iterator[ExportRow], path: Path, columns: list[tuple[str, str]], *, encoding: str
) -> int:
    """``encoding`` is a Python codec (a value of :data:`ENCODINGS`). In one that cannot hold
    every character (GBK), each text is checked first, so a refusal names the case, the column
    and the character, and no file is left behind."""
    getters = [COLUMNS[key].value for key, _ in columns]
    headers = [header for _, header in columns]
    check = encoding not in ("utf-8", "utf-8-sig", "gb18030")
    count = 0
    tmp = _tmp_for(path)
    try:
        with tmp.open("w", encoding=encoding, errors="strict", newline="") as f:
            w = csv.writer(f)
            if check:
                for header in headers:
                    _check_encodable(header, encoding, "", header)
            w.writerow([safe_text(header) for header in headers])
            for row in rows:
                out: list[object] = []
                for get, header in zip(getters, headers, strict=True):
                    value = get(row)
                    if isinstance(value, datetime):
                        value = _csv_time(value)
                    elif isinstance(value, str):
                        if check:
                            _check_encodable(value, encoding, row.queue.number, header)
                        value = safe_text(value)
                    out.append("" if value is None else value)
                w.writerow(out)
                count += 1
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def write_xlsx(rows: Iterator[ExportRow], path: Path, columns: list[tuple[str, str]]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("案件")
    sheet.freeze_panes = "A2"
    for i, (key, header) in enumerate(columns, start=1):
        width = max(COLUMNS[key].width, min(40, 2 * len(header) + 2))
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    head = []
    for _, header in columns:
        cell = WriteOnlyCell(sheet, value=header)
        cell.data_type = "s"
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    getters = [COLUMNS[key].value for key, _ in columns]
    count = 0
    for row in rows:
        out: list[object] = []
        for get in getters:
            value = get(row)
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=_local(value))
                cell.number_format = DATE_FORMAT
                out.append(cell)
            elif isinstance(value, str):
                # A string cell, whatever it starts with: never a formula. Only text that
                # already looks guarded ('=…) gets the guard, so the importer's unguarding
                # gives back exactly this text.
                cell = WriteOnlyCell(sheet, value=excel_text(value))
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
        count += 1
    tmp = _tmp_for(path)
    try:
        book.save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def requests_select() -> Select[Case, str | None, str | None]:
    """Cases with their category's and department's names: what a service request shows."""
    return (
        select(Case, Category.name, Department.name)
        .outerjoin(Category, case_category())
        .outerjoin(Department, Department.id == Case.department_id)
    )


def request_fields(
    case: Case,
    category_name: str | None,
    department_name: str | None,
    codes: dict[tuple[str, str, str], str],
) -> dict[str, Any]:
    """A case's GeoReport v2 service request fields (the GET requests shape), times local."""
    closed = case.state in FINAL_STATES
    limit = limit_text(case.limit_value, case.limit_unit, case.extension_value or 0.0)
    return {
        "service_request_id": case.number,
        "status": "closed" if closed else "open",
        "status_notes": state_label(case.state),
        "service_name": category_name or case.category_code,
        "service_code": codes.get((case.taxonomy, case.kind, case.category_code))
        or service_code(case.taxonomy, case.kind, case.category_code),
        "description": case.description,
        "agency_responsible": department_name,
        "service_notice": f"处置时限 {limit}" if limit else None,
        "requested_datetime": _iso(case.reported_at),
        "updated_datetime": _iso(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": _iso(case.deadline_at),
        "address": case.address,
        "lat": case.lat,
        "long": case.lon,
    }


def open311_requests(session: Session, ids: list[int]) -> Iterator[dict[str, Any]]:
    """GeoReport v2 service requests for ``ids``, in that order, with the case's source,
    external id and category (taxonomy, kind, code) added: a service_code alone may name a
    category only by a district's table, so ``ingest`` files the request by these."""
    codes: dict[tuple[str, str, str], str] = {}  # the catalog's codes, as GET requests shows
    stmt = requests_select()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = {
            case.id: {
                **request_fields(case, category_name, department_name, codes),
                "source": SOURCE_LABELS.get(case.source, case.source),
                "external_id": case.external_id,
                "taxonomy": case.taxonomy,
                "kind": case.kind,
                "category_code": case.category_code,
            }
            for case, category_name, department_name in session.execute(
                stmt.where(Case.id.in_(chunk))
            )
        }
        session.expunge_all()
        yield from (found[i] for i in chunk if i in found)


def write_open311(requests: Iterator[dict[str, Any]], path: Path) -> int:
    """A JSON array of service requests, written one at a time (UTF-8, no BOM)."""
    count = 0
    tmp = _tmp_for(path)
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as f:
            f.write("[")
            for request in requests:
                f.write(",\n " if count else "\n ")
                f.write(json.dumps(request, ensure_ascii=False))
                count += 1
            f.write("\n]\n" if count else "]\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def export_cases(
    session: Session,
    path: Path | str,
    *,
    now: datetime,
    calendar: WorkCalendar,
    filter: QueueFilter | None = None,
    case_ids: Sequence[int] | None = None,
    format: str | None = None,
    columns: Sequence[tuple[str, str] | str] | None = None,
    encoding: str = "utf-8",
    states: Sequence[str] | None = None,
) -> ExportResult:
    """Write the cases of ``filter`` (all of them, in its order) or of ``case_ids`` to
    ``path``: Open311 JSON, CSV or Excel (``format``, or from the extension)."""
    target = Path(path)
    fmt = format_for(target, format)
    if encoding not in ENCODINGS:
        raise ValidationError(f"未知编码 {encoding!r}（可选: {', '.join(ENCODINGS)}）")
    chosen = resolve_columns(columns) if fmt != "open311" else []
    if not target.parent.is_dir():
        raise ValidationError(f"目录不存在: {target.parent}")
    ids = _selected(session, filter, case_ids, now, states)
    try:
        if fmt == "open311":
            count = write_open311(open311_requests(session, ids), target)
        elif fmt == "csv":
            rows = _export_rows(session, ids, now, calendar)
            count = write_csv(rows, target, chosen, encoding=ENCODINGS[encoding])
        else:
            count = write_xlsx(_export_rows(session, ids, now, calendar), target, chosen)
    except OSError as exc:
        raise ValidationError(f"无法写入 {target}: {exc.strerror or exc}") from None
    return ExportResult(target, fmt, count)
