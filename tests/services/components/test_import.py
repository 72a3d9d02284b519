"""import_components: GeoJSON and CSV census files into the register, idempotent by identifier,
updates recorded, all or nothing with a line-numbered report (issue 17, "Bad input")."""

from __future__ import annotations

import gc
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from console.db import Database
from console.services.components import importer
from console.services.components.importer import import_components
from console.services.ingest.formats import IngestCancelled, IngestFileError
from console.services.ingest.report import read_report
from tests.models.test_components import _diff
from tests.services.components.register_files import (
    NOW,
    ZH_HEADER,
    changes,
    component_count,
    ident,
    points,
    register,
    write_csv,
    write_geojson,
    zh_row,
)


def test_a_gbk_census_sheet_with_the_standards_headers(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 3)
    rows = [
        zh_row(p[0], 1),
        # a CJ/T 214 code: filed under its successor, both kept; owner by name, maintainer a department
        zh_row(
            p[1],
            1,
            "0103",
            管理部件标识码=ident("01003", 1),
            主管部门="北院门街道城管委",
            养护单位="区市政工程管理中心",
            管理部件名称="",
        ),
        # by the item's name, a status by its code, a date written the Chinese way
        zh_row(
            p[2],
            2,
            "雨水井盖",
            管理部件标识码=ident("01003", 2),
            管理部件状态="damaged",
            初始日期="2026年6月3日",
        ),
    ]
    path = write_csv(tmp_path / "普查.csv", rows, encoding="gbk")
    result = import_components(demo_db, path, now=NOW)
    assert (result.inserted, result.updated, result.unchanged, result.rejected) == (3, 0, 0, [])
    assert result.encoding == "gb18030" and result.format == "csv"
    reg = register(demo_db)
    first = reg[ident("01002", 1)]
    assert (first.category_code, first.legacy_category_code) == ("01002", "0102")
    assert (first.lon, first.lat) == p[0] and first.geometry_kind == "point"
    assert first.geometry is None and first.status == "intact"
    assert first.maintainer_name == "莲湖市政养护公司" and first.maintainer_department_id is None
    assert first.surveyed_on == date(2026, 6, 1) and first.address == "莲湖路1号"
    assert first.grid_id and first.street_id and first.is_demo is False
    second = reg[ident("01003", 1)]
    assert (second.category_code, second.legacy_category_code) == ("01003", "0103")
    assert second.name == "雨水井盖"  # no name given: the item's
    assert second.maintainer_department_id is not None and second.maintainer_name is None
    assert second.owner_department_id != first.owner_department_id
    third = reg[ident("01003", 2)]
    assert third.status == "damaged" and third.surveyed_on == date(2026, 6, 3)
    body, summary = read_report(result.report_path)
    assert [(r["line"], r["status"], r["identifier"]) for r in body] == [
        ("2", "inserted", ident("01002", 1)),
        ("3", "inserted", ident("01003", 1)),
        ("4", "inserted", ident("01003", 2)),
    ]
    assert summary["inserted"] == "3" and summary["rejected"] == "0"


def test_geojson_points_lines_and_polygons(demo_db: Database, tmp_path: Path) -> None:
    (x, y), (x2, y2) = points(demo_db, 2)
    d = 0.0002
    square = [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]
    props = {"owner_department_code": "PRO01", "status": "完好", "surveyed_on": "2026-05-01"}
    features = [
        ({"type": "Point", "coordinates": [x, y]}, {**props, "identifier": ident("01002", 1)}),
        (
            {"type": "LineString", "coordinates": [[x, y], [x + d, y]]},
            {**props, "identifier": int(ident("01002", 2)), "name": "管线"},
        ),
        ({"type": "Polygon", "coordinates": square}, {**props, "identifier": ident("01002", 3)}),
        (
            {"type": "MultiPolygon", "coordinates": [square]},
            {**props, "identifier": ident("01002", 4)},
        ),
        (
            {"type": "MultiLineString", "coordinates": [[[x2, y2], [x2, y2 + d]]]},
            {**props, "identifier": ident("01002", 5)},
        ),
    ]
    result = import_components(demo_db, write_geojson(tmp_path / "a.geojson", features), now=NOW)
    assert result.rejected == [] and result.inserted == 5
    reg = register(demo_db)
    kinds = {k: (c.geometry_kind, c.geometry is None) for k, c in reg.items()}
    assert kinds == {
        ident("01002", 1): ("point", True),
        ident("01002", 2): ("line", False),
        ident("01002", 3): ("polygon", False),
        ident("01002", 4): ("polygon", False),
        ident("01002", 5): ("line", False),
    }
    line = reg[ident("01002", 2)]
    assert (line.lon, line.lat) == pytest.approx((x + d / 2, y))  # the midpoint
    assert line.name == "管线"
    polygon = reg[ident("01002", 3)]
    assert shape(json.loads(polygon.geometry)).contains(Point(polygon.lon, polygon.lat))
    assert json.loads(polygon.geometry)["coordinates"] == square


