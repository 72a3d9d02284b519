"""The public page's API under /api/v1/public (no account, no token) and the page at /report/.

* ``GET /api/v1/public/categories?q=``: the event categories (事件) of the taxonomy in force;
* ``POST /api/v1/public/reports``: a report (multipart: ``category_code``, ``lon``, ``lat``,
  ``address``, ``description``, optional ``name`` and ``phone``, up to 3 ``photo`` files) with
  an ``Idempotency-Key`` header → 201 ``{number, tracking_code, …}`` (the code shown once), a
  retry 200 with the same answer, the key with another request 422;
* ``GET /api/v1/public/cases/{number}?code=``: the case's public timeline; a wrong code and an
  unknown number are the same 404; a case merged into another (合并) also gives that case's
  public timeline (``merged_into``), its after-photos, and the rating once it is closed;
* ``GET /api/v1/public/cases/{number}/photos/{id}?code=``: an after-photo;
* ``POST /api/v1/public/cases/{number}/rating`` (JSON or a form: ``code``, ``rating``,
  ``comment``): 满意度 of a closed case, once (409 before closing or a second time);
* ``/report/``: the page (console/gateway/static/report/), ``/report/data/grids.json``: the
  district's grid outlines, public and cached (the map of the page);
* ``/report/sw.js``: its service worker (the page's files and the staff app's it shares, in a
  cache named after their digest: webapp.fill_worker, as for /app/sw.js), so the page opens
  offline; ``/report/manifest.webmanifest``: installable.

Every call is counted per client address (the gateway's RateLimiter, in memory): behind a
reverse proxy every client has the proxy's address. The rules are the services'
(console.services.public_reports); this module reads requests and shapes answers.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.middleware.gzip import GZipMiddleware

from console.db import Database
from console.errors import CaseNotFoundError, ValidationError
from console.gateway.bodies import MAX_FIELDS, no_nul, read_body
from console.gateway.context import GatewayContext
from console.gateway.errors import GatewayError
from console.gateway.field_schemas import CategoryOut
from console.gateway.rate_limit import RateLimiter, refuse_if_waiting
from console.gateway.schemas import ApiError, RowId
from console.gateway.webapp import (
    _HEADERS,
    APP_DIR,
    _Files,
    compact_grids,
    fill_worker,
    leaflet_files,
    own_files,
)
from console.services import public_reports
from console.services.attachments import PhotoUpload
from console.services.field_categories import CategoryFinder
from console.services.idempotency import KEY_FIELD, MAX_KEY, IdempotencyMismatchError, check_key
from console.services.map_data import grid_feature_collection
from console.services.public_reports import PublicReportService

PAGE_DIR = Path(__file__).resolve().parent / "static" / "report"
#: Requests per minute from one client address, and how many may come at once.
REPORTS_PER_MINUTE = 6.0
READS_PER_MINUTE = 120.0
GRIDS_MAX_AGE = 3600
#: The staff app's files the page uses (its imports, stylesheet and icon): in the page's shell.
SHARED_APP_FILES = (
    "app.css",
    "icons/icon.svg",
    "js/api.js",
    "js/i18n.js",
    "js/mapview.js",
    "js/photos.js",
    "js/store.js",
    "js/ui.js",
)


def page_shell() -> list[tuple[str, Path]]:
    """(URL, file) of what the page's worker caches: its own files, the app's it shares and
    Leaflet's (URLs relative to /report/, or absolute under /app/)."""
    own = [(url, PAGE_DIR / ("index.html" if url == "./" else url)) for url in own_files(PAGE_DIR)]
    shared = [(f"/app/{name}", APP_DIR / name) for name in SHARED_APP_FILES]
    return own + shared + leaflet_files("/app/vendor/leaflet/")


@functools.cache
def page_worker() -> tuple[str, str]:
    """(the page's worker with its version and shell filled in, the version)."""
    return fill_worker(PAGE_DIR / "sw.js", page_shell())


@dataclass
class PublicContext:
    reports: PublicReportService
    db: Database
    #: (rate per minute, burst) for reports and ratings, and for reads
    write_rate: float = REPORTS_PER_MINUTE
    read_rate: float = READS_PER_MINUTE
    writes: RateLimiter = field(default_factory=lambda: RateLimiter(burst=REPORTS_PER_MINUTE))
    reads: RateLimiter = field(default_factory=lambda: RateLimiter(burst=60.0))
    _grids: tuple[bytes, bytes] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def grids(self) -> tuple[bytes, bytes]:
        """The district's grids as compact GeoJSON (plain, gzipped), built once."""
        with self._lock:
            if self._grids is None:
                with self.db.read() as s:
                    body = json.dumps(
                        compact_grids(grid_feature_collection(s)),
                        ensure_ascii=False,
                        separators=(",", ":"),
                    ).encode()
                self._grids = (body, gzip.compress(body, 6))
            return self._grids


