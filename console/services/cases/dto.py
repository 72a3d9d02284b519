"""Frozen records of a case, built inside a session and safe to hand to any thread or view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain.lifecycle import CLOCK_STATES
from console.domain.traffic_light import Light, traffic_light
from console.models import Case


@dataclass(frozen=True)
class CaseSnapshot:
    id: int
    number: str
    version: int
    state: str
    source: str
    taxonomy: str
    kind: str
    category_code: str
    urgent: bool
    description: str
    address: str
    lon: float
    lat: float
    grid_id: int
    street_id: int
    department_id: int | None
    reported_at: datetime
    registered_at: datetime | None
    dispatched_at: datetime | None
    handled_at: datetime | None
    closed_at: datetime | None
    limit_value: float | None
    limit_unit: str | None
    extension_value: float
    extension_requested: float | None
    warning_at: datetime | None
    deadline_at: datetime | None
    suspended_at: datetime | None
    rework_count: int
    return_count: int
    light: Light | None


def light_of(case: Case, now: datetime) -> Light | None:
    """The traffic light: live while the department's clock runs, frozen otherwise."""
    if case.state in CLOCK_STATES:
        at = now
    elif case.state == "suspended":
        at = case.suspended_at or now
    elif case.handled_at is not None and case.deadline_at is not None:
        at = case.handled_at  # finished: was the feedback in time?
    else:
        return None
    return traffic_light(at, case.warning_at, case.deadline_at)


def snapshot(case: Case, now: datetime) -> CaseSnapshot:
    return CaseSnapshot(
        id=case.id,
        number=case.number,
        version=case.version,
        state=case.state,
        source=case.source,
        taxonomy=case.taxonomy,
        kind=case.kind,
        category_code=case.category_code,
        urgent=case.urgent,
        description=case.description,
        address=case.address,
        lon=case.lon,
        lat=case.lat,
        grid_id=case.grid_id,
        street_id=case.street_id,
        department_id=case.department_id,
        reported_at=case.reported_at,
        registered_at=case.registered_at,
        dispatched_at=case.dispatched_at,
        handled_at=case.handled_at,
        closed_at=case.closed_at,
        limit_value=case.limit_value,
        limit_unit=case.limit_unit,
        extension_value=case.extension_value,
        extension_requested=case.extension_requested,
        warning_at=case.warning_at,
        deadline_at=case.deadline_at,
        suspended_at=case.suspended_at,
        rework_count=case.rework_count,
        return_count=case.return_count,
        light=light_of(case, now),
    )
