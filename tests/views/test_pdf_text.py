"""The PDF text layer fix: ToUnicode destinations rewritten in place, sources and lengths kept."""

from __future__ import annotations

from console.views.pdf_text import (
    _fix_cmap,
    fix_text_layer,
    font_equivalents,
    installed_equivalents,
    kangxi_equivalents,
)

#: ⽉ U+2F49 → 月 U+6708 (Kangxi, NFKC); ⻄ U+2EC4 → 西 U+897F (supplement: from a font).
MAPPING = {**kangxi_equivalents(), 0x2EC4: 0x897F}

CMAP = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
3 beginbfrange
<0000> <0000> <0000>
<2F49> <2F49> <2F49>
<0001> <0004> [<7ED3> <2F49> <2EC4> <2F74> ]
<0005> <0006> <2F49>
endbfrange
1 beginbfchar
<2EC4> <2EC4>
endbfchar
endcmap
"""


def test_kangxi_radicals_fold_to_their_ideographs() -> None:
    folded = kangxi_equivalents()
    assert folded[0x2F49] == ord("月") and folded[0x2F74] == ord("立")
    assert folded[0x2F5A] == ord("片") and folded[0x2F1F] == ord("土")
    assert 0x2EC4 not in folded  # ⻄ has no decomposition: the font tells


def test_destinations_change_sources_and_runs_do_not() -> None:
    fixed = _fix_cmap(CMAP, MAPPING)
    assert len(fixed) == len(CMAP)
    assert b"<2F49> <2F49> <6708>" in fixed  # a source that looks like a radical stays
    assert b"[<7ED3> <6708> <897F> <7ACB> ]" in fixed
    assert b"<0005> <0006> <2F49>" in fixed  # a run of code points: not one character
    assert b"<2EC4> <897F>" in fixed
    assert b"<0000> <FFFF>" in fixed


def pdf(stream: bytes, filtered: bool = False) -> bytes:
    extra = b" /Filter /FlateDecode" if filtered else b""
    head = b"7 0 obj\n<< /Length %d%s >>\nstream\n" % (len(stream), extra)
    return (
        b"%PDF-1.4\n5 0 obj\n<< /Type /Font /ToUnicode 7 0 R >>\nendobj\n"
        + head
        + stream
        + b"\nendstream\nendobj\n<2F49>\n%%EOF\n"
    )


def test_only_the_to_unicode_streams_change_and_the_length_stays() -> None:
    data = pdf(CMAP)
    fixed = fix_text_layer(data, MAPPING)
    assert len(fixed) == len(data) and fixed != data
    assert fixed.endswith(b"<2F49>\n%%EOF\n")  # outside the stream: untouched
    assert b"[<7ED3> <6708> <897F> <7ACB> ]" in fixed
    compressed = pdf(CMAP, filtered=True)
    assert fix_text_layer(compressed, MAPPING) == compressed  # not read: left as it is


def test_the_installed_cjk_fonts_give_the_supplement_radicals(qapp: object) -> None:
    """With fonts-noto-cjk: the Japanese face draws 西 and ⻄ with one glyph, as Qt's default
    CJK fallback did in the PDFs that could not be searched."""
    from PySide6.QtGui import QFont

    assert font_equivalents(QFont("Noto Sans CJK JP")).get(0x2EC4) == ord("西")
    found = installed_equivalents()
    for radical, ideograph in (("⽉", "月"), ("⻄", "西"), ("⽴", "立"), ("⻘", "青"),
                               ("⼟", "土"), ("⽚", "片")):  # fmt: skip
        assert found[ord(radical)] == ord(ideograph), radical
