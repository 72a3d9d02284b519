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

A step may come with an ``Idempotency-Key`` header (the field app sends one with every step):
the step and its answer are kept under the key in one transaction, so a resend after a lost
answer gets that answer again (200, ``Idempotent-Replayed: true``) instead of a 409, and the
same key with another request is 422 (console.services.field_steps). Without the header, a
step is done as before.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
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
    RowId,
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
from console.services.field_steps import Answer, Done, FieldStepService, Step
from console.services.idempotency import KEY_FIELD, check_key

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
            422: "The Idempotency-Key was used for another request (nothing done)",
            413: "Request or photo too large",
            428: "No version sent",
            429: "Too many requests (see Retry-After)",
        }.items()
    },
)

#: The version the handheld saw, as a header (the body's ``version`` wins).
IfMatch = Annotated[str | None, Header(alias="If-Match", description="The version seen")]
#: The device's key for this step (optional here: older handhelds send none and get no replay).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=KEY_FIELD,
        description="Made by the device for this step, the same on every resend: a resend "
        "gets the first answer (200, Idempotent-Replayed: true); another body under it, 422",
    ),
]
#: The header on an answer given again for a resent key.
REPLAYED = "Idempotent-Replayed"


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
    case_id: RowId,
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
    attachment_id: RowId,
    ctx: Ctx,
    who: Caller,
) -> FileResponse:
    """Served only to a token whose task scope includes the case (as GET /tasks/{id}: the
    department's, the inspector's; 403 otherwise, also for roles with no field tasks), or to
    the person who uploaded the photo (their own reports)."""
    record = ctx.attachments.get(attachment_id)
    if record.uploaded_by is None or record.uploaded_by != who.actor.id:
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


def _answer(action: str, message: str, base_url: str) -> Answer:
    """How the step's answer is made, inside its transaction (and stored with its key)."""

    def answer(snap: CaseSnapshot, attachment: AttachmentRecord | None) -> dict[str, Any]:
        return ActionResult(
            id=snap.id,
            number=snap.number,
            version=snap.version,
            state=snap.state,
            state_label=state_label(snap.state),
            action=action,
            attachment=attachment_out(attachment, base_url) if attachment else None,
            message=message,
        ).model_dump(mode="json")

    return answer


def _respond(response: Response, done: Done, base_url: str) -> ActionResult:
    """The answer (the first one, on a replay: 200 with ``Idempotent-Replayed: true``)."""
    result = ActionResult.model_validate(done.answer)
    if result.attachment is not None:  # this server's address, whatever the first one's was
        result.attachment.url = f"{base_url}api/v1/attachments/{result.attachment.id}"
    response.headers["ETag"] = f'"{result.version}"'
    if done.replayed:
        response.headers[REPLAYED] = "true"
    return result


def _step(
    ctx: GatewayContext,
    who: TokenPrincipal,
    key: str | None,
    step: Step,
    message: str,
    base_url: str,
) -> Done:
    return FieldStepService(ctx.attachments).run(
        who.actor,
        key,
        step,
        _answer(step.action, message, base_url),
        api_token_id=who.token_id,
    )


def _fields(body: BaseModel, *names: str) -> dict[str, str]:
    """The body's fields that make the request, besides version and note (its fingerprint)."""
    data = body.model_dump()
    return {name: "" if data.get(name) is None else str(data[name]) for name in names}


def accept_task(
    ctx: GatewayContext,
    who: TokenPrincipal,
    case_id: int,
    version: int,
    note: str | None,
    key: str | None = None,
    base_url: str = "",
) -> Done:
    """Record the acceptance once per arrival (the answer says whether this call did)."""
    actor = who.actor
    scopes = ctx.settings.task_scopes
    field_tasks.scope_of(scopes, actor)  # no tasks: refused before the role's rights
    ctx.require_role("accept", actor.role)
    remark = note.strip() if note and note.strip() else None
    step = Step("accept", case_id, version, remark)
    steps = FieldStepService(ctx.attachments)
    if key is not None:
        done = steps.replayed(actor, check_key(key), step)
        if done is not None:
            return done
    with ctx.db.read() as s:
        case, accepted = field_tasks.acceptance(s, scopes, actor, case_id, ctx.cases.clock())
    if accepted:  # nothing recorded, no key kept: a resend finds it accepted again
        return Done(dict(_answer("accept", "此前已签收，未重复记录", base_url)(case, None)), False)
    return _step(ctx, who, key, step, "已签收", base_url)


@router.post("/tasks/{case_id}/accept", response_model=ActionResult, summary="Accept (签收)")
def accept(
    request: Request,
    response: Response,
    case_id: RowId,
    ctx: Ctx,
    who: Caller,
    body: AcceptBody | None = None,
    if_match: IfMatch = None,
    key: IdempotencyKey = None,
) -> ActionResult:
    body = body or AcceptBody()
    version = version_of(body.version, if_match)
    base = str(request.base_url)
    return _respond(response, accept_task(ctx, who, case_id, version, body.note, key, base), base)


