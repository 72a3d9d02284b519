"""The gateway's request and response bodies, described for /openapi.json.

Open311 shapes follow GeoReport v2 (field names as the standard spells them); the task API's
are the handhelds' own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from console.domain.instant_range import checked_utc
from console.errors import ValidationError

# --------------------------------------------------------------------------- shared types

#: The largest id or version a client may send: the INTEGER columns' range on PostgreSQL
#: (SQLite's is wider). A bigger or non-positive path id is a 400 naming it, never a 500.
MAX_ID = 2**31 - 1

#: A row id in a path (case, attachment, patrol): 1 … 2^31-1.
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="Row id (1 … 2^31-1)")]


def _client_time(value: datetime) -> datetime:
    try:
        return checked_utc(value, "time")
    except ValidationError as exc:
        raise ValueError(exc.message) from None


#: A time a client sends (a device's clock): in UTC it must fall in 1900–2999.
ClientTime = Annotated[datetime, AfterValidator(_client_time)]

# --------------------------------------------------------------------------- Open311


class Open311Error(BaseModel):
    """One Open311 error; responses carry a list of them."""

    code: int = Field(description="The HTTP status code")
    description: str = Field(description="What is wrong, naming the field when there is one")
    field: str | None = Field(None, description="The request field at fault (an extension)")


class Service(BaseModel):
    """A service type: one category (小类) of a taxonomy, the one in force listed first."""

    service_code: str = Field(
        description="Unique id of the type: C (部件) or E (事件) and the category code, "
        "e.g. E06010 (GB/T 47678.5-2026, 5 digits) or C0101 (CJ/T 214, 4 digits)"
    )
    service_name: str = Field(description="Name of the category (小类), e.g. 上水井盖")
    description: str = Field(
        description="Taxonomy, kind (部件/事件) and code; an older one's successor code"
    )
    metadata: bool = Field(description="True: GET services/{code}.json has more to say")
    type: Literal["realtime", "batch", "blackbox"] = Field(
        description="realtime: the service_request_id is returned at once"
    )
    keywords: str = Field(description="Comma-separated: names, kind, code and alias codes")
    group: str = Field(
        description="The major class (大类); an older taxonomy's is marked, e.g. 市容环境〔CJ/T 214〕"
    )


class AttributeValue(BaseModel):
    key: str = Field(description="Value sent back in attribute[code]")
    name: str = Field(description="Human-readable value")


class ServiceAttribute(BaseModel):
    """One attribute of a service definition."""

    variable: bool = Field(description="False: shown as information only, not asked")
    code: str = Field(description="Unique id of the attribute")
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool = Field(description="Must the client answer it")
    datatype_description: str = Field(description="How to fill it in")
    order: int = Field(description="Display order; 1 is shown first")
    description: str = Field(description="The attribute's text")
    values: list[AttributeValue] = Field(default_factory=list, description="For list types")


class ServiceDefinition(BaseModel):
    """Extra attributes of one service type (here: the registration conditions, as information)."""

    service_code: str = Field(description="The service type")
    attributes: list[ServiceAttribute] = Field(description="Its attributes")


class ServiceRequestCreated(BaseModel):
    """The answer to POST requests.json."""

    service_request_id: str | None = Field(description="The case number (案件编号)")
    token: str | None = Field(None, description="Unused: every service is realtime")
    service_notice: str | None = Field(None, description="What happens next")
    account_id: str | None = Field(None, description="Unused")


class ServiceRequest(BaseModel):
    """One service request (a case) as Open311 shows it."""

    model_config = ConfigDict(populate_by_name=True)

    service_request_id: str = Field(description="The case number (案件编号)")
    status: Literal["open", "closed"] = Field(
        description="closed once the case is finished (结案/归档/作废), open before"
    )
    status_notes: str | None = Field(None, description="The case's step, e.g. 处置中")
    service_name: str | None = Field(None, description="Category name")
    service_code: str = Field(description="Service type (category) code")
    description: str | None = Field(None, description="Full text of the report")
    agency_responsible: str | None = Field(None, description="The handling department")
    service_notice: str | None = Field(None, description="The time limit, when registered")
    requested_datetime: str = Field(description="When it was reported (ISO 8601, with zone)")
    updated_datetime: str | None = Field(None, description="Last change; for closed: closing")
    expected_datetime: str | None = Field(None, description="The handling deadline (处置时限)")
    address: str | None = Field(None, description="Address as reported")
    address_id: str | None = Field(None, description="Unused")
    zipcode: str | None = Field(None, description="Unused")
    lat: float | None = Field(None, description="Latitude (WGS-84); none until it is placed")
    long: float | None = Field(None, description="Longitude (WGS-84); none until it is placed")
    media_url: str | None = Field(
        None,
        description="The case's first after-photo (the one the public timeline shows), as a "
        "signed link anyone may open until it expires; none for a case without one",
    )


class DiscoveryEndpoint(BaseModel):
    """One API this server offers (GeoReport v2 service discovery)."""

    specification: str = Field(description="The specification's address")
    url: str = Field(description="The API's base address")
    changeset: str = Field(description="When this endpoint last changed (ISO 8601)")
    type: Literal["production", "test"] = Field(description="production or test")
    formats: list[str] = Field(description="Media types it answers in")


class Discovery(BaseModel):
    """GeoReport v2 service discovery: where the API is and how to get a key."""

    changeset: str = Field(description="When this document last changed (ISO 8601)")
    contact: str = Field(description="Whom to ask about the API")
    key_service: str = Field(description="How to get an api_key (needed to POST)")
    endpoints: list[DiscoveryEndpoint] = Field(description="The APIs offered")


# --------------------------------------------------------------------------- task API


class ApiError(BaseModel):
    """An error of the task API."""

    error: str = Field(description="Code name of the problem, e.g. conflict, rate_limited")
    message: str = Field(description="What went wrong and what to do, in Chinese")
    field: str | None = Field(None, description="The request field at fault, if any")


class AttachmentOut(BaseModel):
    """A photo attached to a case."""

    id: int
    case_event_id: int | None = Field(description="The event (feedback, verification) it shows")
    kind: str = Field(description="photo")
    filename: str = Field(description="The client's file name, for display only")
    content_type: str = Field(description="Sniffed from the file: image/jpeg, png or webp")
    size: int = Field(description="Bytes")
    sha256: str = Field(description="SHA-256 of the file, hex")
    uploaded_at: datetime
    url: str = Field(description="GET this (with the token) for the file")


class Task(BaseModel):
    """A case on a handheld's task list."""

    id: int = Field(description="Case id (use in /tasks/{id}/...)")
    number: str = Field(description="Case number (案件编号)")
    version: int = Field(description="Send it back with an action (or as If-Match)")
    state: str = Field(description="State code, e.g. dispatched")
    state_label: str = Field(description="State name, e.g. 处置中")
    category_code: str
    category_name: str
    kind: str = Field(description="component (部件) or event_type (事件)")
    description: str
    address: str
    lon: float = Field(description="Longitude (WGS-84)")
    lat: float = Field(description="Latitude (WGS-84)")
    street_name: str
    grid_code: str
    department_name: str | None
    reported_at: datetime
    dispatched_at: datetime | None
    deadline_at: datetime | None = Field(description="The handling deadline")
    light: str | None = Field(description="Traffic light: green, yellow, red")
    urgent: bool
    rework_count: int = Field(description="Times verification sent it back")
    accepted: bool = Field(description="Signed for (签收) since it entered its current state")
    assigned_inspector_id: int | None = Field(
        None, description="The inspector its report check or check task is assigned to"
    )


