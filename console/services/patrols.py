"""Grid patrols (网格定期巡查): start, points in batches, end, and coverage. No Qt, no HTTP.

* **start**: only inspectors and grid managers; one open patrol per person.
* **points**: a batch of at most ``max_batch_points`` (resources/patrol/track.csv), each with
  lon, lat, the device's time (required: the speed check reads the device's clock, whose offset
  does not matter; server time is what the rows are stamped with) and an optional accuracy.
  The batch is **all or nothing**: a point outside the district, with a device time not after
  the previous point's, or implying more than ``max_speed_mps`` from the previous point (the
  batch's previous one, or the patrol's last stored one) refuses the whole batch with a message
  naming the point's index (0-based), and nothing is written. A batch sent with an idempotency
  key is stored once: the same key and batch again → the first answer, nothing written.
* **end**: distance (metres along the track, the projection below) and duration (end − start,
  server time).
* **coverage** of a day or a patrol (console.domain.patrol_coverage: metres inside each grid and
  visited, on an equirectangular projection around the district's centre), and the grids left
  unpatrolled longer than their frequency (resources/patrol/frequency.csv).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.patrol_coverage import CoverageIndex, LocalProjection, segment_lengths
from console.errors import (
    IllegalTransitionError,
    MissingFieldError,
    OutsideDistrictError,
    PermissionDeniedError,
    ValidationError,
)
from console.models import Patrol, PatrolBatch, PatrolPoint, Region, User
from console.models.org import GridStaffRole
from console.models.patrol import PatrolGridCoverage
from console.services import idempotency
from console.services.patrol_rules import (
    Frequencies,
    TrackLimits,
    load_frequencies,
    load_track_limits,
)

#: Who walks patrols (巡查): the inspectors and 一格七员, the staff of every grid.
PATROL_ROLES = frozenset({"inspector", *(r.value for r in GridStaffRole)})


class PatrolNotFoundError(ValidationError):
    """No such patrol of this person (HTTP 404)."""

    code = "patrol_not_found"


class PatrolStateError(IllegalTransitionError):
    """An open patrol already, or the patrol has ended (HTTP 409)."""

    code = "patrol_state"


@dataclass(frozen=True)
class TrackPoint:
    lon: float
    lat: float
    device_time: datetime
    accuracy: float | None = None


@dataclass(frozen=True)
class PatrolInfo:
    id: int
    user_id: int
    started_at: datetime
    ended_at: datetime | None
    distance_m: float | None
    duration_s: float | None
    points: int


@dataclass(frozen=True)
class GridCoverage:
    grid_id: int
    code: str
    name: str
    length_m: float
    visited: bool


@dataclass(frozen=True)
class Unpatrolled:
    grid_id: int
    code: str
    name: str
    every_days: int
    last_visit: datetime | None


@dataclass(frozen=True)
class _Geo:
    district: Any
    index: CoverageIndex
    codes: dict[int, tuple[str, str]]


class PatrolService:
    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        frequencies: Frequencies | None = None,
        limits: TrackLimits | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.frequencies = frequencies or load_frequencies()
        self.limits = limits or load_track_limits()
        self._geo: _Geo | None = None

    # -- geography ---------------------------------------------------------------------
    def geo(self) -> _Geo:
        if self._geo is None:
            with self.db.read() as s:
                self._geo = load_geo(s)
        return self._geo

    # -- start / end -----------------------------------------------------------------------
    def start(self, user_id: int) -> PatrolInfo:
        now = self.clock()
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None or not user.active:
                raise PermissionDeniedError("用户不存在或已停用")
            if user.role not in PATROL_ROLES:
                raise PermissionDeniedError("只有监督员和网格员可以开始巡查")
            open_id = s.scalar(
                select(Patrol.id).where(Patrol.user_id == user_id, Patrol.ended_at.is_(None))
            )
            if open_id is not None:
                raise PatrolStateError(f"已有进行中的巡查（编号 {open_id}），请先结束它")
            patrol = Patrol(user_id=user_id, started_at=now)
            s.add(patrol)
            s.flush()
            return _info(patrol, 0)

    def end(self, user_id: int, patrol_id: int) -> PatrolInfo:
        """End the patrol: its distance and duration, and its coverage per grid and day
        stored (patrol_grid_coverage), all in one transaction. The patrol's row is locked
        first (a batch of points for it waits, and so does a second end, which then finds it
        ended: PatrolStateError, nothing written)."""
        now = self.clock()
        geo = self.geo()
        with self.db.session() as s:
            patrol = self._own(s, user_id, patrol_id, lock=True)
            if patrol.ended_at is not None:
                raise PatrolStateError(
                    f"巡查 {patrol_id} 已于 {patrol.ended_at:%Y-%m-%d %H:%M} 结束"
                )
            pid, lons, lats, at = self._track(s, PatrolPoint.patrol_id == patrol_id)
            patrol.ended_at = now
            patrol.distance_m = float(segment_lengths(geo.index.proj, lons, lats).sum())
            patrol.duration_s = (now - patrol.started_at).total_seconds()
            rows = coverage_rows(geo, pid, lons, lats, at)
            if rows:
                s.execute(PatrolGridCoverage.__table__.insert(), rows)
            s.flush()
            return _info(patrol, int(pid.size))

    def mine(self, user_id: int, limit: int = 50) -> list[PatrolInfo]:
        with self.db.read() as s:
            counts = (
                select(PatrolPoint.patrol_id, func.count().label("n"))
                .group_by(PatrolPoint.patrol_id)
                .subquery()
            )
            rows = s.execute(
                select(Patrol, func.coalesce(counts.c.n, 0))
                .outerjoin(counts, counts.c.patrol_id == Patrol.id)
                .where(Patrol.user_id == user_id)
                .order_by(Patrol.started_at.desc(), Patrol.id.desc())
                .limit(limit)
            ).all()
            return [_info(p, int(n)) for p, n in rows]

    # -- points ----------------------------------------------------------------------------
    def add_points(
        self,
        user_id: int,
        patrol_id: int,
        points: Sequence[TrackPoint],
        *,
        key: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Store a batch (all or nothing). Returns (answer, replayed)."""
        if key is not None:
            idempotency.check_key(key)
        if not points:
            raise MissingFieldError("批次中没有轨迹点", field="points")
        if len(points) > self.limits.max_batch_points:
            raise ValidationError(
                f"一批最多 {self.limits.max_batch_points} 个轨迹点，本批 {len(points)} 个",
                field="points",
            )
        print_ = _fingerprint(points)
        now = self.clock()
        try:
            with self.db.session() as s:
                patrol = self._own(s, user_id, patrol_id, lock=True)
                if key is not None:
                    stored = self._replay(s, patrol_id, key, print_)
                    if stored is not None:
                        return stored, True
                if patrol.ended_at is not None:
                    raise PatrolStateError(f"巡查 {patrol_id} 已结束，不能再上传轨迹点")
                answer = self._write(s, patrol_id, points, now)
                if key is not None:
                    s.add(
                        PatrolBatch(
                            patrol_id=patrol_id,
                            idempotency_key=key,
                            fingerprint=print_,
                            answer=json.dumps(answer, sort_keys=True),
                            received_at=now,
                        )
                    )
                    s.flush()
                return answer, False
        except IntegrityError:
            if key is None:
                raise
            with self.db.read() as s:  # a concurrent resend of the same batch won
                stored = self._replay(s, patrol_id, key, print_)
            if stored is None:
                raise
            return stored, True

    def _replay(self, s: Session, patrol_id: int, key: str, print_: str) -> dict[str, Any] | None:
        row = s.scalar(
            select(PatrolBatch).where(
                PatrolBatch.patrol_id == patrol_id, PatrolBatch.idempotency_key == key
            )
        )
        if row is None:
            return None
        if row.fingerprint != print_:
            raise idempotency.IdempotencyMismatchError(
                f"幂等键“{key}”已用于另一批轨迹点（内容不同），本次未执行：新的批次须使用新的键",
                field=idempotency.KEY_FIELD,
            )
        answer: dict[str, Any] = json.loads(row.answer)
        return answer

    def _write(
        self, s: Session, patrol_id: int, points: Sequence[TrackPoint], now: datetime
    ) -> dict[str, Any]:
        lons = np.array([p.lon for p in points], dtype=float)
        lats = np.array([p.lat for p in points], dtype=float)
        bad = np.flatnonzero(~(np.isfinite(lons) & np.isfinite(lats)))
        if bad.size:
            raise ValidationError(f"第 {bad[0]} 个轨迹点的经纬度无效", field="points")
        geo = self.geo()
        outside = np.flatnonzero(~shapely.contains_xy(geo.district, lons, lats))
        if outside.size:
            i = int(outside[0])
            raise OutsideDistrictError(
                f"第 {i} 个轨迹点 ({lons[i]:.6f}, {lats[i]:.6f}) 不在本区范围内，本批未保存",
                field="points",
            )
        last = s.execute(
            select(PatrolPoint.seq, PatrolPoint.lon, PatrolPoint.lat, PatrolPoint.device_time)
            .where(PatrolPoint.patrol_id == patrol_id)
            .order_by(PatrolPoint.seq.desc())
            .limit(1)
        ).first()
        times = [p.device_time for p in points]
        if last is not None and last.device_time is not None:
            lons = np.concatenate(([last.lon], lons))
            lats = np.concatenate(([last.lat], lats))
            times = [last.device_time, *times]
            offset = 1
        else:
            offset = 0
        dists = segment_lengths(geo.index.proj, lons, lats)
        seconds = np.array([(b - a).total_seconds() for a, b in itertools.pairwise(times)])
        for j in range(dists.size):  # one check per point of a small batch
            i = j + 1 - offset
            if seconds[j] <= 0:
                raise ValidationError(
                    f"第 {i} 个轨迹点的设备时间不晚于前一个点，本批未保存", field="points"
                )
            speed = dists[j] / seconds[j]
            if speed > self.limits.max_speed_mps:
                raise ValidationError(
                    f"第 {i} 个轨迹点与前一个点相距 {dists[j]:.0f} 米、相隔 {seconds[j]:.0f} 秒，"
                    f"速度 {speed:.0f} 米/秒超过 {self.limits.max_speed_mps:g} 米/秒，本批未保存",
                    field="points",
                )
        first_seq = (last.seq + 1) if last is not None else 0
        s.execute(
            PatrolPoint.__table__.insert(),
            [
                {
                    "patrol_id": patrol_id,
                    "seq": first_seq + k,
                    "at": now,
                    "device_time": p.device_time,
                    "lon": p.lon,
                    "lat": p.lat,
                    "accuracy": p.accuracy,
                }
                for k, p in enumerate(points)
            ],
        )
        return {"patrol_id": patrol_id, "accepted": len(points), "first_seq": first_seq}

    def _own(self, s: Session, user_id: int, patrol_id: int, *, lock: bool = False) -> Patrol:
        """The person's patrol; ``lock``: its row locked for the transaction (PostgreSQL
        SELECT … FOR UPDATE; SQLite's writers hold the database's write lock already)."""
        patrol = s.get(Patrol, patrol_id, with_for_update=lock or None)
        if patrol is None or patrol.user_id != user_id:
            raise PatrolNotFoundError(f"没有编号为 {patrol_id} 的本人巡查", field="patrol_id")
        return patrol

    # -- coverage --------------------------------------------------------------------------
    def _track(self, s: Session, *conditions: Any) -> tuple[np.ndarray, ...]:
        return read_track(s, *conditions)

    def _result(self, pid: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> list[GridCoverage]:
        geo = self.geo()
        cov = geo.index.coverage(pid, lon, lat)
        return [
            GridCoverage(int(k), *geo.codes[int(k)], float(m), bool(v))
            for k, m, v in zip(cov.keys, cov.length_m, cov.visited, strict=True)
        ]

    def coverage_of_patrol(self, patrol_id: int) -> list[GridCoverage]:
        with self.db.read() as s:
            pid, lon, lat, _ = self._track(s, PatrolPoint.patrol_id == patrol_id)
        return self._result(pid, lon, lat)

    def coverage_of_day(self, day: date) -> list[GridCoverage]:
        """Every grid's coverage by the points received on ``day`` (local time)."""
        start, end = _day_bounds(day)
        with self.db.read() as s:
            pid, lon, lat, _ = self._track(s, PatrolPoint.at >= start, PatrolPoint.at < end)
        return self._result(pid, lon, lat)

    def unpatrolled(self, day: date) -> list[Unpatrolled]:
        """The grids not visited within their frequency by the end of ``day`` (local): no
        point inside them since ``end of day − every_days``."""
        geo = self.geo()
        _, end = _day_bounds(day)
        every = {k: self.frequencies.every_days(code) for k, (code, _) in geo.codes.items()}
        longest = max(every.values(), default=1)
        with self.db.read() as s:
            _, lon, lat, at = self._track(
                s, PatrolPoint.at >= end - timedelta(days=longest), PatrolPoint.at < end
            )
        x, y = geo.index.proj.xy(lon, lat)
        grid = geo.index.locate_xy(x, y)
        stamps = np.fromiter((t.timestamp() for t in at), dtype=float, count=at.size)
        latest = np.full(len(geo.index.keys), -np.inf)
        inside = grid >= 0
        np.maximum.at(latest, grid[inside], stamps[inside])
        out = []
        for j, key in enumerate(geo.index.keys.tolist()):
            seen = datetime.fromtimestamp(latest[j], LOCAL_TZ) if np.isfinite(latest[j]) else None
            days = every[key]
            if seen is None or seen < end - timedelta(days=days):
                code, name = geo.codes[key]
                out.append(Unpatrolled(key, code, name, days, seen))
        return out

    # -- one patrol (read) -----------------------------------------------------------------
    def patrol(self, user_id: int, patrol_id: int) -> PatrolInfo:
        """One patrol of this person, with its points counted (PatrolNotFoundError for
        another person's or none)."""
        with self.db.read() as s:
            patrol = self._own(s, user_id, patrol_id)
            n = s.scalar(
                select(func.count())
                .select_from(PatrolPoint)
                .where(PatrolPoint.patrol_id == patrol_id)
            )
            return _info(patrol, int(n or 0))


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), LOCAL_TZ)
    return start, datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ)


