"""HTML to an A4 PDF through QTextDocument and QPdfWriter (no network, system CJK fonts).

Hanzi are set in the first installed family of resources/print/fonts.csv; headings are kept
on the page of what follows them (a table's header and first row); a table's ``<thead>``
rows are repeated on every page it continues on (Qt's header rows); the text layer is made the
characters that were drawn (console.views.pdf_text).
"""

from __future__ import annotations

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
    QTextFormat,
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
    document.setHtml(html)
    # Lay the text out on the printable area in points, so the font sizes are true sizes.
    rect = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    keep_headings_with_next(document)
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


def keep_headings_with_next(document: QTextDocument) -> int:
    """Start a heading on a new page when what follows it would begin on the next one.

    Returns the number of headings moved. Headings are taken in order, each against the
    layout left by the moves before it.
    """
    layout = document.documentLayout()
    height = document.pageSize().height()
    moved = 0
    block = document.begin()
    while block.isValid():
        following = block.next()
        if block.blockFormat().headingLevel() and following.isValid():
            top = layout.blockBoundingRect(block).top()
            nxt = layout.blockBoundingRect(_first_row_block(following)).bottom()
            if int(top // height) != int(nxt // height) and top % height > 1.0:
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(fmt)
                moved += 1
        block = following
    return moved
