"""Import a register file (GeoJSON or CSV) into the component register, all or nothing.

Every row is checked (console.services.components.import_rows), located in one vectorised
pass, and compared with the object of its identifier already in the register: new objects are
inserted, changed ones updated (a change of status or owner also writes a ComponentChange,
origin "import"), identical ones left alone, so the same file twice changes nothing. One
rejected row and nothing is written; every row's outcome goes to ``FILE.report.csv`` beside
the file (the report of `ingest`; an updated row's message names what changed). Inserts are
Core executemany in chunks (bulk_intake.insert_rows), in one transaction. No Qt.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from console.db import Database
from console.domain.input_limits import printable
from console.models import Component, ComponentChange, Department
from console.services.bulk_intake import INSERT_CHUNK, big_page_cache, insert_many, insert_rows
from console.services.components.import_rows import (
    CheckedRow,
    RegisterReference,
    RowChecker,
    column_aliases,
    load_reference,
)
from console.services.ingest.csv_reader import read_csv
from console.services.ingest.formats import IngestFileError, Parsed, quote
from console.services.ingest.geojson_reader import read_features
from console.services.ingest.ingest import read_bytes, ticker
from console.services.ingest.mapping import ColumnPlan, RowError, plan_columns, row_fields
from console.services.ingest.registry import detect
from console.services.ingest.report import RowOutcome, report_path_for, write_report
from console.services.locator import DbLocator, Locator

#: A census file may be large (200,000 objects with their shapes).
MAX_BYTES = 300 * 1024 * 1024
FORMATS = ("csv", "geojson")
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 2000
#: Identifiers per IN list when reading what the register already holds.
READ_CHUNK = 2000
#: The columns a file's row is compared on (grid and street follow the position).
COMPARED = (
    "name",
    "category_code",
    "legacy_category_code",
    "geometry_kind",
    "lon",
    "lat",
    "geometry",
    "owner_department_id",
    "maintainer_department_id",
    "maintainer_name",
    "status",
    "address",
    "grid_id",
    "street_id",
    "surveyed_on",
    "photo",
)
#: How an updated row's message names a changed column.
CHANGED_LABELS = {
    "name": "管理部件名称",
    "category_code": "部件类别",
    "legacy_category_code": "CJ/T 214 类别代码",
    "geometry_kind": "几何类型",
    "lon": "经度",
    "lat": "纬度",
    "geometry": "几何",
    "owner_department_id": "主管部门",
    "maintainer_department_id": "养护单位",
    "maintainer_name": "养护单位",
    "status": "管理部件状态",
    "address": "地址",
    "grid_id": "所在单元网格",
    "street_id": "所在街道",
    "surveyed_on": "初始日期",
    "photo": "图片",
}
#: The columns of a new object's row, and what it gets where the file has no column.
INSERT_COLUMNS = ("identifier", *COMPARED, "is_demo", "updated_at")
INSERT_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(INSERT_COLUMNS),
    "status": "intact",
    "is_demo": False,
}
#: New objects from which a SQLite import builds the plain indexes after the rows.
REINDEX_FROM = 50_000
#: Report statuses: what happened to a row (or, in a dry run, would).
INSERTED, UPDATED, UNCHANGED, REJECTED = "inserted", "updated", "unchanged", "rejected"
#: The report's columns: ingest's, the third the row's identifier.
REPORT_HEADER = ("line", "status", "identifier", "code", "message")


@dataclass
class ComponentImportResult:
    total: int
    inserted: int
    updated: int
    unchanged: int
    #: (line, code, reason), by line
    rejected: list[tuple[int, str, str]]
    #: ComponentChange rows written (status and owner changes)
    changes: int
    encoding: str
    format: str
    report_path: Path
    dry_run: bool = False
    unknown_columns: list[str] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.rejected and bool(self.inserted or self.updated)


def read_register_file(path: Path, *, max_bytes: int = MAX_BYTES) -> Parsed:
    """A register file parsed: GeoJSON features of any geometry, or CSV (UTF-8, GBK…)."""
    data = read_bytes(path, max_bytes=max_bytes)
    fmt = detect(path, data[:4096])
    if fmt == "geojson":
        return read_features(data, shapes=True)
    if fmt == "csv":
        return read_csv(data)
    raise IngestFileError(
        f"部件登记只能从 CSV 或 GeoJSON 导入（这是 {fmt}）", code="unsupported_format"
    )


def _plan(parsed: Parsed) -> ColumnPlan:
    plan = plan_columns(parsed.columns, column_aliases())
    named = set(plan.columns.values())
    if "identifier" not in named:
        raise IngestFileError(
            "缺少管理部件标识码列（identifier / 管理部件标识码 / GLBJBSM）", code="missing_column"
        )
    if "geometry" not in named and not {"lon", "lat"} <= named:
        raise IngestFileError(
            "缺少位置列（lon 和 lat / 经度 和 纬度，或 geometry / WKT）", code="missing_column"
        )
    return plan


def import_components(
    db: Database,
    path: Path | str,
    *,
    now: datetime,
    dry_run: bool = False,
    actor_name: str = "部件导入",
    progress: Progress | None = None,
    should_cancel: Callable[[], bool] | None = None,
    locator: Locator | None = None,
    max_bytes: int = MAX_BYTES,
) -> ComponentImportResult:
    """Import ``path`` (see the module). ``progress(done, total)`` as rows go by (checking is
    the first half, writing the second); ``should_cancel()`` True before the commit raises
    IngestCancelled with nothing written, as a KeyboardInterrupt rolls back."""
    with _collector_paused():
        return _import(
            db, Path(path), now, dry_run, actor_name, progress, should_cancel, locator, max_bytes
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the import: the rows are plain data without cycles,
    and its passes over the hundreds of thousands of objects a census makes cost a fifth of
    the time at 200,000 rows. (The console's GUI keeps it off anyway: console/views/gui_gc.py.)"""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _import(
    db: Database,
    path: Path,
    now: datetime,
    dry_run: bool,
    actor_name: str,
    progress: Progress | None,
    should_cancel: Callable[[], bool] | None,
    locator: Locator | None,
    max_bytes: int,
) -> ComponentImportResult:
    report_path = report_path_for(path)
    try:
        parsed = read_register_file(path, max_bytes=max_bytes)
        plan = _plan(parsed)
    except IngestFileError as exc:
        write_report(
            report_path,
            [RowOutcome(exc.line, REJECTED, "", exc.code, exc.message)],
            {"file": path.name, "status": "unreadable", "code": exc.code},
            header=REPORT_HEADER,
        )
        raise
    total = len(parsed.records)
    tick = ticker(total, progress, should_cancel)
    tick(0.0)
    with db.read() as s:
        ref = load_reference(s)
    check_row = RowChecker(ref, frozenset(plan.columns.values()))
    rejected: list[RowOutcome] = []
    checked: list[CheckedRow] = []
    first_line: dict[str, int] = {}
    for i, record in enumerate(parsed.records):
        if i % PROGRESS_EVERY == 0:
            tick(0.3 * i / max(total, 1))
        if record.error is not None:
            rejected.append(RowOutcome(record.line, REJECTED, "", *record.error))
            continue
        assert record.data is not None
        try:
            row = check_row(record.line, row_fields(record.data, plan))
        except RowError as exc:
            rejected.append(RowOutcome(record.line, REJECTED, "", exc.code, exc.message))
            continue
        earlier = first_line.setdefault(row.identifier, row.line)
        if earlier != row.line:
            rejected.append(
                RowOutcome(
                    row.line,
                    REJECTED,
                    row.identifier,
                    "duplicate_identifier",
                    f"标识码 {quote(row.identifier)} 与第 {earlier} 行重复",
                )
            )
            continue
        checked.append(row)
    tick(0.3)
    _locate(checked, locator or DbLocator(db), rejected)
    tick(0.4)
    unknown = [printable(name) for name in plan.unknown]
    summary: dict[str, object] = {
        "file": path.name,
        "format": parsed.format,
        "encoding": parsed.encoding,
        "dry_run": dry_run,
        "total": total,
    }
    if rejected:
        # All or nothing: the other rows are not imported either, and the report says so.
        accepted_lines = {r.line for r in checked} - {o.line for o in rejected}
        outcomes = rejected + [
            RowOutcome(line, "not_imported", "", "", "其他行被拒绝，本文件未导入任何记录")
            for line in accepted_lines
        ]
        return _finish(
            path, report_path, parsed, outcomes, summary, unknown, dry_run, progress, total, 0
        )
    with db.read() as s:
        existing = _existing(s, [r.identifier for r in checked])
        owner_codes = {i: code for i, code in s.execute(select(Department.id, Department.code))}
    inserts, updates, changes, outcomes = _plan_writes(
        checked, existing, ref, owner_codes, now=now, actor_name=actor_name
    )
    tick(0.5)
    if not dry_run and (inserts or updates):
        _write(db, inserts, updates, changes, lambda done, n: tick(0.5 + 0.5 * done / max(n, 1)))
    return _finish(
        path,
        report_path,
        parsed,
        outcomes,
        summary,
        unknown,
        dry_run,
        progress,
        total,
        len(changes),
    )