def _info(p: Patrol, points: int) -> PatrolInfo:
    return PatrolInfo(p.id, p.user_id, p.started_at, p.ended_at, p.distance_m, p.duration_s, points)


def _fingerprint(points: Sequence[TrackPoint]) -> str:
    fields: Mapping[str, str] = {
        "points": json.dumps(
            [[p.lon, p.lat, p.device_time.isoformat(), p.accuracy] for p in points]
        )
    }
    return idempotency.fingerprint(fields, [])


# -- geography, tracks and stored coverage (module level: a session is enough) -------------


def load_geo(s: Session) -> _Geo:
    """The district outline and the grids' coverage index, read in ``s``."""
    grids = s.execute(
        select(Region.id, Region.code, Region.name, Region.geometry)
        .where(Region.level == "grid", Region.geometry.is_not(None))
        .order_by(Region.id)
    ).all()
    outlines = s.scalars(
        select(Region.geometry).where(Region.level == "district", Region.geometry.is_not(None))
    ).all()
    polygons = [shape(json.loads(g.geometry or "{}")) for g in grids]
    parts = [shape(json.loads(o)) for o in outlines if o] or polygons
    district = shapely.union_all(np.asarray(parts, dtype=object))
    shapely.prepare(district)
    centre = district.centroid
    proj = LocalProjection(centre.x, centre.y)
    index = CoverageIndex([g.id for g in grids], polygons, proj)
    codes = {g.id: (g.code, g.name) for g in grids}
    return _Geo(district, index, codes)


