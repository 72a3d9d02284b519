"""ingest_file on a real SQLite demo database: every format and encoding, every rejection with
its line and code, idempotency, all-or-nothing, dry runs and the report file."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from console.db import Database
from console.models import Case
from console.services import bulk_intake
from console.services.ingest import IngestFileError, ingest_file
from console.services.ingest.report import read_report
from tests.services.ingest.support import IMPORTER, NOW, case_count, cases, points

ZH_HEADER = "外部编号,类别代码,类型,经度,纬度,问题描述,地址,上报时间,备注"
EN_HEADER = "external_id,category_code,kind,lon,lat,description,address,reported_at"


def run(db: Database, path: Path, **kw: object):  # type: ignore[no-untyped-def]
    return ingest_file(db, path, actor=IMPORTER, now=NOW, **kw)  # type: ignore[arg-type]


def zh_rows(pts: list[tuple[float, float]], n: int = 3) -> list[str]:
    return [
        f"W{i},0102,事件,{x},{y},垃圾堆积{i},莲湖路{i}号,2026-11-23 09:{i:02d},x"
        for i, (x, y) in enumerate(pts[:n])
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_csv_in_every_encoding(demo_db: Database, tmp_path: Path, encoding: str) -> None:
    pts = points(demo_db)
    path = tmp_path / "in.csv"
    path.write_bytes("\n".join([ZH_HEADER, *zh_rows(pts)]).encode(encoding))
    result = run(demo_db, path)
    assert (result.total, result.accepted, result.rejected) == (3, 3, [])
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}.get(encoding, "gb18030")
    assert result.encoding == expected
    assert result.unknown_columns == ["备注"]
    stored = cases(demo_db)
    assert [c.description for c in stored] == ["垃圾堆积0", "垃圾堆积1", "垃圾堆积2"]
    assert stored[0].external_id == "W0" and stored[0].kind == "event_type"
    assert stored[0].reported_at.astimezone(NOW.tzinfo).hour == 9
    assert all(o.case_number for o in result.outcomes)


def test_english_headers_tab_delimited(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    rows = [
        f"E{i}\t0101\tcomponent\t{x}\t{y}\tmanhole\taddr {i}\t2026-11-23T09:00:00+08:00"
        for i, (x, y) in enumerate(pts[:2])
    ]
    path = tmp_path / "in.tsv"
    path.write_text("\n".join([EN_HEADER.replace(",", "\t"), *rows]), encoding="utf-8")
    result = run(demo_db, path, source="12345")
    assert result.accepted == 2
    assert {c.source for c in cases(demo_db)} == {"hotline"}
    assert {c.kind for c in cases(demo_db)} == {"component"}


def test_undecodable_bytes_are_a_clear_file_error(demo_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(ZH_HEADER.encode("utf-8") + b"\n\xff\xfe\xff\x80\x80,1,2\n")
    with pytest.raises(IngestFileError) as info:
        run(demo_db, path)
    assert info.value.code == "bad_encoding"
    rows, summary = read_report(tmp_path / "bad.csv.report.csv")
    assert rows[0]["code"] == "bad_encoding" and summary["status"] == "unreadable"
    assert case_count(demo_db) == 0


def test_every_rejection_has_its_line_and_code(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    (x, y) = pts[0]
    lines = [
        ZH_HEADER,  # 1
        f"A1,0102,事件,{x},{y},正常,莲湖路1号,2026-11-23 09:00,",  # 2 ok
        f"A2,9999,事件,{x},{y},未知类别,莲湖路,2026-11-23 09:00,",  # 3
        "A3,0102,事件,116.4,39.9,北京,东城区,2026-11-23 09:00,",  # 4 outside
        f"A4,0102,事件,{y},{x},写反,莲湖路,2026-11-23 09:00,",  # 5 swapped
        f"A5,0102,事件,{x},{y},,莲湖路,2026-11-23 09:00,",  # 6 missing description
        f"A6,0102,事件,abc,{y},坏数字,莲湖路,2026-11-23 09:00,",  # 7 bad number
        f"A7,0102,事件,{x},{y},多一列,莲湖路,2026-11-23 09:00,,extra",  # 8 column count
        f"A8,0102,事件,{x},{y},{'长' * 4001},莲湖路,2026-11-23 09:00,",  # 9 oversized
        f"A9,0102,事件,{x},{y},时间,莲湖路,昨天下午,",  # 10 bad time
        f"A10,0102,怪物,{x},{y},类型,莲湖路,2026-11-23 09:00,",  # 11 bad kind
        f'A11,0102,事件,{x},{y},"\'; DROP TABLE cases; --",莲湖路,2026-11-23 09:00,',  # 12
        f"A12,0102,事件,{x},{y},<script>alert(1)</script>,莲湖路,2026-11-23 09:00,",  # 13
        f"A13,0101,,{x},{y},井盖还是私搭乱建,莲湖路,2026-11-23 09:00,",  # 14 ambiguous
    ]
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = run(demo_db, path)
    got = {line: code for line, code, _ in result.rejected}
    assert got == {
        3: "unknown_category",
        4: "outside_district",
        5: "swapped_coordinates",
        6: "missing_field",
        7: "invalid_coordinates",
        8: "malformed_row",
        9: "text_too_long",
        10: "invalid_time",
        11: "unknown_kind",
        14: "invalid",
    }
    assert result.accepted == 3 and result.total == 13
    texts = {c.external_id: c.description for c in cases(demo_db)}
    assert texts["A11"] == "'; DROP TABLE cases; --"
    assert texts["A12"] == "<script>alert(1)</script>"
    with demo_db.read() as s:  # the table is still there
        assert s.execute(text("SELECT count(*) FROM cases")).scalar() == 3
    rows, summary = read_report(result.report_path)
    assert [r["line"] for r in rows] == [str(n) for n in range(2, 15)]
    assert summary["accepted"] == "3" and summary["rejected"] == "10"
    assert summary["unknown_columns"] == "备注"


def test_idempotent_by_external_id(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    path = tmp_path / "in.csv"
    path.write_text("\n".join([ZH_HEADER, *zh_rows(pts, 4), zh_rows(pts, 1)[0]]), encoding="utf-8")
    first = run(demo_db, path)
    assert (first.accepted, first.duplicates) == (4, 1)  # the last line repeats W0
    second = run(demo_db, path)
    assert (second.accepted, second.duplicates, second.rejected) == (0, 5, [])
    assert case_count(demo_db) == 4
    rows, _ = read_report(second.report_path)
    assert {r["status"] for r in rows} == {"duplicate"}
    assert rows[0]["case_number"]  # points at the case already imported
    # Another source may use the same external ids.
    third = run(demo_db, path, source="视频")
    assert third.accepted == 4


def test_nothing_half_imported_on_a_db_error(
    demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pts = points(demo_db)
    path = tmp_path / "in.csv"
    path.write_text("\n".join([ZH_HEADER, *zh_rows(pts, 5)]), encoding="utf-8")
    real = bulk_intake.insert_many
    calls = []

    def failing(conn, table, rows):  # type: ignore[no-untyped-def]
        calls.append(table.name)
        if table.name == "case_events":
            raise RuntimeError("disk full")
        real(conn, table, rows)

    monkeypatch.setattr(bulk_intake, "insert_many", failing)
    with pytest.raises(RuntimeError):
        run(demo_db, path)
    assert calls == ["cases", "case_events"]
    assert case_count(demo_db) == 0


def test_dry_run_inserts_nothing_but_checks_everything(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    x, y = pts[0]
    path = tmp_path / "in.csv"
    bad = [f"B1,9999,事件,{x},{y},d,a,,", "B2,0102,事件,116.4,39.9,d,a,,"]
    path.write_text("\n".join([ZH_HEADER, *zh_rows(pts, 2), *bad]), encoding="utf-8")
    result = run(demo_db, path, dry_run=True)
    assert result.accepted == 0 and case_count(demo_db) == 0
    assert [(line, code) for line, code, _ in result.rejected] == [
        (4, "unknown_category"),
        (5, "outside_district"),
    ]
    rows, summary = read_report(result.report_path)
    assert [r["status"] for r in rows] == ["valid", "valid", "rejected", "rejected"]
    assert summary["dry_run"] == "True" and summary["valid"] == "2"


def test_jsonl_with_a_malformed_line(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    good = [
        json.dumps(
            {
                "id": i,
                "code": "0102",
                "kind": "事件",
                "lng": x,
                "lat": y,
                "描述": "垃圾",
                "地址": "路",
                "来源": "公众",
            },
            ensure_ascii=False,
        )
        for i, (x, y) in enumerate(pts[:2])
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([good[0], '{"id": 9, "code": ', "[1, 2]", "", good[1]]), "utf-8")
    result = run(demo_db, path)
    assert result.format == "jsonl" and result.accepted == 2
    assert [(line, code) for line, code, _ in result.rejected] == [
        (2, "malformed_json"),
        (3, "not_an_object"),
    ]
    assert {c.source for c in cases(demo_db)} == {"public"}
    assert {c.external_id for c in cases(demo_db)} == {"0", "1"}


def test_json_document_lines_and_malformed_document(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    items = [
        {
            "external_id": f"J{i}",
            "category_code": "0102",
            "kind": "event_type",
            "longitude": x,
            "latitude": y,
            "description": "d",
            "address": "a",
        }
        for i, (x, y) in enumerate(pts[:3])
    ]
    items[1]["latitude"] = 500
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"requests": items}, indent=2), encoding="utf-8")
    result = run(demo_db, path)
    assert result.format == "json" and result.accepted == 2
    # indent=2: the second object starts on line 13 ({ + "requests": [ + 9 lines per item)
    ((line, code, _),) = result.rejected
    assert code == "invalid_coordinates"
    assert path.read_text().splitlines()[line - 1].strip() == "{"
    broken = tmp_path / "broken.json"
    broken.write_text('[\n {"a": 1},\n {"a": \n]', encoding="utf-8")
    with pytest.raises(IngestFileError) as info:
        run(demo_db, broken)
    assert info.value.code == "malformed_json" and info.value.line == 4


def test_open311_json_and_xml(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    (x0, y0), (x1, y1), (x2, y2) = pts[:3]
    requests = [
        {
            "service_request_id": "R1",
            "service_code": "garbage",
            "lat": y0,
            "long": x0,
            "description": "垃圾",
            "address_string": "莲湖路",
            "requested_datetime": "2026-11-23T09:00:00+08:00",
        },
        {"service_request_id": "R2", "service_code": "potholes", "lat": y1, "long": x1},
        {"service_request_id": "R3", "service_code": "manhole_cover", "lat": y2, "long": x2},
    ]
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(requests, indent=1), encoding="utf-8")
    result = run(demo_db, path)
    assert result.format == "open311" and result.accepted == 2
    assert [(code) for _, code, _ in result.rejected] == ["unknown_service_code"]
    by_ext = {c.external_id: c for c in cases(demo_db)}
    assert by_ext["R3"].category_code == "01001" and by_ext["R3"].kind == "component"
    assert by_ext["R1"].source == "public"
    xml = tmp_path / "requests.xml"
    xml.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n'
        f"<request>\n<service_request_id>X1</service_request_id>\n"
        f"<service_code>garbage</service_code>\n<lat>{y0}</lat><long>{x0}</long>\n"
        "<description>&lt;script&gt;</description>\n</request>\n"
        f"<request>\n<service_request_id>X2</service_request_id>\n"
        f"<service_code>nope</service_code><lat>{y0}</lat><long>{x0}</long>\n</request>\n"
        "</service_requests>\n",
        encoding="utf-8",
    )
    result = run(demo_db, xml)
    assert result.accepted == 1
    assert [(line, code) for line, code, _ in result.rejected] == [(9, "unknown_service_code")]
    assert {c.description for c in cases(demo_db) if c.external_id == "X1"} == {"<script>"}


def test_xml_with_doctype_or_entities_is_refused(demo_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
        "<service_requests><request><description>&lol;</description></request>"
        "</service_requests>",
        encoding="utf-8",
    )
    with pytest.raises(IngestFileError) as info:
        run(demo_db, path)
    assert info.value.code == "xml_forbidden"
    bad = tmp_path / "bad.xml"
    bad.write_text("<service_requests>\n<request>\n</service_requests>", encoding="utf-8")
    with pytest.raises(IngestFileError) as info:
        run(demo_db, bad)
    assert info.value.code == "malformed_xml" and info.value.line == 3


def test_geojson_points(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    features = [
        {
            "type": "Feature",
            "id": f"G{i}",
            "geometry": {"type": "Point", "coordinates": [x, y]},
            "properties": {"类别代码": "0102", "类型": "事件", "描述": "垃圾", "地址": "路"},
        }
        for i, (x, y) in enumerate(pts[:2])
    ]
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            "properties": {},
        }
    )
    path = tmp_path / "in.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    result = run(demo_db, path, source="视频")
    assert result.accepted == 2
    assert [code for _, code, _ in result.rejected] == ["not_a_point"]
    assert {(c.external_id, c.source) for c in cases(demo_db)} == {("G0", "video"), ("G1", "video")}


def test_oversized_file_and_too_many_rows(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    path = tmp_path / "in.csv"
    path.write_text("\n".join([ZH_HEADER, *zh_rows(pts, 5)]), encoding="utf-8")
    with pytest.raises(IngestFileError) as info:
        run(demo_db, path, max_bytes=100)
    assert info.value.code == "file_too_large"
    with pytest.raises(IngestFileError) as info:
        run(demo_db, path, max_rows=4)
    assert info.value.code == "too_many_rows"
    assert case_count(demo_db) == 0


def test_huge_csv_cell_is_rejected_not_fatal(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    x, y = pts[0]
    path = tmp_path / "in.csv"
    huge = "x" * 30_000
    path.write_text(
        "\n".join([ZH_HEADER, f"H1,0102,事件,{x},{y},{huge},路,,", *zh_rows(pts, 1)]), "utf-8"
    )
    result = run(demo_db, path)
    assert [(line, code) for line, code, _ in result.rejected] == [(2, "text_too_long")]
    assert result.accepted == 1


def test_progress_is_reported(demo_db: Database, tmp_path: Path) -> None:
    pts = points(demo_db)
    path = tmp_path / "in.csv"
    path.write_text("\n".join([ZH_HEADER, *zh_rows(pts, 3)]), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    run(demo_db, path, progress=lambda done, total: seen.append((done, total)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))


def test_report_cells_that_look_like_formulas_are_neutralised(
    demo_db: Database, tmp_path: Path
) -> None:
    pts = points(demo_db)
    x, y = pts[0]
    path = tmp_path / "in.csv"
    path.write_text("\n".join([ZH_HEADER, f"F1,=cmd|'/c calc'!A1,事件,{x},{y},d,a,,"]), "utf-8")
    result = run(demo_db, path)
    rows, _ = read_report(result.report_path)
    assert rows[0]["code"] == "unknown_category"
    assert not rows[0]["message"].startswith("=")
    raw = result.report_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")


def test_a_nearby_report_in_a_later_file_is_flagged_as_a_possible_duplicate(
    demo_db: Database, tmp_path: Path
) -> None:
    """Same category, 20 m away, an hour later, another external id: imported and flagged."""
    from console.models.case import PossibleDuplicate

    (x, y), *_ = points(demo_db)
    first = tmp_path / "morning.csv"
    first.write_text(
        "\n".join([EN_HEADER, f"M1,0102,event_type,{x},{y},垃圾堆积,莲湖路1号,2026-11-23 09:00"]),
        encoding="utf-8",
    )
    assert run(demo_db, first, source="12345").possible_duplicates == 0
    north = y + 20 / 111_195  # about 20 m
    second = tmp_path / "noon.csv"
    second.write_text(
        "\n".join(
            [
                EN_HEADER,
                f"N1,0102,event_type,{x},{north},又见垃圾,莲湖路1号,2026-11-23 10:00",
                f"N2,0101,event_type,{x},{north},别的类别,莲湖路1号,2026-11-23 10:00",
            ]
        ),
        encoding="utf-8",
    )
    result = run(demo_db, second, source="12345")
    assert (result.accepted, result.possible_duplicates) == (2, 1)
    _, summary = read_report(result.report_path)
    assert summary["possible_duplicates"] == "1"
    by_external = {c.external_id: c.id for c in cases(demo_db)}
    with demo_db.read() as s:
        rows = s.execute(
            text("SELECT case_id, other_case_id, status, distance_m FROM possible_duplicates")
        ).all()
    assert [tuple(r[:3]) for r in rows] == [(by_external["N1"], by_external["M1"], "open")]
    assert 19 < rows[0][3] < 21
    # The same file again adds nothing, and flags nothing more.
    again = run(demo_db, second, source="12345")
    assert (again.accepted, again.duplicates, again.possible_duplicates) == (0, 2, 0)
    with demo_db.read() as s:
        assert s.query(PossibleDuplicate).count() == 1


def test_older_codes_in_a_file_are_filed_by_each_row_time(
    demo_db: Database, tmp_path: Path
) -> None:
    """A CJ/T 214 export: rows from July on go under the 2026 successor, the code kept."""
    (x0, y0), (x1, y1) = points(demo_db)[:2]
    path = tmp_path / "old_codes.csv"
    path.write_text(
        "\n".join(
            [
                ZH_HEADER,
                f"T1,0102,事件,{x0},{y0},垃圾,莲湖路1号,2026-07-01 08:00,",
                f"T2,0102,事件,{x1},{y1},垃圾,莲湖路2号,2026-06-30 18:00,",
            ]
        ),
        encoding="utf-8",
    )
    result = run(demo_db, path)
    assert (result.accepted, result.rejected) == (2, [])
    by_ext = {c.external_id: c for c in cases(demo_db)}
    after, before = by_ext["T1"], by_ext["T2"]
    assert (after.taxonomy, after.category_code) == ("gbt47678-5-2026", "06010")
    assert (after.original_taxonomy, after.original_category_code) == ("cjt214", "0102")
    assert (before.taxonomy, before.category_code, before.original_category_code) == (
        "cjt214",
        "0102",
        None,
    )


def test_open311_takes_the_gateways_own_service_codes(demo_db: Database, tmp_path: Path) -> None:
    """A document read from this gateway (GET requests.json: E06010, C0101) imports as it is;
    a code of that form naming no category is refused by the category check, line-numbered."""
    (x0, y0), (x1, y1), (x2, y2) = points(demo_db)[:3]

    def request(number: str, code: str, x: float, y: float) -> dict[str, object]:
        return {
            "service_request_id": number,
            "service_code": code,
            "lat": y,
            "long": x,
            "description": "网关导出",
            "requested_datetime": "2026-11-23T09:00:00+08:00",
        }

    path = tmp_path / "from_gateway.json"
    path.write_text(
        json.dumps(
            [
                request("G1", "E06010", x0, y0),
                request("G2", "C0101", x1, y1),
                request("G3", "E99999", x2, y2),
            ]
        ),
        "utf-8",
    )
    result = run(demo_db, path, format="open311")
    assert result.accepted == 2
    assert [code for _, code, _ in result.rejected] == ["unknown_category"]
    with demo_db.read() as s:
        filed = dict(
            s.execute(
                select(Case.external_id, Case.category_code).where(
                    Case.external_id.in_(["G1", "G2"])
                )
            ).all()
        )
    assert filed == {"G1": "06010", "G2": "0101"}
