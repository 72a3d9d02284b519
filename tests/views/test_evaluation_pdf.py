"""The evaluation PDF: figures, charts and rankings, with data escaped; its text layer read
back with PDFium (QtPdf) gives the real characters (Noto CJK draws 月, 西, 立, 青, 土, 片
with the glyphs of Kangxi radicals), every object is listed, and table headers repeat."""

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


def pages_text(path: Path) -> list[str]:
    """The text of each page as PDFium extracts it, whitespace removed."""
    doc = QPdfDocument()
    loop = QEventLoop()
    doc.statusChanged.connect(lambda *_: loop.quit())
    doc.load(str(path))
    if doc.status() != QPdfDocument.Status.Ready:
        QTimer.singleShot(5000, loop.quit)
        loop.exec()
    return ["".join(doc.getAllText(p).text().split()) for p in range(doc.pageCount())]


def look_alikes(text: str) -> set[str]:
    """Characters of the radical and stroke blocks (the text layer's old mistakes)."""
    return {ch for ch in text if 0x2E80 <= ord(ch) <= 0x2FDF or 0x31C0 <= ord(ch) <= 0x31EF}


def test_pdf_is_written_and_readable(qapp: object, tmp_path: Path) -> None:
    path = write_evaluation_pdf(report(), tmp_path / "eval.pdf")
    assert path.read_bytes()[:5] == b"%PDF-"
    pages = pages_text(path)
    assert len(pages) >= 1
    compact = "".join(pages)
    assert "月度绩效评价" in compact and "青年路街道" in compact
    assert "立案数" in compact and not look_alikes(compact)


GRID_NAMES = ("西关", "土门", "青年路", "月城", "立交", "片区", "北院门")


def many_grids() -> SimpleNamespace:
    """150 grids (several pages): 100 graded, 40 without a case, 10 with too little data."""
    base = report()
    grids = []
    for i in range(150):
        name = f"{GRID_NAMES[i % len(GRID_NAMES)]}第{i:03d}网格"
        figures = (
            metric("closed_late", "超期结案数", i % 4),
            metric("avg_handle_hours", "平均处置时长(工作时)", 1.5 + i / 100),
        )
        if i < 100:
            grade = "ABCDE"[i // 20]
            grids.append(
                SimpleNamespace(kind="grid", object_id=i, name=name, metrics=figures,
                                composite=99.0 - i * 0.5, grade=grade, rank=i + 1)
            )  # fmt: skip
        else:
            status = ("无案件", "no cases") if i < 140 else ("依据不足", "too little data")
            grids.append(
                SimpleNamespace(kind="grid", object_id=i, name=name, metrics=figures,
                                composite=None, grade=None, rank=None,
                                status_zh=status[0], status_en=status[1])
            )  # fmt: skip
    base.by_kind = {"grid": tuple(reversed(grids)), **base.by_kind}
    return base


def test_every_object_is_listed_with_real_characters(qapp: object, tmp_path: Path) -> None:
    pages = pages_text(write_evaluation_pdf(many_grids(), tmp_path / "grids.pdf"))
    compact = "".join(pages)
    assert not look_alikes(compact)
    assert "西关第000网格" in compact  # a search for 西关 finds it
    for i in range(150):  # all of them, the worst and the ungraded included, in rank order
        assert f"{GRID_NAMES[i % len(GRID_NAMES)]}第{i:03d}网格" in compact
    ranked = [compact.index(f"第{i:03d}网格") for i in range(100)]
    assert ranked == sorted(ranked)
    assert min(compact.index(f"第{i:03d}网格") for i in range(100, 150)) > ranked[-1]
    assert compact.count("无案件") == 40 and compact.count("依据不足") == 10
    assert "超期结案数" in compact and "平均处置时长(工作时)" in compact
    assert "2.99" in compact  # grid 149's average, two decimals


def test_table_headers_repeat_and_headings_stay_with_their_tables(
    qapp: object, tmp_path: Path
) -> None:
    pages = pages_text(write_evaluation_pdf(many_grids(), tmp_path / "grids.pdf"))
    with_grids = [p for p in pages if "网格" in p and "第" in p]
    assert len(with_grids) >= 3
    for page in with_grids:  # every page the grid table runs over starts it with its header
        first_row = min(
            page.index(f"第{i:03d}网格") for i in range(150) if f"第{i:03d}网格" in page
        )
        assert "名次名称等级综合指标值超期结案数" in page[:first_row]
    # every heading is printed, once, on the page of its table's header and first row
    for heading, first in (("网格", "西关第000网格"), ("街道", "青年路街道")):
        found = [p for p in pages if heading + "名次名称" in p]
        assert len(found) == 1, heading
        assert first in found[0].split(heading + "名次名称", 1)[1], heading