def test_english_headers_with_a_wkt_column(demo_db: Database, tmp_path: Path) -> None:
    (x, y), _ = points(demo_db, 2)
    rows = [
        {
            "identifier": ident("01002", 7),
            "name": "井盖",
            "category_code": "01002",
            "owner_department": "区市政工程管理中心",
            "maintainer_code": "PRO02",
            "status": "occupied",
            "survey_date": "2026/06/02",
            "wkt": f"LINESTRING ({x} {y}, {x + 0.0003} {y})",
        }
    ]
    result = import_components(demo_db, write_csv(tmp_path / "en.csv", rows), now=NOW)
    assert result.rejected == [] and result.inserted == 1 and result.encoding == "utf-8-sig"
    c = register(demo_db)[ident("01002", 7)]
    assert c.geometry_kind == "line" and c.status == "occupied"
    assert c.maintainer_department_id is not None and c.maintainer_name is None
    assert json.loads(c.geometry) == {
        "type": "LineString",
        "coordinates": [[x, y], [x + 0.0003, y]],
    }


def test_the_same_file_twice_changes_nothing(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 2)
    path = write_csv(tmp_path / "a.csv", [zh_row(p[0], 1), zh_row(p[1], 2)])
    import_components(demo_db, path, now=NOW)
    before = register(demo_db)
    again = import_components(demo_db, path, now=NOW + timedelta(days=1))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert register(demo_db) == before  # updated_at too
    body, _ = read_report(again.report_path)
    assert {r["status"] for r in body} == {"unchanged"}
    assert changes(demo_db) == []


def test_a_reimport_updates_status_owner_and_the_rest(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 2)
    import_components(
        demo_db, write_csv(tmp_path / "a.csv", [zh_row(p[0], 1), zh_row(p[1], 2)]), now=NOW
    )
    later = NOW + timedelta(days=30)
    rows = [
        zh_row(p[0], 1, 管理部件状态="损坏", 主管部门="SC610104002", 地址="莲湖路1号东侧"),
        zh_row(p[1], 2),
    ]
    result = import_components(demo_db, write_csv(tmp_path / "b.csv", rows), now=later)
    assert (result.inserted, result.updated, result.unchanged, result.changes) == (0, 1, 1, 2)
    c = register(demo_db)[ident("01002", 1)]
    assert c.status == "damaged" and c.address == "莲湖路1号东侧"
    assert c.updated_at == later
    made = [(ch.field, ch.old_value, ch.new_value, ch.origin, ch.at) for ch in changes(demo_db)]
    assert sorted(made) == [
        ("owner", "SC610104001", "SC610104002", "import", later),
        ("status", "intact", "damaged", "import", later),
    ]
    assert all(ch.component_id == c.id and ch.case_id is None for ch in changes(demo_db))
    body, _ = read_report(result.report_path)
    assert body[0]["status"] == "updated"
    assert body[0]["message"] == "变更: 主管部门、管理部件状态、地址"


def test_a_file_without_a_column_keeps_that_attribute(demo_db: Database, tmp_path: Path) -> None:
    (pt,) = points(demo_db, 1)
    import_components(demo_db, write_csv(tmp_path / "a.csv", [zh_row(pt, 1)]), now=NOW)
    short = [
        {
            "管理部件标识码": ident("01002", 1),
            "主管部门": "SC610104001",
            "经度": repr(pt[0]),
            "纬度": repr(pt[1]),
        }
    ]
    result = import_components(demo_db, write_csv(tmp_path / "b.csv", short), now=NOW)
    assert result.unchanged == 1
    c = register(demo_db)[ident("01002", 1)]
    assert c.address == "莲湖路1号" and c.maintainer_name == "莲湖市政养护公司"