@router.post(
    "/tasks/{case_id}/return", response_model=ActionResult, summary="Request a return (申请回退)"
)
def request_return(
    request: Request,
    response: Response,
    case_id: RowId,
    body: ReturnBody,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
    key: IdempotencyKey = None,
) -> ActionResult:
    ctx.require_role("request_return", who.actor.role)
    version = version_of(body.version, if_match)
    if not body.reason or not body.reason.strip():
        raise ValidationError("申请回退须填写原因", field="reason")
    step = Step("request_return", case_id, version, body.reason)
    base = str(request.base_url)
    done = _step(ctx, who, key, step, "已申请回退，等待派遣员审批", base)
    return _respond(response, done, base)


@router.post(
    "/tasks/{case_id}/suspension",
    response_model=ActionResult,
    summary="Request a suspension (申请挂账)",
)
def request_suspension(
    request: Request,
    response: Response,
    case_id: RowId,
    body: SuspensionBody,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
    key: IdempotencyKey = None,
) -> ActionResult:
    ctx.require_role("request_suspension", who.actor.role)
    version = version_of(body.version, if_match)
    if not body.reason or not body.reason.strip():
        raise ValidationError("申请挂账须填写原因", field="reason")
    step = Step("request_suspension", case_id, version, body.reason)
    base = str(request.base_url)
    done = _step(ctx, who, key, step, "已申请挂账，等待值班长审批", base)
    return _respond(response, done, base)


async def read_action(request: Request, model: type[BaseModel]) -> tuple[Any, PhotoUpload | None]:
    """An action body as JSON, urlencoded or multipart (with an optional ``photo`` file)."""
    data, photo = await read_body(request, photo=True)
    try:
        return model.model_validate(data), photo
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        raise ValidationError(f"请求格式错误: {first.get('msg')}", field=field) from None


def _photo_step_body(model: type[BaseModel], results: tuple[str, ...] = ()) -> dict[str, Any]:
    """The OpenAPI request body of a step taken with an optional photo: the JSON model, or
    multipart/form-data with the same fields and a ``photo`` file (and ``result`` when the
    step has one)."""
    properties: dict[str, Any] = {
        "version": {"type": "integer"},
        "note": {"type": "string"},
        "photo": {"type": "string", "format": "binary", "description": "JPEG/PNG/WebP"},
    }
    form: dict[str, Any] = {"type": "object", "properties": properties}
    if results:
        properties["result"] = {"type": "string", "enum": list(results)}
        form["required"] = ["result"]
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema()},
                "multipart/form-data": {"schema": form},
            },
        }
    }


@router.post(
    "/tasks/{case_id}/feedback",
    response_model=ActionResult,
    summary="Report the work done (处置反馈), with an optional photo",
    openapi_extra=_photo_step_body(FeedbackBody),
)
async def feedback(
    request: Request,
    response: Response,
    case_id: RowId,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
    key: IdempotencyKey = None,
) -> ActionResult:
    ctx.require_role("feedback", who.actor.role)
    body, photo = await read_action(request, FeedbackBody)
    version = version_of(body.version, if_match)
    step = Step("feedback", case_id, version, body.note, photo)
    base = str(request.base_url)
    done = await run_in_threadpool(_step, ctx, who, key, step, "已反馈，等待核查", base)
    return _respond(response, done, base)


@router.post(
    "/tasks/{case_id}/verification",
    response_model=ActionResult,
    summary="The verification result (核查), with an optional photo",
    openapi_extra=_photo_step_body(VerificationBody, ("pass", "fail")),
)
async def verification(
    request: Request,
    response: Response,
    case_id: RowId,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
    key: IdempotencyKey = None,
) -> ActionResult:
    body, photo = await read_action(request, VerificationBody)
    action = "verify_pass" if body.result == "pass" else "verify_fail"
    ctx.require_role(action, who.actor.role)
    version = version_of(body.version, if_match)
    step = Step(action, case_id, version, body.note, photo, _fields(body, "result"))
    message = "核查通过，等待结案" if action == "verify_pass" else "核查不通过，已返回处置部门返工"
    base = str(request.base_url)
    done = await run_in_threadpool(_step, ctx, who, key, step, message, base)
    return _respond(response, done, base)


@router.post(
    "/tasks/{case_id}/report-check",
    response_model=ActionResult,
    summary="The report check's answer (信息核实), with an optional photo",
    openapi_extra=_photo_step_body(ReportCheckBody, ("confirm", "reject")),
)
async def report_check(
    request: Request,
    response: Response,
    case_id: RowId,
    ctx: Ctx,
    who: Caller,
    if_match: IfMatch = None,
    key: IdempotencyKey = None,
) -> ActionResult:
    body, photo = await read_action(request, ReportCheckBody)
    action = "confirm_report" if body.result == "confirm" else "reject_report"
    ctx.require_role(action, who.actor.role)
    version = version_of(body.version, if_match)
    step = Step(action, case_id, version, body.note, photo, _fields(body, "result"))
    message = "核实属实，已转待立案" if action == "confirm_report" else "核实不属实，案件已作废"
    base = str(request.base_url)
    done = await run_in_threadpool(_step, ctx, who, key, step, message, base)
    return _respond(response, done, base)
