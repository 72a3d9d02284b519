"""Two `grid-console ingest` processes on the same new file at once (#13 §4).

Both check the file's external ids before either has written, so both find them new; the one
that commits second meets the unique (source, external_id) key. It used to die with a raw
IntegrityError; now it runs its check again, finds the other's cases and counts its rows as
already imported. The race is forced, not hoped for: the test holds the write lock (SQLite:
BEGIN IMMEDIATE; PostgreSQL: a lock on the cases table that lets reads through) until both
processes have checked and wait to insert, then lets go.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from console.cli import main
from console.db import Database
from console.models import Case
from tests.commands.processes import wait_until_blocked
from tests.services.ingest.support import points, seeded

ROOT = Path(__file__).resolve().parents[2]
ROWS = 2000


def _file(db: Database, path: Path) -> Path:
    pts = points(db, 50)
    lines = ["外部编号,类别代码,类型,经度,纬度,问题描述,地址,上报时间"]
    for i in range(ROWS):
        x, y = pts[i % len(pts)]
        lines.append(
            f"RACE{i:05d},0102,事件,{x},{y},垃圾{i},莲湖路{i}号,2026-11-20 09:{i % 60:02d}"
        )
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _start(url: str, path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "main.py", "--db", url, "ingest", str(path), "--source", "12345"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)) or 0


def _wait_checked(procs: list[subprocess.Popen[str]], ready: object) -> None:
    """Until both processes are past their duplicate check (``ready()`` says so)."""
    deadline = time.monotonic() + 90
    while not ready():  # type: ignore[operator]
        for proc in procs:
            assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the imports never reached their insert"
        time.sleep(0.2)


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    return results


def _check_outcome(results: list[tuple[int, str, str]], db: Database) -> None:
    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err and "IntegrityError" not in err, err
    accepted = sorted(int(re.search(r"已导入 accepted: (\d+)", out)[1]) for _, out, _ in results)  # type: ignore[index]
    duplicates = sorted(int(re.search(r"重复 duplicates: (\d+)", out)[1]) for _, out, _ in results)  # type: ignore[index]
    assert accepted == [0, ROWS] and duplicates == [0, ROWS]
    # The loser went back to its check after meeting the winner's rows, once.
    loser = next(out for _, out, _ in results if "已导入 accepted: 0" in out)
    assert "已重试 1 次" in loser, loser
    assert _count(db) == ROWS
    with db.read() as s:
        keys = s.scalar(select(func.count(func.distinct(Case.external_id))))
    assert keys == ROWS


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_two_imports_of_one_new_file_on_sqlite(demo_db: Database, tmp_path: Path) -> None:
    path = _file(demo_db, tmp_path / "同一文件.csv")
    url = str(demo_db.engine.url)
    holder = create_engine(url, isolation_level="AUTOCOMMIT")
    with holder.connect() as lock:
        lock.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock: both will wait for it
        procs = [_start(url, path), _start(url, path)]
        # WAL readers pass the lock, so each process parses and checks the file, then queues
        # on BEGIN IMMEDIATE (15 s busy timeout), where SQLite's busy handler sleeps.
        wait_until_blocked(procs)
        lock.exec_driver_sql("COMMIT")
    holder.dispose()
    results = _finish(procs)
    _check_outcome(results, demo_db)


@pytest.mark.postgres
def test_two_imports_of_one_new_file_on_postgresql(
    pg_url: str,
    tmp_path: Path,
) -> None:
    db = seeded(pg_url)
    holder = create_engine(pg_url)
    try:
        path = _file(db, tmp_path / "同一文件.csv")
        with holder.connect() as lock:
            # Reads (the duplicate check) pass this lock; INSERT INTO cases waits for it.
            lock.execute(text("LOCK TABLE cases IN SHARE ROW EXCLUSIVE MODE"))
            procs = [_start(pg_url, path), _start(pg_url, path)]

            def ready() -> bool:
                # Both backends wait on a lock to insert, so both have checked: one on the
                # cases table, the other behind the first's new case-number counter row.
                with holder.connect() as conn:
                    waiting = conn.execute(
                        text(
                            "SELECT count(*) FROM pg_stat_activity "
                            "WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO case%' "
                            "AND datname = current_database()"
                        )
                    ).scalar_one()
                return waiting >= 2

            _wait_checked(procs, ready)
            lock.commit()
        results = _finish(procs)
        _check_outcome(results, db)
    finally:
        holder.dispose()
        db.dispose()


def test_a_write_lock_held_past_the_busy_timeout_is_one_line(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another writer that keeps SQLite's write lock longer than the 15 s busy timeout (a far
    bigger import, say): the import gives up with one line and writes nothing."""
    path = _file(demo_db, tmp_path / "大文件.csv")
    url = str(demo_db.engine.url)
    holder = create_engine(url, isolation_level="AUTOCOMMIT")
    with holder.connect() as lock:
        lock.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            assert main(["--db", url, "ingest", str(path), "--quiet"]) == 2
        finally:
            lock.exec_driver_sql("ROLLBACK")
    holder.dispose()
    _, err = capsys.readouterr()
    assert err.strip().splitlines() == [
        "错误 [database_busy]: 数据库正被另一写入占用（等待 15 秒仍未释放）；"
        "未导入任何记录，请稍后重试"
    ]
    assert _count(demo_db) == 0
    assert not (tmp_path / "大文件.csv.report.csv").exists()
