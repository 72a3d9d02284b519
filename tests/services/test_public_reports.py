"""The public page's services: a report without an account (once per key, EXIF removed), the
case's public timeline by number and tracking code, and the 满意度 rating once after closing;
a report merged into another case (合并, chains too) followed to that case, rated when it is
closed and counted for it in the evaluation."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import CaseNotFoundError, ValidationError
from console.models import Attachment, Case, CaseEvent, PublicRating, PublicReport
from console.services.attachments import AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from console.services.evaluation.report import evaluate, month_period
from console.services.field_categories import CategoryFinder
from console.services.idempotency import IdempotencyMismatchError
from console.services.photo_metadata import strip_metadata
from console.services.public_reports import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_MERGE_HOPS,
    AlreadyRatedError,
    NotClosedError,
    PublicAnswer,
    PublicReportService,
    merge_chain,
    tracking_hash,
)
from tests.conftest import Clock
from tests.gateway.support import (
    GPS_LATITUDE,
    png_bytes,
    point,
    tiny_jpeg,
    with_exif_gps,
)
from tests.services.console_support import CHIEF, DISPATCHER, INSPECTOR, handler


@pytest.fixture
def cases(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


@pytest.fixture
def service(cases: CaseService, tmp_path: Path) -> PublicReportService:
    store = AttachmentStore(tmp_path / "attachments", max_bytes=8 << 20)
    finder = CategoryFinder(cases.db, cases.workflow.taxonomies, cases.clock)
    return PublicReportService(cases, store, finder)


def fields(db: Database, **over: str) -> dict[str, str]:
    lon, lat = point(db)
    data = {
        "category_code": "06010",
        "lon": f"{lon:.7f}",
        "lat": f"{lat:.7f}",
        "address": "莲湖路1号",
        "description": "路边成堆垃圾",
        "name": "张先生",
        "phone": "138 0000 0000",
    }
    data.update(over)
    return data


def ids(db: Database, *numbers: str) -> list[int]:
    with db.read() as s:
        rows = s.execute(select(Case.number, Case.id).where(Case.number.in_(numbers))).all()
    found = {number: case_id for number, case_id in rows}
    return [found[n] for n in numbers]


def merge(cases: CaseService, number: str, into: str) -> None:
    """合并 as the duty chief does it from the 疑似重复 tab."""
    case_id, into_id = ids(cases.db, number, into)
    cases.merge(CHIEF, case_id, None, into_id, None, note="同一堆垃圾，受理员王某核实")


def close(cases: CaseService, number: str) -> None:
    with cases.db.read() as s:
        case_id, version = s.execute(
            select(Case.id, Case.version).where(Case.number == number)
        ).one()
    snap = cases.register(CHIEF, case_id, version)
    snap = cases.dispatch(DISPATCHER, snap.id, snap.version)
    snap = cases.feedback(
        handler(cases.db, snap.department_id), snap.id, snap.version, note="已清运"
    )
    snap = cases.verify_pass(INSPECTOR, snap.id, snap.version)
    cases.close(CHIEF, snap.id, snap.version)


def test_a_public_report_is_a_public_case_with_a_code_kept_as_a_hash(
    service: PublicReportService, demo_db: Database, tmp_path: Path
) -> None:
    photo = with_exif_gps(tiny_jpeg())
    done = service.submit("k-1", fields(demo_db), [PhotoUpload(photo, "IMG_1.jpg")])
    answer = done.answer
    assert not done.replayed
    assert len(answer.tracking_code) == CODE_LENGTH
    assert set(answer.tracking_code) <= set(CODE_ALPHABET)
    with demo_db.read() as s:
        case = s.scalar(select(Case).where(Case.number == answer.number))
        assert case is not None
        assert (case.source, case.state, case.kind) == ("public", "reported", "event_type")
        assert (case.reporter, case.reporter_phone) == ("张先生", "138 0000 0000")
        event = s.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id))
        assert event is not None
        assert (event.actor_id, event.actor_role) == (None, "system")
        row = s.scalar(select(PublicReport).where(PublicReport.case_id == case.id))
        assert row is not None
        assert row.tracking_hash == tracking_hash(case.number, answer.tracking_code)
        assert answer.tracking_code not in (row.sealed_code, row.key_hash, row.fingerprint)
        stored = s.scalar(select(Attachment.stored_path).where(Attachment.case_id == case.id))
    data = (tmp_path / "attachments" / str(stored)).read_bytes()
    assert b"Exif" not in data and GPS_LATITUDE not in data and b"camera-01" not in data
    assert data == strip_metadata(photo) and data.endswith(b"\xff\xd9")


def test_a_retry_answers_the_same_case_and_code_and_another_body_is_refused(
    service: PublicReportService, demo_db: Database
) -> None:
    first = service.submit("k-2", fields(demo_db), [PhotoUpload(png_bytes(8, 8), "a.png")])
    again = service.submit("k-2", fields(demo_db), [PhotoUpload(png_bytes(8, 8), "a.png")])
    assert again.replayed and again.answer == first.answer
    with pytest.raises(IdempotencyMismatchError):
        service.submit("k-2", fields(demo_db, description="另一件事"))
    other = service.submit("k-3", fields(demo_db))
    assert other.answer.number != first.answer.number
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(PublicReport)) == 2
        assert s.scalar(select(func.count()).select_from(Case)) == 2


def test_bad_input_writes_nothing(service: PublicReportService, demo_db: Database) -> None:
    with pytest.raises(ValidationError) as missing:
        service.submit("k-4", fields(demo_db, description=""))
    assert missing.value.field == "description"
    with pytest.raises(ValidationError) as broken:
        service.submit("k-5", fields(demo_db), [PhotoUpload(b"\xff\xd8\xff\xe1\x00", "x.jpg")])
    assert broken.value.field == "photo"
    with pytest.raises(ValidationError) as not_photo:
        service.submit("k-6", fields(demo_db), [PhotoUpload(b"%PDF-1.4 hello", "x.pdf")])
    assert not_photo.value.field == "photo"
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_tracking_shows_states_only_and_a_wrong_code_is_not_found(
    service: PublicReportService, cases: CaseService, demo_db: Database, clock: Clock
) -> None:
    answer = service.submit("k-7", fields(demo_db)).answer
    seen = service.track(answer.number, answer.tracking_code.lower())
    assert [step.state for step in seen.timeline] == ["reported"]
    assert not seen.can_rate and seen.rating is None
    with pytest.raises(CaseNotFoundError) as wrong:
        service.track(answer.number, "AAAAAAAA")
    with pytest.raises(CaseNotFoundError) as unknown:
        service.track("X" + answer.number, answer.tracking_code)
    assert wrong.value.message == unknown.value.message
    with pytest.raises(NotClosedError):
        service.rate(answer.number, answer.tracking_code, "satisfied")
    clock.advance(minutes=30)
    close(cases, answer.number)
    seen = service.track(answer.number, answer.tracking_code)
    assert [step.state for step in seen.timeline] == [
        "reported",
        "registered",
        "dispatched",
        "handled",
        "verified",
        "closed",
    ]
    text = repr(seen)
    assert "已清运" not in text and "张先生" not in text and "138" not in text
    assert seen.can_rate
    rated = service.rate(answer.number, answer.tracking_code, "basically_satisfied", " 还行 ")
    assert rated.label == "基本满意"
    with pytest.raises(AlreadyRatedError):
        service.rate(answer.number, answer.tracking_code, "dissatisfied")
    with pytest.raises(CaseNotFoundError):
        service.rate(answer.number, "WRONG123", "dissatisfied")
    with pytest.raises(ValidationError):
        service.rate(answer.number, answer.tracking_code, "great")
    seen = service.track(answer.number, answer.tracking_code)
    assert not seen.can_rate and seen.rating is not None
    with demo_db.read() as s:
        row = s.scalar(select(PublicRating))
        assert row is not None and (row.rating, row.comment) == ("basically_satisfied", "还行")


def test_only_event_categories_are_offered(service: PublicReportService) -> None:
    found = service.categories(None, 500)
    assert found and {c.kind for c in found} == {"event_type"}
    assert any(c.code == "06010" for c in service.categories("垃圾", 50))


def test_metadata_is_cut_from_png_and_webp() -> None:
    png = png_bytes(4, 4)
    exif_chunk = b"\x00\x00\x00\x04eXIfGPS!\x00\x00\x00\x00"
    with_exif = png[:33] + exif_chunk + png[33:]
    assert strip_metadata(with_exif) == png
    vp8 = b"VP8 " + (4).to_bytes(4, "little") + b"abcd"
    vp8x = b"VP8X" + (10).to_bytes(4, "little") + b"\x08" + bytes(9)
    exif = b"EXIF" + (3).to_bytes(4, "little") + b"GPS\x00"
    body = vp8x + vp8 + exif
    webp = b"RIFF" + (4 + len(body)).to_bytes(4, "little") + b"WEBP" + body
    cleaned = strip_metadata(webp)
    assert b"EXIF" not in cleaned and b"GPS" not in cleaned
    assert cleaned[20] == 0 and int.from_bytes(cleaned[4:8], "little") == len(cleaned) - 8


def test_a_merged_report_follows_the_case_it_was_merged_into_to_its_rating(
    service: PublicReportService, cases: CaseService, demo_db: Database, clock: Clock
) -> None:
    a, b, c = (
        service.submit(f"m-{n}", fields(demo_db, name=f"报告人{n}", phone=f"1390000000{n}")).answer
        for n in range(3)
    )
    clock.advance(minutes=10)
    merge(cases, a.number, b.number)  # A → B
    seen = service.track(a.number, a.tracking_code)
    assert [step.state for step in seen.timeline] == ["reported", "merged"]
    assert seen.state == "merged" and seen.merged_into is not None
    assert (seen.merged_into.number, seen.merged_into.via) == (b.number, [])
    clock.advance(minutes=10)
    merge(cases, b.number, c.number)  # B → C: A's chain is A → B → C
    with demo_db.read() as s:
        assert merge_chain(s, ids(demo_db, a.number)[0]) == ids(
            demo_db, a.number, b.number, c.number
        )
    seen = service.track(a.number, a.tracking_code)
    assert seen.merged_into is not None
    assert (seen.merged_into.number, seen.merged_into.via) == (c.number, [b.number])
    assert [step.state for step in seen.merged_into.timeline] == ["reported"]
    assert not seen.can_rate and seen.after_photos == []
    with pytest.raises(NotClosedError):
        service.rate(a.number, a.tracking_code, "satisfied")
    clock.advance(minutes=30)
    close(cases, c.number)
    for answer, via in ((a, [b.number]), (b, [])):
        seen = service.track(answer.number, answer.tracking_code)
        assert seen.merged_into is not None and seen.merged_into.via == via
        assert seen.merged_into.state == "closed" and seen.merged_into.closed_at is not None
        assert [step.state for step in seen.merged_into.timeline] == [
            "reported", "registered", "dispatched", "handled", "verified", "closed",
        ]  # fmt: skip
        assert seen.can_rate and seen.rating is None
        text = repr(seen)  # no reporter of any case in the chain, no note
        for private in ("报告人", "1390000000", "已清运", "王某", "同一堆"):
            assert private not in text
    # each reporter rates once with their own code; all three count for C, each once
    service.rate(a.number, a.tracking_code, "satisfied")
    service.rate(b.number, b.tracking_code, "dissatisfied")
    service.rate(c.number, c.tracking_code, "basically_satisfied")
    with pytest.raises(AlreadyRatedError):
        service.rate(a.number, a.tracking_code, "dissatisfied")
    seen = service.track(a.number, a.tracking_code)
    assert seen.rating is not None and seen.rating.rating == "satisfied" and not seen.can_rate
    a_id, b_id, c_id = ids(demo_db, a.number, b.number, c.number)
    with demo_db.read() as s:
        rows = {r.case_id: r.counted_case_id for r in s.scalars(select(PublicRating))}
        department = s.scalar(select(Case.department_id).where(Case.id == c_id))
        merged_departments = set(
            s.scalars(select(Case.department_id).where(Case.id.in_((a_id, b_id))))
        )
    assert rows == {a_id: c_id, b_id: c_id, c_id: c_id}
    assert department is not None and merged_departments == {None}
    start, end = month_period(clock.now)
    with demo_db.read() as s:
        report = evaluate(s, start, end, end)
    district = {m.key: m.value for m in report.district if m.key in ("rated", "satisfied")}
    assert district == {"rated": 3, "satisfied": 2}  # three ratings, none counted twice
    dept = next(o for o in report.by_kind["department"] if o.object_id == department)
    # A and B were never dispatched: their ratings count for C's department all the same
    assert (dept.metric("rated").value, dept.metric("satisfied").value) == (3, 2)


def test_the_merge_chain_is_bounded_and_stops_at_a_loop(
    service: PublicReportService, cases: CaseService, demo_db: Database
) -> None:
    answers: list[PublicAnswer] = [
        service.submit(f"c-{n}", fields(demo_db)).answer for n in range(MAX_MERGE_HOPS + 2)
    ]
    for earlier, later in itertools.pairwise(answers):
        merge(cases, earlier.number, later.number)
    first = ids(demo_db, answers[0].number)[0]
    with demo_db.read() as s:
        chain = merge_chain(s, first)
    assert len(chain) == MAX_MERGE_HOPS + 1  # the bound, one short of the last case
    seen = service.track(answers[0].number, answers[0].tracking_code)
    assert seen.merged_into is not None and seen.merged_into.state == "merged"
    assert not seen.can_rate
    # a loop the lifecycle never makes (the last case pointed back at the first): it stops
    x, y = (service.submit(f"l-{n}", fields(demo_db)).answer for n in range(2))
    merge(cases, x.number, y.number)
    x_id, y_id = ids(demo_db, x.number, y.number)
    with demo_db.session() as s:
        s.add(CaseEvent(case_id=y_id, at=cases.clock(), action="merge", from_state="reported",
                        to_state="merged", actor_name="值班长", actor_role="duty_chief",
                        data=f'{{"into_id": {x_id}, "into_number": "{x.number}"}}'))  # fmt: skip
        s.get_one(Case, y_id).state = "merged"
    with demo_db.read() as s:
        assert merge_chain(s, x_id) == [x_id, y_id]
    seen = service.track(x.number, x.tracking_code)
    assert seen.merged_into is not None and seen.merged_into.number == y.number
    assert not seen.can_rate
