"""`grid-console evaluate` through cli.main: the summary, the workbook, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.cli import main
from console.db import Database
from tests.conftest import Clock
from tests.services.evaluation.test_functions import month  # noqa: F401  (the fixture)
from tests.services.evaluation.test_report import build_month
from tests.services.evaluation.test_satisfaction import fill_rated


def test_evaluate_month_to_xlsx(
    demo_db: Database, clock: Clock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_month(demo_db, clock)
    out = tmp_path / "eval-2026-11.xlsx"
    assert main(["--db", demo_db.url, "evaluate", "--month", "2026-11", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "结案率 close rate: 85.71% (6/7)" in printed
    assert "按期结案率 on-time close rate: 71.43% (5/7)" in printed
    assert "群众满意率 public satisfaction rate: —" in printed  # no rating in the month
    assert "top street" in printed and "bottom street" in printed
    wb = load_workbook(out)
    assert "街道" in wb.sheetnames and "全区" in wb.sheetnames


def test_evaluate_default_month_without_output(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", demo_db.url, "evaluate"]) == 0
    assert "绩效评价" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv", [["--month", "2026-13"], ["--month", "10/2026"], ["--out", "x.csv"]]
)
def test_bad_input_is_a_clear_error(
    demo_db: Database, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", demo_db.url, "evaluate", *argv]) == 2
    err = capsys.readouterr().err
    assert "错误" in err and ("YYYY-MM" in err or ".xlsx" in err)


def test_evaluate_month_to_pdf_from_a_shell_with_no_window(
    tmp_path: Path, demo_template: Path
) -> None:
    """The monthly run on a duty server: its own process, no screen, a PDF with the charts."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    db = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, db)
    out = tmp_path / "evaluation.pdf"
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    run = subprocess.run(
        [
            sys.executable,
            str(root / "main.py"),
            "--db",
            f"sqlite:///{db}",
            "evaluate",
            "--month",
            "2026-10",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 10_000


def test_the_summary_has_the_satisfaction_rate(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_rated(demo_db)
    assert main(["--db", demo_db.url, "evaluate", "--month", "2026-10"]) == 0
    assert "群众满意率 public satisfaction rate: 50.00% (2/4)" in capsys.readouterr().out


def test_evaluate_one_function(
    demo_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    month: dict[str, int],  # noqa: F811
) -> None:
    """#16 §3: the month of tests/services/evaluation/test_functions.py, 安全稳定 only."""
    out = tmp_path / "eval.xlsx"
    argv = ["--db", demo_db.url, "evaluate", "--month", "2026-11", "--function", "安全稳定"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "绩效评价 2026-11 · 职能 function: 安全稳定" in printed
    # 应结案 2: s1 (closed) and s2 (its 2 working days end on 25 November, still open)
    assert "结案率 close rate: 50.00% (1/2)" in printed
    assert load_workbook(out).properties.title == "月度绩效评价 2026-11 · 安全稳定"
    assert main([*argv[:-1], "城市建设"]) == 2
    assert "未知的职能: 城市建设" in capsys.readouterr().err
