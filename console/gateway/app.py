"""The gateway application: ``create_app(db, settings)`` wires services, routes and limits."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from console.db import Database
from console.gateway import (
    field,
    open311,
    open311_post,  # noqa: F401  (registers POST requests on open311.router)
    patrols,
    public,
    tasks,
)
from console.gateway.body_limit import BodyLimitMiddleware
from console.gateway.context import GatewayContext
from console.gateway.errors import install_handlers
from console.gateway.rate_limit import RateLimiter
from console.gateway.settings import GatewaySettings
from console.gateway.webapp import mount_field_app
from console.services.api_tokens import ApiTokenService
from console.services.attachments import AttachmentService, AttachmentStore
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import load_services

DESCRIPTION = """\
Field gateway of the Grid Dispatch Console (网格化管理指挥调度台).

* **Open311 GeoReport v2** under `/open311/v2` (JSON): service types, definitions,
  reporting a problem (a new case), querying requests.
* **Handheld tasks** under `/api/v1`: my tasks, accept (签收), return (申请回退),
  feedback (处置反馈) with a photo, verification (核查).
* **The field app** under `/api/v1`: `POST /session` signs a device in with the person's own
  account (the console's lockout) and returns its token, `DELETE /session` revokes it;
  `GET /me`; `GET /categories` (today's taxonomy, by code, name or pinyin initials);
  `GET /components/nearby` (the register's objects of a 部件 category within 30 m of a
  point, for the report's `component_id`);
  `POST /reports` (发现上报, multipart with up to 4 photos, `Idempotency-Key` required: a
  retry answers 200 with the same case, the key with another body 422); `GET /reports/mine`.

* **The public page** under `/api/v1/public` (no token, limited per address): categories,
  `POST /reports` (answers the case number and a tracking code, shown once), a case's public
  timeline by number and code, its after-photos, and the 满意度 rating of a closed case.

Every other call needs `Authorization: Bearer <token>` (tokens: `grid-console token create`,
or a device's `POST /api/v1/session`).
Changes go through the console's own services: every seat sees them on its change feed.
"""


def create_app(
    db: Database,
    settings: GatewaySettings | None = None,
    *,
    cases: CaseService | None = None,
) -> FastAPI:
    settings = settings or GatewaySettings.load()
    cases = cases or CaseService(db)
    limits = settings.limits
    ctx = GatewayContext(
        db=db,
        settings=settings,
        cases=cases,
        tokens=ApiTokenService(
            db, clock=cases.clock, touch_interval=timedelta(seconds=limits.touch_seconds)
        ),
        attachments=AttachmentService(
            cases, AttachmentStore(settings.attachments_dir, max_bytes=limits.max_photo_bytes)
        ),
        limiter=RateLimiter(burst=limits.burst),
        services=load_services(),
    )
    app = FastAPI(
        title="Grid Dispatch Console field gateway",
        version="1",
        description=DESCRIPTION,
    )
    app.state.gateway = ctx
    app.state.field = field.field_context(ctx)
    app.state.public = public.public_context(ctx)
    install_handlers(app)
    app.include_router(open311.router)
    app.include_router(tasks.router)
    app.include_router(field.router)
    app.include_router(public.router)
    app.include_router(patrols.router)
    mount_field_app(app)  # the staff app at /app/ (static files, service worker)
    public.mount_public_page(app)  # the public page at /report/ (no account)
    app.add_middleware(
        BodyLimitMiddleware, max_body=limits.max_body_bytes, max_upload=limits.max_upload_bytes
    )
    return app
