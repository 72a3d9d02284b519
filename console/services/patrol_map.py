"""The field on the console's map: where the people on patrol are, today's tracks, today's
coverage per grid (网格定期巡查). No Qt; read in one session, handed over as plain data.

* **People** (巡查人员): per person with a track point today, the last one — name, role, when
  (server time), the device's accuracy, and whether that patrol is still open.
* **Tracks** (今日轨迹): each patrol's points received today as one polyline, simplified
  (Douglas–Peucker, ``shapely.simplify`` on the equirectangular projection the coverage uses)
  until all the tracks together have at most ``max_vertices`` vertices: 200 people × 8 h is
  576,000 points, and the page needs a few thousand. The tolerance starts at
  :data:`MIN_TOLERANCE_M` and grows each round (by half, or up to fourfold while far over the
  budget), each round simplifying the last round's lines (cheap: they only get shorter);
  ``tolerance_m`` is the sum of the rounds' tolerances, a bound on how far any received point
  lies from its drawn track.
* **Coverage** (巡查覆盖): per grid the metres of today's tracks inside it and visited or not —
  the same computation as ``PatrolService.coverage_of_day`` (console.domain.patrol_coverage),
  on the same points, read once for both.

"Today" is a local calendar day; a point belongs to it by its server time (``at``), as in the
coverage. The patrols read are those that overlap the day (an open one started yesterday
included); their points come by primary key (patrol, sequence), with no scan of the table.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import ColumnElement, and_, or_, select

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.patrol_coverage import LocalProjection
from console.models import Patrol, PatrolPoint, User
from console.services.patrols import PatrolService

#: At most this many track vertices in all (the page draws them all at once).
MAX_VERTICES = 4000
#: The first round's tolerance: below GPS noise, it only drops points on a straight walk.
MIN_TOLERANCE_M = 2.0
#: Each round's tolerance is the last one's times at least this, at most _MAX_GROWTH.
_GROWTH = 1.5
_MAX_GROWTH = 4.0
#: Patrols per IN (...) list: well under SQLite's bound-parameter limit.
_ID_CHUNK = 400


@dataclass(frozen=True)
class PatrolPerson:
    """A person's last known position today."""

    user_id: int
    name: str
    role: str
    patrol_id: int
    at: datetime
    lon: float
    lat: float
    accuracy: float | None
    #: The patrol the point belongs to has not ended.
    open: bool


@dataclass(frozen=True)
class PatrolTrack:
    """One patrol's track today, simplified: ``coords`` are (lon, lat), WGS-84, in order."""

    patrol_id: int
    user_id: int
    open: bool
    #: Points received today (before simplification).
    points: int
    coords: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class GridVisit:
    grid_id: int
    length_m: float
    visited: bool


