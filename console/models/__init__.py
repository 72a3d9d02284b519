"""SQLAlchemy 2.x typed ORM models. No Qt, no business rules beyond invariants."""

from console.models.base import Base, UTCDateTime
from console.models.calendar import CalendarChange, CalendarDay, CalendarYear
from console.models.case import (
    FINAL_STATES,
    Case,
    CaseEvent,
    CaseNumberCounter,
    CaseSource,
    CaseState,
)
from console.models.component import Component, ComponentChange
from console.models.field import FieldSubmission
from console.models.gateway import ApiToken, Attachment
from console.models.geography import Region, RegionLevel
from console.models.open311 import Open311Extras, Open311PendingReport
from console.models.org import Department, DepartmentKind, GridStaff, GridStaffRole, Role, User
from console.models.patrol import Patrol, PatrolBatch, PatrolPoint
from console.models.patrol_alert import PatrolAlert, PatrolAlertDay
from console.models.public import PublicRating, PublicReport
from console.models.security import SecurityEvent, SecurityEventKind
from console.models.street import SubTask
from console.models.supervision import Alert, DutyShift, Handover
from console.models.taxonomy import Category, DeadlineRule, RoutingRule

__all__ = [
    "FINAL_STATES",
    "Alert",
    "ApiToken",
    "Attachment",
    "Base",
    "CalendarChange",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseEvent",
    "CaseNumberCounter",
    "CaseSource",
    "CaseState",
    "Category",
    "Component",
    "ComponentChange",
    "DeadlineRule",
    "Department",
    "DepartmentKind",
    "DutyShift",
    "FieldSubmission",
    "GridStaff",
    "GridStaffRole",
    "Handover",
    "Open311Extras",
    "Open311PendingReport",
    "Patrol",
    "PatrolAlert",
    "PatrolAlertDay",
    "PatrolBatch",
    "PatrolPoint",
    "PublicRating",
    "PublicReport",
    "Region",
    "RegionLevel",
    "Role",
    "RoutingRule",
    "SecurityEvent",
    "SecurityEventKind",
    "SubTask",
    "UTCDateTime",
    "User",
]
