"""What one seat of the console can ask and do: a Qt-free facade over the services.

The views reach the database only through this object, and only through the bridge's worker
thread: each method opens its own session, and returns frozen records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.config import LOCAL_TZ
from console.db import Database
from console.domain.holiday_schedule import ScheduleDay, check_schedule
from console.domain.lifecycle import default_lifecycle
from console.domain.worktime import WorkCalendar
from console.errors import (
    CaseNotFoundError,
    ConsoleError,
    DatabaseUnavailableError,
    PermissionDeniedError,
    ValidationError,
)
from console.models import Case, Region, User
from console.services import dashboard, queries, queue
from console.services.actors import Actor, actor_of
from console.services.attachments import AttachmentService, AttachmentStore
from console.services.auth import change_password, sign_in
from console.services.case_scope import CaseScope, case_scope
from console.services.cases.detail import CaseDetail, load_detail
from console.services.cases.dto import CaseSnapshot
from console.services.cases.export import ExportResult, export_cases
from console.services.cases.photos import CasePhoto, case_photos
from console.services.cases.service import CaseService, utc_now
from console.services.catalog import (
    CategoryOption,
    category_options,
    grids_of_street,
    source_options,
    streets,
)
from console.services.category_search import CategoryChoice, choices_from
from console.services.change_feed import CaseChange, ChangeFeed
from console.services.change_notify import ChangeListener, supports_listen
from console.services.components.map_desk import ComponentMapDesk
from console.services.components.nearby import NearbyComponent
from console.services.components.proposals import proposals as component_proposals
from console.services.dispatch_preview import (
    DepartmentOption,
    DispatchProposal,
    department_options,
    propose_dispatch,
)
from console.services.duplicates.pairs import DuplicateCandidate, open_pairs
from console.services.duty_desk import DutyDesk, RosterWeek
from console.services.evaluation import report as evaluation
from console.services.evaluation.export import write_evaluation_xlsx
from console.services.evaluation.report import EvaluationReport
from console.services.grid_staff_roster import StreetStaff, street_staff
from console.services.ingest import IngestResult, ingest_file
from console.services.intake_limits import Limits, default_attachments_dir
from console.services.map_data import (
    case_markers,
    grid_feature_collection,
    marker_json,
    open_counts_by_grid,
)
from console.services.open311_pending import PendingReport, pending_reports, place
from console.services.permissions import allowed, require
from console.services.reference.files import read_function_names
from console.services.report_desk import (
    FiledReport,
    NearbyCase,
    PointCheck,
    ReportDesk,
    check_point,
    nearby_cases,
    read_photos,
)
from console.services.report_input import ReportInput
from console.services.user_admin import UserAdminDesk
from console.services.work_calendar import (
    CalendarChangeResult,
    YearView,
    provisional_year,
    save_year,
    sync_calendar,
    year_view,
)

if TYPE_CHECKING:  # imported when first used (patrol_map, through the patrols service)
    from console.services.patrol_map import PatrolLayers, PatrolMapReader

__all__ = ["ActionOutcome", "FilterChoices", "LiveBatch", "RosterWeek", "Workbench"]


@dataclass(frozen=True)
class ActionOutcome:
    """One case's result in a batch action (several cases dispatched at once)."""

    case_id: int
    snapshot: CaseSnapshot | None
    error: str | None


@dataclass(frozen=True)
class LiveBatch:
    """What a batch of changes refreshes in a seat, read together (Workbench.live_batch)."""

    inside: set[int]  # the changed cases the queue's filter matches now
    rows: list[queue.QueueRow]  # their queue rows
    total: int | None  # the queue's count, when a matching case was not loaded (else None)
    markers_json: str  # open changed cases, as map markers
    removed: list[int]  # changed cases off the map now (finished)
    grid_counts: dict[int, int]  # open cases per grid (the choropleth)
    lights: dict[str, int]  # open cases per traffic light (the status bar)


