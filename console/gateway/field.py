"""The field app's API under /api/v1: a device signs in and out, who am I, the categories,
the register's objects near a point (for a 部件 report), reports with photos (idempotent) and my
reports.

Signing in uses the console's own accounts and lockout (console.services.field_accounts) and
issues a device token; every other call sends that token as ``Authorization: Bearer``. A
report needs an ``Idempotency-Key`` header made by the device: the first request makes the
case (201), a retry of the same request answers the same (200, nothing written), the same key
with another request is refused (422). The rules are the services'
(console.services.field_reports, console.services.idempotency); this module reads requests and
shapes answers.

Status codes beyond the task API's: 401 a refused sign-in (one answer, after the same argon2
work, for a wrong name, a wrong password, a locked account and one without a password: a lock
is not told to the caller, only to the security log), 422 a key used for another request, 429
too many sign-ins from one address.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from console.errors import AuthenticationError, ValidationError
from console.gateway.bodies import MAX_FIELDS, no_nul, read_body
from console.gateway.context import Caller, Ctx, GatewayContext
from console.gateway.errors import GatewayError
from console.gateway.field_schemas import (
    REPORT_FORM,
    CategoryOut,
    FieldUserOut,
    MyReportOut,
    NearbyComponentOut,
    ReportOut,
    SessionOut,
    SessionRequest,
)
from console.gateway.rate_limit import RateLimiter, refuse_if_waiting
from console.gateway.schemas import ApiError
from console.services import field_accounts, field_reports
from console.services.api_tokens import TokenPrincipal
from console.services.attachments import PhotoUpload
from console.services.components.proposals import proposals
from console.services.components.rules import statuses
from console.services.field_categories import DEFAULT_LIMIT, MAX_LIMIT, CategoryFinder
from console.services.field_reports import FieldReportService, Submitted
from console.services.idempotency import KEY_FIELD, MAX_KEY, IdempotencyMismatchError, check_key

#: Sign-in attempts per minute from one client address (each costs an argon2 hash), and how
#: many may come at once. The account lockout (resources/org/security_policy.toml) still
#: counts per account.
SIGN_IN_RATE_PER_MINUTE = 10.0
SIGN_IN_BURST = 10.0
#: Files a report's form may carry before the parser gives up (the photos' own limit,
#: field_reports.MAX_PHOTOS, is checked after, with its own message).
MAX_FORM_FILES = 16
REPORT_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class FieldContext:
    reports: FieldReportService
    categories: CategoryFinder
    sign_in_limiter: RateLimiter


def field_context(ctx: GatewayContext) -> FieldContext:
    """The field app's services, over the gateway's own."""
    return FieldContext(
        reports=FieldReportService(ctx.cases, ctx.attachments.store, ctx.settings.report_sources),
        categories=CategoryFinder(ctx.db, ctx.cases.workflow.taxonomies, ctx.cases.clock),
        sign_in_limiter=RateLimiter(burst=SIGN_IN_BURST),
    )


async def _field(request: Request) -> FieldContext:
    field: FieldContext = request.app.state.field
    return field


FieldCtx = Annotated[FieldContext, Depends(_field)]

router = APIRouter(
    prefix="/api/v1",
    tags=["Field app"],
    responses={
        s: {"model": ApiError, "description": d}
        for s, d in {
            400: "Bad input (the field is named)",
            401: "No valid token, or a wrong user name or password",
            403: "The role may not do this",
            429: "Too many requests (see Retry-After)",
        }.items()
    },
)


# --------------------------------------------------------------------------- session


def _address_key(request: Request) -> int:
    """The client's address as a rate-limiter key."""
    address = request.client.host if request.client else "-"
    return int.from_bytes(hashlib.sha256(address.encode()).digest()[:8], "big")


@router.post(
    "/session",
    status_code=201,
    response_model=SessionOut,
    summary="Sign a device in (the person's account) and get its token",
    responses={
        401: {"model": ApiError, "description": "Sign-in refused (one answer for every reason)"}
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": SessionRequest.model_json_schema()},
                "application/x-www-form-urlencoded": {"schema": SessionRequest.model_json_schema()},
            },
        }
    },
)
async def sign_in(request: Request, ctx: Ctx, field: FieldCtx) -> Any:
    wait = field.sign_in_limiter.take(_address_key(request), SIGN_IN_RATE_PER_MINUTE)
    refuse_if_waiting(wait, f"登录尝试过于频繁：每分钟最多 {SIGN_IN_RATE_PER_MINUTE:g} 次")
    data, _ = await read_body(request)
    now = ctx.cases.clock()
    try:
        session = await run_in_threadpool(
            field_accounts.sign_in_device, ctx.db, ctx.tokens, data, now
        )
    except AuthenticationError as exc:
        raise GatewayError(401, exc.message, code=exc.code) from None
    return SessionOut(
        token=session.token,
        token_id=session.token_id,
        user=FieldUserOut(**asdict(session.user)),
    )


@router.delete(
    "/session",
    status_code=204,
    response_class=Response,
    summary="Sign the device out: its token is revoked",
)
def sign_out(ctx: Ctx, who: Caller) -> Response:
    field_accounts.sign_out_device(ctx.tokens, who.token_id)
    return Response(status_code=204)


@router.get("/me", response_model=FieldUserOut, summary="The person the token acts as")
def me(ctx: Ctx, who: Caller) -> FieldUserOut:
    return FieldUserOut(**asdict(field_accounts.profile(ctx.db, who.actor.id)))


# --------------------------------------------------------------------------- categories


