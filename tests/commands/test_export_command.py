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
from tests.services.console_support import INTAKE, build_zoo, report_input, street_points


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


def test_gbk_writes_gbk_and_refuses_what_gbk_lacks(
    url: str, demo_db: Database, clock: Clock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.csv"
    assert main(["--db", url, "export", "--encoding", "gbk", "--out", str(clean)]) == 0
    capsys.readouterr()
    raw = clean.read_bytes()
    text = raw.decode("gbk")  # strict: every byte is GBK's
    assert "案件编号" in text and "<script>alert(1)</script> 进度100%_done" in text

    service = CaseService(demo_db, calendar=WorkCalendar(), clock=clock)
    (_, _, point), _ = street_points(demo_db)
    # "€" is in Windows' cp936 table but not in GBK proper (nor in Python's gbk or cp936
    # codecs); "𠀀" (CJK Extension B) is in GB18030 only, as four bytes.
    for char in ("€", "𠀀"):
        clock.advance(minutes=1)
        description = f"单价 5{char} 的广告牌"
        case = service.report(INTAKE, report_input(point, description=description))
        refused = tmp_path / "refused.csv"
        args = ["--db", url, "export", "--encoding", "gbk", "--out", str(refused)]
        assert main(args) == 2
        _, err = capsys.readouterr()
        # The newest case (this one) is the first row: it is named, with the column and the
        # character, and the lossless option is offered; no file, not even a part.
        assert case.number in err and "问题描述" in err and f"“{char}”" in err
        assert f"U+{ord(char):04X}" in err and "gb18030" in err
        assert not refused.exists() and not list(tmp_path.glob(".*.part"))

        lossless = tmp_path / f"lossless{ord(char)}.csv"
        args = ["--db", url, "export", "--encoding", "gb18030", "--out", str(lossless)]
        assert main(args) == 0
        capsys.readouterr()
        raw = lossless.read_bytes()
        assert char.encode("gb18030") in raw and description in raw.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("gbk")  # not GBK: what --encoding gbk wrote before
