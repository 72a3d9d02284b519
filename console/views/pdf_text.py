"""The text layer of a PDF written by Qt: the characters that were drawn, not look-alikes.

QPdfWriter writes each embedded font's ToUnicode map by asking, for every glyph it used, for
the lowest code point the font draws with that glyph. CJK fonts (Noto Sans/Serif CJK, Source
Han) draw a Kangxi radical (U+2F00…) or a CJK radical supplement character (U+2E80…) with the
very glyph of the ideograph it looks like, and those code points are lower: 月 is read back as
⽉ (U+2F49), 西 as ⻄ (U+2EC4), so copying the text or searching the file for 西关 fails.

The maps are rewritten in place: a destination in those blocks whose glyph the font shares
with a unified ideograph (U+4E00–U+9FFF) becomes that ideograph. Both are 4 hex digits, so
the file keeps its length and its cross-reference offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QRawFont

#: The blocks below the unified ideographs whose characters share glyphs with them: radicals
#: (supplement, Kangxi), kanbun marks, CJK strokes.
LOOK_ALIKE_BLOCKS = ((0x2E80, 0x2FDF), (0x3190, 0x319F), (0x31C0, 0x31EF))
UNIFIED = (0x4E00, 0x9FFF)
CJK_WRITING_SYSTEMS = (
    QFontDatabase.WritingSystem.SimplifiedChinese,
    QFontDatabase.WritingSystem.TraditionalChinese,
    QFontDatabase.WritingSystem.Japanese,
    QFontDatabase.WritingSystem.Korean,
)


def _look_alikes() -> list[int]:
    return [cp for lo, hi in LOOK_ALIKE_BLOCKS for cp in range(lo, hi + 1)]


def kangxi_equivalents() -> dict[int, int]:
    """Kangxi radical → ideograph from Unicode's own compatibility decomposition (NFKC)."""
    out = {}
    for cp in _look_alikes():
        folded = unicodedata.normalize("NFKC", chr(cp))
        if len(folded) == 1 and UNIFIED[0] <= ord(folded) <= UNIFIED[1]:
            out[cp] = ord(folded)
    return out


def font_equivalents(font: QFont) -> dict[int, int]:
    """Look-alike → the unified ideograph that ``font`` draws with the same glyph."""
    raw = QRawFont.fromFont(font)
    if not raw.isValid():
        return {}
    unified = "".join(chr(cp) for cp in range(UNIFIED[0], UNIFIED[1] + 1))
    by_glyph: dict[int, int] = {}
    for ch, glyph in zip(unified, raw.glyphIndexesForString(unified), strict=True):
        if glyph:
            by_glyph.setdefault(glyph, ord(ch))
    low = _look_alikes()
    glyphs = raw.glyphIndexesForString("".join(chr(cp) for cp in low))
    return {cp: by_glyph[g] for cp, g in zip(low, glyphs, strict=True) if g and g in by_glyph}


@lru_cache(maxsize=1)
def installed_equivalents() -> Mapping[int, int]:
    """The equivalents of every installed CJK family, regular and bold (the PDF may use any:
    Qt falls back per character), over the Kangxi decompositions."""
    out = kangxi_equivalents()
    families: set[str] = set()
    for system in CJK_WRITING_SYSTEMS:
        families.update(QFontDatabase.families(system))
    for family in sorted(families):
        for weight in (QFont.Weight.Normal, QFont.Weight.Bold):
            for cp, ideograph in font_equivalents(QFont(family, 12, weight)).items():
                out.setdefault(cp, ideograph)
    return out


_TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+)\s+0\s+R")
_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]{4})>")


def _stream(data: bytes, number: int) -> tuple[int, int] | None:
    """(start, end) of an uncompressed stream object's content, or None."""
    head = re.compile(
        rb"(?:^|[\r\n])" + str(number).encode() + rb"\s+0\s+obj\s*<<(.*?)>>\s*stream\r?\n", re.S
    )
    found = head.search(data)
    if found is None or b"/Filter" in found.group(1):
        return None
    length = re.search(rb"/Length\s+(\d+)(\s+0\s+R)?", found.group(1))
    if length is None or length.group(2):
        return None
    return found.end(), found.end() + int(length.group(1))


def _fix_cmap(cmap: bytes, mapping: Mapping[int, int]) -> bytes:
    def hexed(token: re.Match[bytes]) -> bytes:
        cp = int(token.group(1), 16)
        return b"<%04X>" % mapping[cp] if cp in mapping else token.group(0)

    def line(kind: bytes, text: bytes) -> bytes:
        tokens = list(_HEX.finditer(text))
        sources = 1 if kind == b"bfchar" else 2
        if len(tokens) <= sources:
            return text
        if kind == b"bfrange" and b"[" not in text and tokens[0].group(1) != tokens[1].group(1):
            return text  # <lo> <hi> <first>: a run of consecutive code points, left alone
        cut = tokens[sources - 1].end()
        return text[:cut] + _HEX.sub(hexed, text[cut:])

    def section(found: re.Match[bytes]) -> bytes:
        kind, body = found.group(1), found.group(2)
        lines = [line(kind, text) for text in body.split(b"\n")]
        return b"begin" + kind + b"\n".join(lines) + b"end" + kind

    return _SECTION.sub(section, cmap)


def fix_text_layer(data: bytes, mapping: Mapping[int, int]) -> bytes:
    """``data`` with every uncompressed ToUnicode map's look-alikes replaced (same length)."""
    out = bytearray(data)
    for number in sorted({int(n) for n in _TO_UNICODE.findall(data)}):
        span = _stream(data, number)
        if span is None:
            continue
        start, end = span
        fixed = _fix_cmap(data[start:end], mapping)
        assert len(fixed) == end - start  # 4 hex digits for 4: offsets stay valid
        out[start:end] = fixed
    return bytes(out)


def fix_pdf_file(path: Path, mapping: Mapping[int, int] | None = None) -> None:
    data = path.read_bytes()
    fixed = fix_text_layer(data, installed_equivalents() if mapping is None else mapping)
    if fixed != data:
        path.write_bytes(fixed)


def first_installed(families: Iterable[str]) -> str | None:
    installed = set(QFontDatabase.families())
    return next((f for f in families if f in installed), None)
