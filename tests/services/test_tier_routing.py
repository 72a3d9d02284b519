"""Routing by tier and 一格七员's duties: the data files, their checks, and the lookups."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from console.db import Database
from console.errors import PermissionDeniedError, ValidationError
from console.models import DepartmentKind, Region, RegionLevel
from console.services.reference import data as reference_data
from console.services.reference.files import (
    TAXONOMIES,
    read_categories,
    read_grid_staff_duties,
    read_tiers,
)
from console.services.tier_routing import (
    DISTRICT,
    GRID,
    REPORT,
    SELF_HANDLE,
    STREET,
    tier_table,
)
from tests.services.test_reference_data import _append, resources_copy

__all__ = ["resources_copy"]  # the fixture: a copy of resources/ the test may spoil

GBT, CJT = "gbt47678-5-2026", "cjt214"
EVENT, COMPONENT = "event_type", "component"


def test_the_issues_examples() -> None:
    table = tier_table()
    rubbish = table.tier_of(GBT, EVENT, "06010")  # 暴露垃圾
    assert (rubbish.tier, rubbish.grid_role, rubbish.grid_role_name) == (
        GRID,
        "sanitation_worker",
        "环卫保洁员",
    )
    assert table.tier_of(CJT, EVENT, "0102").grid_role == "sanitation_worker"
    assert table.tier_of(GBT, EVENT, "09001").grid_role == "enforcement_officer"  # 游商
    assert table.tier_of(GBT, EVENT, "09005").grid_role == "frontage_inspector"  # 店外经营
    assert table.tier_of(CJT, EVENT, "0504").grid_role == "frontage_inspector"
    assert table.tier_of(GBT, EVENT, "09011").tier == STREET  # 共享单车乱象: the 大类's row
    assert table.tier_of(GBT, COMPONENT, "01001").tier == DISTRICT  # 部件: a department's
    assert table.tier_of(GBT, EVENT, "04001").tier == DISTRICT  # 古树名木异常
    assert table.tier_of(GBT, EVENT, "09009").tier == DISTRICT  # 机动车乱停放: traffic police
    # Urgent rubbish is not left to the sweeper's round; street order (urgent once
    # registered, its limit is 紧急工作时) keeps its tier.
    assert table.tier_of(GBT, EVENT, "06010", urgent=True).tier == DISTRICT
    assert table.tier_of(CJT, EVENT, "0204", urgent=True).tier == STREET
    assert table.tier_of(GBT, EVENT, "09001", urgent=True).tier == GRID
    assert table.tier_of(GBT, EVENT, "09009", urgent=True).tier == DISTRICT
    assert table.tier_of(GBT, EVENT, "06010").describe() == (
        "建议层级：网格（环卫保洁员自行处置；小事不出网格、大事不出街道）"
    )
    assert table.tier_of(GBT, EVENT, "09011").describe() == (
        "建议层级：街道（小事不出网格、大事不出街道）"
    )


def test_street_and_district_tiers_agree_with_routing(demo_db: Database) -> None:
    """ "By routing table" dispatches a street matter to its committee and a district matter
    to a department, for every category of both taxonomies, in a real street."""
    table = tier_table()
    with demo_db.read() as s:
        street = s.query(Region).filter(Region.level == RegionLevel.STREET.value).first()
        assert street is not None
        checked = {STREET: 0, DISTRICT: 0, GRID: 0}
        for taxonomy in TAXONOMIES:
            for c in read_categories(taxonomy):
                for urgent in (False, True):
                    tier = table.tier_of(taxonomy, c.kind, c.code, urgent=urgent).tier
                    dept = reference_data.route(s, taxonomy, c.code, street.id, kind=c.kind)
                    assert dept is not None, (taxonomy, c.kind, c.code)
                    committee = dept.kind == DepartmentKind.STREET_COMMITTEE.value
                    if tier == STREET:
                        assert committee and dept.street_id == street.id, (taxonomy, c.code)
                    elif tier == DISTRICT:
                        assert not committee, (taxonomy, c.kind, c.code)
                    checked[tier] += 1
    assert all(checked.values()), checked


def test_duties() -> None:
    table = tier_table()
    # 网格管理员: reports anything, self-handles the small-matter classes only.
    assert table.allows("grid_manager", REPORT, GBT, EVENT, "08004")
    assert table.allows("grid_manager", SELF_HANDLE, GBT, EVENT, "06010")
    assert not table.allows("grid_manager", SELF_HANDLE, GBT, EVENT, "08004")  # 工地扬尘
    assert not table.allows("grid_manager", SELF_HANDLE, GBT, COMPONENT, "01001")
    # A self_handle duty lets the role report the category; nothing beyond its list.
    assert table.allows("sanitation_worker", REPORT, GBT, EVENT, "06010")
    assert not table.allows("sanitation_worker", SELF_HANDLE, GBT, EVENT, "09001")
    assert not table.allows("sanitation_worker", REPORT, GBT, EVENT, "09001")
    assert not table.allows("city_inspector", SELF_HANDLE, GBT, EVENT, "06010")
    with pytest.raises(PermissionDeniedError) as refused:
        table.check("grid_manager", SELF_HANDLE, GBT, EVENT, "08004", "工地扬尘")
    assert refused.value.message == (
        "网格管理员（grid_manager）的职责不含自行处置事件「08004 工地扬尘」"
        "（见 resources/org/grid_staff_duties.csv），请按常规上报，由指挥中心派遣"
    )
    with pytest.raises(
        PermissionDeniedError, match="环卫保洁员（sanitation_worker）的职责不含上报"
    ):
        table.check("sanitation_worker", REPORT, GBT, EVENT, "09001")
    # Roles outside 一格七员 are not bound by the duties file (the lifecycle decides).
    table.check("inspector", SELF_HANDLE, GBT, EVENT, "08004")
    table.check("grid_manager", SELF_HANDLE, GBT, EVENT, "06010")


def test_every_grid_row_names_a_role_holding_that_duty() -> None:
    table = tier_table()
    grid_rows = [r for r in read_tiers() if r.tier == GRID]
    assert {r.grid_role for r in grid_rows} >= {
        "sanitation_worker",
        "enforcement_officer",
        "frontage_inspector",
        "property_manager",
    }
    for r in grid_rows:
        assert r.grid_role is not None
        assert table.allows(r.grid_role, SELF_HANDLE, r.taxonomy, r.kind, r.category_prefix)
    assert {d.role for d in read_grid_staff_duties()} == set(table.role_names)


TIERS_CSV, DUTIES_CSV = "tiers.csv", "grid_staff_duties.csv"
READERS: dict[str, Callable[[], object]] = {
    TIERS_CSV: read_tiers,
    DUTIES_CSV: read_grid_staff_duties,
}


@pytest.mark.parametrize(
    ("filename", "row", "problem"),
    [
        (TIERS_CSV, "gbt47678-5-2026,event_type,06099,,grid,sanitation_worker", "“06099”不是"),
        (TIERS_CSV, "gbt47678-5-2026,event_type,06010,,grid,sweeper", "未知的网格员角色“sweeper”"),
        (TIERS_CSV, "gbt47678-5-2026,event_type,06010,,grid,", "须填写自处置的网格员角色"),
        (TIERS_CSV, "gbt47678-5-2026,event_type,06010,,street,sanitation_worker", "只有网格层级"),
        (TIERS_CSV, "gbt47678-5-2026,event_type,06010,,county,", "层级“county”"),
        (TIERS_CSV, "gbt47678-5-2026,event_type,06010,yes,street,", "urgent“yes”"),
        (TIERS_CSV, "gbt47678-5-2026,event_type,06010,,grid,sanitation_worker", "重复"),
        (TIERS_CSV, "gb2027,event_type,06,,street,", "未知的分类标准“gb2027”"),
        (TIERS_CSV, "gbt47678-5-2026,event,06,,street,", "kind“event”"),
        (TIERS_CSV, "gbt47678-5-2026,event_type,6,,street,", "至少2位数字"),
        (DUTIES_CSV, "sweeper,report,cjt214,event_type,01", "未知的网格员角色“sweeper”"),
        (DUTIES_CSV, "grid_manager,fix,cjt214,event_type,01", "职责“fix”"),
        (DUTIES_CSV, "grid_manager,report,cjt214,event_type,0199999", "不是 cjt214 任何"),
        (DUTIES_CSV, "grid_manager,self_handle,cjt214,event_type,01", "重复"),
    ],
)
def test_bad_rows_are_refused_with_their_line(
    resources_copy: Path, filename: str, row: str, problem: str
) -> None:
    line = _append(resources_copy / "org" / filename, row)
    with pytest.raises(ValidationError) as err:
        READERS[filename]()
    message = err.value.message
    assert f"{filename} 第{line}行" in message and problem in message


def test_files_are_checked_against_each_other(resources_copy: Path) -> None:
    # A grid matter whose role lacks that self_handle duty: named by the tiers.csv line.
    line = _append(
        resources_copy / "org" / "tiers.csv", "cjt214,event_type,0105,,grid,sanitation_worker"
    )
    with pytest.raises(ValidationError) as err:
        tier_table()
    assert err.value.message == (
        f"tiers.csv 第{line}行：环卫保洁员（sanitation_worker）在 grid_staff_duties.csv "
        "中没有自处置 0105 的职责"
    )


def test_every_category_has_a_tier() -> None:
    assert tier_table().uncovered() == []


def test_a_category_without_a_tier_is_named(resources_copy: Path) -> None:
    path = resources_copy / "org" / "tiers.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(x for x in lines if not x.startswith("cjt214,event_type,03,")), encoding="utf-8"
    )
    table = tier_table()
    assert table.uncovered()[:2] == ["cjt214 事件 0301", "cjt214 事件 0302"]
    with pytest.raises(ValidationError) as err:
        table.tier_of(CJT, EVENT, "0301")
    assert err.value.message.startswith("tiers.csv：cjt214 事件 0301 没有层级规则")
    assert table.tier_of(CJT, EVENT, "0102").tier == GRID  # the rest still answers


def test_comment_lines_keep_the_files_line_numbers(resources_copy: Path) -> None:
    path = resources_copy / "org" / "tiers.csv"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#")  # the file says where its choices come from
    line = _append(path, "# a trailing comment")
    line = _append(path, "cjt214,event_type,01,,nowhere,")
    with pytest.raises(ValidationError, match=f"tiers.csv 第{line}行"):
        read_tiers()
