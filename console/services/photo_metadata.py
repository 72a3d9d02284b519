"""A photo's metadata removed before it is stored: EXIF (with the camera's GPS position and
serial number), XMP, IPTC and comments, from JPEG, PNG and WebP, without decoding the pixels.

The public page shrinks photos on the phone through a canvas, which already drops EXIF; a
client that posts the camera's file as it is gets it removed here. Pillow is not a dependency
of the console: the segments are cut out of the container itself, which keeps the image data
byte for byte (no re-encoding, no quality lost). A file whose structure cannot be walked is
refused rather than stored with what it may carry. No Qt, no HTTP.
"""

from __future__ import annotations

import struct

from console.services.attachments import UnsupportedMediaError

#: JPEG markers kept before the scan: APP0 (JFIF), APP2 (ICC colour profile), APP14 (Adobe:
#: how the colours are coded). Every other APPn (APP1 EXIF/XMP, APP13 IPTC…) and COM go.
_JPEG_KEEP_APP = frozenset({0xE0, 0xE2, 0xEE})
#: PNG chunks that carry text or metadata (eXIf holds EXIF with its GPS).
_PNG_DROP = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})
_WEBP_DROP = frozenset({b"EXIF", b"XMP "})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _unreadable() -> UnsupportedMediaError:
    return UnsupportedMediaError("照片文件已损坏或结构无法识别，请重新拍摄或选择", field="photo")


def _jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    i = 2
    n = len(data)
    while i < n:
        if data[i] != 0xFF:
            raise _unreadable()
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            raise _unreadable()
        marker = data[i]
        i += 1
        if marker == 0xDA or marker == 0xD9:  # start of scan (the image data) or end
            out += bytes((0xFF, marker)) + data[i:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            raise _unreadable()
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2 or i + length > n:
            raise _unreadable()
        if not ((0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP) or marker == 0xFE):
            out += bytes((0xFF, marker)) + data[i : i + length]
        i += length
    raise _unreadable()  # no image data


def _png(data: bytes) -> bytes:
    out = bytearray(_PNG_SIGNATURE)
    i = len(_PNG_SIGNATURE)
    n = len(data)
    while i < n:
        if i + 12 > n:
            raise _unreadable()
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > n:
            raise _unreadable()
        if kind not in _PNG_DROP:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            return bytes(out)
    raise _unreadable()


def _webp(data: bytes) -> bytes:
    if len(data) < 12 or data[8:12] != b"WEBP":
        raise _unreadable()
    chunks = bytearray()
    i = 12
    n = len(data)
    while i < n:
        if i + 8 > n:
            raise _unreadable()
        kind = data[i : i + 4]
        (size,) = struct.unpack("<I", data[i + 4 : i + 8])
        end = i + 8 + size + (size & 1)
        if i + 8 + size > n:
            raise _unreadable()
        chunk = bytearray(data[i : min(end, n)])
        if kind == b"VP8X" and size >= 1:
            chunk[8] &= ~0x0C & 0xFF  # no EXIF (0x08), no XMP (0x04) any more
        if kind not in _WEBP_DROP:
            chunks += chunk
        i = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


def strip_metadata(data: bytes) -> bytes:
    """``data`` without its metadata (see the module); refused when it cannot be walked.
    Anything but JPEG, PNG and WebP is returned as it is (the store refuses it)."""
    if data[:3] == b"\xff\xd8\xff":
        return _jpeg(data)
    if data[:8] == _PNG_SIGNATURE:
        return _png(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    return data
