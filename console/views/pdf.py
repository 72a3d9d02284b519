"""HTML to an A4 PDF through QTextDocument and QPdfWriter (no network, system CJK fonts)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument


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
    for name, image in (images or {}).items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(html)
    # Lay the text out on the printable area in points, so the font sizes are true sizes.
    rect = writer.pageLayout().paintRect(QPageLayout.Unit.Point)
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
    del writer  # ends the PDF: the file is complete once the writer is gone
    return path