@dataclass(frozen=True)
class FilterChoices:
    streets: list[tuple[int, str, str]]
    departments: list[DepartmentOption]
    sources: list[tuple[str, str]]
    categories: list[CategoryOption]
    #: The five functions of grid work, (Chinese name, English name) in
    #: resources/org/functions.csv's order; the Chinese name is the filter's value.
    functions: list[tuple[str, str]]


class Workbench(DutyDesk):
    """One seat's facade, acting as ``actor``.

    A person's seat is built with :meth:`signed_in` (name and password, checked, counted and
    logged by console.services.auth). ``Workbench(db, username=...)`` takes the user without
    a password: the trusted in-process path for tests, benches and the headless jobs, never
    for a person at a window. ``actor=`` adopts an actor that was already authenticated.
    """

    def __init__(
        self,
        db: Database,
        *,
        username: str = "dispatcher",
        actor: Actor | None = None,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], datetime] = utc_now,
        attachments_dir: Path | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        #: Where the report form's photos go (default: the gateway's, beside the database).
        self.attachments_dir = attachments_dir
        self._report_desk: ReportDesk | None = None
        self._patrol_reader: PatrolMapReader | None = None
        self.calendar = calendar or WorkCalendar()
        self.cases = CaseService(db, calendar=self.calendar, clock=clock)
        self.actor = actor if actor is not None else self._actor_for(username)
        self.feed = ChangeFeed(clock=clock)
        #: The street or unit a confined seat works for (its title says so); None otherwise.
        self.region_name: str | None = None
        with db.read() as s:
            sync_calendar(s, self.calendar)
            self.feed.start(s)
            self.region_name = self._region_name(s)

    def _region_name(self, s: Session) -> str | None:
        scope = self.scope
        if not scope.confined or scope.region_id is None:
            return None
        return s.scalar(select(Region.name).where(Region.id == scope.region_id))

    # -- who is acting -----------------------------------------------------------------

    def _actor_for(self, username: str) -> Actor:
        with self.db.read() as s:
            user = s.scalar(select(User).where(User.username == username, User.active))
            if user is None:
                raise ValidationError(f"用户不存在或已停用: {username}")
            return actor_of(user)

    @classmethod
    def signed_in(
        cls,
        db: Database,
        username: str,
        password: str,
        *,
        calendar: WorkCalendar | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> Workbench:
        """A seat for the person who signs in (AuthenticationError / AccountLockedError)."""
        actor = sign_in(db, username, password, clock())
        return cls(db, actor=actor, calendar=calendar, clock=clock)

    def switch_user(self, username: str, password: str) -> Actor:
        """Another person takes over this seat: they sign in with their own password."""
        self.actor = sign_in(self.db, username, password, self.clock())
        with self.db.read() as s:
            self.region_name = self._region_name(s)
        return self.actor

    def _check_still_signed_in(self) -> None:
        """Before a write: the account is still active and still holds the seat's role.

        An admin may deactivate or demote someone whose seat is open; their next action is
        refused, not carried out under the old role.
        """
        if self.actor.id is None:
            return
        with self.db.read() as s:
            row = s.execute(
                select(User.active, User.role, User.department_id, User.region_id).where(
                    User.id == self.actor.id
                )
            ).first()
        if row is None or not row.active:
            raise PermissionDeniedError("您的账号已被停用，本次操作未执行；请联系管理员")
        if (row.role, row.department_id, row.region_id) != (
            self.actor.role,
            self.actor.department_id,
            self.actor.region_id,
        ):
            raise PermissionDeniedError(
                "您的角色已被管理员变更，本次操作未执行；请重新登录（切换用户）"
            )

    @property
    def scope(self) -> CaseScope:
        """The cases this seat may see: a street or unit seat's region, else the district."""
        return case_scope(self.actor)

    def _scoped(self, f: queue.QueueFilter) -> queue.QueueFilter:
        """``f`` confined to the seat's scope, whatever the view asked (never trusted)."""
        scope = self.scope
        if f.street_id is not None:
            scope.check_street(f.street_id)
        return f if f.scope == scope else replace(f, scope=scope)

    def can(self, permission: str) -> bool:
        """Whether the acting user holds ``permission`` (resources/org/permissions.csv)."""
        return allowed(self.actor, permission)

    def change_password(self, old_password: str, new_password: str) -> None:
        change_password(self.db, self.actor, old_password, new_password, self.clock())

    def user_admin(self) -> UserAdminDesk:
        """The admin screen's calls, as the acting user (each checks manage_users itself)."""
        return UserAdminDesk(self.db, self.actor, self.clock)

    def component_map(self) -> ComponentMapDesk:
        """The map's component layer and repeat offenders, as the acting user (issue 17)."""
        return ComponentMapDesk(self.db, self.actor, self.clock)

    # -- reading -----------------------------------------------------------------------

    def queue_count(self, f: queue.QueueFilter) -> int:
        require(self.actor, "view_queues")
        f = self._scoped(f)
        with self.db.read() as s:
            return queue.count_queue(s, f, self.clock())

    def queue_page(self, f: queue.QueueFilter, offset: int, limit: int) -> list[queue.QueueRow]:
        require(self.actor, "view_queues")
        f = self._scoped(f)
        with self.db.read() as s:
            return queue.fetch_queue(s, f, self.clock(), self.calendar, offset=offset, limit=limit)

    def queue_rows(self, ids: Sequence[int]) -> list[queue.QueueRow]:
        with self.db.read() as s:
            return queue.fetch_rows(s, list(ids), self.clock(), self.calendar, self.scope)

    def queue_changes(
        self, f: queue.QueueFilter, ids: Sequence[int], loaded: set[int]
    ) -> tuple[set[int], list[queue.QueueRow], int | None]:
        """The queue's side of a change batch (queue.changed_rows), in one read."""
        require(self.actor, "view_queues")
        f = self._scoped(f)
        with self.db.read() as s:
            return queue.changed_rows(s, f, list(ids), loaded, self.clock(), self.calendar)

    def detail(self, case_id: int) -> CaseDetail:
        with self.db.read() as s:
            return load_detail(
                s,
                case_id,
                self.clock(),
                self.calendar,
                role=self.actor.role,
                department_id=self.actor.department_id,
                user_id=self.actor.id,
                scope=self.scope,
            )

    def possible_duplicates(self, case_id: int) -> list[DuplicateCandidate]:
        """The open cases ``case_id`` may repeat (or that may repeat it), nearest first."""
        with self.db.read() as s:
            self._check_case(s, case_id)
            return open_pairs(s, case_id, self.scope)

    def _check_case(self, s: Session, case_id: int) -> None:
        """Refuse a case outside the seat's scope (as "no such case")."""
        case = s.get(Case, case_id)
        if case is None:
            raise CaseNotFoundError(f"案件不存在: {case_id}")
        self.scope.check(case)

    def dispatch_proposals(self, case_ids: Sequence[int]) -> list[DispatchProposal]:
        with self.db.read() as s:
            for case_id in case_ids:
                self._check_case(s, case_id)
            sync_calendar(s, self.calendar)  # the deadline shown is the one dispatch will set
            return propose_dispatch(s, list(case_ids), self.clock(), self.calendar)

    def departments(self) -> list[DepartmentOption]:
        with self.db.read() as s:
            return department_options(s)

    def light_counts(self) -> dict[str, int]:
        with self.db.read() as s:
            return queries.light_counts(s, self.clock(), self.scope.where())

    def map_grids(self) -> dict[str, Any]:
        """The grids of the map (a street or unit seat: its region's only, so the map fits
        to them)."""
        with self.db.read() as s:
            return grid_feature_collection(s, self.scope)

    def map_markers(self, function: str | None = None) -> tuple[str, dict[int, int]]:
        """Markers of every open case, as the JSON the map page takes, and the grid counts;
        with ``function`` (the map's 职能 filter), of that function's cases only."""
        scope = self.scope
        with self.db.read() as s:
            return (
                marker_json(case_markers(s, self.clock(), scope=scope, function=function)),
                open_counts_by_grid(s, scope, function),
            )

    def patrol_layers(self) -> PatrolLayers:
        """Today's (local) patrol layers of the map: the people on patrol at their last known
        position, the tracks simplified, the coverage per grid; each call reads only the
        points added since the last. The command center's roles (those that see the
        dashboard): people's positions are not for every seat. Called from one worker."""
        require(self.actor, "view_dashboard")
        if self.scope.confined:
            # Patrols belong to people, not to a street: not yet confined, so not shown.
            raise PermissionDeniedError("街道席位暂不显示巡查人员与轨迹")
        if self._patrol_reader is None:  # kept: the grids' index and the day's points so far
            from console.services.patrol_map import PatrolMapReader
            from console.services.patrols import PatrolService

            self._patrol_reader = PatrolMapReader(self.db, PatrolService(self.db, self.clock))
        now = self.clock()
        return self._patrol_reader.layers(now.astimezone(LOCAL_TZ).date(), now)

    def live_batch(
        self,
        f: queue.QueueFilter | None,
        ids: Sequence[int],
        loaded: set[int],
        map_function: str | None = None,
    ) -> LiveBatch:
        """Everything a change batch refreshes — the queue's rows, the map's markers and grid
        counts, the light counts — in one read (one session, one snapshot) instead of one per
        view. ``f``: the queue's filter (None before it loaded); ``loaded``: its rows' ids;
        ``map_function``: the map's 职能 filter (a changed case of another function is off
        the map)."""
        require(self.actor, "view_queues")
        now, wanted, scope = self.clock(), sorted(set(ids)), self.scope
        if f is not None:
            f = self._scoped(f)
        with self.db.read() as s:
            inside, rows, total = (
                queue.changed_rows(s, f, wanted, loaded, now, self.calendar)
                if f is not None
                else (set(), [], None)
            )
            markers = case_markers(s, now, ids=wanted, scope=scope, function=map_function)
            grid_counts = open_counts_by_grid(s, scope, map_function)
            lights = queries.light_counts(s, now, scope.where())
        shown = [m for m in markers if m.is_open]
        on_map = {m.id for m in shown}
        return LiveBatch(
            inside,
            rows,
            total,
            marker_json(shown),
            [i for i in wanted if i not in on_map],
            grid_counts,
            lights,
        )

    def filter_choices(self) -> FilterChoices:
        """Streets, departments, sources and categories for the queue's filter boxes (a street
        or unit seat: its own street only)."""
        with self.db.read() as s:
            choices = streets(s)
            own = self.scope.street_id(s)
            if self.scope.confined:
                choices = [c for c in choices if c[0] == own]
            return FilterChoices(
                choices,
                department_options(s),
                source_options(),
                category_options(s),
                list(read_function_names().items()),
            )

    def grids_of_street(self, street_id: int) -> list[tuple[int, str, str]]:
        self.scope.check_street(street_id)
        with self.db.read() as s:
            return grids_of_street(s, street_id)

    def grid_staff(self, street_id: int | None = None) -> StreetStaff:
        """一格七员 of a street's grids (a street seat: its own; a unit head: its unit's)."""
        require(self.actor, "view_queues")
        with self.db.read() as s:
            return street_staff(s, self.scope, street_id)

    # -- the holiday calendar (节假日安排) ------------------------------------------------

    def calendar_year(self, year: int) -> YearView:
        """A year's days off and adjusted workdays, official or provisional."""
        require(self.actor, "view_calendar")
        with self.db.read() as s:
            return year_view(s, self.calendar, year)

    def save_calendar_year(self, year: int, days: Sequence[ScheduleDay]) -> CalendarChangeResult:
        """The admin's edited year saved as the official schedule; open deadlines move."""
        require(self.actor, "manage_calendar")
        self._check_still_signed_in()
        parsed = check_schedule(
            year, [(d.day.isoformat(), d) for d in days], source="节假日安排（控制台）"
        )
        with self.db.session() as s:
            return save_year(
                s,
                self.actor,
                self.calendar,
                parsed,
                source="控制台",
                action="edit",
                now=self.clock(),
            )

    def calendar_notice(self) -> int | None:
        """The provisional year the status bar warns about: this one, or from 1 November the
        next (None: nothing to say). The view words it in the interface language."""
        with self.db.read() as s:
            sync_calendar(s, self.calendar)
        return provisional_year(self.calendar, self.clock().astimezone(LOCAL_TZ).date())

    def poll_changes(self) -> list[CaseChange]:
        """The changes since the last poll; a street or unit seat hears of its region's cases
        only (the feed's cursor still walks every event, so no gap is mistaken)."""
        with self.db.read() as s:
            sync_calendar(s, self.calendar)  # another seat may have imported a year
            changes = self.feed.poll(s)
            scope = self.scope
            if scope.confined and changes:
                ids = sorted({c.case_id for c in changes})
                inside = set(s.scalars(select(Case.id).where(Case.id.in_(ids), scope.where())))
                changes = [c for c in changes if c.case_id in inside]
            return changes

    def listen(
        self, wake: Callable[[], None], on_state: Callable[[bool], None] | None = None
    ) -> ChangeListener | None:
        """Call ``wake()`` (on a thread of its own) whenever any seat commits a change, so the
        feed is polled at once; ``on_state(listening)`` when the LISTEN connection drops or
        comes back. None on SQLite, which cannot notify: the poll alone serves there."""
        if not supports_listen(self.db.engine):
            return None
        return ChangeListener(self.db.engine, wake, on_state=on_state).start()

    # -- acting ------------------------------------------------------------------------

    def act(
        self,
        action: str,
        case_id: int,
        version: int | None,
        *,
        note: str | None = None,
        **params: Any,
    ) -> CaseSnapshot:
        self._check_still_signed_in()
        return self.cases.act(self.actor, case_id, action, version, note=note, **params)

    def act_with_photo(
        self, action: str, case_id: int, version: int | None, note: str | None, photo_path: str
    ) -> CaseSnapshot:
        """A step with its photo from disk (read and checked here, on the worker); the photo
        commits with the step's event or not at all."""
        self._check_still_signed_in()
        desk = self._desk()
        (photo,) = read_photos([photo_path], desk.store.max_bytes)
        snap, _record = AttachmentService(self.cases, desk.store).act_with_photo(
            self.actor, case_id, action, version, note=note, photo=photo
        )
        return snap

    def merge(
        self,
        case_id: int,
        version: int | None,
        into_id: int,
        into_version: int | None,
        note: str | None = None,
    ) -> CaseSnapshot:
        """合并: ``case_id`` repeats ``into_id`` (both versions checked); the merged case."""
        self._check_still_signed_in()
        return self.cases.merge(self.actor, case_id, version, into_id, into_version, note=note)

    def keep_apart(
        self,
        case_id: int,
        version: int | None,
        other_id: int,
        other_version: int | None,
        note: str | None = None,
    ) -> CaseSnapshot:
        """不是重复: clear the possible-duplicate flag between two cases."""
        self._check_still_signed_in()
        return self.cases.keep_apart(
            self.actor, case_id, version, other_id, other_version, note=note
        )

    def dispatch_many(
        self,
        cases: Sequence[tuple[int, int]],
        *,
        department_id: int | None,
        note: str | None = None,
    ) -> list[ActionOutcome]:
        """Dispatch each (case id, version) in its own transaction; one failure stops no other."""
        try:
            self._check_still_signed_in()
        except ConsoleError as exc:  # refused (or no server) before the first case: say so for each
            return [ActionOutcome(case_id, None, exc.message) for case_id, _ in cases]
        outcomes = []
        unavailable: str | None = None  # once the server is gone, do not knock for each case
        for case_id, version in cases:
            if unavailable is not None:
                outcomes.append(ActionOutcome(case_id, None, unavailable))
                continue
            try:
                snap = self.cases.dispatch(
                    self.actor, case_id, version, department_id=department_id, note=note
                )
                outcomes.append(ActionOutcome(case_id, snap, None))
            except DatabaseUnavailableError as exc:
                unavailable = exc.message
                outcomes.append(ActionOutcome(case_id, None, exc.message))
            except ConsoleError as exc:
                outcomes.append(ActionOutcome(case_id, None, exc.message))
        return outcomes

    # -- the report form (新建上报) ------------------------------------------------------

    def can_report(self) -> bool:
        """Whether this seat's role may report cases (resources/lifecycle/transitions.csv)."""
        return self.actor.role in self.cases.lifecycle.get("report").roles

    def report_categories(self) -> list[CategoryChoice]:
        """The categories a new report may take today (the taxonomy in force), searchable."""
        in_force = self.cases.workflow.taxonomies.taxonomy_on(
            self.clock().astimezone(LOCAL_TZ).date()
        )
        with self.db.read() as s:
            return choices_from(category_options(s, in_force), in_force)

    def check_point(self, lon: float, lat: float) -> PointCheck:
        """The street and grid at a point, or why it has none (outside, lon/lat swapped)."""
        with self.db.read() as s:
            return check_point(s, self.cases.workflow.locator, lon, lat)

    def nearby_cases(self, choice: CategoryChoice, lon: float, lat: float) -> list[NearbyCase]:
        """The open cases a report of ``choice`` at (lon, lat) would repeat, nearest first."""
        with self.db.read() as s:
            return nearby_cases(
                s,
                taxonomy=choice.taxonomy,
                kind=choice.kind,
                category_code=choice.code,
                lon=lon,
                lat=lat,
                now=self.clock(),
                settings=self.cases.workflow.duplicates,
            )

    def nearby_components(
        self, choice: CategoryChoice, lon: float, lat: float
    ) -> list[NearbyComponent]:
        """The register's objects a 部件 report of ``choice`` at (lon, lat) may name (issue 17:
        within 30 m, nearest first, in the seat's region); none for an event category."""
        if choice.kind != "component":
            return []
        with self.db.read() as s:
            return component_proposals(s, self.actor, choice.code, lon, lat)

    def open311_pending(self) -> list[PendingReport]:
        """The 待定位 queue: Open311 reports with an address but no point, oldest first."""
        if not self.can_report():
            raise PermissionDeniedError("只有受理上报的席位能查看待定位报告")
        with self.db.read() as s:
            return pending_reports(s, with_caller=self.can("view_caller"))

    def place_open311(self, pending_id: int, lon: float, lat: float) -> CaseSnapshot:
        """A pending Open311 report placed at (lon, lat): its case, in one transaction."""
        self._check_still_signed_in()
        return place(self.cases, self.actor, pending_id, lon, lat)

    def file_report(
        self,
        report: ReportInput,
        photo_paths: Sequence[str | Path] = (),
        merge_into: tuple[int, int | None] | None = None,
    ) -> FiledReport:
        """Save the form's report with its photos (read from disk here, on the worker) and,
        with ``merge_into`` (case id, version seen), merge it into that case: one transaction."""
        self._check_still_signed_in()
        desk = self._desk()
        photos = read_photos(photo_paths, desk.store.max_bytes)
        return desk.file(self.actor, report, photos, merge_into=merge_into)

    def case_photos(self, case_id: int) -> list[CasePhoto]:
        """The case's photos with their bytes (the reporter's, the handler's after-photos)."""
        require(self.actor, "view_queues")
        with self.db.read() as s:
            self._check_case(s, case_id)
            return case_photos(s, lambda: self._desk().store, case_id, self.cases.lifecycle)

    def _desk(self) -> ReportDesk:
        if self._report_desk is None:
            root = self.attachments_dir or default_attachments_dir()
            store = AttachmentStore(root, max_bytes=Limits.from_file().max_photo_bytes)
            self._report_desk = ReportDesk(self.cases, store)
        return self._report_desk

    # -- dashboard and evaluation ------------------------------------------------------

    def dashboard_numbers(self) -> dashboard.DashboardNumbers:
        """The live dashboard's numbers as of now (console.services.dashboard)."""
        require(self.actor, "view_dashboard")
        with self.db.read() as s:
            return dashboard.dashboard_numbers(s, self.clock(), self.scope)

    def evaluation(self, month: str, function: str | None = None) -> EvaluationReport:
        """The evaluation report of a month ("YYYY-MM"); a street leader's is its street's
        (日常考核: its grids and units ranked, no district-wide objects); with ``function``
        (one of the five of grid work), over that function's cases only."""
        require(self.actor, "view_evaluation")
        start, end = evaluation.month_period(month)
        with self.db.read() as s:
            return evaluation.evaluate(
                s,
                start,
                end,
                self.clock(),
                calendar=self.calendar,
                scope=self.scope,
                function=function,
            )

    def functions(self) -> list[tuple[str, str]]:
        """The five functions of grid work, (Chinese name, English name) in
        resources/org/functions.csv's order: the evaluation's 职能 box."""
        return list(read_function_names().items())

    def export_evaluation(self, report: EvaluationReport, path: str) -> str:
        """Write ``report`` as .xlsx here; a .pdf needs Qt, so the view writes that itself."""
        require(self.actor, "export_evaluation")

        target = Path(path)
        if target.suffix.lower() != ".xlsx":
            raise ValidationError(f"导出文件应为 .xlsx 或 .pdf: {target.name}")
        write_evaluation_xlsx(report, target)
        return str(target)

    # -- files in and out --------------------------------------------------------------

    def import_file(
        self,
        path: str | Path,
        format: str = "auto",
        source: str | None = None,
        dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> IngestResult:
        """Import a file of reports (console.services.ingest); all or nothing, cancellable
        until the commit. The reports are made by the importing person; a role that holds
        import_cases but does not report cases itself (duty chief, admin) imports as 受理."""
        require(self.actor, "import_cases")
        actor = self.actor
        if actor.role not in default_lifecycle().get("report").roles:
            actor = replace(actor, role="intake")
        return ingest_file(
            self.db,
            path,
            format=format,
            source=source,
            dry_run=dry_run,
            actor=actor,
            now=self.clock(),
            progress=progress,
            should_cancel=should_cancel,
            locator=self.cases.workflow.locator,  # the seat's grid index, loaded once
        )

    def export_cases(
        self,
        path: str | Path,
        *,
        filter: queue.QueueFilter | None = None,
        case_ids: Sequence[int] | None = None,
        format: str | None = None,
        columns: Sequence[tuple[str, str]] | None = None,
        encoding: str = "utf-8",
    ) -> ExportResult:
        """Write a queue view (every case its filter matches) or the chosen cases to a file:
        Open311 JSON, CSV or Excel (console.services.cases.export)."""
        require(self.actor, "export_cases")
        if filter is not None:
            filter = self._scoped(filter)
        elif self.scope.confined:
            # Chosen cases outside the seat's street are left out, as in its queues.
            with self.db.read() as s:
                case_ids = list(
                    s.scalars(
                        select(Case.id).where(Case.id.in_(list(case_ids or ())), self.scope.where())
                    )
                )
        with self.db.read() as s:
            return export_cases(
                s,
                path,
                now=self.clock(),
                calendar=self.calendar,
                filter=filter,
                case_ids=case_ids,
                format=format,
                columns=columns,
                encoding=encoding,
            )

    def evaluation_cases(
        self,
        start: datetime,
        end: datetime,
        kind: str,
        object_id: int,
        metric: str,
        function: str | None = None,
    ) -> list[queue.QueueRow]:
        """The cases behind one number of an evaluation report (of ``function``'s cases, if
        the report was one function's), as queue rows."""
        require(self.actor, "view_evaluation")
        with self.db.read() as s:
            ids = evaluation.case_ids_for(
                s,
                start,
                end,
                kind=kind,
                object_id=object_id,
                metric=metric,
                scope=self.scope,
                function=function,
            )
            return queue.fetch_rows(s, ids, self.clock(), self.calendar)
