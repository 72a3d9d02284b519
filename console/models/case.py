"""Cases (案件) and their append-only audit trail (case_events)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from console.domain.lifecycle import FINAL_STATES, STATE_LABELS
from console.models.base import Base, UTCDateTime

__all__ = [
    "FINAL_STATES",
    "Case",
    "CaseEvent",
    "CaseNumberCounter",
    "CaseSource",
    "CaseState",
    "PossibleDuplicate",
]


#: States of the six-step closed loop, one member per row of resources/lifecycle/states.csv
#: (REPORTED = "reported", …): the table is the one declaration, this is its typed name.
# mypy reads the functional Enum API only with literal members; these come from the table.
CaseState = StrEnum("CaseState", {code.upper(): code for code in STATE_LABELS})  # type: ignore[misc]


class CaseSource(StrEnum):
    INSPECTOR = "inspector"  # 监督员
    HOTLINE = "hotline"  # 12345
    VIDEO = "video"  # 视频巡查
    PUBLIC = "public"  # 公众
    OPINION = "opinion"  # 舆情
    GRID = "grid"  # 网格员


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_cases_state_deadline", "state", "deadline_at"),
        Index("ix_cases_state_warning", "state", "warning_at"),
        Index("ix_cases_state_reported", "state", "reported_at"),
        # "All open" queue: walk back from the newest case (the open backlog is recent).
        Index("ix_cases_reported_at", "reported_at"),
        # A period's closed cases, and their department (the tier figures), from the index alone.
        Index("ix_cases_closed_at_state_department", "closed_at", "state", "department_id"),
        # Queue filters: the newest cases of one street or department in given states.
        Index("ix_cases_street_state_reported", "street_id", "state", "reported_at"),
        Index("ix_cases_department_state_reported", "department_id", "state", "reported_at"),
        # By category (queue filters), and near one time (console.services.duplicates).
        Index("ix_cases_category_reported", "category_code", "reported_at"),
        # The evaluation's count of a period's reports by category, from the index alone.
        Index("ix_cases_reported_category", "reported_at", "taxonomy", "kind", "category_code"),
        # A component's cases, newest first; the repeat offenders' count over 12 months.
        Index("ix_cases_component_reported", "component_id", "reported_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Case number: C/E + category code + yyyymmdd + 4-digit sequence (an implementation
    #: convention, see codes_and_lifecycle.md §2).
    number: Mapped[str] = mapped_column(String(24), unique=True)
    source: Mapped[str] = mapped_column(String(12))
    external_id: Mapped[str | None] = mapped_column(String(64))
    reporter: Mapped[str | None] = mapped_column(String(50))
    #: The caller's phone (a 12345 call taken at the intake seat): staff see it in the case
    #: detail only; never exported nor shown on the wall.
    reporter_phone: Mapped[str | None] = mapped_column(String(32))

    taxonomy: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(12))
    category_code: Mapped[str] = mapped_column(String(8))
    #: The taxonomy and code as reported, when intake mapped an older code (CJ/T 214) onto
    #: its GB/T 47678.5-2026 successor above; null when the case keeps the reported code.
    original_taxonomy: Mapped[str | None] = mapped_column(String(20))
    original_category_code: Mapped[str | None] = mapped_column(String(8))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_rules.id"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The surveyed object a 部件 case is about (the component register, issue 17); null when
    #: the reporter chose "not in the register" or the case is an event.
    component_id: Mapped[int | None] = mapped_column(ForeignKey("components.id"))

    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(256))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    street_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))

    state: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))

    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: The handling time limit, fixed at registration from the deadline rule.
    limit_value: Mapped[float | None] = mapped_column(Float)
    limit_unit: Mapped[str | None] = mapped_column(String(12))
    #: Approved extensions, in limit_unit, added to the limit.
    extension_value: Mapped[float] = mapped_column(Float, default=0.0)
    #: A pending extension request (in limit_unit), awaiting the dispatcher.
    extension_requested: Mapped[float | None] = mapped_column(Float)
    #: When the department asked to suspend it (申请挂账), awaiting the duty chief; else null.
    suspension_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The inspector a report check (信息核实) or a check task (核查任务) is assigned to; only
    #: they take its step while it is set (console.services.workflow). Null: anyone's.
    assigned_inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: When the yellow light comes on / the case is overdue. Null while not on the clock.
    warning_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: While suspended: when it stopped, and the state it resumes to.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_from: Mapped[str | None] = mapped_column(String(20))
    #: Clock seconds (working or natural, per limit_unit) spent suspended so far.
    suspended_seconds: Mapped[float] = mapped_column(Float, default=0.0)

    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)

    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CaseEvent(Base):
    """One step in a case's history. Append-only: never updated, never deleted."""

    __tablename__ = "case_events"
    __table_args__ = (
        # "When did this case last have action X": evaluation and timeline lookups; with the
        # actor and department, it covers the evaluation's read of each case's events in order.
        Index(
            "ix_case_events_case_action_actor",
            "case_id",
            "action",
            "at",
            "actor_role",
            "actor_id",
            "department_id",
        ),
        # covers the evaluation's scan of a period's events by action (console.services.evaluation)
        Index(
            "ix_case_events_action_at",
            "action",
            "at",
            "actor_role",
            "actor_id",
            "department_id",
            "case_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(50))
    actor_role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    note: Mapped[str | None] = mapped_column(Text)
    #: JSON text with action-specific detail (deadline, extension, rework reason...).
    data: Mapped[str | None] = mapped_column(Text)


class CaseNumberCounter(Base):
    """Last sequence used per case-number prefix (kind letter + category + date)."""

    __tablename__ = "case_number_counters"

    prefix: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class PossibleDuplicate(Base):
    """A pair of cases that may report the same problem (疑似重复), flagged at intake.

    ``case_id`` is the later report (the one flagged), ``other_case_id`` the earlier case it
    may repeat. The dispatcher decides: ``kept_apart`` or ``merged`` (the timelines hold the
    who and when; this row only says whether the pair still awaits a decision).
    """

    __tablename__ = "possible_duplicates"
    __table_args__ = (
        UniqueConstraint("case_id", "other_case_id"),
        # The queue's "possible duplicates" tab and the detail's list: open pairs by case.
        Index("ix_possible_duplicates_status_case", "status", "case_id"),
        Index("ix_possible_duplicates_other_case", "other_case_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: Great-circle distance between the two reports, metres.
    distance_m: Mapped[float] = mapped_column(Float)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: "open" (awaiting a decision), "kept_apart" or "merged".
    status: Mapped[str] = mapped_column(String(12), default="open")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
