"""The intake seat's 新建上报 form behind the scenes: where a point is, what it may repeat, and
the report saved whole.

* :func:`check_point`: the grid and street of a point, or why it has none (outside the
  district, lon/lat swapped) — said while the operator types or clicks.
* :func:`nearby_cases`: the open cases a report of this category here would repeat, by the
  same rule (resources/intake/duplicates.csv) the workflow flags duplicates with.
* :class:`ReportDesk`: the report, its photos and, if asked, its merge into the case it
  repeats, in one transaction through :meth:`CaseService.report_with`: the same checks as
  every other intake, and nothing saved half.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain.lifecycle import state_label
from console.errors import ValidationError
from console.models import Case, CaseEvent, Region
from console.services.actors import Actor
from console.services.attachments import AttachmentStore, CheckedPhoto, PhotoUpload
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService, load_case
from console.services.duplicates import DuplicateSettings, find_candidates
from console.services.locator import Locator
from console.services.report_input import ReportInput

#: The most photos one report takes from the form.
MAX_PHOTOS = 9


@dataclass(frozen=True)
class PointCheck:
    """Where a point falls: its street and grid, or the reason it has none."""

    lon: float
    lat: float
    inside: bool
    street_name: str = ""
    grid_code: str = ""
    grid_name: str = ""
    #: Why the point has no grid (outside the district, lon/lat swapped …); "" when inside.
    problem: str = ""


@dataclass(frozen=True)
class NearbyCase:
    """An open case a new report here may repeat (疑似重复), as the form lists it."""

    case_id: int
    number: str
    version: int
    state: str
    state_label: str
    distance_m: float
    reported_at: datetime
    address: str
    description: str


@dataclass(frozen=True)
class _Draft:
    """A report not stored yet, as the duplicate lookup reads it."""

    taxonomy: str
    kind: str
    category_code: str
    lon: float
    lat: float
    reported_at: datetime


@dataclass(frozen=True)
class FiledReport:
    """What the form gets back: the new case, its photo count, the case it was merged into."""

    snapshot: CaseSnapshot
    photos: int
    merged_into: str | None = None


def check_point(session: Session, locator: Locator, lon: float, lat: float) -> PointCheck:
    """The street and grid at (lon, lat), or the locator's reason there is none."""
    found = locator.locate(lon, lat)
    if found is None:
        return PointCheck(lon, lat, False, problem=locator.explain_outside(lon, lat))
    rows = session.execute(
        select(Region.id, Region.code, Region.name).where(
            Region.id.in_((found.street_id, found.grid_id))
        )
    ).all()
    by_id = {r.id: r for r in rows}
    street, grid = by_id.get(found.street_id), by_id.get(found.grid_id)
    return PointCheck(
        lon,
        lat,
        True,
        street_name=street.name if street else "",
        grid_code=grid.code if grid else "",
        grid_name=grid.name if grid else "",
    )


def nearby_cases(
    session: Session,
    *,
    taxonomy: str,
    kind: str,
    category_code: str,
    lon: float,
    lat: float,
    now: datetime,
    settings: DuplicateSettings | None = None,
) -> list[NearbyCase]:
    """The open cases a report of this category at (lon, lat) now may repeat, nearest first."""
    draft = _Draft(taxonomy, kind, category_code, lon, lat, now)
    matches = find_candidates(session, draft, settings=settings)
    if not matches:
        return []
    ids = [m.case_id for m in matches]
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return [
        NearbyCase(
            c.id,
            c.number,
            c.version,
            c.state,
            state_label(c.state),
            round(m.distance_m, 1),
            c.reported_at,
            c.address,
            c.description,
        )
        for m in matches
        if (c := cases.get(m.case_id)) is not None
    ]


def read_photos(paths: Sequence[str | Path], max_bytes: int) -> list[PhotoUpload]:
    """The files chosen on disk, read whole; a missing, unreadable or oversized file is an error
    naming it (before anything is written)."""
    if len(paths) > MAX_PHOTOS:
        raise ValidationError(f"照片过多: {len(paths)} 张，最多 {MAX_PHOTOS} 张", field="photo")
    photos = []
    for raw in paths:
        path = Path(raw)
        try:
            size = path.stat().st_size
            if size > max_bytes:  # refused unread
                raise ValidationError(
                    f"照片过大: {path.name}（{size} 字节，最多 {max_bytes} 字节）", field="photo"
                )
            photos.append(PhotoUpload(path.read_bytes(), path.name))
        except OSError as exc:
            raise ValidationError(
                f"无法读取照片 {path.name}: {exc.strerror}", field="photo"
            ) from None
    return photos


class ReportDesk:
    """Files the form's reports: case, photos and an optional merge, in one transaction."""

    def __init__(self, cases: CaseService, store: AttachmentStore) -> None:
        self.cases = cases
        self.store = store

    def file(
        self,
        actor: Actor,
        report: ReportInput,
        photos: Sequence[PhotoUpload] = (),
        *,
        merge_into: tuple[int, int | None] | None = None,
    ) -> FiledReport:
        """发现上报 with photos; with ``merge_into`` (case id, version seen) the new report is
        merged into that open case at once, so its timeline keeps the caller's report."""
        checked: list[CheckedPhoto] = []
        for photo in photos:
            try:
                checked.append(self.store.check(photo))  # every photo, before anything is written
            except ValidationError as exc:  # say which file
                name = photo.filename or "照片"
                raise type(exc)(f"{name}: {exc.message}", field=exc.field) from None
        staged = [self.store.stage(p.data) for p in photos]

        def attach_and_merge(s: Session, case: Case, event: CaseEvent, now: datetime) -> str | None:
            s.add_all(self.store.row(photo, case.id, event.id, now, actor.id) for photo in checked)
            s.flush()
            merged = None
            if merge_into is not None:  # may refuse (changed meanwhile): before any file moves
                into = load_case(s, *merge_into)
                self.cases.workflow.merge(s, actor, case, into, now)
                merged = into.number
            for photo, file in zip(checked, staged, strict=True):
                # In place before the commit: a committed row never lacks its file.
                self.store.publish(file, self.store.relative_path(photo))
            return merged

        try:
            snap, merged = self.cases.report_with(actor, report, attach_and_merge)
        finally:
            for file in staged:
                file.unlink(missing_ok=True)
        return FiledReport(snap, len(checked), merged)