@router.get(
    "/categories",
    response_model=list[CategoryOut],
    summary="Categories of the taxonomy in force today, by code, name or pinyin initials, of "
    "the functions the caller's role covers",
)
def categories(
    field: FieldCtx,
    who: Caller,
    q: str | None = Query(
        None, max_length=50, description="Code prefix, name, or pinyin initials (ljx → 垃圾箱)"
    ),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Most categories"),
    function: str | None = Query(
        None,
        max_length=8,
        description="Only this function of grid work (one the role covers, else 403)",
    ),
) -> list[CategoryOut]:
    functions = field.categories.functions_of(who.actor.role, function)
    found = field.categories.find(q, limit, functions, role=who.actor.role)
    return [CategoryOut(**asdict(c)) for c in found]


# --------------------------------------------------------------------------- components


@router.get(
    "/components/nearby",
    response_model=list[NearbyComponentOut],
    summary="The register's objects of a 部件 category near a point (within 30 m, nearest "
    "first, at most 5): what the report form proposes; a street or unit seat gets its own "
    "region's only",
)
def nearby(
    ctx: Ctx,
    who: Caller,
    category_code: str = Query(
        ...,
        min_length=4,
        max_length=5,
        pattern=r"^[0-9]{4,5}$",
        description="A 部件 category: GB/T 47678.5-2026 (5 digits) or CJ/T 214 (4 digits)",
    ),
    lon: float = Query(..., ge=-180, le=180, description="WGS-84 longitude"),
    lat: float = Query(..., ge=-90, le=90, description="WGS-84 latitude"),
) -> list[NearbyComponentOut]:
    with ctx.db.read() as s:
        found = proposals(s, who.actor, category_code, lon, lat)
    labels = statuses()
    return [
        NearbyComponentOut(
            id=c.id,
            identifier=c.identifier,
            name=c.name,
            category_code=c.category_code,
            status=c.status,
            status_label=c.status_label,
            status_label_en=labels[c.status].label_en if c.status in labels else c.status,
            distance_m=c.distance_m,
            address=c.address,
            lon=c.lon,
            lat=c.lat,
        )
        for c in found
    ]


# --------------------------------------------------------------------------- reports


async def read_report_form(
    request: Request,
) -> tuple[dict[str, str], list[PhotoUpload], list[PhotoUpload]]:
    """The report's text fields, its ``photo`` files and its ``after_photo`` files (自处置),
    each in the order sent."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in REPORT_FORMS:
        raise GatewayError(
            415,
            "上报请求体应为 multipart/form-data（照片用字段 photo，最多 "
            f"{field_reports.MAX_PHOTOS} 张）",
            code="unsupported_media_type",
        )
    data: dict[str, str] = {}
    files: dict[str, list[PhotoUpload]] = {"photo": [], "after_photo": []}
    async with request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FIELDS) as form:
        no_nul(form)
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name not in files:
                    raise ValidationError(
                        f"未知的文件字段“{name[:40]}”：照片须用字段名 photo"
                        "（自处置的处置后照片用 after_photo）",
                        field=name,
                    )
                files[name].append(PhotoUpload(await value.read(), value.filename))
            elif name in files:
                raise ValidationError(f"{name} 应为照片文件，不是文本", field=name)
            elif name in data:
                raise ValidationError(f"字段 {name[:40]} 重复", field=name)
            else:
                data[name] = value
    return data, files["photo"], files["after_photo"]


def _submit(
    field: FieldContext,
    who: TokenPrincipal,
    key: str,
    data: dict[str, str],
    photos: list[PhotoUpload],
    after_photos: list[PhotoUpload],
) -> Submitted:
    try:
        return field.reports.submit(
            who.actor,
            key,
            data,
            photos,
            after_photos=after_photos,
            api_token_id=who.token_id,
        )
    except IdempotencyMismatchError as exc:
        raise GatewayError(422, exc.message, code=exc.code, field=exc.field) from None


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportOut,
    summary="Report a problem (发现上报) with up to 4 photos, or report and self-handle it "
    "(自处置: self_handled=1, handling_note, after_photo); idempotent by Idempotency-Key",
    responses={
        200: {"model": ReportOut, "description": "A replay: the case this key made before"},
        413: {"model": ApiError, "description": "Request or photo too large"},
        415: {"model": ApiError, "description": "A photo that is not JPEG, PNG or WebP"},
        422: {"model": ApiError, "description": "The key was used for another request"},
    },
    openapi_extra={
        # the header is read in the route (its errors in the API's own words), declared here
        "parameters": [
            {
                "name": KEY_FIELD,
                "in": "header",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
                "description": "Made by the device for this report; the same on every retry",
            }
        ],
        "requestBody": {"required": True, "content": REPORT_FORM},
    },
)
async def post_report(
    request: Request,
    response: Response,
    ctx: Ctx,
    field: FieldCtx,
    who: Caller,
) -> ReportOut:
    ctx.require_role(field_reports.REPORT, who.actor.role)
    key = check_key(request.headers.get(KEY_FIELD))
    data, photos, after_photos = await read_report_form(request)
    submitted = await run_in_threadpool(_submit, field, who, key, data, photos, after_photos)
    if submitted.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return ReportOut(**asdict(submitted.answer))


@router.get(
    "/reports/mine",
    response_model=list[MyReportOut],
    summary="My reports, newest first",
)
def my_reports(
    field: FieldCtx,
    who: Caller,
    limit: int = Query(
        field_reports.DEFAULT_MINE, ge=1, le=field_reports.MAX_MINE, description="Most reports"
    ),
) -> list[MyReportOut]:
    return [MyReportOut(**asdict(r)) for r in field.reports.mine(who.actor, limit)]
