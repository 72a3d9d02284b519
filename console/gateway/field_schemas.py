"""The field app's request and response bodies (/api/v1: session, me, categories, reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class SessionRequest(BaseModel):
    """Sign in (JSON or a form): the person's own account, and the name of the device."""

    username: str = Field(description="The console account's user name")
    password: str = Field(description="Its password (never stored by the app)")
    device_label: str = Field(
        max_length=100, description="The device's name, shown where tokens are listed"
    )


class FieldUserOut(BaseModel):
    username: str
    display_name: str
    role: str = Field(description="Role code, e.g. inspector")
    role_label: str = Field(description="The role's Chinese name, e.g. 监督员")
    department: str | None = Field(description="The department's name (handlers), else null")
    may_patrol: bool = Field(
        description="Whether the person walks patrols (巡查: inspectors and 一格七员)"
    )


class SessionOut(BaseModel):
    token: str = Field(description="The device token: send as Authorization: Bearer …; shown once")
    token_id: int = Field(description="The token's id (as `grid-console token list` shows it)")
    user: FieldUserOut


class CategoryOut(BaseModel):
    code: str = Field(description="The category code, e.g. 06010")
    kind: str = Field(description="component (部件) or event_type (事件)")
    name: str = Field(description="The minor class (小类), e.g. 暴露垃圾")
    taxonomy: str = Field(description="The taxonomy in force today, e.g. gbt47678-5-2026")
    path: str | None = Field(None, description="Major class / name, e.g. 市容环境 / 暴露垃圾")
    function: str = Field(
        description="Its function of grid work: 党的建设, 经济发展, 城市管理, 公共服务 or 安全稳定"
    )
    self_handle: bool = Field(
        description="Whether the caller's role may self-handle it (自行处置, as its duties in "
        "resources/org/grid_staff_duties.csv list): the app offers the switch only then"
    )


class NearbyComponentOut(BaseModel):
    """One register object the report form proposes (issue 17), nearest first."""

    id: int = Field(description="Send as the report's component_id to name this object")
    identifier: str = Field(description="管理部件标识码 (17 digits)")
    name: str = Field(description="管理部件名称, e.g. 路灯（莲湖路 12 号）")
    category_code: str
    status: str = Field(description="Status code: intact, damaged, missing, occupied, scrapped")
    status_label: str = Field(description="The status's Chinese name, e.g. 完好")
    status_label_en: str = Field(description="Its English name, e.g. intact")
    distance_m: float = Field(description="From the point asked about, in metres")
    address: str | None
    lon: float
    lat: float


class ReportOut(BaseModel):
    """The case a report made (201), or made before under the same key (200, a replay)."""

    id: int
    number: str = Field(description="The case number, e.g. E06010202611230001")
    state: str = Field(description="State code, e.g. reported")
    state_label: str = Field(description="The state's Chinese name, e.g. 待立案")
    version: int = Field(description="The case's version when the report was made")
    photos: int = Field(description="Photos stored with the report")
    after_photos: int = Field(0, description="After-photos of a self-handled report (自处置)")


class MyReportOut(BaseModel):
    id: int
    number: str
    state: str
    state_label: str
    category_name: str
    address: str
    reported_at: datetime
    photos: int = Field(description="Photos sent with the report")


#: The multipart body of POST /reports, for /openapi.json (the route reads the form itself).
REPORT_FORM: dict[str, Any] = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["category_code", "lon", "lat", "address", "description"],
            "properties": {
                "category_code": {"type": "string", "description": "e.g. 06010"},
                "kind": {
                    "type": "string",
                    "enum": ["component", "event_type"],
                    "description": "Needed only when both kinds use the code",
                },
                "lon": {"type": "number", "description": "WGS-84 longitude"},
                "lat": {"type": "number", "description": "WGS-84 latitude"},
                "accuracy": {"type": "number", "description": "The position's accuracy (m)"},
                "address": {"type": "string"},
                "description": {"type": "string"},
                "urgent": {"type": "string", "enum": ["0", "1"]},
                "device_time": {
                    "type": "string",
                    "format": "date-time",
                    "description": "The device's clock (kept; the server's time is the case's)",
                },
                "photo": {
                    "type": "array",
                    "maxItems": 4,
                    "items": {"type": "string", "format": "binary"},
                    "description": "0 to 4 photos: JPEG, PNG or WebP",
                },
                "self_handled": {
                    "type": "string",
                    "enum": ["0", "1"],
                    "description": "1: handled on the spot (自处置, the lifecycle's self_handle "
                    "step) in the report's transaction; needs photo, after_photo, handling_note",
                },
                "handling_note": {"type": "string", "description": "What was done (自处置)"},
                "component_id": {
                    "type": "string",
                    "pattern": "^[0-9]{0,18}$",
                    "description": "The register object the report names (a 部件 report; an id "
                    "GET /components/nearby proposed); empty or absent: none, or “not in the "
                    "register”",
                },
                "after_photo": {
                    "type": "array",
                    "maxItems": 4,
                    "items": {"type": "string", "format": "binary"},
                    "description": "1 to 4 photos after the handling (with self_handled=1)",
                },
            },
        }
    }
}
