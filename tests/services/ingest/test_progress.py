"""Progress callbacks and cancellation of an import: cancelled before the commit = nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.db import Database
from console.services import bulk_intake
from console.services.ingest import IngestCancelled, ingest_file
from console.services.ingest import ingest as ingest_module
from tests.services.ingest.support import IMPORTER, NOW, case_count, points


def _csv(db: Database, path: Path, rows: int) -> Path:
    pts = points(db, 20)
    lines = ["外部编号,类别代码,类型,经度,纬度,问题描述,地址"]
    for i in range(rows):
        x, y = pts[i % len(pts)]
        lines.append(f"P{i:05d},0102,事件,{x},{y},垃圾堆积{i},莲湖路{i}号")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_progress_rises_to_the_row_count(demo_db: Database, tmp_path: Path) -> None:
    path = _csv(demo_db, tmp_path / "p.csv", 300)
    calls: list[tuple[int, int]] = []
    result = ingest_file(
        demo_db, path, actor=IMPORTER, now=NOW, progress=lambda d, t: calls.append((d, t))
    )
    assert result.accepted == 300
    assert {t for _, t in calls} == {300}
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[0] == 0 and done[-1] == 300
    assert any(0 < d < 300 for d in done)


def test_cancel_while_checking_writes_nothing(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "PROGRESS_EVERY", 50)
    path = _csv(demo_db, tmp_path / "c.csv", 400)
    seen: list[int] = []
    with pytest.raises(IngestCancelled) as caught:
        ingest_file(
            demo_db,
            path,
            actor=IMPORTER,
            now=NOW,
            progress=lambda d, t: seen.append(d),
            should_cancel=lambda: bool(seen) and seen[-1] >= 100,
        )
    assert caught.value.code == "cancelled" and "未写入" in caught.value.message
    assert seen[-1] < 400 * 0.45  # stopped while still checking rows
    assert case_count(demo_db) == 0
    assert not (tmp_path / "c.csv.report.csv").exists()


def test_cancel_between_insert_chunks_rolls_back(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled after some chunks were inserted, inside the one transaction: all undone."""
    monkeypatch.setattr(bulk_intake, "INSERT_CHUNK", 40)
    path = _csv(demo_db, tmp_path / "w.csv", 200)
    seen: list[int] = []
    with pytest.raises(IngestCancelled):
        ingest_file(
            demo_db,
            path,
            actor=IMPORTER,
            now=NOW,
            progress=lambda d, t: seen.append(d),
            should_cancel=lambda: bool(seen) and seen[-1] >= 150,  # 3 of 5 chunks in
        )
    assert 150 <= seen[-1] < 200
    assert case_count(demo_db) == 0
    # Not cancelled, the same file goes in whole; and the counters were not consumed.
    result = ingest_file(demo_db, path, actor=IMPORTER, now=NOW)
    assert result.accepted == 200 and case_count(demo_db) == 200
    numbers = sorted(o.case_number for o in result.outcomes)
    assert numbers[0].endswith("0001") and numbers[-1].endswith("0200")
