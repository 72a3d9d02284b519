"""Helpers for the gateway tests: cases in given states, real image bytes."""

from __future__ import annotations

import random
import struct
import zlib

from console.db import Database
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INSPECTOR,
    INTAKE,
    department_id,
    handler,
    report_input,
    street_points,
)

#: The demo handler of PRO02, where 暴露垃圾 (event 0102) is routed.
PRO02_USER = "dept-pro02"
PRO04_USER = "dept-pro04"


def point(db: Database) -> tuple[float, float]:
    (_, _, p1), _ = street_points(db)
    return p1


def reported(cases: CaseService, db: Database, **over: object) -> CaseSnapshot:
    return cases.report(INTAKE, report_input(point(db), **over))


def dispatched(cases: CaseService, db: Database, dept: str | None = None) -> CaseSnapshot:
    """A case with a department (routed to PRO02 unless ``dept`` names another)."""
    s = reported(cases, db)
    s = cases.register(CHIEF, s.id, s.version)
    target = department_id(db, dept) if dept else None
    return cases.dispatch(DISPATCHER, s.id, s.version, department_id=target)


def handled(cases: CaseService, db: Database) -> CaseSnapshot:
    s = dispatched(cases, db)
    return cases.feedback(handler(db, s.department_id), s.id, s.version, note="已清运")


def closed(cases: CaseService, db: Database) -> CaseSnapshot:
    s = handled(cases, db)
    s = cases.verify_pass(INSPECTOR, s.id, s.version)
    return cases.close(CHIEF, s.id, s.version)


def png_bytes(width: int = 4, height: int = 3, seed: int = 0) -> bytes:
    """A real, decodable RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rng = random.Random(seed)  # noise: the file is about as big as its pixels
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
WEBP_HEAD = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00"