def read_track(s: Session, *conditions: Any) -> tuple[np.ndarray, ...]:
    """(patrol ids, lons, lats, server times) of the points matching ``conditions``, by
    patrol and sequence."""
    rows = s.execute(
        select(PatrolPoint.patrol_id, PatrolPoint.lon, PatrolPoint.lat, PatrolPoint.at)
        .where(*conditions)
        .order_by(PatrolPoint.patrol_id, PatrolPoint.seq)
    ).all()
    pid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    lon = np.fromiter((r[1] for r in rows), dtype=float, count=len(rows))
    lat = np.fromiter((r[2] for r in rows), dtype=float, count=len(rows))
    at = np.array([r[3] for r in rows], dtype=object)
    return pid, lon, lat, at


def local_days(at: np.ndarray) -> np.ndarray:
    """The local (Asia/Shanghai) day of each time, as a proleptic ordinal (int64)."""
    return np.fromiter(
        (t.astimezone(LOCAL_TZ).date().toordinal() for t in at), dtype=np.int64, count=at.size
    )


def coverage_rows(
    geo: _Geo, pid: np.ndarray, lon: np.ndarray, lat: np.ndarray, at: np.ndarray
) -> list[dict[str, Any]]:
    """patrol_grid_coverage rows (patrol_id, day, grid_id, metres, visited) of a track
    (points by patrol, then sequence): one per patrol, local day and grid visited. A track is
    split at midnight as :meth:`PatrolService.coverage_of_day` splits it (the segment across
    midnight counts on neither day)."""
    if pid.size == 0:
        return []
    days = local_days(at)
    rows: list[dict[str, Any]] = []
    for patrol_id in np.unique(pid).tolist():
        mine = pid == patrol_id
        for day in np.unique(days[mine]).tolist():
            sel = mine & (days == day)
            cov = geo.index.coverage(pid[sel], lon[sel], lat[sel])
            rows += [
                {
                    "patrol_id": int(patrol_id),
                    "day": date.fromordinal(int(day)),
                    "grid_id": int(k),
                    "metres": float(m),
                    "visited": True,
                }
                for k, m, v in zip(cov.keys, cov.length_m, cov.visited, strict=True)
                if v
            ]
    return rows


