"""Patrols (网格定期巡查) under /api/v1/patrols: start, point batches, end, my patrols and a
patrol's coverage.

Every call sends the device token (``Authorization: Bearer``); only inspectors and grid
managers may patrol (403 otherwise). A batch of points needs an ``Idempotency-Key`` header:
the first request stores the batch (201), the same key and batch again answers the same (200,
``Idempotent-Replayed: true``, nothing written), the same key with another batch is refused
(422). A batch is all or nothing: a point outside the district, with a device time not after
the previous one's or implying an impossible speed refuses it whole (400, the point's index
in the message). The rules are console.services.patrols'; this module reads requests and
shapes answers.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from console.gateway.context import Caller, GatewayContext
from console.gateway.errors import GatewayError
from console.gateway.schemas import ApiError, ClientTime, RowId
from console.services.idempotency import KEY_FIELD, check_key
from console.services.patrols import PatrolNotFoundError, PatrolService, TrackPoint

#: The most points a request's body may hold before validation (the service's own limit,
#: resources/patrol/track.csv, is checked with its message).
MAX_POINTS_BODY = 5000


class PointIn(BaseModel):
    lon: float = Field(description="WGS-84 longitude")
    lat: float = Field(description="WGS-84 latitude")
    device_time: ClientTime = Field(description="The device's clock (ISO 8601 with offset)")
    accuracy: float | None = Field(None, ge=0, description="Metres, as the device gives it")


class PointsIn(BaseModel):
    points: list[PointIn] = Field(max_length=MAX_POINTS_BODY)


class PatrolOut(BaseModel):
    id: int
    user_id: int
    started_at: datetime
    ended_at: datetime | None
    distance_m: float | None
    duration_s: float | None
    points: int


class GridCoverageOut(BaseModel):
    code: str = Field(description="The grid's 15-character code")
    name: str
    length_m: float = Field(description="Metres of the track inside the grid")
    visited: bool = Field(description="The track ran inside the grid, or a point lay in it")


class CoverageOut(BaseModel):
    patrol_id: int
    started_at: datetime
    ended_at: datetime | None = Field(description="null while the patrol is open")
    distance_m: float | None = Field(description="Along the track, set when it ends")
    duration_s: float | None = Field(description="End − start (server time), set when it ends")
    points: int
    grids_visited: int
    grids: list[GridCoverageOut] = Field(
        description="The grids visited, the longest stretch first (no row for the others)"
    )


class BatchOut(BaseModel):
    patrol_id: int
    accepted: int
    first_seq: int


def _service(request: Request) -> PatrolService:
    service: PatrolService | None = getattr(request.app.state, "patrols", None)
    if service is None:
        gateway: GatewayContext = request.app.state.gateway
        service = PatrolService(gateway.db, gateway.cases.clock)
        request.app.state.patrols = service
    return service


Patrols = Annotated[PatrolService, Depends(_service)]

router = APIRouter(
    prefix="/api/v1/patrols",
    tags=["Patrols"],
    responses={
        s: {"model": ApiError, "description": d}
        for s, d in {
            400: "Bad input (the point's index named)",
            401: "No valid token",
            403: "The role may not patrol",
            404: "No such patrol of mine",
            409: "An open patrol already, or the patrol has ended",
            422: "An idempotency key reused for another batch",
        }.items()
    },
)


def _uid(who: Caller) -> int:
    if who.actor.id is None:
        raise GatewayError(403, "该令牌不属于任何人员", code="permission_denied")
    return who.actor.id


def _out(info: Any) -> PatrolOut:
    return PatrolOut(**asdict(info))


@router.post("", status_code=201, response_model=PatrolOut, summary="Start a patrol")
def start(service: Patrols, who: Caller) -> PatrolOut:
    return _out(service.start(_uid(who)))


@router.post(
    "/{patrol_id}/points",
    status_code=201,
    response_model=BatchOut,
    summary="A batch of track points (all or nothing; idempotent by Idempotency-Key)",
)
def add_points(
    patrol_id: RowId,
    body: PointsIn,
    response: Response,
    service: Patrols,
    who: Caller,
    key: Annotated[str | None, Header(alias=KEY_FIELD)] = None,
) -> BatchOut:
    checked = check_key(key)
    points = [TrackPoint(p.lon, p.lat, p.device_time, p.accuracy) for p in body.points]
    try:
        answer, replayed = service.add_points(_uid(who), patrol_id, points, key=checked)
    except PatrolNotFoundError as exc:
        raise GatewayError(404, exc.message, code=exc.code, field=exc.field) from None
    if replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return BatchOut(**answer)


@router.post("/{patrol_id}/end", response_model=PatrolOut, summary="End my patrol")
def end(patrol_id: RowId, service: Patrols, who: Caller) -> PatrolOut:
    try:
        return _out(service.end(_uid(who), patrol_id))
    except PatrolNotFoundError as exc:
        raise GatewayError(404, exc.message, code=exc.code, field=exc.field) from None


@router.get(
    "/{patrol_id}/coverage",
    response_model=CoverageOut,
    summary="My patrol's coverage: metres inside each grid visited, distance, duration",
)
def coverage(patrol_id: RowId, service: Patrols, who: Caller) -> CoverageOut:
    try:
        info = service.patrol(_uid(who), patrol_id)
    except PatrolNotFoundError as exc:
        raise GatewayError(404, exc.message, code=exc.code, field=exc.field) from None
    visited = sorted(
        (g for g in service.coverage_of_patrol(patrol_id) if g.visited),
        key=lambda g: (-g.length_m, g.code),
    )
    return CoverageOut(
        patrol_id=info.id,
        started_at=info.started_at,
        ended_at=info.ended_at,
        distance_m=info.distance_m,
        duration_s=info.duration_s,
        points=info.points,
        grids_visited=len(visited),
        grids=[
            GridCoverageOut(
                code=g.code, name=g.name, length_m=round(g.length_m, 1), visited=g.visited
            )
            for g in visited
        ],
    )


@router.get("/mine", response_model=list[PatrolOut], summary="My patrols, newest first")
def mine(service: Patrols, who: Caller, limit: int = Query(50, ge=1, le=200)) -> list[PatrolOut]:
    return [_out(p) for p in service.mine(_uid(who), limit)]