def _locate(checked: list[CheckedRow], locator: Locator, rejected: list[RowOutcome]) -> None:
    """Grid and street of every row from its point, in one pass; outside rows rejected."""
    if not checked:
        return
    lons = np.fromiter((r.values["lon"] for r in checked), float, len(checked))
    lats = np.fromiter((r.values["lat"] for r in checked), float, len(checked))
    paths = locator.locate_many(lons, lats)
    outside = set(np.flatnonzero(paths[:, 0] < 0).tolist())
    grids = paths[:, 0].tolist()
    streets = paths[:, 3].tolist()
    keep: list[CheckedRow] = []
    for i, row in enumerate(checked):
        if i in outside:
            reason = locator.explain_outside(float(lons[i]), float(lats[i]))
            rejected.append(
                RowOutcome(row.line, REJECTED, row.identifier, "outside_district", reason)
            )
            continue
        row.values["grid_id"] = grids[i]
        row.values["street_id"] = streets[i]
        keep.append(row)
    checked[:] = keep


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(s: Any, identifiers: list[str]) -> dict[str, dict[str, Any]]:
    """identifier → the register's row (id and the compared columns), for those it holds."""
    columns = [Component.id, Component.identifier, *(getattr(Component, c) for c in COMPARED)]
    found: dict[str, dict[str, Any]] = {}
    if s.scalar(select(Component.id).limit(1)) is None:
        return found  # an empty register (the first census): nothing to compare with
    for part in _chunks(identifiers, READ_CHUNK):
        for row in s.execute(select(*columns).where(Component.identifier.in_(part))):
            found[row.identifier] = row._asdict()
    return found


