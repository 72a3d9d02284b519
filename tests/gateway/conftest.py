"""A real gateway: uvicorn serving create_app on a socket of its own, in a thread.

Tests talk to it with httpx over TCP, as a handheld would. Tokens are issued through the real
ApiTokenService for the demo users (tests/conftest.py: demo_template).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from console.db import Database
from console.gateway.app import create_app
from console.gateway.settings import GatewaySettings
from console.services.api_tokens import ApiTokenService
from console.services.cases.service import CaseService
from tests.conftest import Clock


class LiveServer:
    """uvicorn on 127.0.0.1, an OS-chosen port, in a daemon thread."""

    def __init__(self, app: FastAPI) -> None:
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and without
        # it a kept-alive client waits ~40 ms per request (Nagle against a delayed ACK).
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


@dataclass
class Gateway:
    url: str
    db: Database
    settings: GatewaySettings
    cases: CaseService
    tokens: dict[str, str] = field(default_factory=dict)
    issuer: ApiTokenService | None = None

    def token(self, username: str, *, rate: float | None = None, label: str | None = None) -> str:
        assert self.issuer is not None
        return self.issuer.create(
            username, label or f"test-{username}", rate_per_minute=rate
        ).secret

    def client(self, username: str | None = None, *, secret: str | None = None) -> httpx.Client:
        headers = {}
        if username is not None:
            if username not in self.tokens:
                self.tokens[username] = self.token(username, rate=100_000)
            secret = self.tokens[username]
        if secret is not None:
            headers["Authorization"] = f"Bearer {secret}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def settings_for(tmp_path: Path, **limits: float) -> GatewaySettings:
    return GatewaySettings.load(attachments_dir=tmp_path / "attachments").with_limits(**limits)


def serve(db: Database, settings: GatewaySettings, cases: CaseService) -> Iterator[Gateway]:
    app = create_app(db, settings, cases=cases)
    with LiveServer(app) as live:
        yield Gateway(live.url, db, settings, cases, issuer=ApiTokenService(db))


@pytest.fixture
def gateway(demo_db: Database, tmp_path: Path, clock: Clock) -> Iterator[Gateway]:
    """The gateway on a private demo database, with the real clock-driven CaseService."""
    yield from serve(demo_db, settings_for(tmp_path), CaseService(demo_db, clock=clock))
