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


#: An EXIF block (APP1) with a GPS IFD: latitude 34°16'12" N, longitude 108°55'48" E.
GPS_LATITUDE = struct.pack(">IIIIII", 34, 1, 16, 1, 12, 1)
GPS_LONGITUDE = struct.pack(">IIIIII", 108, 1, 55, 1, 48, 1)


def exif_gps_segment() -> bytes:
    """A JPEG APP1 segment: EXIF (big-endian TIFF) whose IFD0 points to a GPS IFD."""
    # TIFF header (8) | IFD0: 1 entry (2 + 12 + 4 = 18) at 8 | GPS IFD at 26: 4 entries
    # (2 + 48 + 4 = 54) | the two rationals' values at 80 and 104.
    gps_at = 26
    values_at = gps_at + 2 + 4 * 12 + 4
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8)
    tiff += struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, gps_at) + b"\0\0\0\0"
    tiff += struct.pack(">H", 4)
    tiff += struct.pack(">HHI", 1, 2, 2) + b"N\0\0\0"  # GPSLatitudeRef
    tiff += struct.pack(">HHII", 2, 5, 3, values_at)  # GPSLatitude
    tiff += struct.pack(">HHI", 3, 2, 2) + b"E\0\0\0"  # GPSLongitudeRef
    tiff += struct.pack(">HHII", 4, 5, 3, values_at + 24)  # GPSLongitude
    tiff += b"\0\0\0\0" + GPS_LATITUDE + GPS_LONGITUDE
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_exif_gps(jpeg: bytes) -> bytes:
    """``jpeg`` with the GPS EXIF segment put right after its start marker (as a camera does)."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + exif_gps_segment() + jpeg[2:]


def tiny_jpeg() -> bytes:
    """A structurally complete JPEG (JFIF, one comment, a scan, the end marker)."""
    comment = b"\xff\xfe" + struct.pack(">H", 2 + 9) + b"camera-01"
    scan = b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00" + bytes(range(64))
    return JPEG_HEAD + comment + scan + b"\xff\xd9"