def test_a_dry_run_writes_only_the_report(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 1)
    path = write_csv(tmp_path / "a.csv", [zh_row(p[0], 1)])
    result = import_components(demo_db, path, now=NOW, dry_run=True)
    assert result.inserted == 1 and result.dry_run and not result.written
    assert component_count(demo_db) == 0
    _, summary = read_report(result.report_path)
    assert summary["dry_run"] == "True" and summary["inserted"] == "1"


def test_cancel_before_the_commit_writes_nothing(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 2)
    path = write_csv(tmp_path / "a.csv", [zh_row(p[0], 1), zh_row(p[1], 2)])
    polls = iter(range(100))

    def cancel_while_writing() -> bool:
        return next(polls) >= 6  # checked rows, located, planned: cancelled in the write

    with pytest.raises(IngestCancelled):
        import_components(demo_db, path, now=NOW, should_cancel=cancel_while_writing)
    assert component_count(demo_db) == 0
    assert not path.with_name("a.csv.report.csv").exists()


def _bad(demo_db: Database, tmp_path: Path, **over: str) -> list[tuple[int, str, str]]:
    """A file of a good row (line 2) and a bad one (line 3), imported: its rejections."""
    p = points(demo_db, 2)
    path = write_csv(tmp_path / "bad.csv", [zh_row(p[0], 1), zh_row(p[1], 2, **over)])
    result = import_components(demo_db, path, now=NOW)
    assert component_count(demo_db) == 0, "a rejected row must leave nothing written"
    body, summary = read_report(result.report_path)
    assert summary["rejected"] == str(len(result.rejected)) and summary["inserted"] == "0"
    assert body[0]["line"] == "2" and body[0]["status"] == "not_imported"
    return result.rejected


OUTSIDE = {"经度": "116.397", "纬度": "39.909"}  # Beijing


