"""Photos through the gateway: type sniffed from the bytes, size checked, stored by SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from console.models import Attachment
from tests.gateway.conftest import Gateway
from tests.gateway.support import JPEG_HEAD, PRO02_USER, WEBP_HEAD, dispatched, png_bytes


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _attachments(gateway: Gateway) -> int:
    with gateway.db.read() as s:
        return s.scalar(select(func.count()).select_from(Attachment)) or 0


def test_bad_magic_bytes_are_refused_and_nothing_is_written(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    root = gateway.settings.attachments_dir
    fakes = [
        b"<?php system($_GET['c']); ?>",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a\x01\x00\x01\x00",
        b"%PDF-1.7\n",
        b"\x89PNG\r\n\x1a\n",  # a PNG signature with nothing after it
    ]
    with gateway.client(PRO02_USER) as c:
        for fake in fakes:
            r = c.post(
                f"/api/v1/tasks/{s.id}/feedback",
                data={"version": s.version, "note": "已处理"},
                files={"photo": ("photo.png", fake, "image/png")},  # the client's claim: PNG
            )
            assert r.status_code == 415, r.text
            assert r.json()["field"] == "photo" and "JPEG" in r.json()["message"]
        r = c.post(
            f"/api/v1/tasks/{s.id}/feedback",
            data={"version": s.version, "note": "已处理"},
            files={"photo": ("empty.jpg", b"", "image/jpeg")},
        )
        assert r.status_code == 400
    assert gateway.cases.get(s.id).state == "dispatched"  # the feedback did not happen
    assert _attachments(gateway) == 0
    assert [p for p in _files(root) if ".staging" not in p.parts] == []
    assert _files(root) == []  # no staged leftovers either


def test_a_good_png_is_stored_by_its_sha256(gateway: Gateway) -> None:
    s = dispatched(gateway.cases, gateway.db)
    photo = png_bytes(8, 8, seed=5)
    digest = hashlib.sha256(photo).hexdigest()
    with gateway.client(PRO02_USER) as c:
        r = c.post(
            f"/api/v1/tasks/{s.id}/feedback",
            data={"version": s.version, "note": "已处理"},
            # a hostile name: it must not steer where the file goes
            files={"photo": ("../../../etc/cron.d/x.jpg", photo, "image/jpeg")},
        )
    assert r.status_code == 200, r.text
    attachment = r.json()["attachment"]
    assert attachment["content_type"] == "image/png"  # sniffed, not the client's image/jpeg
    assert attachment["sha256"] == digest
    assert attachment["filename"] == "x.jpg"  # for display only
    root = gateway.settings.attachments_dir
    stored = root / digest[:2] / f"{digest}.png"
    assert _files(root) == [stored]
    assert stored.read_bytes() == photo
    with gateway.db.read() as db:
        row = db.get(Attachment, attachment["id"])
        assert row is not None
        assert row.stored_path == f"{digest[:2]}/{digest}.png" and row.size == len(photo)
        assert row.kind == "photo" and row.uploaded_by is not None and row.api_token_id


def test_jpeg_and_webp_are_accepted(gateway: Gateway) -> None:
    with gateway.client(PRO02_USER) as c:
        for head, kind in [(JPEG_HEAD, "image/jpeg"), (WEBP_HEAD, "image/webp")]:
            s = dispatched(gateway.cases, gateway.db)
            r = c.post(
                f"/api/v1/tasks/{s.id}/feedback",
                data={"version": s.version, "note": "已处理"},
                files={"photo": ("p", head + b"\x00" * 64, "application/octet-stream")},
            )
            assert r.status_code == 200, r.text
            assert r.json()["attachment"]["content_type"] == kind
