"""`grid-console import-components` and `export-components`: summary on stdout, progress on
stderr, exit codes, the round trip through the command line, Ctrl-C writing nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.cli import main
from console.db import Database
from console.services.components.importer import REPORT_HEADER
from console.services.ingest.report import read_report
from tests.services.components.register_files import (
    component_count,
    points,
    write_csv,
    zh_row,
)

ROOT = Path(__file__).resolve().parents[2]


def _census(db: Database, tmp_path: Path, n: int = 3, **bad: str) -> Path:
    p = points(db, n)
    rows = [zh_row(pt, i + 1) for i, pt in enumerate(p)]
    if bad:
        rows[-1] = zh_row(p[-1], n, **bad)
    return write_csv(tmp_path / "普查.csv", rows, encoding="gbk")


def test_import_then_again_then_a_dry_run(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _census(demo_db, tmp_path)
    url = str(demo_db.engine.url)
    assert main(["--db", url, "import-components", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "编码 gb18030" in out and "新增 inserted: 3" in out and "拒绝 rejected: 0" in out
    assert "导入进度" in err and err.strip().splitlines()[-1].startswith("导入进度 100.0%  3/3 行")
    assert main(["--db", url, "import-components", str(path), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "未变 unchanged: 3" in out and "新增 inserted: 0" in out and err == ""
    assert main(["--db", url, "import-components", str(path), "--dry-run", "-q"]) == 0
    out, _ = capsys.readouterr()
    assert "试运行" in out and "未变 unchanged: 3" in out
    assert component_count(demo_db) == 3


def test_rejected_rows_exit_1_and_write_nothing(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _census(demo_db, tmp_path, 主管部门="无此部门")
    url = str(demo_db.engine.url)
    assert main(["--db", url, "import-components", str(path), "-q"]) == 1
    out, _ = capsys.readouterr()
    assert "第 4 行 [unknown_department] 主管部门“无此部门”不存在" in out
    assert "未导入任何记录" in out
    assert component_count(demo_db) == 0
    body, _ = read_report(tmp_path / "普查.csv.report.csv")
    assert tuple(body[0]) == REPORT_HEADER
    assert [(r["line"], r["status"]) for r in body] == [
        ("2", "not_imported"),
        ("3", "not_imported"),
        ("4", "rejected"),
    ]


def test_unreadable_file_exits_2(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(demo_db.engine.url)
    assert main(["--db", url, "import-components", str(tmp_path / "none.csv")]) == 2
    _, err = capsys.readouterr()
    assert "unreadable" in err
    book = tmp_path / "a.xlsx"
    book.write_bytes(b"PK\x03\x04 not really")
    assert main(["--db", url, "import-components", str(book), "-q"]) == 2
    _, err = capsys.readouterr()
    assert "unsupported_format" in err


@pytest.mark.parametrize("suffix", ["csv", "geojson"])
def test_export_then_import_changes_nothing(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    url = str(demo_db.engine.url)
    assert main(["--db", url, "import-components", str(_census(demo_db, tmp_path)), "-q"]) == 0
    out_path = tmp_path / f"register.{suffix}"
    assert main(["--db", url, "export-components", str(out_path)]) == 0
    out, _ = capsys.readouterr()
    assert f"已导出 exported: 3 个部件 → {out_path}（{suffix}）" in out
    assert main(["--db", url, "import-components", str(out_path), "-q"]) == 0
    out, _ = capsys.readouterr()
    assert "未变 unchanged: 3" in out and "更新 updated: 0" in out


def test_export_one_street_and_a_wrong_street(
    demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(demo_db.engine.url)
    assert main(["--db", url, "import-components", str(_census(demo_db, tmp_path)), "-q"]) == 0
    capsys.readouterr()
    with (tmp_path / "普查.csv").open(encoding="gbk") as f:
        assert f.readline().startswith("管理部件标识码")
    assert main(["--db", url, "export-components", str(tmp_path / "a.csv")]) == 0
    first = (tmp_path / "a.csv").read_text(encoding="utf-8-sig").splitlines()[1]
    street = first.split(",")[-1]
    assert (
        main(["--db", url, "export-components", str(tmp_path / "b.csv"), "--street", street]) == 0
    )
    assert "已导出 exported:" in capsys.readouterr().out
    lines = (tmp_path / "b.csv").read_text(encoding="utf-8-sig").splitlines()
    assert 2 <= len(lines) <= 4 and all(line.endswith("," + street) for line in lines[1:])
    args = ["--db", url, "export-components", str(tmp_path / "c.csv"), "--street", "无此街道"]
    assert main(args) == 2
    _, err = capsys.readouterr()
    assert "未知街道: 无此街道" in err and not (tmp_path / "c.csv").exists()


def test_ctrl_c_writes_nothing(demo_db: Database, tmp_path: Path) -> None:
    """SIGINT while the import runs: exit 130, '已取消', no object and no report written."""
    p = points(demo_db, 1)
    # Enough rows that the import is still checking them when the signal comes.
    rows = [zh_row(p[0], i + 1) for i in range(60_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    proc = subprocess.Popen(
        [sys.executable, "main.py", "--db", str(demo_db.engine.url), "import-components",
         str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert proc.stderr is not None
    # The first progress line: the file is read and the rows are being checked.
    first = proc.stderr.readline().decode("utf-8")
    assert "导入进度" in first, first
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, rest = proc.communicate(timeout=120)
    err = first + rest.decode("utf-8")
    assert proc.returncode == 130, (out, err)
    assert "已取消" in err
    assert component_count(demo_db) == 0
    assert not (tmp_path / "big.csv.report.csv").exists()
