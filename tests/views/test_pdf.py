"""HTML to PDF: a heading is never left alone at the foot of a page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSizeF
from PySide6.QtGui import QTextDocument
from PySide6.QtPdf import QPdfDocument

from console.views.pdf import first_stranded_heading, with_page_breaks, write_html_pdf


def html(filler: int) -> str:
    rows = "".join(f"<tr><td>{i}</td><td>第{i}行</td></tr>" for i in range(30))
    body = "".join(f"<p>填充段落 {i}</p>" for i in range(filler))
    return (
        f"<h1>标题</h1>{body}<h2>网格</h2>"
        f"<table border='1'><thead><tr><th>名次</th></tr></thead>{rows}</table>"
    )


def laid_out(text: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setHtml(text)
    doc.setPageSize(QSizeF(400, 300))
    return doc


def test_a_stranded_heading_is_found_and_moved_by_a_page_break(qapp: object) -> None:
    stranded = [f for f in range(20) if first_stranded_heading(laid_out(html(f))) is not None]
    assert stranded  # some filler leaves 网格 at the foot of page 1, its table on page 2
    for filler in stranded:
        assert first_stranded_heading(laid_out(html(filler))) == 1  # the second heading
        moved = laid_out(with_page_breaks(html(filler), {1}))
        assert first_stranded_heading(moved) is None
    assert with_page_breaks("<h1>a</h1><h2 class='x'>b</h2><hr>", {1}) == (
        "<h1>a</h1><h2 style='page-break-before: always' class='x'>b</h2><hr>"
    )


def test_the_pdf_keeps_every_heading_with_its_table(qapp: object, tmp_path: Path) -> None:
    for filler in range(30, 56):  # the heading walks past the foot of the first A4 page
        path = write_html_pdf(html(filler), tmp_path / f"{filler}.pdf", title="t")
        doc = QPdfDocument()
        doc.load(str(path))
        pages = ["".join(doc.getAllText(p).text().split()) for p in range(doc.pageCount())]
        with_heading = [p for p in pages if "网格" in p]
        assert len(with_heading) == 1, filler  # printed once, not lost
        assert "网格名次0第0行" in with_heading[0], filler  # with the header and the first row