def store_coverage(s: Session, patrol_id: int, geo: _Geo | None = None) -> int:
    """Write an ended patrol's coverage rows from its points (the migration's backfill);
    returns how many. Selects named columns only, so it runs on the schema of its migration."""
    geo = geo or load_geo(s)
    rows = coverage_rows(geo, *read_track(s, PatrolPoint.patrol_id == patrol_id))
    if rows:
        s.execute(PatrolGridCoverage.__table__.insert(), rows)
    return len(rows)


@dataclass(frozen=True)
class PeriodPatrols:
    """What the patrols of a period of whole local days did: the stored coverage of the
    ended patrols and, on demand, the open patrols' points (console.services.evaluation and
    the dashboard read this)."""

    #: grid id → the local days (ordinals) it was visited
    visited_days: dict[int, set[int]]
    #: grid id → metres of track inside it
    metres: dict[int, float]
    #: user id → (patrols started in the period, metres along their tracks: an open patrol's
    #: so far, from its points in the period)
    by_user: dict[int, tuple[int, float]]
    #: patrols open now (no end yet), whenever they started
    open_now: int


def period_patrols(
    s: Session, start: datetime, end: datetime, geo: Callable[[], _Geo] | None = None
) -> PeriodPatrols:
    """The patrols of the local days from ``start``'s to the one before ``end``'s.

    The open patrols' coverage is read first (:func:`open_tracks`: only their points added
    since the last read), then the stored rows: a patrol that ends in between has its stored
    metres subtracted once. ``geo`` builds the coverage index when new points need it."""
    first_day = start.astimezone(LOCAL_TZ).date()
    last_day = (end - timedelta(microseconds=1)).astimezone(LOCAL_TZ).date()
    since, until = _day_bounds(first_day)[0], _day_bounds(last_day)[1]
    visited: dict[int, set[int]] = {}
    metres: dict[int, float] = {}
    by_user: dict[int, list[float]] = {}

    open_rows = s.execute(
        select(Patrol.id, Patrol.user_id, Patrol.started_at).where(Patrol.ended_at.is_(None))
    ).all()
    open_ids = [r.id for r in open_rows]
    first, last = first_day.toordinal(), last_day.toordinal()
    for r, track in zip(open_rows, open_tracks(s, open_rows, geo), strict=True):
        for d, grids in track.grids.items():
            if first <= d <= last:
                for k, m in grids.items():
                    visited.setdefault(k, set()).add(d)
                    metres[k] = metres.get(k, 0.0) + m
        if since <= r.started_at < until:
            bucket = by_user.setdefault(r.user_id, [0, 0.0])
            bucket[0] += 1
            bucket[1] += sum(m for d, m in track.walked.items() if first <= d <= last)

    # By day, then grid: the covering index's order (no sort). Only visited grids are stored.
    stored = s.execute(
        select(
            PatrolGridCoverage.day,
            PatrolGridCoverage.grid_id,
            func.sum(PatrolGridCoverage.metres),
        )
        .where(PatrolGridCoverage.day >= first_day, PatrolGridCoverage.day <= last_day)
        .group_by(PatrolGridCoverage.day, PatrolGridCoverage.grid_id)
    ).all()
    for day, grid_id, m in stored:
        visited.setdefault(int(grid_id), set()).add(_as_date(day).toordinal())
        metres[int(grid_id)] = metres.get(int(grid_id), 0.0) + float(m or 0.0)
    if open_ids:  # a patrol that ended since its points were read: its metres once only
        for grid_id, m in s.execute(
            select(PatrolGridCoverage.grid_id, PatrolGridCoverage.metres).where(
                PatrolGridCoverage.patrol_id.in_(open_ids),
                PatrolGridCoverage.day >= first_day,
                PatrolGridCoverage.day <= last_day,
            )
        ):
            metres[int(grid_id)] -= float(m)
    ended = s.execute(
        select(Patrol.user_id, func.count(), func.coalesce(func.sum(Patrol.distance_m), 0.0))
        .where(
            Patrol.ended_at.is_not(None),
            Patrol.started_at >= since,
            Patrol.started_at < until,
            Patrol.id.not_in(open_ids) if open_ids else true(),
        )
        .group_by(Patrol.user_id)
    ).all()
    for user_id, n, distance in ended:
        bucket = by_user.setdefault(int(user_id), [0, 0.0])
        bucket[0] += int(n)
        bucket[1] += float(distance or 0.0)
    return PeriodPatrols(
        visited,
        metres,
        {u: (int(n), float(d)) for u, (n, d) in by_user.items()},
        len(open_ids),
    )


