"""The evaluation's patrol section (网格定期巡查) on a real SQLite file with real patrols
through PatrolService: known tracks crossing known grids give exact 巡查覆盖率 per grid, unit,
street and district; 巡查里程, 巡查次数 and 上报数 per person; open patrols counted from their
points; the frequency file's runs of days; and no patrol figure in any composite."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import aliased

from console.config import LOCAL_TZ
from console.db import Database
from console.models import Region
from console.services.cases.service import CaseService
from console.services.evaluation.config import EvaluationConfig
from console.services.evaluation.export import write_evaluation_xlsx
from console.services.evaluation.patrols import patrol_section, periods_met
from console.services.evaluation.report import evaluate, month_period
from console.services.patrol_rules import Frequencies
from console.services.patrols import PATROL_ROLES, PatrolService
from tests.conftest import Clock
from tests.services.console_support import GRID, INSPECTOR, report_input
from tests.services.test_patrols import haversine, two_neighbours, walk

START, END = month_period("2026-11")
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=LOCAL_TZ)  # 5 days of November counted
INSPECTOR_ID, GRID_ID = int(INSPECTOR.id or 0), int(GRID.id or 0)


def chain(db: Database, grid_id: int) -> tuple[int, int, int, str]:
    """(unit, area, street, street code) of a grid."""
    unit, area, street = aliased(Region), aliased(Region), aliased(Region)
    with db.read() as s:
        row = s.execute(
            select(unit.id, area.id, street.id, street.code)
            .select_from(Region)
            .join(unit, unit.id == Region.parent_id)
            .join(area, area.id == unit.parent_id)
            .join(street, street.id == area.parent_id)
            .where(Region.id == grid_id)
        ).one()
    return row[0], row[1], row[2], row[3]


def grids_under(db: Database) -> dict[int, int]:
    """Region id → its grids with a boundary (units, areas, streets)."""
    with db.read() as s:
        regions = s.execute(select(Region.id, Region.level, Region.parent_id)).all()
        grids = s.scalars(
            select(Region.id).where(Region.level == "grid", Region.geometry.is_not(None))
        ).all()
    parent = {r.id: r.parent_id for r in regions}
    out: dict[int, int] = {}
    for g in grids:
        rid = parent.get(g)
        while rid is not None:
            out[rid] = out.get(rid, 0) + 1
            rid = parent.get(rid)
    return out


@dataclass(frozen=True)
class Month:
    a: int
    b: int
    distance: float
    open_distance: float
    inside_a: bool


@pytest.fixture
def month(demo_db: Database) -> Month:
    return walk_month(demo_db)


def walk_month(demo_db: Database) -> Month:
    """Mon 2 Nov: the inspector walks grid A into grid B and ends, and reports two cases;
    Tue 3 Nov: the grid manager walks inside A and is still out (open patrol)."""
    (ka, a), (kb, b) = two_neighbours(demo_db)
    pa, pb = a.representative_point(), b.representative_point()
    clock = Clock(datetime(2026, 11, 2, 9, 0, tzinfo=LOCAL_TZ))
    service = PatrolService(demo_db, clock)
    cases = CaseService(demo_db, clock=clock)
    first = service.start(INSPECTOR_ID)
    total = haversine((pa.x, pa.y), (pb.x, pb.y))
    service.add_points(
        INSPECTOR_ID, first.id, walk((pa.x, pa.y), (pb.x, pb.y), int(total / 5) + 2, clock.now)
    )
    for _ in range(2):
        clock.advance(minutes=5)
        cases.report(INSPECTOR, report_input((pa.x, pa.y), source="inspector"))
    clock.advance(hours=1)
    ended = service.end(INSPECTOR_ID, first.id)

    clock.now = datetime(2026, 11, 3, 10, 0, tzinfo=LOCAL_TZ)
    second = service.start(GRID_ID)
    inside = (pa.x, pa.y + 0.0003)  # ~33 m north, still in A
    service.add_points(GRID_ID, second.id, walk((pa.x, pa.y), inside, 8, clock.now))
    return Month(
        ka,
        kb,
        float(ended.distance_m or 0.0),
        haversine((pa.x, pa.y), inside),
        shape(json.loads(_geometry(demo_db, ka))).contains(
            shape({"type": "Point", "coordinates": inside})
        ),
    )


def _geometry(db: Database, grid_id: int) -> str:
    with db.read() as s:
        return str(s.scalar(select(Region.geometry).where(Region.id == grid_id)))


def test_coverage_per_grid_unit_street_and_district(demo_db: Database, month: Month) -> None:
    ka, kb = month.a, month.b
    assert month.inside_a
    with demo_db.read() as s:
        section = evaluate(s, START, END, NOW).patrols
    assert section is not None
    assert section.days == 5 and f"{section.first_day}" == "2026-11-01"
    grids = {c.region_id: c for c in section.by_level["grid"]}
    # A: visited on the 2nd (ended patrol) and the 3rd (open one) of 5 days; B: on the 2nd.
    assert (grids[ka].required, grids[ka].met, grids[ka].rate) == (5, 2, 40.0)
    assert (grids[kb].required, grids[kb].met, grids[kb].rate) == (5, 1, 20.0)
    assert grids[ka].grids_visited == grids[kb].grids_visited == 1
    assert sum(c.met for c in grids.values()) == 3
    assert grids[ka].metres + grids[kb].metres == pytest.approx(
        month.distance + month.open_distance, abs=1.0
    )

    under = grids_under(demo_db)
    unit_a, _, street_a, _ = chain(demo_db, ka)
    unit_b, _, street_b, _ = chain(demo_db, kb)
    units = {c.region_id: c for c in section.by_level["unit"]}
    streets = {c.region_id: c for c in section.by_level["street"]}
    for unit, met in ((unit_a, 3),) if unit_a == unit_b else ((unit_a, 2), (unit_b, 1)):
        assert units[unit].grids == under[unit]
        assert (units[unit].required, units[unit].met) == (5 * under[unit], met)
        assert units[unit].rate == round(100.0 * met / (5 * under[unit]), 2)
    for street, met in ((street_a, 3),) if street_a == street_b else ((street_a, 2), (street_b, 1)):
        assert (streets[street].required, streets[street].met) == (5 * under[street], met)
        assert streets[street].rate == round(100.0 * met / (5 * under[street]), 2)
    others = [c for c in streets.values() if c.region_id not in (street_a, street_b)]
    assert others and all(c.met == 0 and c.rate == 0.0 for c in others)
    assert len(section.by_level["street"]) == 9
    assert section.district.grids == 364
    assert (section.district.required, section.district.met) == (1820, 3)
    assert section.district.rate == 0.16  # 3 / 1820
    assert section.open_now == 1


def test_distance_patrols_and_reports_per_person(demo_db: Database, month: Month) -> None:
    with demo_db.read() as s:
        report = evaluate(s, START, END, NOW)
    assert report.patrols is not None
    people = {p.user_id: p for p in report.patrols.people}
    inspector, grid = people[INSPECTOR_ID], people[GRID_ID]
    assert inspector.patrols == 1 and grid.patrols == 1
    assert inspector.distance_km == round(month.distance / 1000.0, 2)
    assert grid.distance_km == pytest.approx(month.open_distance / 1000.0, abs=0.01)
    assert (inspector.reported, grid.reported) == (2, 0)
    # The same 上报数 as the inspector's position metric.
    position = next(o for o in report.by_kind["inspector"] if o.object_id == INSPECTOR_ID)
    assert position.metric("reported").value == 2
    assert inspector.role_zh == "监督员"
    # Everyone who may patrol is listed, those who walked most first.
    assert report.patrols.people[0].user_id == INSPECTOR_ID
    assert {p.role for p in report.patrols.people} == PATROL_ROLES  # 一格七员 too


def test_frequency_runs_of_days_and_days_counted(demo_db: Database, month: Month) -> None:
    ka = month.a
    _, _, _, street_code = chain(demo_db, ka)
    weekly = Frequencies(1, {street_code: 7})
    with demo_db.read() as s:
        section = patrol_section(s, START, END, NOW, weekly)
        whole = patrol_section(s, START, END, END + timedelta(days=3), weekly)
        before = patrol_section(s, START, END, START - timedelta(days=1))
    grid_a = next(c for c in section.by_level["grid"] if c.region_id == ka)
    assert (grid_a.required, grid_a.met, grid_a.rate) == (1, 1, 100.0)  # ⌈5/7⌉ runs
    whole_a = next(c for c in whole.by_level["grid"] if c.region_id == ka)
    assert whole.days == 30 and (whole_a.required, whole_a.met) == (5, 1)  # ⌈30/7⌉
    assert before.days == 0 and before.district.required == 0 and before.district.rate is None
    assert periods_met({10, 11, 17}, 10, 10, 3) == (4, 2)  # runs 10–12, 13–15, 16–18, 19
    assert periods_met(set(), 10, 0, 1) == (0, 0)


def test_patrol_figures_are_in_no_composite(demo_db: Database, month: Month) -> None:
    config = EvaluationConfig.load()
    keys = {t.metric for terms in config.weights.values() for t in terms}
    assert not keys & {"coverage_rate", "required", "met", "distance_km", "patrols"}
    with demo_db.read() as s:
        report = evaluate(s, START, END, NOW)
    # the streets' metrics are the case metrics alone (the patrol figures are a section)
    street = report.by_kind["street"][0]
    assert not {m.key for m in street.metrics} & {"coverage_rate", "distance_km"}


def test_the_workbook_has_the_patrol_sheets(
    demo_db: Database, month: Month, tmp_path: Path
) -> None:
    with demo_db.read() as s:
        report = evaluate(s, START, END, NOW)
    wb = load_workbook(write_evaluation_xlsx(report, tmp_path / "eval.xlsx"))
    assert wb.sheetnames[-2:] == ["巡查覆盖率", "巡查人员"]
    sheet = list(wb["巡查覆盖率"].iter_rows(values_only=True))
    assert sheet[0][:9] == (
        "层级", "编号", "名称", "网格数", "应巡查次数", "已巡查次数", "巡查覆盖率", "巡查网格数",
        "巡查长度(米)",
    )  # fmt: skip
    district = sheet[1]
    assert district[0] == "全区" and district[3:8] == (364, 1820, 3, 0.0016, 2)  # 3 visits, 2 grids
    grid_a = next(r for r in sheet if r[0] == "网格" and r[1] == month.a)
    assert grid_a[4:7] == (5, 2, 0.4)
    assert wb["巡查覆盖率"].cell(2, 7).number_format == "0.00%"
    people = {r[0]: r for r in wb["巡查人员"].iter_rows(min_row=2, values_only=True)}
    assert people[INSPECTOR_ID][2:] == ("监督员", 1, round(month.distance / 1000.0, 2), 2)
    assert people[GRID_ID][2:4] == ("网格管理员", 1)