def _same(name: str, old: object, new: object) -> bool:
    if name == "geometry" and isinstance(old, str) and isinstance(new, str):
        # Compared as shapes written out, whatever spacing the stored text has.
        return bool(json.loads(old) == json.loads(new))
    return old == new


def _plan_writes(
    checked: list[CheckedRow],
    existing: dict[str, dict[str, Any]],
    ref: RegisterReference,
    owner_codes: dict[int, str],
    *,
    now: datetime,
    actor_name: str,
) -> tuple[list[list[Any]], list[dict[str, Any]], list[dict[str, Any]], list[RowOutcome]]:
    inserts: list[list[Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    outcomes: list[RowOutcome] = []
    # A new object's attributes the file has no column for.
    defaults = {**INSERT_DEFAULTS, "surveyed_on": now.date(), "updated_at": now}
    pick = itemgetter(*INSERT_COLUMNS)
    names = ref.components
    for row in checked:
        values = row.values
        old = existing.get(row.identifier)
        if old is None:
            if "name" not in values:
                values["name"] = names[values["category_code"]]
            inserts.append(list(pick(defaults | values)))
            outcomes.append(RowOutcome(row.line, INSERTED, row.identifier))
            continue
        differ = [k for k, v in values.items() if k in COMPARED and not _same(k, old[k], v)]
        if not differ:
            outcomes.append(RowOutcome(row.line, UNCHANGED, row.identifier))
            continue
        update_row = {k: values[k] for k in COMPARED if k in values}
        update_row.update({"_id": old["id"], "updated_at": now})
        updates.append(update_row)
        for name, column, shown in (
            ("status", "status", lambda v: v),
            ("owner", "owner_department_id", owner_codes.get),
        ):
            if column in differ:
                changes.append(
                    {
                        "component_id": old["id"],
                        "at": now,
                        "field": name,
                        "old_value": shown(old[column]),
                        "new_value": shown(values[column]),
                        "origin": "import",
                        "case_id": None,
                        "actor_name": actor_name,
                    }
                )
        changed = "、".join(dict.fromkeys(CHANGED_LABELS[k] for k in differ))
        outcomes.append(RowOutcome(row.line, UPDATED, row.identifier, "", f"变更: {changed}"))
    return inserts, updates, changes, outcomes


@contextmanager
def _indexes_built_after(conn: Connection, count: int) -> Iterator[None]:
    """On SQLite, for a census of REINDEX_FROM new objects or more, the register's plain
    indexes are dropped inside the transaction and built again after the rows (one sort each)
    rather than updated row by row: a third less SQLite work at 200,000. The unique identifier
    stays, to catch another import's rows; a rollback brings the indexes back as they were."""
    if conn.dialect.name != "sqlite" or count < REINDEX_FROM:
        yield
        return
    plain = [i for i in Component.__table__.indexes if not i.unique]
    for index in plain:
        index.drop(conn)
    yield
    for index in plain:
        index.create(conn)


def _write(
    db: Database,
    inserts: list[list[Any]],
    updates: list[dict[str, Any]],
    changes: list[dict[str, Any]],
    written: Progress,
) -> None:
    """One transaction: new objects in chunks of executemany, then the updates and changes."""
    try:
        with db.session() as s:
            conn = s.connection()
            with big_page_cache(conn), _indexes_built_after(conn, len(inserts)):
                total = len(inserts) + len(updates)
                for start in range(0, len(inserts), INSERT_CHUNK):
                    written(start, total)
                    part = inserts[start : start + INSERT_CHUNK]
                    insert_rows(conn, Component.__table__, list(INSERT_COLUMNS), part)
                # Rows differ in which columns they set: one executemany per set of columns.
                by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
                for row in updates:
                    by_columns.setdefault(tuple(row), []).append(row)
                for keys, rows in by_columns.items():
                    stmt = (
                        update(Component)
                        .where(Component.id == bindparam("_id"))
                        .values({k: bindparam(k) for k in keys if k != "_id"})
                    )
                    conn.execute(stmt, rows)
                insert_many(conn, ComponentChange.__table__, changes)
                written(total, total)
    except Exception as exc:
        # insert_many runs on the driver's cursor: its unique-key error comes raw.
        if not isinstance(exc, IntegrityError | db.engine.dialect.loaded_dbapi.IntegrityError):
            raise
        raise IngestFileError(
            "导入时另一导入同时写入了相同标识码的部件；未导入任何记录，请重试", code="conflict"
        ) from None


def _finish(
    path: Path,
    report_path: Path,
    parsed: Parsed,
    outcomes: list[RowOutcome],
    summary: dict[str, object],
    unknown: list[str],
    dry_run: bool,
    progress: Progress | None,
    total: int,
    changes: int,
) -> ComponentImportResult:
    outcomes.sort(key=lambda o: o.line)
    counts = {s: 0 for s in (INSERTED, UPDATED, UNCHANGED)}
    for o in outcomes:
        if o.status in counts:
            counts[o.status] += 1
    rejected = [(o.line, o.code, o.message) for o in outcomes if o.status == REJECTED]
    write_report(
        report_path,
        outcomes,
        {
            **summary,
            **counts,
            "rejected": len(rejected),
            "changes": changes,
            "unknown_columns": ";".join(unknown),
        },
        header=REPORT_HEADER,
    )
    if progress is not None:
        progress(total, total)
    return ComponentImportResult(
        total=total,
        inserted=counts[INSERTED],
        updated=counts[UPDATED],
        unchanged=counts[UNCHANGED],
        rejected=rejected,
        changes=changes,
        encoding=parsed.encoding,
        format=parsed.format,
        report_path=report_path,
        dry_run=dry_run,
        unknown_columns=unknown,
        outcomes=outcomes,
    )
