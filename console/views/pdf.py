"""HTML to an A4 PDF through QTextDocument and QPdfWriter (no network, system CJK fonts).

Hanzi are set in the first installed family of resources/print/fonts.csv; headings are kept
on the page of what follows them (a table's header and first row); a table's ``<thead>``
rows are repeated on every page it continues on (Qt's header rows); the text layer is made the
characters that were drawn (console.views.pdf_text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextBlock,
    QTextCursor,
    QTextDocument,
)

from console.config import csv_rows, resource
from console.views.pdf_text import first_installed, fix_pdf_file


def print_family() -> str | None:
    """The first installed family of resources/print/fonts.csv (None: Qt's default)."""
    return first_installed(r["family"] for r in csv_rows(resource("print", "fonts.csv")))


def write_html_pdf(
    html: str,
    path: Path,
    *,
    title: str,
    images: Mapping[str, QImage] | None = None,
    landscape: bool = False,
) -> Path:
    """Print ``html`` to ``path``; ``images`` are referenced in the HTML as ``<img src=NAME>``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Grid Dispatch Console")
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    document = QTextDocument()
    family = print_family()
    if family:
        # Latin from the default face; hanzi from the Chinese one, not from Qt's fallback
        # (Noto's Latin digits would lose their text: Qt writes no ToUnicode entry for them).
        font = QFont(document.defaultFont())
        font.setFamilies([QFontInfo(font).family(), family])
        document.setDefaultFont(font)
    for name, image in (images or {}).items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    # Lay the text out on the printable area in points, so the font sizes are true sizes.
    rect = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
    breaks: set[int] = set()
    while True:  # one heading moved per pass: each move shifts everything after it
        document.setHtml(with_page_breaks(html, breaks))
        document.setPageSize(QSizeF(rect.width(), rect.height()))
        stranded = first_stranded_heading(document, after=max(breaks, default=-1))
        if stranded is None:
            break
        breaks.add(stranded)
    document.print_(writer)
    del writer  # ends the PDF: the file is complete once the writer is gone
    fix_pdf_file(path)
    return path


def _first_row_block(block: QTextBlock) -> QTextBlock:
    """What must share a heading's page: the first body row of a table that follows it (its
    header rows above it), or else the next block itself."""
    cursor = QTextCursor(block)
    table = cursor.currentTable()
    if table is None:
        return block
    row = min(table.format().headerRowCount(), table.rows() - 1)
    return table.cellAt(row, 0).firstCursorPosition().block()


def first_stranded_heading(document: QTextDocument, after: int = -1) -> int | None:
    """The index (in document order) of the first heading after ``after`` that ends a page
    while what follows it begins on the next one, or None."""
    layout = document.documentLayout()
    height = document.pageSize().height()
    index = -1
    block = document.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel():
            index += 1
            if index > after and following.isValid():
                top = layout.blockBoundingRect(block).top()
                bottom = layout.blockBoundingRect(_first_row_block(following)).bottom()
                if int(top // height) != int(bottom // height) and top % height > 1.0:
                    return index
        block = following
    return None


_HEADING = re.compile(r"<(h[1-6])(?=[\s>])", re.IGNORECASE)


def with_page_breaks(html: str, headings: set[int]) -> str:
    """``html`` with a page break before the given headings (indices of <h1>…<h6> in order).

    Done in the HTML, not on the laid-out document: a block format changed there made Qt
    print later headings blank. Assumes the headings have no style attribute of their own.
    """
    seen = -1

    def tag(found: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        if seen in headings:
            return f"<{found.group(1)} style='page-break-before: always'"
        return found.group(0)

    return _HEADING.sub(tag, html)
