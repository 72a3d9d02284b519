"""What every request handler reaches: the services, and the token check with its rate limit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from console.db import Database
from console.domain.lifecycle import ROLE_LABELS
from console.errors import PermissionDeniedError
from console.gateway.errors import GatewayError
from console.gateway.rate_limit import (
    AUTH_FAILURES_PER_MINUTE,
    RateLimiter,
    address_key,
    refuse_if_waiting,
)
from console.gateway.settings import GatewaySettings
from console.services.api_tokens import ApiTokenService, TokenError, TokenPrincipal
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
    #: Failed token checks per client address (rate_limit.AUTH_FAILURES_PER_MINUTE)
    auth_failures: RateLimiter = field(
        default_factory=lambda: RateLimiter(burst=AUTH_FAILURES_PER_MINUTE)
    )

    def authorize(self, secret: str | None, address: str | None = None) -> TokenPrincipal:
        """The caller behind ``secret`` (401 if none), counted against its rate (429).

        A token sent but refused (unknown, junk, revoked, its user disabled) counts a failure
        for the client ``address``; an address out of failures gets 429 for every request,
        its token unchecked, until its bucket refills. A missing token counts nothing."""
        key = address_key(address)
        blocked = self.auth_failures.wait(key, AUTH_FAILURES_PER_MINUTE)
        if blocked > 0:
            seconds = max(1, math.ceil(blocked))
            raise GatewayError(
                429,
                f"访问令牌校验失败次数过多：每分钟最多 {AUTH_FAILURES_PER_MINUTE:g} 次，"
                f"请 {seconds} 秒后重试",
                code="rate_limited",
                headers={"Retry-After": str(seconds)},
            )
        try:
            principal = self.tokens.authenticate(secret)
        except TokenError:
            if secret:
                self.auth_failures.take(key, AUTH_FAILURES_PER_MINUTE)
            raise
        rate = principal.rate_per_minute or self.settings.limits.rate_per_minute
        wait = self.limiter.take(principal.token_id, rate)
        refuse_if_waiting(wait, f"请求过于频繁：每分钟最多 {rate:g} 次")
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


def principal(request: Request, ctx: Ctx, credentials: Credentials) -> TokenPrincipal:
    """The dependency of every authenticated endpoint."""
    address = request.client.host if request.client else None
    return ctx.authorize(credentials.credentials if credentials else None, address)


Caller = Annotated[TokenPrincipal, Depends(principal)]