@dataclass(frozen=True)
class PatrolLayers:
    """The three map layers of one day."""

    day: date
    #: When it was read (server clock): positions age from here.
    read_at: datetime
    people: tuple[PatrolPerson, ...]
    tracks: tuple[PatrolTrack, ...]
    #: Every grid of the district, visited or not.
    coverage: tuple[GridVisit, ...]
    #: A bound on how far a received point lies from its drawn track, in metres.
    tolerance_m: float

    @property
    def points(self) -> int:
        return sum(t.points for t in self.tracks)

    @property
    def vertices(self) -> int:
        return sum(len(t.coords) for t in self.tracks)

    def to_json(self) -> str:
        """The compact JSON ``consoleMap.setPatrols`` reads (console_map.js, same order):

        ``people``: [user id, name, role, time (local ISO), lon, lat, accuracy|null, open 0/1,
        age in seconds]; ``tracks``: [patrol id, user id, open 0/1, [lon, lat, lon, lat, …]];
        ``coverage``: [grid id, metres] for the visited grids only (the others are not).
        """
        people = [
            [
                p.user_id,
                p.name,
                p.role,
                p.at.astimezone(LOCAL_TZ).isoformat(timespec="seconds"),
                round(p.lon, 6),
                round(p.lat, 6),
                None if p.accuracy is None else round(p.accuracy, 1),
                1 if p.open else 0,
                max(0, round((self.read_at - p.at).total_seconds())),
            ]
            for p in self.people
        ]
        tracks = [
            [
                t.patrol_id,
                t.user_id,
                1 if t.open else 0,
                [round(v, 6) for xy in t.coords for v in xy],
            ]
            for t in self.tracks
        ]
        coverage = [[g.grid_id, round(g.length_m)] for g in self.coverage if g.visited]
        payload: dict[str, Any] = {
            "day": self.day.isoformat(),
            "grids": len(self.coverage),
            "tolerance": round(self.tolerance_m, 1),
            "points": self.points,
            "people": people,
            "tracks": tracks,
            "coverage": coverage,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local day ``day`` as [start, end)."""
    start = datetime.combine(day, time(0), LOCAL_TZ)
    return start, datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ)


def simplify_tracks(
    pid: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    proj: LocalProjection,
    *,
    max_vertices: int = MAX_VERTICES,
    min_tolerance_m: float = MIN_TOLERANCE_M,
) -> tuple[list[np.ndarray], float]:
    """Each track's vertices after simplification (an (n, 2) lon/lat array per run of equal
    ``pid``, in order) and the error bound in metres. Points are sorted by track, then along
    it. A one-point track stays one point; every longer one keeps at least its two ends, so
    the budget cannot go below two vertices a track."""
    if pid.size == 0:
        return [], 0.0
    cuts = np.flatnonzero(pid[1:] != pid[:-1]) + 1
    starts = np.concatenate(([0], cuts))
    sizes = np.diff(np.concatenate((starts, [pid.size])))
    x, y = proj.xy(lon, lat)
    long_ = sizes >= 2
    member = np.repeat(long_, sizes)
    group = np.repeat(np.cumsum(long_) - 1, sizes)[member]  # the n-th long track: n
    lines = (
        shapely.linestrings(np.column_stack((x[member], y[member])), indices=group)
        if member.any()
        else np.empty(0, dtype=object)
    )
    fixed = int((~long_).sum())
    tolerance, bound = min_tolerance_m, 0.0
    while True:
        lines = shapely.simplify(lines, tolerance, preserve_topology=False)
        bound += tolerance
        count = int(shapely.get_num_coordinates(lines).sum()) + fixed
        if count <= max_vertices:
            break
        if np.all(shapely.get_num_coordinates(lines) <= 2):
            break  # two vertices a track: as few as a track can have
        # Far over the budget, a longer step (vertices fall roughly as tolerance^-1.5).
        over = count / max(max_vertices, 1)
        tolerance *= min(max(_GROWTH, over ** (1 / 1.5)), _MAX_GROWTH)
    coords, index = shapely.get_coordinates(lines, return_index=True)
    kx, ky = (float(v[0]) for v in proj.xy([proj.lon0 + 1.0], [proj.lat0 + 1.0]))
    wgs = np.column_stack((coords[:, 0] / kx + proj.lon0, coords[:, 1] / ky + proj.lat0))
    split = np.split(wgs, np.flatnonzero(np.diff(index)) + 1) if index.size else []
    out: list[np.ndarray] = []
    it = iter(split)
    for k, one_long in enumerate(long_):
        if one_long:
            out.append(next(it))
        else:
            j = starts[k]
            out.append(np.array([[lon[j], lat[j]]]))
    return out, bound


def _patrols_of_day(s: Any, start: datetime, end: datetime) -> list[Any]:
    return list(
        s.execute(
            select(Patrol.id, Patrol.user_id, Patrol.ended_at, User.display_name, User.role)
            .join(User, User.id == Patrol.user_id)
            .where(
                Patrol.started_at < end,
                or_(Patrol.ended_at.is_(None), Patrol.ended_at >= start),
            )
            .order_by(Patrol.id)
        ).all()
    )


def _points(
    s: Any, since: dict[int, int], start: datetime, end: datetime
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(patrol id, seq, lon, lat) of the day's points of the patrols ``since`` names, after
    the sequence number it gives each (-1: all), by patrol then sequence: primary-key ranges."""
    parts: list[list[Any]] = []
    conn = s.connection()  # Core rows: no ORM loading step for half a million of them
    ids = sorted(since)
    for k in range(0, len(ids), _ID_CHUNK):
        chunk = ids[k : k + _ID_CHUNK]
        fresh = [p for p in chunk if since[p] < 0]
        terms: list[ColumnElement[bool]] = [PatrolPoint.patrol_id.in_(fresh)] if fresh else []
        terms += [
            and_(PatrolPoint.patrol_id == p, PatrolPoint.seq > since[p])
            for p in chunk
            if since[p] >= 0
        ]
        parts.append(
            conn.execute(
                select(PatrolPoint.patrol_id, PatrolPoint.seq, PatrolPoint.lon, PatrolPoint.lat)
                .where(or_(*terms), PatrolPoint.at >= start, PatrolPoint.at < end)
                .order_by(PatrolPoint.patrol_id, PatrolPoint.seq)
            ).all()
        )
    rows = [r for part in parts for r in part]
    n = len(rows)
    pid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    seq = np.fromiter((r[1] for r in rows), dtype=np.int64, count=n)
    lon = np.fromiter((r[2] for r in rows), dtype=float, count=n)
    lat = np.fromiter((r[3] for r in rows), dtype=float, count=n)
    return pid, seq, lon, lat


