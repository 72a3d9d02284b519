"""Import one file of reports: parse everything, map, drop duplicates, one bulk insert, report.

Every row ends accepted, duplicate or rejected (with its line, a code and a reason). The insert
is one ``bulk_report`` call, so the database gets all accepted rows or none. Rows whose
(source, external_id) is already in the database, or earlier in the same file, are duplicates:
importing the same file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, select
from sqlalchemy.exc import IntegrityError, OperationalError

from console.db import Database
from console.domain.input_limits import printable
from console.errors import (
    ConsoleError,
    OutsideDistrictError,
    ValidationError,
)
from console.models import Case
from console.schema_head import SQLITE_BUSY_TIMEOUT_MS
from console.services.actors import Actor
from console.services.bulk_intake import bulk_report, checked_rows, validated
from console.services.ingest import mapping
from console.services.ingest.formats import IngestCancelled, IngestFileError, Parsed
from console.services.ingest.open311_reader import load_open311_mapping, load_services
from console.services.ingest.registry import FORMAT_NAMES, detect, import_format
from console.services.ingest.report import RowOutcome, report_path_for, write_report
from console.services.locator import DbLocator, Locator
from console.services.report_input import ReportInput

MAX_BYTES = 50 * 1024 * 1024
#: Tries when another import commits the same new rows first (the retry finds them imported).
CONFLICT_ATTEMPTS = 3
MAX_ROWS = 1_000_000
Progress = Callable[[int, int], None]
#: Rows between progress calls (and cancel checks) while checking.
PROGRESS_EVERY = 2000


@dataclass
class IngestResult:
    total: int
    accepted: int
    duplicates: int
    #: (line, code, message), by line
    rejected: list[tuple[int, str, str]]
    encoding: str
    format: str
    report_path: Path
    dry_run: bool = False
    unknown_columns: list[str] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    #: Pairs flagged as possible duplicates (same category, near in place and time).
    possible_duplicates: int = 0
    #: Times the insert was tried again because another import wrote the same rows first.
    retries: int = 0

    @property
    def valid(self) -> int:
        """Rows that passed every check: accepted, or in a dry run the ones that would be."""
        return sum(1 for o in self.outcomes if o.status in ("accepted", "valid"))


def resolve_source(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    found = mapping.SOURCES.get(value.strip()) or mapping.SOURCES.get(value.strip().lower())
    if found is None:
        raise ValidationError(
            f"未知来源: {value!r}（可选: {' / '.join(mapping.SOURCES)}）", field="source"
        )
    return found


def read_file(path: Path, fmt: str = "auto", *, max_bytes: int = MAX_BYTES) -> Parsed:
    """Parse ``path`` whole; a file that cannot be read at all is an IngestFileError."""
    if fmt != "auto" and fmt not in FORMAT_NAMES:
        raise IngestFileError(f"未知格式 {fmt!r}（可选: auto, {', '.join(FORMAT_NAMES)}）")
    data = read_bytes(path, max_bytes=max_bytes)
    if fmt == "auto":
        fmt = detect(path, data[:4096])
    return import_format(fmt).reader(data)


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an import file: not too large, not empty, readable (IngestFileError)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestFileError(
                f"文件过大: {size / 1e6:.1f} MB，上限 {max_bytes / 1e6:.1f} MB；请拆分后导入",
                code="file_too_large",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise IngestFileError(
            f"无法读取文件 {path}: {exc.strerror or exc}", code="unreadable"
        ) from None
    if not data.strip():
        raise IngestFileError("文件为空", code="empty_file")
    return data


def ticker(
    total: int, progress: Progress | None, should_cancel: Callable[[], bool] | None
) -> Callable[[float], None]:
    """``tick(share)``: ``progress(done, total)`` at that share of the work, after polling
    ``should_cancel()``, whose True raises IngestCancelled (before the commit: nothing written)."""

    def tick(share: float) -> None:
        if should_cancel is not None and should_cancel():
            raise IngestCancelled()
        if progress is not None:
            progress(min(total, int(total * share)), total)

    return tick


def ingest_file(
    db: Database,
    path: Path | str,
    *,
    format: str = "auto",
    source: str | None = None,
    dry_run: bool = False,
    actor: Actor,
    now: datetime,
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    locator: Locator | None = None,
    report: bool = True,
    open311_mapping: Path | None = None,
) -> IngestResult:
    """Import ``path``. ``progress(done, total)`` is called as rows go by (``total`` = rows
    in the file; checking counts for the first half, writing for the second);
    ``should_cancel()`` is polled as often, and a True before the commit raises
    IngestCancelled with nothing written (no cases, no report file)."""
    path = Path(path)
    report_path = report_path_for(path)
    fixed_source = resolve_source(source)
    try:
        parsed = read_file(path, format, max_bytes=max_bytes)
        if len(parsed.records) > max_rows:
            raise IngestFileError(
                f"行数过多: {len(parsed.records):,} 行，上限 {max_rows:,} 行；请拆分后导入",
                code="too_many_rows",
            )
    except IngestFileError as exc:
        if report:
            write_report(
                report_path,
                [RowOutcome(exc.line, "rejected", "", exc.code, exc.message)],
                {"file": path.name, "status": "unreadable", "code": exc.code},
            )
        raise
    total = len(parsed.records)
    # Checking rows is the first half of the work, writing them the second.
    tick = ticker(total, progress, should_cancel)

    def written(inserted: int, to_insert: int) -> None:
        tick(0.5 + 0.5 * inserted / to_insert if to_insert else 1.0)

    tick(0.0)
    outcomes: list[RowOutcome] = []
    lines: list[int] = []
    reports: list[ReportInput] = []
    unknown: list[str] = []
    declared = import_format(parsed.format)
    if open311_mapping is not None and declared.fields != "open311":
        raise IngestFileError(
            "--mapping 只用于 Open311 文件（--format open311）", code="bad_mapping"
        )
    if declared.fields == "open311":
        # A source system's own codes and points, mapped as the district configured them.
        source_map = load_open311_mapping(open311_mapping) if open311_mapping else None
        services = load_services()
        if source_map is not None:
            services = {**services, **source_map.services}

        def fields_of(data: dict[str, Any]) -> dict[str, Any]:
            placed = source_map.placed(data) if source_map is not None else data
            return mapping.open311_fields(placed, services)

    else:
        plan = mapping.plan_columns(parsed.columns)
        unknown = [printable(name) for name in plan.unknown]

        def fields_of(data: dict[str, Any]) -> dict[str, Any]:
            return mapping.row_fields(data, plan)

    default_source = declared.default_source
    for i, record in enumerate(parsed.records):
        if record.error is not None:
            outcomes.append(RowOutcome(record.line, "rejected", "", *record.error))
        else:
            assert record.data is not None
            try:
                fields = fields_of(record.data)
                if fixed_source is not None and fields.get("source") in (None, ""):
                    fields["source"] = fixed_source
                reports.append(mapping.to_report(fields, default_source=default_source))
                lines.append(record.line)
            except ConsoleError as exc:
                outcomes.append(RowOutcome(record.line, "rejected", "", exc.code, exc.message))
        if i % PROGRESS_EVERY == 0:
            tick(0.45 * i / total)
    tick(0.45)

    locator = locator or DbLocator(db)
    flagged = retries = 0
    read_outcomes = outcomes
    all_reports, all_lines = reports, lines
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        outcomes = list(read_outcomes)
        keep = _drop_duplicates(db, all_reports, all_lines, outcomes)
        reports = [all_reports[i] for i in keep]
        lines = [all_lines[i] for i in keep]
        tick(0.5)
        if dry_run:
            rejected_idx = check_reports(db, reports, locator=locator, now=now)
            numbers: list[str] = []  # nothing numbered in a dry run
            break
        try:
            result = bulk_report(db, actor, reports, now=now, locator=locator, checkpoint=written)
        except OperationalError as exc:
            if db.dialect != "sqlite" or "locked" not in str(exc.orig):
                raise
            raise IngestFileError(
                f"数据库正被另一写入占用（等待 {SQLITE_BUSY_TIMEOUT_MS // 1000} 秒仍未释放）；"
                "未导入任何记录，请稍后重试",
                code="database_busy",
            ) from None
        except Exception as exc:
            if not _lost_race(db, exc):
                raise
            if attempt == CONFLICT_ATTEMPTS:
                raise IngestFileError(
                    "导入时另一导入同时写入了相同外部编号的案件，重试后仍冲突；"
                    "未导入任何记录，请稍后重试",
                    code="conflict",
                ) from None
            # Another import of the same rows committed first (its rows hold the unique key
            # now): the check above, run again, counts them as already imported.
            retries += 1
            continue
        rejected_idx = result.rejected
        flagged = result.possible_duplicates
        numbers = result.numbers
        break
    rejected_at = {index: (code, message) for index, code, message in rejected_idx}
    accepted_numbers = iter(numbers)
    accepted = 0
    for index, line in enumerate(lines):
        if index in rejected_at:
            code, message = rejected_at[index]
            if code == OutsideDistrictError.code:
                code, message = _maybe_swapped(locator, reports[index], code, message)
            outcomes.append(RowOutcome(line, "rejected", "", code, message))
        else:
            accepted += 1
            status = "valid" if dry_run else "accepted"
            outcomes.append(RowOutcome(line, status, next(accepted_numbers, "")))
    outcomes.sort(key=lambda o: o.line)
    rejected = [(o.line, o.code, o.message) for o in outcomes if o.status == "rejected"]
    duplicates = sum(1 for o in outcomes if o.status == "duplicate")
    if report:
        write_report(
            report_path,
            outcomes,
            {
                "file": path.name,
                "format": parsed.format,
                "encoding": parsed.encoding,
                "dry_run": dry_run,
                "total": total,
                "accepted": 0 if dry_run else accepted,
                "valid": accepted,
                "duplicates": duplicates,
                "rejected": len(rejected),
                "unknown_columns": ";".join(unknown),
                "possible_duplicates": flagged,
            },
        )
    if progress is not None:
        progress(total, total)
    return IngestResult(
        total=total,
        accepted=0 if dry_run else accepted,
        duplicates=duplicates,
        rejected=rejected,
        encoding=parsed.encoding,
        format=parsed.format,
        report_path=report_path,
        dry_run=dry_run,
        unknown_columns=unknown,
        outcomes=outcomes,
        possible_duplicates=flagged,
        retries=retries,
    )


def _lost_race(db: Database, exc: Exception) -> bool:
    """Whether ``exc`` is a unique key another writer took between the duplicate check and
    the insert (the bulk insert runs on the driver's own cursor, so its error comes raw)."""
    if isinstance(exc, IntegrityError):
        return True
    dbapi = db.engine.dialect.loaded_dbapi
    return isinstance(exc, dbapi.IntegrityError)


def _drop_duplicates(
    db: Database, reports: list[ReportInput], lines: list[int], outcomes: list[RowOutcome]
) -> list[int]:
    """Indexes of ``reports`` to import; the others are recorded as duplicates in ``outcomes``."""
    keys: dict[tuple[str, str], int] = {}
    keep: list[int] = []
    for i, r in enumerate(reports):
        if isinstance(r.external_id, str) and r.external_id.strip():
            key = (r.source, r.external_id.strip())
            if key in keys:
                outcomes.append(
                    RowOutcome(
                        lines[i],
                        "duplicate",
                        "",
                        "duplicate_in_file",
                        f"外部编号 {mapping.quote(key[1])} 与第 {lines[keys[key]]} 行重复",
                    )
                )
                continue
            keys[key] = i
        keep.append(i)
    numbers = existing_keys(db, list(keys))
    if not numbers:
        return keep
    result = []
    for i in keep:
        r = reports[i]
        known = (r.source, r.external_id.strip()) if isinstance(r.external_id, str) else None
        if known is not None and known in numbers:
            outcomes.append(
                RowOutcome(
                    lines[i],
                    "duplicate",
                    numbers[known],
                    "already_imported",
                    f"外部编号 {mapping.quote(known[1])} 已导入（案件 {numbers[known]}）",
                )
            )
        else:
            result.append(i)
    return result


#: The keys of one import, joined against cases in one query (IN lists would take 400
#: round trips at 200,000 rows). Temporary: private to the connection, gone at rollback.
_KEYS = Table(
    "ingest_keys",
    MetaData(),
    Column("source", String(12)),
    Column("external_id", String(64)),
    prefixes=["TEMPORARY"],
)


def existing_keys(db: Database, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(source, external_id) → case number, for the keys already in the database."""
    if not keys:
        return {}
    with db.read() as s:
        conn = s.connection()
        _KEYS.create(conn)
        try:
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            conn.exec_driver_sql(
                f"INSERT INTO {_KEYS.name} (source, external_id) VALUES ({mark}, {mark})",
                list(keys),
            )
            rows = conn.execute(
                select(Case.source, Case.external_id, Case.number).join(
                    _KEYS,
                    (Case.source == _KEYS.c.source) & (Case.external_id == _KEYS.c.external_id),
                )
            )
            # the join matched every external_id to a key, so none is None
            return {(src, ext): number for src, ext, number in rows if ext is not None}
        finally:
            _KEYS.drop(conn)


def _maybe_swapped(
    locator: Locator, report: ReportInput, code: str, message: str
) -> tuple[str, str]:
    """An outside-district point that would be inside with lon and lat exchanged."""
    try:
        lon, lat = float(report.lon), float(report.lat)
        if abs(lon) <= 90 and locator.locate(lat, lon) is not None:
            return (
                "swapped_coordinates",
                f"位置 ({lon}, {lat}) 在辖区外，但交换后 ({lat}, {lon}) 在辖区内：经纬度写反了",
            )
    except (TypeError, ValueError):
        pass
    return code, message


def check_reports(
    db: Database,
    reports: Sequence[ReportInput],
    *,
    locator: Locator,
    now: datetime | None = None,
) -> list[tuple[int, str, str]]:
    """bulk_report's checks without the insert (a dry run): (index, code, message) per fault."""
    rejected: list[tuple[int, str, str]] = []
    cleaned = validated(reports, rejected, now=now)
    with db.read() as s:
        checked_rows(s, cleaned, locator, rejected, now=now)
    return sorted(rejected)
