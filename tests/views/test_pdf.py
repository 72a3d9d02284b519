"""HTML to PDF: headings kept with what follows them."""

from __future__ import annotations

from PySide6.QtCore import QSizeF
from PySide6.QtGui import QTextCursor, QTextDocument

from console.views.pdf import keep_headings_with_next


def document(filler: int) -> QTextDocument:
    rows = "".join(f"<tr><td>{i}</td><td>第{i}行</td></tr>" for i in range(30))
    html = "".join(f"<p>填充段落 {i}</p>" for i in range(filler))
    html += f"<h2>网格</h2><table border='1'><thead><tr><th>名次</th></tr></thead>{rows}</table>"
    doc = QTextDocument()
    doc.setHtml(html)
    doc.setPageSize(QSizeF(400, 300))
    return doc


def pages_of_heading_and_first_row(doc: QTextDocument) -> tuple[int, int]:
    layout, height = doc.documentLayout(), doc.pageSize().height()
    block = doc.begin()
    while not block.blockFormat().headingLevel():
        block = block.next()
    table = QTextCursor(block.next()).currentTable()
    assert table is not None and table.format().headerRowCount() == 1
    first_row = table.cellAt(1, 0).firstCursorPosition().block()
    return (
        int(layout.blockBoundingRect(block).top() // height),
        int(layout.blockBoundingRect(first_row).bottom() // height),
    )


def test_a_heading_at_the_foot_of_a_page_moves_to_the_next(qapp: object) -> None:
    split = 0
    for filler in range(0, 20):
        doc = document(filler)
        heading, row = pages_of_heading_and_first_row(doc)
        moved = keep_headings_with_next(doc)
        assert moved == (1 if heading != row else 0)
        split += moved
        heading, row = pages_of_heading_and_first_row(doc)
        assert heading == row, filler
    assert split >= 1  # some filler left the heading alone at the foot of page 1
