"""How the gateway serves the staff app's files (no browser needed): the shell, its policy and
size, the service worker's release digest, the grids for the report map."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from console.gateway import webapp
from console.services.api_tokens import ApiTokenService
from tests.field.conftest import FieldServer

#: The issue's budget for the app shell, transferred.
SHELL_BUDGET = 300 * 1024


def shell_from_worker(server: FieldServer) -> list[str]:
    text = httpx.get(f"{server.url}/app/sw.js").text
    line = next(x for x in text.splitlines() if x.startswith("const SHELL = "))
    return list(json.loads(line.removeprefix("const SHELL = ").rstrip(";")))


def test_the_shell_is_every_app_file_served_with_its_policy_within_budget(
    field_server: FieldServer,
) -> None:
    shell = shell_from_worker(field_server)
    own = {
        p.relative_to(webapp.APP_DIR).as_posix()
        for p in webapp.APP_DIR.rglob("*")
        if p.is_file() and p.name != "sw.js"
    }
    assert own - {"index.html"} <= set(shell) and "./" in shell
    transferred = 0
    with httpx.Client(base_url=f"{field_server.url}/app/") as client:
        for url in shell:
            answer = client.get(url)
            assert answer.status_code == 200, url
            assert "script-src 'self'" in answer.headers["content-security-policy"], url
            transferred += answer.num_bytes_downloaded
        assert (
            client.get("manifest.webmanifest")
            .headers["content-type"]
            .startswith("application/manifest+json")
        )
        assert client.get("js/main.js").headers["content-type"].startswith("text/javascript")
    assert transferred <= SHELL_BUDGET, transferred


def test_app_without_slash_redirects_and_the_worker_covers_app(field_server: FieldServer) -> None:
    answer = httpx.get(f"{field_server.url}/app")
    assert answer.status_code == 308 and answer.headers["location"] == "/app/"
    worker = httpx.get(f"{field_server.url}/app/sw.js")
    assert worker.headers["service-worker-allowed"] == "/app/"
    assert worker.headers["content-type"].startswith("text/javascript")


def test_a_changed_file_is_a_new_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "app"
    shutil.copytree(webapp.APP_DIR, copy)
    monkeypatch.setattr(webapp, "APP_DIR", copy)
    webapp.service_worker.cache_clear()
    try:
        text, before = webapp.service_worker()
        assert f'const VERSION = "{before}"' in text
        (copy / "app.css").write_text("/* changed */", encoding="utf-8")
        webapp.service_worker.cache_clear()
        _, after = webapp.service_worker()
        assert after != before
    finally:
        webapp.service_worker.cache_clear()


def test_the_grids_for_the_map_need_a_token(field_server: FieldServer) -> None:
    url = f"{field_server.url}/app/data/grids.json"
    assert httpx.get(url).status_code == 401
    secret = ApiTokenService(field_server.db).create("inspector", "test-grids").secret
    grids = httpx.get(url, headers={"Authorization": f"Bearer {secret}"}).json()
    assert grids["type"] == "FeatureCollection" and len(grids["features"]) == 364
    first = grids["features"][0]
    assert set(first["properties"]) == {"code", "name", "street"}
    ring = first["geometry"]["coordinates"][0]
    assert all(len(str(c).split(".")[1]) <= 5 for point in ring for c in point)
