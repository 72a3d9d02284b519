"""The gateway application: ``create_app(db, settings)`` wires services, routes and limits."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from console.db import Database
from console.gateway import open311, tasks
from console.gateway.body_limit import BodyLimitMiddleware
from console.gateway.context import GatewayContext
from console.gateway.errors import install_handlers
from console.gateway.rate_limit import RateLimiter
from console.gateway.settings import GatewaySettings
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

Every call needs `Authorization: Bearer <token>` (tokens: `grid-console token create`).
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
    install_handlers(app)
    app.include_router(open311.router)
    app.include_router(tasks.router)
    app.add_middleware(
        BodyLimitMiddleware, max_body=limits.max_body_bytes, max_upload=limits.max_upload_bytes
    )
    return app