@pytest.mark.parametrize(
    ("over", "code", "reason"),
    [
        ({"部件类别": "99001"}, "unknown_class", "未知部件大类 99"),
        ({"部件类别": "01999"}, "unknown_item", "部件大类 01 中没有小类 999"),
        ({"部件类别": "9901"}, "unknown_class", "未知部件大类 99（CJ/T 214）"),
        ({"部件类别": "路灯精灵"}, "unknown_category", "未知部件类别“路灯精灵”"),
        ({"部件类别": "私搭乱建"}, "event_category", "是事件，不是部件"),
        ({"部件类别": "E0101"}, "event_category", "是事件，不是部件"),
        ({"部件类别": "0101"}, "no_successor", "在 GB/T 47678.5-2026 中没有对应小类"),
        (OUTSIDE, "outside_district", "辖区"),
        ({"管理部件标识码": "6101040100200001X"}, "invalid_identifier", "应为17位数字"),
        ({"管理部件标识码": ident("01003", 2)}, "invalid_identifier", "与部件小类 01002 不符"),
        ({"管理部件标识码": ident("01002", 2, "610103")}, "invalid_identifier", "不是本区的"),
        ({"管理部件标识码": ""}, "missing_identifier", "缺少管理部件标识码"),
        ({"主管部门": "区不存在局"}, "unknown_department", "主管部门“区不存在局”不存在"),
        ({"主管部门": ""}, "missing_owner", "缺少主管部门"),
        ({"管理部件状态": "坏了"}, "unknown_status", "未知管理部件状态“坏了”"),
        ({"初始日期": "2026-13-45"}, "invalid_date", "初始日期格式不对"),
        ({"初始日期": "昨天"}, "invalid_date", "初始日期格式不对"),
        ({"管理部件名称": "长" * 31}, "text_too_long", "管理部件名称过长: 31 字（上限 30 字）"),
        ({"经度": "东经108度"}, "invalid_coordinates", "经度不是数字"),
        ({"经度": "", "纬度": ""}, "missing_position", "缺少位置"),
        ({"经度": "34.27", "纬度": "108.93"}, "swapped_coordinates", "经纬度可能写反了"),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_nothing_is_written(
    demo_db: Database, tmp_path: Path, over: dict[str, str], code: str, reason: str
) -> None:
    rejected = _bad(demo_db, tmp_path, **over)
    assert len(rejected) == 1
    line, got_code, message = rejected[0]
    assert (line, got_code) == (3, code), message
    assert reason in message


def test_outside_the_district_says_where(demo_db: Database, tmp_path: Path) -> None:
    ((_, _, message),) = _bad(demo_db, tmp_path, **OUTSIDE)
    assert message.startswith("坐标不在辖区内（距辖区边界约") and "米" in message


def test_a_repeated_identifier_names_the_first_line(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 3)
    rows = [zh_row(p[0], 1), zh_row(p[1], 2), zh_row(p[2], 1, 地址="另一个")]
    result = import_components(demo_db, write_csv(tmp_path / "dup.csv", rows), now=NOW)
    assert result.rejected == [
        (4, "duplicate_identifier", f"标识码 {ident('01002', 1)} 与第 2 行重复")
    ]
    assert component_count(demo_db) == 0


@pytest.mark.parametrize(
    ("wkt", "reason"),
    [
        # a bow tie: its ring crosses itself
        (
            "POLYGON ((108.93 34.27, 108.931 34.271, 108.931 34.27, 108.93 34.271, 108.93 34.27))",
            "几何无效: Self-intersection",
        ),
        ("POLYGON ((108.93 34.27, 108.931 34.271", "无法解析的几何"),
        ("LINESTRING (108.93 34.27)", "无法解析的几何"),
        ("MULTIPOINT ((108.93 34.27), (108.94 34.27))", "一个部件只能有一个点位"),
        ("GEOMETRYCOLLECTION (POINT (108.93 34.27))", "不支持的几何类型"),
        ("POINT EMPTY", "几何为空"),
    ],
)
def test_an_invalid_geometry_is_rejected(
    demo_db: Database, tmp_path: Path, wkt: str, reason: str
) -> None:
    rejected = _bad(demo_db, tmp_path, WKT=wkt, 经度="", 纬度="")
    assert [(line, code) for line, code, _ in rejected] == [(3, "invalid_geometry")]
    assert reason in rejected[0][2]


def test_invalid_geojson_features_are_rejected_by_line(demo_db: Database, tmp_path: Path) -> None:
    (x, y), _ = points(demo_db, 2)
    props = {"owner_department_code": "PRO01"}
    features = [
        ({"type": "Point", "coordinates": [x, y]}, {**props, "identifier": ident("01002", 1)}),
        (
            {"type": "Polygon", "coordinates": [[[x, y], [x + 1e-3, y]]]},  # not a ring
            {**props, "identifier": ident("01002", 2)},
        ),
        (
            {"type": "Point", "coordinates": [x, y]},
            {**props, "identifier": ident("01002", 3), "category_code": "99001"},
        ),
    ]
    features.append((None, {**props, "identifier": ident("01002", 4)}))  # no geometry
    result = import_components(demo_db, write_geojson(tmp_path / "a.geojson", features), now=NOW)
    assert [(line, code) for line, code, _ in result.rejected] == [
        (3, "invalid_geometry"),
        (4, "unknown_class"),
        (5, "missing_geometry"),
    ]
    assert component_count(demo_db) == 0


def test_nul_in_a_csv_refuses_the_file_and_in_geojson_the_row(
    demo_db: Database, tmp_path: Path
) -> None:
    p = points(demo_db, 2)
    path = write_csv(tmp_path / "a.csv", [zh_row(p[0], 1), zh_row(p[1], 2, 地址="路\x00")])
    with pytest.raises(IngestFileError, match="第 3 行含 NUL"):
        import_components(demo_db, path, now=NOW)
    body, _ = read_report(tmp_path / "a.csv.report.csv")
    assert (body[0]["line"], body[0]["code"]) == ("3", "malformed_csv")
    props = {"owner_department_code": "PRO01"}
    features = [
        ({"type": "Point", "coordinates": list(p[0])}, {**props, "identifier": ident("01002", 1)}),
        (
            {"type": "Point", "coordinates": list(p[1])},
            {**props, "identifier": ident("01002", 2), "name": "井盖\x00"},
        ),
    ]
    result = import_components(demo_db, write_geojson(tmp_path / "a.geojson", features), now=NOW)
    assert result.rejected == [(3, "nul_character", "管理部件名称含 NUL 字符（\\0）")]
    assert component_count(demo_db) == 0


def test_a_bad_reimport_leaves_the_register_as_it_was(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 2)
    import_components(demo_db, write_csv(tmp_path / "a.csv", [zh_row(p[0], 1)]), now=NOW)
    before = register(demo_db)
    rows = [zh_row(p[0], 1, 管理部件状态="丢失"), zh_row(p[1], 2, 管理部件状态="?")]
    result = import_components(demo_db, write_csv(tmp_path / "b.csv", rows), now=NOW)
    assert [line for line, _, _ in result.rejected] == [3]
    assert register(demo_db) == before and changes(demo_db) == []


def test_every_bad_row_is_listed(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 4)
    rows = [
        zh_row(p[0], 1, 部件类别="99001"),
        zh_row(p[1], 2),
        zh_row(p[2], 3, 主管部门="无此部门"),
        zh_row(p[3], 4, 初始日期="x"),
    ]
    result = import_components(demo_db, write_csv(tmp_path / "a.csv", rows), now=NOW)
    assert [(line, code) for line, code, _ in result.rejected] == [
        (2, "unknown_class"),
        (4, "unknown_department"),
        (5, "invalid_date"),
    ]


def test_a_file_without_identifiers_or_positions_is_refused(
    demo_db: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [{"名称": "井盖", "经度": "108.9", "纬度": "34.2"}])
    with pytest.raises(IngestFileError, match="缺少管理部件标识码列"):
        import_components(demo_db, path, now=NOW)
    path = write_csv(tmp_path / "b.csv", [{"管理部件标识码": ident("01002", 1), "经度": "1"}])
    with pytest.raises(IngestFileError, match="缺少位置列"):
        import_components(demo_db, path, now=NOW)
    body, _ = read_report(tmp_path / "b.csv.report.csv")
    assert body[0]["code"] == "missing_column"


def test_a_header_of_zh_columns_is_known(demo_db: Database, tmp_path: Path) -> None:
    p = points(demo_db, 1)
    path = write_csv(tmp_path / "a.csv", [zh_row(p[0], 1)], header=ZH_HEADER)
    assert import_components(demo_db, path, now=NOW).unknown_columns == []


def test_a_big_census_builds_the_indexes_again(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From REINDEX_FROM new objects (50,000; here 1) SQLite builds the plain indexes after
    the rows: the schema is the migration's afterwards, and a cancel in the middle of the
    write leaves them as they were (the DDL is part of the rolled-back transaction)."""
    monkeypatch.setattr(importer, "REINDEX_FROM", 1)
    p = points(demo_db, 2)
    path = write_csv(tmp_path / "a.csv", [zh_row(p[0], 1), zh_row(p[1], 2)])
    polls = iter(range(100))
    with pytest.raises(IngestCancelled):
        import_components(demo_db, path, now=NOW, should_cancel=lambda: next(polls) >= 6)
    assert _diff(demo_db) == [] and component_count(demo_db) == 0
    assert import_components(demo_db, path, now=NOW).inserted == 2
    assert _diff(demo_db) == []
    with demo_db.read() as s:
        plan = s.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM components WHERE category_code = '01002' "
            "AND lat BETWEEN 34 AND 35 AND lon BETWEEN 108 AND 109"
        )
        assert "ix_components_category_lat_lon" in " ".join(str(r) for r in plan)


def test_a_repeated_bad_value_is_rejected_on_every_line(demo_db: Database, tmp_path: Path) -> None:
    """The checker remembers what it found for a cell; a fault is reported each time anyway,
    and a cell no dictionary can hold (a JSON list) is checked all the same."""
    p = points(demo_db, 4)
    props = {"owner_department_code": "PRO01"}
    features = [
        ({"type": "Point", "coordinates": list(pt)}, {**props, "identifier": ident("01002", i)})
        for i, pt in enumerate(p, start=1)
    ]
    features[1][1]["owner_department_code"] = "无此部门"
    features[2][1]["owner_department_code"] = "无此部门"
    features[3][1]["status"] = ["完好"]
    result = import_components(demo_db, write_geojson(tmp_path / "a.geojson", features), now=NOW)
    assert [(line, code) for line, code, _ in result.rejected] == [
        (3, "unknown_department"),
        (4, "unknown_department"),
        (5, "unknown_status"),
    ]


def test_the_cycle_collector_pauses_for_the_import(demo_db: Database, tmp_path: Path) -> None:
    """Off while the rows are checked and written, back on afterwards where it was on (and
    left off where it was off, as the test run and the console's GUI keep it)."""
    p = points(demo_db, 1)
    path = write_csv(tmp_path / "a.csv", [zh_row(p[0], 1)])
    seen: list[bool] = []
    assert not gc.isenabled()  # tests/conftest.py
    gc.enable()
    try:
        import_components(demo_db, path, now=NOW, progress=lambda *_: seen.append(gc.isenabled()))
        assert gc.isenabled()
    finally:
        gc.disable()
    assert seen and not any(seen)
    import_components(demo_db, path, now=NOW)
    assert not gc.isenabled()
