"""What Open311's public reads need: a rate per client address, signed photo links, discovery.

GeoReport v2 reads need no key, so they are counted per client address (behind a reverse proxy
every client has the proxy's address); a request that sends a token is checked and counted as
every authenticated call is (:meth:`GatewayContext.authorize`).

A request's ``media_url`` is a link anyone may open until it expires: the photo's id and the
expiry, signed with HMAC-SHA256 under a key that never leaves the server. The key is a file
beside the photos (``.url-signing-key`` in the attachments directory, made on first use, mode
0600), so every gateway process serving those photos signs alike and links outlive a restart;
deleting it (and restarting) voids every link given. Expiry is rounded up to the hour, so a
link stays the same for an hour and clients and proxies may cache it.

The numbers and discovery's texts are resources/gateway/open311.csv.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import math
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import Request

from console.config import resource
from console.gateway.context import Credentials, Ctx
from console.gateway.errors import GatewayError
from console.gateway.rate_limit import RateLimiter, address_key, refuse_if_waiting
from console.services.intake_limits import named_values

KEY_FILE = ".url-signing-key"
_KEY_BYTES = 32
_HOUR = 3600
#: Keeps the per-address buckets apart from the tokens' (a token id is a small integer).
_READ_SALT = "open311-read:"


@dataclass(frozen=True)
class PublicSettings:
    """resources/gateway/open311.csv's values for the public side."""

    reads_per_minute: float
    media_url_hours: int
    contact: str
    key_service: str
    changeset: str


@functools.cache
def public_settings() -> PublicSettings:
    """The file's values (read once)."""
    values = named_values(resource("gateway", "open311.csv"))
    return PublicSettings(
        reads_per_minute=float(values.get("public_reads_per_minute", "120")),
        media_url_hours=int(values.get("media_url_hours", "24")),
        contact=values.get("contact", ""),
        key_service=values.get("key_service", ""),
        changeset=values.get("changeset", ""),
    )


# --------------------------------------------------------------------------- the read limit

_limiters_lock = threading.Lock()


def _limiter(request: Request, rate: float) -> RateLimiter:
    """The application's limiter for public reads (one per app, made on first use)."""
    with _limiters_lock:
        found = getattr(request.app.state, "open311_reads", None)
        if not isinstance(found, RateLimiter):
            found = request.app.state.open311_reads = RateLimiter(burst=rate)
        return found


def public_read(request: Request, ctx: Ctx, credentials: Credentials) -> None:
    """The dependency of every public read: the token's rate when one is sent (401 if it is
    refused), else the client address's (429 with Retry-After when spent)."""
    address = request.client.host if request.client else None
    if credentials is not None:
        ctx.authorize(credentials.credentials, address)
        return
    rate = public_settings().reads_per_minute
    wait = _limiter(request, rate).take(address_key(_READ_SALT + (address or "-")), rate)
    refuse_if_waiting(wait, f"查询过于频繁：每个地址每分钟最多 {rate:g} 次")


# --------------------------------------------------------------------------- signed links


@functools.cache
def _key_in(directory: Path) -> bytes:
    path = directory / KEY_FILE
    directory.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # another process made it first: use that one
    else:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(_KEY_BYTES))
    key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    if len(key) < 16:
        raise GatewayError(500, f"链接签名密钥无效: {path}（删除该文件后重启网关）")
    return key


def signing_key(attachments_dir: Path) -> bytes:
    """The link-signing key kept beside the photos in ``attachments_dir`` (made on first use)."""
    return _key_in(attachments_dir.resolve())


def _signature(key: bytes, attachment_id: int, expires: int) -> str:
    digest = hmac.new(key, f"{attachment_id}.{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_query(key: bytes, attachment_id: int, now: datetime, hours: int) -> str:
    """``expires=…&signature=…`` for a link to photo ``attachment_id``, valid ``hours`` from
    ``now`` rounded up to the hour."""
    expires = (math.floor(now.timestamp()) // _HOUR + 1) * _HOUR + hours * _HOUR
    return f"expires={expires}&signature={_signature(key, attachment_id, expires)}"


def check_signature(
    key: bytes, attachment_id: int, expires: int | None, signature: str | None, now: datetime
) -> None:
    """403 unless ``signature`` is this server's for the photo and ``expires`` has not passed."""
    if expires is None or not signature:
        raise GatewayError(403, "链接缺少签名（expires 和 signature）", code="forbidden")
    wanted = _signature(key, attachment_id, expires)
    if not hmac.compare_digest(wanted.encode(), signature.encode("utf-8", "replace")):
        raise GatewayError(403, "链接签名无效", code="forbidden", field="signature")
    if expires <= now.timestamp():
        raise GatewayError(403, "链接已过期，请重新查询该请求以取得新链接", code="expired")
