"""`grid-console export`: the queue's filters on the command line, each format, exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.cli import main
from console.db import Database
from console.domain.worktime import WorkCalendar
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.services.console_support import build_zoo, street_points


@pytest.fixture
def url(demo_db: Database, clock: Clock) -> str:
    service = CaseService(demo_db, calendar=WorkCalendar(), clock=clock)
    build_zoo(service, demo_db, clock)
    return str(demo_db.engine.url)


def test_each_format(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "closed.json"
    args = ["--db", url, "export", "--format", "open311", "--state", "closed", "--out", str(out)]
    assert main(args) == 0
    stdout, _ = capsys.readouterr()
    assert "已导出 exported: 1 件" in stdout
    requests = json.loads(out.read_text(encoding="utf-8"))
    assert [r["status"] for r in requests] == ["closed"]

    out = tmp_path / "hotline.csv"
    assert main(["--db", url, "export", "--source", "12345", "--out", str(out)]) == 0
    assert "已导出 exported: 1 件" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 2 and rows[0][0] == "案件编号" and rows[1][9] == "12345"

    out = tmp_path / "open.xlsx"
    assert main(["--db", url, "export", "--queue", "all_open", "--out", str(out)]) == 0
    stdout, _ = capsys.readouterr()
    count = int(stdout.split("exported: ")[1].split(" ")[0])
    assert count > 5 and load_workbook(out).active.max_row == count + 1


def test_street_period_columns_and_gbk(
    url: str, demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (_, _, _), (street_id, _, _) = street_points(demo_db)
    out = tmp_path / "street.csv"
    args = [
        "--db",
        url,
        "export",
        "--street",
        str(street_id),
        "--from",
        "2026-11-23",
        "--to",
        "2026-11-23",
        "--columns",
        "number,description",
        "--encoding",
        "gbk",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    rows = list(csv.reader(out.read_bytes().decode("gbk").splitlines()))
    # The second street holds one case: the hotline report with the tricky description.
    assert rows == [
        ["案件编号", "问题描述"],
        [rows[1][0], "<script>alert(1)</script> 进度100%_done"],
    ]
    assert main([*args[:-2], "--from", "2026-11-24", "--out", str(out)]) == 0
    assert len(out.read_text(encoding="gbk").splitlines()) == 1  # the header alone


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--state", "flying"], "未知状态"),
        (["--street", "火星街"], "未知街道"),
        (["--queue", "nope"], "未知队列"),
        (["--source", "火星"], "未知来源"),
        (["--from", "23/11/2026"], "日期格式不对"),
    ],
)
def test_bad_filters_exit_2(
    url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "x.csv"
    assert main(["--db", url, "export", *extra, "--out", str(out)]) == 2
    _, err = capsys.readouterr()
    assert message in err and not out.exists()


def test_unknown_extension_exits_2(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", url, "export", "--out", str(tmp_path / "x.txt")]) == 2
    assert "无法从文件名判断导出格式" in capsys.readouterr().err