@dataclass
class _Track:
    """One patrol's points of the day read so far."""

    last_seq: int
    lon: np.ndarray
    lat: np.ndarray


class PatrolMapReader:
    """Reads a day's layers again and again (a seat's map every 30 s), keeping the points
    between reads: each read asks only for the points each patrol got since the last one
    (primary-key ranges: a few hundred rows a tick, not the day's half million) and adds
    the new segments' metres to the day's coverage — a sum over segments, so the same as
    computing the whole day again. A new day starts afresh. Not thread-safe: one worker
    calls it (the bridge's long-work worker)."""

    def __init__(
        self, db: Database, patrols: PatrolService, *, max_vertices: int = MAX_VERTICES
    ) -> None:
        self.db = db
        self.patrols = patrols
        self.max_vertices = max_vertices
        self._day: date | None = None
        self._tracks: dict[int, _Track] = {}
        self._length = np.zeros(0)
        self._visited = np.zeros(0, dtype=bool)
        #: Points the last read fetched (the new ones).
        self.last_read_points = 0

    def _start_day(self, day: date) -> None:
        n = len(self.patrols.geo().index.keys)
        self._day, self._tracks = day, {}
        self._length, self._visited = np.zeros(n), np.zeros(n, dtype=bool)

    def layers(self, day: date, now: datetime) -> PatrolLayers:
        """The three layers of ``day`` (local), as of ``now``."""
        geo = self.patrols.geo()
        if day != self._day:
            self._start_day(day)
        start, end = day_bounds(day)
        with self.db.read() as s:
            by_id = {r.id: r for r in _patrols_of_day(s, start, end)}
            since = {p: (self._tracks[p].last_seq if p in self._tracks else -1) for p in by_id}
            pid, seq, lon, lat = _points(s, since, start, end)
            self._add(pid, seq, lon, lat)
            wanted = [(p, t.last_seq) for p, t in sorted(self._tracks.items()) if p in by_id]
            lasts = (
                s.execute(
                    select(
                        PatrolPoint.patrol_id,
                        PatrolPoint.at,
                        PatrolPoint.lon,
                        PatrolPoint.lat,
                        PatrolPoint.accuracy,
                    ).where(
                        or_(
                            *(
                                and_(PatrolPoint.patrol_id == p, PatrolPoint.seq == q)
                                for p, q in wanted
                            )
                        )
                    )
                ).all()
                if wanted
                else []
            )
        # The latest point of each person (a person may have patrolled twice today).
        latest: dict[int, Any] = {}
        for row in lasts:
            user = by_id[row.patrol_id].user_id
            seen = latest.get(user)
            if seen is None or (row.at, row.patrol_id) > (seen.at, seen.patrol_id):
                latest[user] = row
        people = tuple(
            PatrolPerson(
                user_id=user,
                name=by_id[row.patrol_id].display_name,
                role=by_id[row.patrol_id].role,
                patrol_id=int(row.patrol_id),
                at=row.at,
                lon=float(row.lon),
                lat=float(row.lat),
                accuracy=None if row.accuracy is None else float(row.accuracy),
                open=by_id[row.patrol_id].ended_at is None,
            )
            for user, row in sorted(latest.items())
        )
        track_ids = [p for p, t in sorted(self._tracks.items()) if p in by_id and t.lon.size]
        all_pid = np.concatenate(
            [np.full(self._tracks[p].lon.size, p, dtype=np.int64) for p in track_ids]
            or [np.zeros(0, dtype=np.int64)]
        )
        all_lon = np.concatenate([self._tracks[p].lon for p in track_ids] or [np.zeros(0)])
        all_lat = np.concatenate([self._tracks[p].lat for p in track_ids] or [np.zeros(0)])
        coords, tolerance = simplify_tracks(
            all_pid, all_lon, all_lat, geo.index.proj, max_vertices=self.max_vertices
        )
        tracks = tuple(
            PatrolTrack(
                patrol_id=p,
                user_id=int(by_id[p].user_id),
                open=by_id[p].ended_at is None,
                points=int(self._tracks[p].lon.size),
                coords=tuple((float(a), float(b)) for a, b in coords[j]),
            )
            for j, p in enumerate(track_ids)
        )
        coverage = tuple(
            GridVisit(int(k), float(m), bool(v))
            for k, m, v in zip(geo.index.keys, self._length, self._visited, strict=True)
        )
        return PatrolLayers(day, now, people, tracks, coverage, tolerance)

    def _add(self, pid: np.ndarray, seq: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> None:
        """Keep the new points and add their segments (and the one joining them to what a
        patrol had) to the day's coverage."""
        self.last_read_points = int(pid.size)
        if not pid.size:
            return
        bounds = np.concatenate(([0], np.flatnonzero(pid[1:] != pid[:-1]) + 1, [pid.size]))
        cov_pid, cov_lon, cov_lat = [], [], []
        for a, b in itertools.pairwise(bounds.tolist()):
            p = int(pid[a])
            old = self._tracks.get(p)
            if old is not None and old.lon.size:  # the segment from the last point read
                cov_pid.append(np.full(b - a + 1, p, dtype=np.int64))
                cov_lon.append(np.concatenate(([old.lon[-1]], lon[a:b])))
                cov_lat.append(np.concatenate(([old.lat[-1]], lat[a:b])))
                self._tracks[p] = _Track(
                    int(seq[b - 1]),
                    np.concatenate((old.lon, lon[a:b])),
                    np.concatenate((old.lat, lat[a:b])),
                )
            else:
                cov_pid.append(pid[a:b])
                cov_lon.append(lon[a:b])
                cov_lat.append(lat[a:b])
                self._tracks[p] = _Track(int(seq[b - 1]), lon[a:b].copy(), lat[a:b].copy())
        cov = self.patrols.geo().index.coverage(
            np.concatenate(cov_pid), np.concatenate(cov_lon), np.concatenate(cov_lat)
        )
        self._length += cov.length_m
        self._visited |= cov.visited


def patrol_layers(
    db: Database,
    patrols: PatrolService,
    day: date,
    now: datetime,
    *,
    max_vertices: int = MAX_VERTICES,
) -> PatrolLayers:
    """The three layers of ``day`` (local), as of ``now``, read afresh (a
    :class:`PatrolMapReader` of its own)."""
    return PatrolMapReader(db, patrols, max_vertices=max_vertices).layers(day, now)
