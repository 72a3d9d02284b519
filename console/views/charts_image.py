"""Charts drawn straight onto images with QPainter, for documents (PDF exports).

The live views use pyqtgraph; a printed report wants a fixed, self-contained picture.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

Series = tuple[str, Sequence[float], str]  # (name, values, colour)

_MARGIN_LEFT, _MARGIN_RIGHT, _MARGIN_TOP, _MARGIN_BOTTOM = 110, 30, 70, 150


def _frame(title: str, width: int, height: int) -> tuple[QImage, QPainter, QRectF]:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPixelSize(30)
    painter.setFont(font)
    painter.drawText(QRectF(0, 8, width, 50), Qt.AlignmentFlag.AlignCenter, title)
    font.setPixelSize(20)
    painter.setFont(font)
    plot = QRectF(
        _MARGIN_LEFT,
        _MARGIN_TOP,
        width - _MARGIN_LEFT - _MARGIN_RIGHT,
        height - _MARGIN_TOP - _MARGIN_BOTTOM,
    )
    return image, painter, plot


def _axes(painter: QPainter, plot: QRectF, top: float, percent: bool) -> None:
    painter.setPen(QPen(QColor("#888888"), 1))
    for i in range(5):
        y = plot.bottom() - plot.height() * i / 4
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        value = top * i / 4
        text = f"{value:.0f}%" if percent else f"{value:.0f}"
        painter.drawText(
            QRectF(0, y - 14, plot.left() - 10, 28),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            text,
        )


def _legend(painter: QPainter, series: Sequence[Series], width: int, height: int) -> None:
    x = _MARGIN_LEFT
    for name, _values, colour in series:
        painter.fillRect(QRectF(x, height - 40, 24, 24), QColor(colour))
        painter.setPen(QColor("black"))
        painter.drawText(QRectF(x + 32, height - 42, 300, 28), Qt.AlignmentFlag.AlignVCenter, name)
        x += 340


def _labels(painter: QPainter, plot: QRectF, labels: Sequence[str], slot: float) -> None:
    painter.setPen(QColor("black"))
    step = max(1, int(len(labels) / 31) + 1)  # keep the axis readable
    for i, label in enumerate(labels):
        if i % step:
            continue
        x = plot.left() + slot * (i + 0.5)
        painter.save()
        painter.translate(x, plot.bottom() + 8)
        painter.rotate(45)
        painter.drawText(QRectF(0, -12, 140, 24), Qt.AlignmentFlag.AlignLeft, label[:10])
        painter.restore()


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 1800,
    height: int = 800,
    percent: bool = False,
) -> QImage:
    image, painter, plot = _frame(title, width, height)
    top = max([max(values, default=0) for _n, values, _c in series] + [1]) * 1.1
    if percent:
        top = 100
    _axes(painter, plot, top, percent)
    slot = plot.width() / max(1, len(labels))
    bar = slot * 0.8 / max(1, len(series))
    for s_index, (_name, values, colour) in enumerate(series):
        painter.setBrush(QColor(colour))
        painter.setPen(Qt.PenStyle.NoPen)
        for i, value in enumerate(values):
            h = plot.height() * (value / top if top else 0)
            x = plot.left() + slot * i + slot * 0.1 + bar * s_index
            painter.drawRect(QRectF(x, plot.bottom() - h, bar, h))
    _labels(painter, plot, labels, slot)
    _legend(painter, series, width, height)
    painter.end()
    return image


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 1800,
    height: int = 800,
) -> QImage:
    image, painter, plot = _frame(title, width, height)
    top = max([max(values, default=0) for _n, values, _c in series] + [1]) * 1.1
    _axes(painter, plot, top, False)
    slot = plot.width() / max(1, len(labels))
    for _name, values, colour in series:
        painter.setPen(QPen(QColor(colour), 4))
        points = [
            QPointF(plot.left() + slot * (i + 0.5), plot.bottom() - plot.height() * (v / top))
            for i, v in enumerate(values)
        ]
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
    _labels(painter, plot, labels, slot)
    _legend(painter, series, width, height)
    painter.end()
    return image