def public_context(ctx: GatewayContext) -> PublicContext:
    finder = CategoryFinder(ctx.db, ctx.cases.workflow.taxonomies, ctx.cases.clock)
    return PublicContext(PublicReportService(ctx.cases, ctx.attachments.store, finder), ctx.db)


async def _public(request: Request) -> PublicContext:
    public: PublicContext = request.app.state.public
    return public


PublicCtx = Annotated[PublicContext, Depends(_public)]


def _address_key(request: Request, kind: bytes) -> int:
    address = request.client.host if request.client else "-"
    return int.from_bytes(hashlib.sha256(kind + address.encode()).digest()[:8], "big")


def _limit(request: Request, limiter: RateLimiter, rate: float, kind: bytes) -> None:
    refuse_if_waiting(limiter.take(_address_key(request, kind), rate), "提交过于频繁")


def _write(request: Request, public: PublicCtx) -> None:
    _limit(request, public.writes, public.write_rate, b"write\0")


def _read(request: Request, public: PublicCtx) -> None:
    _limit(request, public.reads, public.read_rate, b"read\0")


# --------------------------------------------------------------------------- bodies


class PublicReportOut(BaseModel):
    number: str = Field(description="The case number")
    tracking_code: str = Field(description="The tracking code: shown once, only its hash is kept")
    state: str
    state_label: str


class PublicStepOut(BaseModel):
    at: datetime
    state: str
    state_label: str
    state_label_en: str


class PublicPhotoOut(BaseModel):
    id: int
    at: datetime
    url: str


class PublicRatingOut(BaseModel):
    rating: str = Field(description="satisfied, basically_satisfied or dissatisfied")
    label: str = Field(description="满意 / 基本满意 / 不满意")
    rated_at: datetime


class PublicMergedOut(BaseModel):
    number: str = Field(description="The case the report was merged into (合并), in the end")
    category: str
    state: str
    state_label: str
    state_label_en: str
    reported_at: datetime
    closed_at: datetime | None
    timeline: list[PublicStepOut]
    via: list[str] = Field(description="The cases merged on in between (A → B → C: [B])")


class PublicCaseOut(BaseModel):
    number: str
    category: str
    state: str
    state_label: str
    state_label_en: str
    reported_at: datetime
    closed_at: datetime | None
    timeline: list[PublicStepOut]
    after_photos: list[PublicPhotoOut]
    can_rate: bool
    rating: PublicRatingOut | None
    merged_into: PublicMergedOut | None = Field(
        None,
        description="When the case was merged into another as a duplicate: that case's public "
        "timeline (after_photos and can_rate are then that case's)",
    )


class RatingRequest(BaseModel):
    code: str = Field(description="The tracking code")
    rating: str = Field(description="satisfied (满意), basically_satisfied, dissatisfied")
    comment: str | None = Field(None, max_length=public_reports.MAX_COMMENT)


def _tracking_code(
    code: str = Query("", max_length=40, description="The tracking code (or the header)"),
    header: str | None = Header(
        None,
        alias="X-Tracking-Code",
        max_length=40,
        description="The tracking code; kept out of URLs and so out of access logs",
    ),
) -> str:
    return header or code


TrackingCode = Annotated[str, Depends(_tracking_code)]


router = APIRouter(
    prefix="/api/v1/public",
    tags=["Public page"],
    responses={
        s: {"model": ApiError, "description": d}
        for s, d in {
            400: "Bad input (the field is named)",
            404: "No such case, or a wrong tracking code (the same answer)",
            429: "Too many requests from this address (see Retry-After)",
        }.items()
    },
)


@router.get(
    "/categories",
    response_model=list[CategoryOut],
    summary="The event categories the public may report, by name, code or pinyin initials",
    dependencies=[Depends(_read)],
)
def categories(
    public: PublicCtx,
    q: str | None = Query(None, max_length=50),
    limit: int = Query(50, ge=1, le=500),
) -> list[CategoryOut]:
    return [CategoryOut(**asdict(c)) for c in public.reports.categories(q, limit)]


