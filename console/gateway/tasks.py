"""The handhelds' task API under /api/v1: my tasks, accept, return, feedback, verification.

"My tasks" are data (resources/gateway/tasks.csv): a department's handlers see the cases
dispatched to their department, inspectors the reports to check on site (信息核实) assigned to
them and the cases awaiting verification assigned to them or to no one (核查任务). Every action goes
through :class:`CaseService` (or :class:`AttachmentService` when a photo comes with it), so the
lifecycle table decides who may do what, a ``case_events`` row is written and every seat sees
the change on its feed.

Accepting (签收) is the lifecycle's ``accept`` step: it changes neither state nor clock, is on
the case's timeline with the time the case waited for it, and is done once per arrival of the
case in its current state (a second accept answers 200 and records nothing).

The reads (which cases, whether accepted) are console.services.field_tasks; this module turns
its records into the response bodies.

Every action needs the version the handheld last saw (field ``version`` or ``If-Match``): a
case changed meanwhile answers 409, and no version at all 428.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from console.domain.lifecycle import state_label
from console.errors import CaseNotFoundError, ValidationError
from console.gateway.bodies import read_body
from console.gateway.context import Caller, Ctx, GatewayContext
from console.gateway.errors import GatewayError
from console.gateway.schemas import (
    AcceptBody,
    ActionResult,
    ApiError,
    AttachmentOut,
    FeedbackBody,
    ReportCheckBody,
    ReturnBody,
    SuspensionBody,
    Task,
    TaskDetail,
    TaskList,
    TimelineItem,
    VerificationBody,
)
from console.services import field_tasks
from console.services.api_tokens import TokenPrincipal
from console.services.attachments import AttachmentRecord, PhotoUpload
from console.services.cases.dto import CaseSnapshot

router = APIRouter(
    prefix="/api/v1",
    tags=["Handheld tasks"],
    responses={
        s: {"model": ApiError, "description": d}
        for s, d in {
            400: "Bad input (the field is named)",
            401: "No valid token",
            403: "The token's role (or department) may not do this",
            404: "No such case",
            409: "The case changed meanwhile (stale version) or is in another step",
            413: "Request or photo too large",
            428: "No version sent",
            429: "Too many requests (see Retry-After)",
        }.items()
    },
)

#: The version the handheld saw, as a header (the body's ``version`` wins).
IfMatch = Annotated[str | None, Header(alias="If-Match", description="The version seen")]


@router.get("/tasks", response_model=TaskList, summary="My tasks")
def my_tasks(
    ctx: Ctx,
    who: Caller,
    limit: int = Query(100, ge=1, description="Most tasks returned (capped by the server)"),
) -> TaskList:
    actor = who.actor
    scopes = ctx.settings.task_scopes
    field_tasks.scope_of(scopes, actor)  # refused before any read
    now = ctx.cases.clock()
    with ctx.db.read() as s:
        found = field_tasks.list_tasks(
            s, scopes, actor, now, min(limit, ctx.settings.limits.max_tasks)
        )
    return TaskList(role=actor.role, tasks=[Task(**asdict(t)) for t in found])


@router.get("/tasks/{case_id}", response_model=TaskDetail, summary="One task, with its history")
def onetask_fields(
    request: Request,
    response: Response,
    ctx: Ctx,
    who: Caller,
    case_id: int = Path(description="Case id"),
) -> TaskDetail:
    now = ctx.cases.clock()
    with ctx.db.read() as s:
        task, detail = field_tasks.load_task(
            s,
            ctx.settings.task_scopes,
            who.actor,
            case_id,
            now,
            ctx.cases.workflow.calendar,
            ctx.cases.lifecycle,
        )
    base = str(request.base_url)
    response.headers["ETag"] = f'"{task.version}"'
    return TaskDetail(
        **asdict(task),
        timeline=[
            TimelineItem(
                at=e.at,
                action=e.action,
                action_label=e.action_label,
                actor_name=e.actor_name,
                note=e.note,
            )
            for e in detail.timeline
        ],
        attachments=[attachment_out(a, base) for a in ctx.attachments.for_case(case_id)],
        actions=[a.action for a in detail.actions],
    )


@router.get(
    "/attachments/{attachment_id}",
    summary="A photo's file",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
def attachment_file(
    attachment_id: int,
    ctx: Ctx,
    who: Caller,
) -> FileResponse:
    record = ctx.attachments.get(attachment_id)
    scope = ctx.settings.task_scopes.get(who.actor.role)
    if scope is not None and scope.scope == "own_department":
        with ctx.db.read() as s:
            field_tasks.check_visible(s, ctx.settings.task_scopes, who.actor, record.case_id)
    path = ctx.attachments.store.path_of(record)
    if not path.is_file():
        raise CaseNotFoundError(f"附件文件缺失: {attachment_id}")
    return FileResponse(path, media_type=record.content_type)


def attachment_out(record: AttachmentRecord, base_url: str) -> AttachmentOut:
    return AttachmentOut(
        id=record.id,
        case_event_id=record.case_event_id,
        kind=record.kind,
        filename=record.filename,
        content_type=record.content_type,
        size=record.size,
        sha256=record.sha256,
        uploaded_at=record.uploaded_at,
        url=f"{base_url}api/v1/attachments/{record.id}",
    )


# --------------------------------------------------------------------------- actions


def version_of(body_version: int | None, if_match: str | None) -> int:
    """The version the client saw: the body's, else If-Match ("3", W/"3" or 3)."""
    if body_version is not None:
        return body_version
    if if_match:
        text = if_match.strip().removeprefix("W/").strip('"')
        if text.isdigit() and len(text) < 10:
            return int(text)
        raise ValidationError('If-Match 应为案件版本号，如 "3"', field="If-Match")
    raise GatewayError(
        428,
        "须提供您看到的案件版本（字段 version 或 If-Match 头），以免覆盖他人的修改",
        code="version_required",
        field="version",
    )


