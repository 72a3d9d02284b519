"""What every request handler reaches: the services, and the token check with its rate limit."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from console.db import Database
from console.domain.lifecycle import ROLE_LABELS
from console.errors import PermissionDeniedError
from console.gateway.errors import GatewayError
from console.gateway.rate_limit import RateLimiter
from console.gateway.settings import GatewaySettings
from console.services.api_tokens import ApiTokenService, TokenPrincipal
from console.services.attachments import AttachmentService
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import Service

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="A device token from `grid-console token create` (Authorization: Bearer …)",
)


@dataclass(frozen=True)
class GatewayContext:
    db: Database
    settings: GatewaySettings
    cases: CaseService
    tokens: ApiTokenService
    attachments: AttachmentService
    limiter: RateLimiter
    #: service_code → category, resources/intake/open311_services.csv (the importer's table)
    services: dict[str, Service]

    def authorize(self, secret: str | None) -> TokenPrincipal:
        """The caller behind ``secret`` (401 if none), counted against its rate (429)."""
        principal = self.tokens.authenticate(secret)
        rate = principal.rate_per_minute or self.settings.limits.rate_per_minute
        wait = self.limiter.take(principal.token_id, rate)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise GatewayError(
                429,
                f"请求过于频繁：每分钟最多 {rate:g} 次，请 {seconds} 秒后重试",
                code="rate_limited",
                headers={"Retry-After": str(seconds)},
            )
        return principal

    def require_role(self, action: str, role: str) -> None:
        """403 unless the lifecycle table lets ``role`` take ``action`` (in some state)."""
        transition = self.cases.lifecycle.get(action)
        if role not in transition.roles:
            allowed = "、".join(ROLE_LABELS.get(r, r) for r in sorted(transition.roles))
            raise PermissionDeniedError(
                f"角色「{ROLE_LABELS.get(role, role)}」无权执行「{transition.label_zh}」"
                f"（允许: {allowed}）"
            )


async def context(request: Request) -> GatewayContext:
    # async: a plain attribute read, not worth the worker-thread hop FastAPI gives a sync def
    gateway: GatewayContext = request.app.state.gateway
    return gateway


Ctx = Annotated[GatewayContext, Depends(context)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def principal(ctx: Ctx, credentials: Credentials) -> TokenPrincipal:
    """The dependency of every authenticated endpoint."""
    return ctx.authorize(credentials.credentials if credentials else None)


Caller = Annotated[TokenPrincipal, Depends(principal)]
