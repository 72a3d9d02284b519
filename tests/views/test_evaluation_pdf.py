"""The evaluation PDF: figures, charts and rankings, with data escaped."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtPdf import QPdfDocument

from console.config import LOCAL_TZ
from console.views.evaluation_pdf import evaluation_charts, evaluation_html, write_evaluation_pdf


def metric(
    key: str, zh: str, value: object, num: int | None = None, den: int | None = None
) -> SimpleNamespace:
    return SimpleNamespace(
        key=key, label_zh=zh, label_en=key, value=value, numerator=num, denominator=den
    )


def report() -> SimpleNamespace:
    streets = [
        SimpleNamespace(
            kind="street", object_id=i, name=name, metrics=(), composite=c, grade=g, rank=r
        )
        for i, name, c, g, r in [
            (1, "青年路街道", 91.5, "A", 1),
            (2, "<b>北院门</b>街道", 70.0, "C", 2),
        ]
    ]
    return SimpleNamespace(
        period_start=datetime(2026, 10, 1, tzinfo=LOCAL_TZ),
        period_end=datetime(2026, 11, 1, tzinfo=LOCAL_TZ),
        built_at=datetime(2026, 11, 2, 9, tzinfo=LOCAL_TZ),
        by_kind={"street": tuple(streets)},
        district=(
            metric("closing_rate", "结案率", 93.72, 911, 972),
            metric("on_time_rate", "按期结案率", 75.82, 737, 972),
            metric("registered", "立案数", 996),
        ),
        daily=[(date(2026, 10, d), 30 + d, 25 + d) for d in range(1, 32)],
        by_category=[("0102", "暴露垃圾", 120), ("0101", "私搭乱建", 40)],
        by_street=[(1, "青年路街道", 300, 280, 250), (2, "<b>北院门</b>街道", 200, 150, 100)],
    )


def test_html_escapes_and_shows_the_cross_check() -> None:
    html = evaluation_html(report())
    assert "月度绩效评价 2026-10" in html
    assert "93.72%" in html and "911 / 972" in html and "737 / 972" in html
    assert "&lt;b&gt;北院门&lt;/b&gt;街道" in html and "<b>北院门" not in html


def test_charts_are_drawn(qapp: object) -> None:
    charts = evaluation_charts(report())
    assert set(charts) == {
        "chart://daily",
        "chart://streets",
        "chart://on_time",
        "chart://categories",
    }
    for image in charts.values():
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), 37)
            for y in range(0, image.height(), 37)
        }
        assert len(colours) > 3  # more than a blank page


def test_pdf_is_written_and_readable(qapp: object, tmp_path: Path) -> None:
    path = write_evaluation_pdf(report(), tmp_path / "eval.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    doc = QPdfDocument()
    loop = QEventLoop()
    doc.statusChanged.connect(lambda *_: loop.quit())
    doc.load(str(path))
    if doc.status() != QPdfDocument.Status.Ready:
        QTimer.singleShot(5000, loop.quit)
        loop.exec()
    assert doc.pageCount() >= 1
    text = "".join(doc.getAllText(p).text() for p in range(doc.pageCount()))
    compact = "".join(text.split())
    assert "月度绩效评价" in compact and "青年路街道" in compact