async def _read_form(request: Request) -> tuple[dict[str, str], list[PhotoUpload]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        raise GatewayError(415, "上报请求体应为 multipart/form-data", code="unsupported_media_type")
    data: dict[str, str] = {}
    photos: list[PhotoUpload] = []
    async with request.form(max_files=public_reports.MAX_PHOTOS + 1, max_fields=MAX_FIELDS) as form:
        no_nul(form)
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name != "photo":
                    raise ValidationError("照片须用字段名 photo", field=name[:40])
                photos.append(PhotoUpload(await value.read(), value.filename))
            elif name in data:
                raise ValidationError(f"字段 {name[:40]} 重复", field=name[:40])
            else:
                data[name] = value
    return data, photos


@router.post(
    "/reports",
    status_code=201,
    response_model=PublicReportOut,
    summary="Report a problem without an account; answers the case number and a tracking code",
    dependencies=[Depends(_write)],
    responses={
        200: {"model": PublicReportOut, "description": "A replay: the case this key made"},
        413: {"model": ApiError, "description": "Request or photo too large"},
        415: {"model": ApiError, "description": "A photo that is not JPEG, PNG or WebP"},
        422: {"model": ApiError, "description": "The key was used for another request"},
    },
    openapi_extra={
        "parameters": [
            {
                "name": KEY_FIELD,
                "in": "header",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
                "description": "Made by the page for this report; the same on every retry",
            }
        ]
    },
)
async def post_report(request: Request, response: Response, public: PublicCtx) -> PublicReportOut:
    key = check_key(request.headers.get(KEY_FIELD))
    data, photos = await _read_form(request)
    try:
        done = await run_in_threadpool(public.reports.submit, key, data, photos)
    except IdempotencyMismatchError as exc:
        raise GatewayError(422, exc.message, code=exc.code, field=exc.field) from None
    if done.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return PublicReportOut(**asdict(done.answer))


@router.get(
    "/cases/{number}",
    response_model=PublicCaseOut,
    summary="A public case's timeline (states and times, after-photos), with its tracking code",
    dependencies=[Depends(_read)],
)
def track(number: str, public: PublicCtx, code: TrackingCode) -> PublicCaseOut:
    seen = public.reports.track(number[:40], code)
    data = asdict(seen)
    data["after_photos"] = [
        {**p, "url": f"/api/v1/public/cases/{seen.number}/photos/{p['id']}"}
        for p in data["after_photos"]
    ]
    return PublicCaseOut(**data)


@router.get(
    "/cases/{number}/photos/{attachment_id}",
    summary="An after-photo of a public case",
    response_class=FileResponse,
    dependencies=[Depends(_read)],
)
def after_photo(
    number: str, attachment_id: RowId, public: PublicCtx, code: TrackingCode
) -> FileResponse:
    record = public.reports.after_photo(number[:40], code, attachment_id)
    path = public.reports.store.path_of(record)
    if not path.is_file():
        raise CaseNotFoundError("未找到该照片")
    return FileResponse(path, media_type=record.content_type)


@router.post(
    "/cases/{number}/rating",
    status_code=201,
    response_model=PublicRatingOut,
    summary="满意度 of a closed case (满意 / 基本满意 / 不满意 and a comment), once",
    dependencies=[Depends(_write)],
    responses={409: {"model": ApiError, "description": "Not closed yet, or rated already"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": RatingRequest.model_json_schema()},
                "application/x-www-form-urlencoded": {"schema": RatingRequest.model_json_schema()},
            },
        }
    },
)
async def rate(number: str, request: Request, public: PublicCtx) -> PublicRatingOut:
    data, _ = await read_body(request)

    def text(name: str) -> str | None:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise ValidationError(f"{name} 应为文本", field=name)
        return value

    rated = await run_in_threadpool(
        public.reports.rate, number[:40], text("code"), text("rating"), text("comment")
    )
    return PublicRatingOut(**asdict(rated))


# --------------------------------------------------------------------------- the page


def mount_public_page(app: FastAPI) -> None:
    """The public page under /report/ (call once, from create_app, before /app's mount)."""

    @app.get("/report", include_in_schema=False)
    def page_root() -> RedirectResponse:
        return RedirectResponse("/report/", status_code=308)

    @app.get("/report/", include_in_schema=False)
    def page_index() -> FileResponse:
        return FileResponse(PAGE_DIR / "index.html", media_type="text/html", headers=_HEADERS)

    @app.get("/report/sw.js", include_in_schema=False)
    def page_worker_script() -> Response:
        text, _ = page_worker()
        return Response(text, media_type="text/javascript", headers=_HEADERS)

    @app.get("/report/data/grids.json", include_in_schema=False, dependencies=[Depends(_read)])
    def page_grids(request: Request, public: PublicCtx) -> Response:
        plain, packed = public.grids()
        headers = {"Cache-Control": f"public, max-age={GRIDS_MAX_AGE}", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(
                packed,
                media_type="application/json",
                headers={**headers, "Content-Encoding": "gzip"},
            )
        return Response(plain, media_type="application/json", headers=headers)

    app.mount(
        "/report",
        GZipMiddleware(_Files(directory=PAGE_DIR, html=True), minimum_size=1024),
        name="report-page",
    )