def _result(
    response: Response,
    snap: CaseSnapshot,
    action: str,
    message: str,
    attachment: AttachmentRecord | None = None,
    base_url: str = "",
) -> ActionResult:
    response.headers["ETag"] = f'"{snap.version}"'
    return ActionResult(
        id=snap.id,
        number=snap.number,
        version=snap.version,
        state=snap.state,
        state_label=state_label(snap.state),
        action=action,
        attachment=attachment_out(attachment, base_url) if attachment else None,
        message=message,
    )


def accept_task(
    ctx: GatewayContext, who: TokenPrincipal, case_id: int, version: int, note: str | None
) -> tuple[CaseSnapshot, bool]:
    """Record the acceptance once; (the case, whether this call recorded it)."""
    actor = who.actor
    scopes = ctx.settings.task_scopes
    field_tasks.scope_of(scopes, actor)  # no tasks: refused before the role's rights
    ctx.require_role("accept", actor.role)
    with ctx.db.read() as s:
        case, accepted = field_tasks.acceptance(s, scopes, actor, case_id, ctx.cases.clock())
    if accepted:
        return case, False
    remark = note.strip() if note and note.strip() else None
    return ctx.cases.act(actor, case_id, "accept", version, note=remark), True


@router.post("/tasks/{case_id}/accept", response_model=ActionResult, summary="Accept (签收)")
def accept(
    response: Response,
    case_id: int,
    ctx: Ctx,
    who: Caller,
    body: AcceptBody | None = None,
    if_match: IfMatch = None,
) -> ActionResult:
    body = body or AcceptBody()
    version = version_of(body.version, if_match)
    snap, recorded = accept_task(ctx, who, case_id, version, body.note)
    message = "已签收" if recorded else "此前已签收，未重复记录"
    return _result(response, snap, "accept", message)


@router.post(
    "/tasks/{case_id}/return", response_model=ActionResult, summary="Request a return (申请回退)"
)
def request_return(
    response: Response,
    case_id: int,
    body: ReturnBody,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
) -> ActionResult:
    ctx.require_role("request_return", who.actor.role)
    version = version_of(body.version, if_match)
    if not body.reason or not body.reason.strip():
        raise ValidationError("申请回退须填写原因", field="reason")
    snap = ctx.cases.request_return(who.actor, case_id, version, note=body.reason)
    return _result(response, snap, "request_return", "已申请回退，等待派遣员审批")


