"""The 新建上报 form's services on a real SQLite demo database: the caller's phone kept with the
case and shown to staff only (never in Open311, CSV or Excel exports, nor on the wall), the
open cases nearby listed before saving, photos and a merge in the report's one transaction,
and bad input refused whole."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import (
    InvalidCoordinatesError,
    PermissionDeniedError,
    StaleVersionError,
    ValidationError,
)
from console.models import Attachment, Case, CaseEvent
from console.services.cases.detail import load_detail
from console.services.cases.export import COLUMNS
from console.services.report_desk import MAX_PHOTOS
from console.services.report_input import ReportInput
from console.services.wall_data import WallSource
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import Point, report_input, street_points

PHONE = "13912345678"
CALLER = "王来电"
# The smallest PNG header the attachment check accepts (magic bytes and an IHDR chunk).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.fixture
def desk(demo_db: Database, clock: Clock, tmp_path: Path) -> Workbench:
    return Workbench(demo_db, username="intake", clock=clock, attachments_dir=tmp_path / "att")


@pytest.fixture
def point(demo_db: Database) -> Point:
    return street_points(demo_db)[0][2]


def photo(tmp_path: Path, name: str = "现场.png", data: bytes = PNG) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def call(point: Point, **over: object) -> ReportInput:
    fields: dict[str, object] = {"source": "hotline", "reporter": CALLER, "reporter_phone": PHONE}
    fields.update(over)
    return report_input(point, **fields)


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Case)) or 0,
            s.scalar(select(func.count()).select_from(CaseEvent)) or 0,
            s.scalar(select(func.count()).select_from(Attachment)) or 0,
        )


# -- category search -------------------------------------------------------------------------


def test_pinyin_initials_code_and_name_find_categories_in_force(desk: Workbench) -> None:
    from console.services.category_search import search

    choices = desk.report_categories()
    assert {c.taxonomy for c in choices} == {"gbt47678-5-2026"}  # the clock is in 2026-11
    first = search(choices, "ljx")[0]
    assert (first.code, first.name, first.kind) == ("03005", "垃圾箱", "component")
    assert "垃圾箱异常" in [c.name for c in search(choices, "LJX")]
    assert all(c.code.startswith("0300") for c in search(choices, "0300"))
    assert search(choices, "0300")
    assert [c.name for c in search(choices, "垃圾箱")][:2] == ["垃圾箱", "垃圾箱异常"]
    assert search(choices, "lajixiang")[0].name == "垃圾箱"
    assert search(choices, "qqqqzzz") == []


# -- the caller: kept, shown to staff only, never exported --------------------------------


def test_the_phone_is_kept_and_shown_to_staff_only(
    desk: Workbench, demo_db: Database, point: Point, clock: Clock
) -> None:
    filed = desk.file_report(call(point, urgent=True))
    snap = filed.snapshot
    assert snap.source == "hotline" and snap.urgent and snap.state == "reported"
    with demo_db.read() as s:
        case = s.get(Case, snap.id)
        assert case is not None
        assert (case.reporter, case.reporter_phone) == (CALLER, PHONE)
        for role, sees in [
            ("intake", True),
            ("duty_chief", True),
            ("dispatcher", True),
            ("leader", True),
            ("inspector", False),
            ("department", False),
            ("wall", False),
        ]:
            detail = load_detail(s, snap.id, clock(), desk.calendar, role=role)
            assert detail.caller_visible is sees, role
            assert detail.reporter_phone == (PHONE if sees else None), role
            assert detail.reporter == (CALLER if sees else None), role


def test_the_caller_never_leaves_in_exports_or_on_the_wall(
    desk: Workbench, demo_db: Database, point: Point, tmp_path: Path
) -> None:
    snap = desk.file_report(call(point)).snapshot
    chief = Workbench(demo_db, username="duty_chief", clock=desk.clock)
    every_column = list(COLUMNS)
    out = {
        "open311": tmp_path / "cases.json",
        "csv": tmp_path / "cases.csv",
        "xlsx": tmp_path / "cases.xlsx",
    }
    for fmt, path in out.items():
        result = chief.export_cases(path, case_ids=[snap.id], format=fmt, columns=every_column)
        assert result.count == 1
    texts = {
        "open311": out["open311"].read_text(encoding="utf-8"),
        "csv": out["csv"].read_text(encoding="utf-8-sig"),
        "xlsx": "".join(
            zipfile.ZipFile(out["xlsx"]).read(n).decode("utf-8")
            for n in zipfile.ZipFile(out["xlsx"]).namelist()
            if n.endswith(".xml")
        ),
    }
    for fmt, text in texts.items():
        assert snap.number in text, fmt  # the case is there …
        assert PHONE not in text and CALLER not in text, fmt  # … its caller is not
    request = json.loads(texts["open311"])[0]
    assert not {"phone", "first_name", "last_name", "email"} & set(request)
    wall = WallSource(chief).snapshot()
    shown = repr(wall.numbers) + wall.markers_json
    assert snap.number in shown
    assert PHONE not in shown and CALLER not in shown


def test_a_phone_that_is_not_one_is_refused_and_nothing_saved(
    desk: Workbench, demo_db: Database, point: Point, tmp_path: Path
) -> None:
    before = counts(demo_db)
    for bad in ("abc", "12", "1391234567812345678901", "139-1234<script>"):
        with pytest.raises(ValidationError) as err:
            desk.file_report(call(point, reporter_phone=bad), [photo(tmp_path)])
        assert err.value.field == "reporter_phone"
    for fine in ("029-8765 4321", "+86 139 1234 5678", "12345"):
        desk.file_report(call(point, reporter_phone=fine))
    assert counts(demo_db)[0] == before[0] + 3
    assert counts(demo_db)[2] == before[2]  # none of the refused reports left a photo
    assert not list((tmp_path / "att").rglob("*.png"))


# -- photos: in the report's transaction --------------------------------------------------


def test_photos_are_attached_to_the_report_event(
    desk: Workbench, demo_db: Database, point: Point, tmp_path: Path
) -> None:
    paths = [photo(tmp_path, "a.png"), photo(tmp_path, "b.png", PNG + b"b")]
    filed = desk.file_report(call(point), paths)
    assert filed.photos == 2
    with demo_db.read() as s:
        rows = s.execute(
            select(Attachment.filename, CaseEvent.action, Attachment.stored_path)
            .join(CaseEvent, CaseEvent.id == Attachment.case_event_id)
            .where(Attachment.case_id == filed.snapshot.id)
            .order_by(Attachment.id)
        ).all()
    assert [(r[0], r[1]) for r in rows] == [("a.png", "report"), ("b.png", "report")]
    for row in rows:
        assert (tmp_path / "att" / row[2]).is_file()


@pytest.mark.parametrize(
    "problem",
    ["not an image", "missing file", "too many", "outside the district", "no description"],
)
def test_bad_input_is_refused_whole(
    desk: Workbench, demo_db: Database, point: Point, tmp_path: Path, problem: str
) -> None:
    good = photo(tmp_path, "good.png")
    report, paths = call(point), [good]
    if problem == "not an image":
        paths = [good, photo(tmp_path, "fake.png", b"GIF89a not a png at all")]
    elif problem == "missing file":
        paths = [good, tmp_path / "gone.jpg"]
    elif problem == "too many":
        paths = [good] * (MAX_PHOTOS + 1)
    elif problem == "outside the district":
        report = call((point[1], point[0]))  # lon and lat swapped
    else:
        report = call(point, description="   ")
    before = counts(demo_db)
    with pytest.raises(ValidationError) as err:
        desk.file_report(report, paths)
    if problem == "outside the district":
        assert "写反" in err.value.message
    if problem == "not an image":
        assert "fake.png" in err.value.message
    assert counts(demo_db) == before
    assert not list((tmp_path / "att").rglob("*.png"))


def test_only_roles_that_report_may_use_the_form(demo_db: Database, clock: Clock) -> None:
    chief = Workbench(demo_db, username="duty_chief", clock=clock)
    assert not chief.can_report()
    assert Workbench(demo_db, username="intake", clock=clock).can_report()
    before = counts(demo_db)
    with pytest.raises(PermissionDeniedError):
        chief.file_report(call(street_points(demo_db)[0][2]))
    assert counts(demo_db) == before


# -- nearby cases and merging into one ----------------------------------------------------


def test_open_cases_nearby_of_the_category_are_listed(desk: Workbench, point: Point) -> None:
    choices = {(c.kind, c.code): c for c in desk.report_categories()}
    rubbish, lamp = choices[("event_type", "06010")], choices[("component", "03005")]
    assert desk.nearby_cases(rubbish, *point) == []
    first = desk.file_report(call(point)).snapshot
    near = (point[0] + 0.0002, point[1])  # about 18 m east
    found = desk.nearby_cases(rubbish, *near)
    assert [(c.case_id, c.number, c.version) for c in found] == [
        (first.id, first.number, first.version)
    ]
    assert 10 < found[0].distance_m < 30 and found[0].state_label == "待立案"
    assert desk.nearby_cases(lamp, *near) == []  # another category
    assert desk.nearby_cases(rubbish, point[0] + 0.01, point[1]) == []  # ~900 m away


def test_merging_into_a_nearby_case_keeps_the_call_on_its_timeline(
    desk: Workbench, demo_db: Database, point: Point, tmp_path: Path
) -> None:
    first = desk.file_report(report_input(point, source="inspector")).snapshot
    filed = desk.file_report(call(point), [photo(tmp_path)], merge_into=(first.id, first.version))
    assert filed.merged_into == first.number
    assert filed.snapshot.state == "merged" and filed.photos == 1
    with demo_db.read() as s:
        merged_in = s.scalar(
            select(CaseEvent.data).where(
                CaseEvent.case_id == first.id, CaseEvent.action == "merged_in"
            )
        )
    report = json.loads(merged_in or "{}")["merged_report"]
    assert report["number"] == filed.snapshot.number and report["reporter"] == CALLER
    assert [a["filename"] for a in report["attachments"]] == ["现场.png"]
    # The survivor's timeline names the caller to staff only (a handler's seat, the wall: not).
    with demo_db.read() as s:
        for role, sees in [("dispatcher", True), ("department", False), ("wall", False)]:
            detail = load_detail(s, first.id, desk.clock(), desk.calendar, role=role)
            (entry,) = [e for e in detail.timeline if e.action == "merged_in"]
            assert (entry.data["merged_report"].get("reporter") == CALLER) is sees, role
            assert entry.data["merged_report"]["number"] == filed.snapshot.number


def test_a_merge_into_a_case_changed_meanwhile_saves_nothing(
    desk: Workbench, demo_db: Database, point: Point, tmp_path: Path
) -> None:
    first = desk.file_report(report_input(point)).snapshot
    desk.act("add_note", first.id, first.version, note="另一席位刚刚改过")
    before = counts(demo_db)
    with pytest.raises(StaleVersionError):
        desk.file_report(call(point), [photo(tmp_path)], merge_into=(first.id, first.version))
    assert counts(demo_db) == before
    assert not list((tmp_path / "att").rglob("*.png"))


def test_a_point_says_its_grid_or_why_it_has_none(desk: Workbench, point: Point) -> None:
    inside = desk.check_point(*point)
    assert inside.inside and inside.street_name and inside.grid_code and not inside.problem
    swapped = desk.check_point(point[1], point[0])
    assert not swapped.inside and "写反" in swapped.problem
    far = desk.check_point(100.0, 30.0)
    assert not far.inside and "写反" not in far.problem


def test_a_latitude_past_90_says_the_two_look_swapped(desk: Workbench, point: Point) -> None:
    with pytest.raises(InvalidCoordinatesError) as err:
        desk.file_report(call(point, lon=point[1], lat=point[0]))
    assert "写反" in err.value.message
