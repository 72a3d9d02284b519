"""The evaluation workbook, read back with openpyxl: sheets, values, formats, inputs."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from console.db import Database
from console.services.evaluation.export import write_evaluation_xlsx
from console.services.evaluation.report import evaluate
from tests.conftest import Clock
from tests.services.console_support import CHIEF
from tests.services.evaluation.test_report import END, START, build_month


def test_workbook_content(demo_db: Database, clock: Clock, tmp_path: Path) -> None:
    ids = build_month(demo_db, clock)
    with demo_db.read() as s:
        report = evaluate(s, START, END, clock.now)
    path = write_evaluation_xlsx(report, tmp_path / "out" / "eval.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "全区", "街道", "片区", "单元", "网格", "部门", "监督员", "受理员", "值班长", "派遣员",
        "每日", "类别", "巡查覆盖率", "巡查人员",
    ]  # fmt: skip

    district = {row[0]: row[2:5] for row in wb["全区"].iter_rows(min_row=2, values_only=True)}
    assert district["应结案数"][0] == 7
    assert district["结案数"][0] == 6
    assert district["按期结案数"][0] == 5
    assert district["结案率"] == (0.8571, 6, 7)
    assert district["按期结案率"] == (0.7143, 5, 7)
    # the added figures (hand-computed in test_evaluation.test_district_metrics)
    assert (district["超期结案数"][0], district["超期未处置数"][0]) == (1, 1)
    assert district["自行处置数"][0] == 1
    assert district["平均处置时长(工作时)"][0] == round(430 / 5 / 60, 2)
    labels = [c.value for c in wb["全区"]["A"]]
    assert wb["全区"].cell(labels.index("结案率") + 1, 3).number_format == "0.00%"
    assert wb["全区"].cell(labels.index("平均受理时长(工作时)") + 1, 3).number_format == "0.00"

    ws = wb["街道"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold
    assert header[:3] == ["排名", "编号", "名称"] and header[-2:] == ["综合指标值", "等级"]
    # The formula's inputs sit beside each rate.
    i = header.index("结案率")
    assert header[i + 1 : i + 3] == ["结案率·分子", "结案率·分母"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 9
    street1 = rows[ids["street1"]]
    assert street1[i : i + 3] == (0.8571, 6, 7)
    assert street1[header.index("立案数")] == 7
    assert (street1[header.index("超期结案数")], street1[header.index("超期未处置数")]) == (1, 1)
    assert street1[-1] == "B" and street1[0] == 1
    # street 2 (one report, nothing registered) and the 7 streets without a case: no rank,
    # no composite, the reason in the grade column
    assert rows[ids["street2"]][0] is None and rows[ids["street2"]][-2:] == (None, "依据不足")
    others = [r for key, r in rows.items() if key not in (ids["street1"], ids["street2"])]
    assert {(r[0], r[-2], r[-1]) for r in others} == {(None, None, "无案件")}
    assert ws.cell(2, i + 1).number_format == "0.00%"
    assert ws.column_dimensions["C"].width >= 20

    chief = wb["值班长"]
    header = [c.value for c in chief[1]]
    row = next(r for r in chief.iter_rows(min_row=2, values_only=True) if r[1] == CHIEF.id)
    assert row[header.index("准确立案率") : header.index("准确立案率") + 3] == (0.8571, 6, 7)
    assert row[header.index("作废数")] == 1

    inspector = wb["监督员"]
    header = [c.value for c in inspector[1]]
    row = next(inspector.iter_rows(min_row=2, values_only=True))
    assert row[header.index("漏报率")] is None  # not derivable: left empty, never invented

    daily = list(wb["每日"].iter_rows(min_row=2, values_only=True))
    assert len(daily) == 30
    assert daily[22][1:] == (10, 5)
    assert next(wb["类别"].iter_rows(min_row=2, values_only=True))[2] == 10