@router.post(
    "/tasks/{case_id}/suspension",
    response_model=ActionResult,
    summary="Request a suspension (申请挂账)",
)
def request_suspension(
    response: Response,
    case_id: int,
    body: SuspensionBody,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
) -> ActionResult:
    ctx.require_role("request_suspension", who.actor.role)
    version = version_of(body.version, if_match)
    if not body.reason or not body.reason.strip():
        raise ValidationError("申请挂账须填写原因", field="reason")
    snap = ctx.cases.act(who.actor, case_id, "request_suspension", version, note=body.reason)
    return _result(response, snap, "request_suspension", "已申请挂账，等待值班长审批")


async def read_action(request: Request, model: type[BaseModel]) -> tuple[Any, PhotoUpload | None]:
    """An action body as JSON, urlencoded or multipart (with an optional ``photo`` file)."""
    data, photo = await read_body(request, photo=True)
    try:
        return model.model_validate(data), photo
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        raise ValidationError(f"请求格式错误: {first.get('msg')}", field=field) from None


def _photo_action(
    ctx: GatewayContext,
    who: TokenPrincipal,
    case_id: int,
    action: str,
    version: int,
    note: str | None,
    photo: PhotoUpload | None,
) -> tuple[CaseSnapshot, AttachmentRecord | None]:
    return ctx.attachments.act_with_photo(
        who.actor, case_id, action, version, note=note, photo=photo, api_token_id=who.token_id
    )


_MULTIPART: dict[str, Any] = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {
                "version": {"type": "integer"},
                "note": {"type": "string"},
                "photo": {"type": "string", "format": "binary", "description": "JPEG/PNG/WebP"},
            },
        }
    }
}


@router.post(
    "/tasks/{case_id}/feedback",
    response_model=ActionResult,
    summary="Report the work done (处置反馈), with an optional photo",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": FeedbackBody.model_json_schema()},
                **_MULTIPART,
            },
        }
    },
)
async def feedback(
    request: Request,
    response: Response,
    case_id: int,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
) -> ActionResult:
    ctx.require_role("feedback", who.actor.role)
    body, photo = await read_action(request, FeedbackBody)
    version = version_of(body.version, if_match)
    snap, stored = await run_in_threadpool(
        _photo_action, ctx, who, case_id, "feedback", version, body.note, photo
    )
    return _result(response, snap, "feedback", "已反馈，等待核查", stored, str(request.base_url))


@router.post(
    "/tasks/{case_id}/verification",
    response_model=ActionResult,
    summary="The verification result (核查), with an optional photo",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": VerificationBody.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            **_MULTIPART["multipart/form-data"]["schema"]["properties"],
                            "result": {"type": "string", "enum": ["pass", "fail"]},
                        },
                        "required": ["result"],
                    }
                },
            },
        }
    },
)
async def verification(
    request: Request,
    response: Response,
    case_id: int,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
) -> ActionResult:
    body, photo = await read_action(request, VerificationBody)
    action = "verify_pass" if body.result == "pass" else "verify_fail"
    ctx.require_role(action, who.actor.role)
    version = version_of(body.version, if_match)
    snap, stored = await run_in_threadpool(
        _photo_action, ctx, who, case_id, action, version, body.note, photo
    )
    message = "核查通过，等待结案" if action == "verify_pass" else "核查不通过，已返回处置部门返工"
    return _result(response, snap, action, message, stored, str(request.base_url))


@router.post(
    "/tasks/{case_id}/report-check",
    response_model=ActionResult,
    summary="The report check's answer (信息核实), with an optional photo",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": ReportCheckBody.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            **_MULTIPART["multipart/form-data"]["schema"]["properties"],
                            "result": {"type": "string", "enum": ["confirm", "reject"]},
                        },
                        "required": ["result"],
                    }
                },
            },
        }
    },
)
async def report_check(
    request: Request,
    response: Response,
    case_id: int,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
) -> ActionResult:
    body, photo = await read_action(request, ReportCheckBody)
    action = "confirm_report" if body.result == "confirm" else "reject_report"
    ctx.require_role(action, who.actor.role)
    version = version_of(body.version, if_match)
    snap, stored = await run_in_threadpool(
        _photo_action, ctx, who, case_id, action, version, body.note, photo
    )
    message = "核实属实，已转待立案" if action == "confirm_report" else "核实不属实，案件已作废"
    return _result(response, snap, action, message, stored, str(request.base_url))