class TaskList(BaseModel):
    role: str = Field(description="The token user's role")
    tasks: list[Task]


class TimelineItem(BaseModel):
    at: datetime
    action: str
    action_label: str
    actor_name: str
    note: str | None


class TaskDetail(Task):
    """One task with its history, photos and what the token's user may do now."""

    timeline: list[TimelineItem]
    attachments: list[AttachmentOut]
    actions: list[str] = Field(description="Lifecycle actions open to this user now")


class ActionBody(BaseModel):
    """What every action body carries: the case version the handheld saw."""

    version: int | None = Field(
        None, ge=0, le=MAX_ID, description="The version seen; or send If-Match"
    )


class AcceptBody(ActionBody):
    """签收: the handheld has the task (the lifecycle's accept step, once per arrival)."""

    note: str | None = Field(None, description="Optional remark")


class ReturnBody(ActionBody):
    """申请回退: the case is not this department's to handle."""

    reason: str | None = Field(None, description="Why (required)")


class SuspensionBody(ActionBody):
    """申请挂账: the work cannot go on for now; the duty chief approves or refuses."""

    reason: str | None = Field(None, description="Why (required)")


class FeedbackBody(ActionBody):
    """处置反馈: the work is done. As JSON, or as multipart/form-data with a `photo` file."""

    note: str | None = Field(None, description="What was done (required)")


class VerificationBody(ActionBody):
    """核查: the inspector's result. As JSON, or multipart/form-data with a `photo` file."""

    result: Literal["pass", "fail"] = Field(description="pass (核查通过) or fail (返工)")
    note: str | None = Field(None, description="Remark; required when the result is fail")


class ReportCheckBody(ActionBody):
    """信息核实: the inspector's answer on site. As JSON, or multipart/form-data with a `photo`."""

    result: Literal["confirm", "reject"] = Field(
        description="confirm (属实: back to 待立案) or reject (不属实: voided)"
    )
    note: str | None = Field(None, description="Remark; required when the result is reject")


class ActionResult(BaseModel):
    """The case after the action."""

    id: int
    number: str
    version: int = Field(description="The new version (also in the ETag header)")
    state: str
    state_label: str
    action: str = Field(description="What was recorded, e.g. feedback, add_note")
    attachment: AttachmentOut | None = Field(None, description="The photo stored, if one came")
    message: str
