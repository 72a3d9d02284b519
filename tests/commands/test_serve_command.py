"""`grid-console serve`: a real server process on a free port, and the missing-extra message."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from console.cli import main
from console.db import Database
from console.services.api_tokens import ApiTokenService

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_open311(demo_db: Database, tmp_path: Path) -> None:
    secret = ApiTokenService(demo_db).create("intake", "热线平台").secret
    url = str(demo_db.engine.url)
    port = _free_port()
    attachments = tmp_path / "photos"
    proc = subprocess.Popen(
        [
            sys.executable,
            "main.py",
            "--db",
            url,
            "serve",
            "--port",
            str(port),
            "--attachments-dir",
            str(attachments),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()
            try:
                r = httpx.get(
                    f"{base}/open311/v2/services.json",
                    headers={"Authorization": f"Bearer {secret}"},
                    timeout=5,
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        assert r.status_code == 200
        assert "E06010" in {s["service_code"] for s in r.json()}
        assert httpx.get(f"{base}/api/v1/tasks", timeout=5).status_code == 401
        assert httpx.get(f"{base}/open311/v2/services.json", timeout=5).status_code == 200
        assert httpx.get(f"{base}/openapi.json", timeout=5).status_code == 200
    finally:
        proc.terminate()
        out, _err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out and str(attachments) in out


def test_without_the_extra_it_says_what_to_install(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn → ImportError
    assert main(["--db", str(demo_db.engine.url), "serve", "--port", "1"]) == 2
    _, err = capsys.readouterr()
    assert "pip install -e '.[gateway]'" in err and "uvicorn" in err