@dataclass
class OpenTrack:
    """An open patrol's coverage so far: per local day (ordinal), the metres inside each grid
    visited (0.0: a point in it, no track yet) and the metres walked; the last point read."""

    started_at: datetime
    last_seq: int = -1
    last: tuple[float, float, datetime] | None = None
    grids: dict[int, dict[int, float]] = field(default_factory=dict)
    walked: dict[int, float] = field(default_factory=dict)


class _OpenTracks:
    """The open patrols' coverage, kept per database and brought up to date from the points
    added since it was last read: by sequence, as a patrol's batches are serialised by its
    row lock (a later batch never commits before an earlier one). A patrol that ends (or
    whose start differs: another database under the same URL) is dropped; a change of the
    grids (their count, largest id or geometry length) starts afresh."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tracks: dict[int, OpenTrack] = {}
        self.geo: _Geo | None = None
        self.signature: tuple[Any, ...] | None = None

    def update(
        self, s: Session, open_rows: Sequence[Any], geo: Callable[[], _Geo] | None
    ) -> list[OpenTrack]:
        signature = tuple(
            s.execute(
                select(
                    func.count(), func.max(Region.id), func.sum(func.length(Region.geometry))
                ).where(Region.level == "grid")
            ).one()
        )
        if signature != self.signature:
            self.tracks.clear()
            self.geo = None
            self.signature = signature
        started = {r.id: r.started_at for r in open_rows}
        for patrol_id in list(self.tracks):
            if started.get(patrol_id) != self.tracks[patrol_id].started_at:
                del self.tracks[patrol_id]
        for patrol_id, at in started.items():
            self.tracks.setdefault(patrol_id, OpenTrack(at))
        rows: list[Any] = []
        pending = sorted(self.tracks.items())
        for i in range(0, len(pending), _OR_CHUNK):  # SQLite's expression depth is bounded
            rows += s.execute(
                select(PatrolPoint.patrol_id, PatrolPoint.seq, PatrolPoint.lon, PatrolPoint.lat,
                       PatrolPoint.at)
                .where(or_(*(
                    and_(PatrolPoint.patrol_id == k, PatrolPoint.seq > t.last_seq)
                    for k, t in pending[i : i + _OR_CHUNK]
                )))
                .order_by(PatrolPoint.patrol_id, PatrolPoint.seq)
            ).all()  # fmt: skip
        if rows:
            if self.geo is None:
                self.geo = (geo or (lambda: load_geo(s)))()
            for patrol_id, group in itertools.groupby(rows, key=lambda r: int(r[0])):
                self._add(self.tracks[patrol_id], list(group), self.geo)
        return [self.tracks[r.id] for r in open_rows]

    @staticmethod
    def _add(track: OpenTrack, rows: list[Any], geo: _Geo) -> None:
        points = ([track.last] if track.last is not None else []) + [
            (r.lon, r.lat, r.at) for r in rows
        ]
        lon = np.array([p[0] for p in points], dtype=float)
        lat = np.array([p[1] for p in points], dtype=float)
        days = local_days(np.array([p[2] for p in points], dtype=object))
        for day in np.unique(days).tolist():
            sel = days == day
            cov = geo.index.coverage(np.zeros(int(sel.sum()), dtype=np.int64), lon[sel], lat[sel])
            grids = track.grids.setdefault(int(day), {})
            for k, m, v in zip(cov.keys.tolist(), cov.length_m.tolist(), cov.visited, strict=True):
                if v:
                    grids[k] = grids.get(k, 0.0) + m
            walked = float(segment_lengths(geo.index.proj, lon[sel], lat[sel]).sum())
            track.walked[int(day)] = track.walked.get(int(day), 0.0) + walked
        track.last_seq = int(rows[-1].seq)
        track.last = points[-1]


_OPEN: dict[str, _OpenTracks] = {}
_OR_CHUNK = 100
_OPEN_LOCK = threading.Lock()


def open_tracks(
    s: Session, open_rows: Sequence[Any], geo: Callable[[], _Geo] | None = None
) -> list[OpenTrack]:
    """The coverage so far of the open patrols ``open_rows`` (id, started_at), in their order:
    only the points added since the last call are read (per database, this process)."""
    if not open_rows:
        return []
    key = s.get_bind().engine.url.render_as_string(hide_password=True)
    with _OPEN_LOCK:
        tracks = _OPEN.setdefault(key, _OpenTracks())
    with tracks.lock:
        found = tracks.update(s, open_rows, geo)
        return [
            OpenTrack(
                t.started_at,
                t.last_seq,
                t.last,
                {d: dict(g) for d, g in t.grids.items()},
                dict(t.walked),
            )
            for t in found
        ]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
