"""Reports from the field app (console.services.field_reports): one case per key, its photos in
the same transaction, nothing written for a refused one; the race on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import (
    ConsoleError,
    InvalidCoordinatesError,
    MissingFieldError,
    OutsideDistrictError,
    PermissionDeniedError,
    ValidationError,
)
from console.gateway.settings import load_report_sources
from console.models import Attachment, Case, CaseEvent, FieldSubmission, User
from console.services import idempotency
from console.services.actors import Actor
from console.services.attachments import (
    AttachmentStore,
    AttachmentTooLargeError,
    PhotoUpload,
    UnsupportedMediaError,
)
from console.services.cases.service import CaseService
from console.services.field_reports import MAX_PHOTOS, FieldReportService, Submitted
from tests.conftest import Clock
from tests.gateway.support import JPEG_HEAD, png_bytes
from tests.integration import test_postgres
from tests.services.console_support import CHIEF, DISPATCHER, GRID, INSPECTOR, street_points

# PostgreSQL fixtures (a fresh schema with the demo district), shared with the integration tests.
demo_pg = test_postgres.demo_pg

PHOTO_LIMIT = 64 * 1024


@dataclass
class Field:
    db: Database
    cases: CaseService
    reports: FieldReportService
    root: Path
    point: tuple[float, float]
    clock: Clock

    def form(self, **over: object) -> dict[str, object]:
        data: dict[str, object] = {
            "category_code": "06010",  # 暴露垃圾, GB/T 47678.5-2026 (in force on these dates)
            "lon": f"{self.point[0]:.7f}",
            "lat": f"{self.point[1]:.7f}",
            "accuracy": "8.5",
            "address": "莲湖路1号",
            "description": "成堆生活垃圾未清运",
            "urgent": "0",
        }
        data.update(over)
        return data

    def submit(
        self,
        key: str = "key-1",
        photos: tuple[bytes, ...] = (),
        who: Actor = INSPECTOR,
        **over: object,
    ) -> Submitted:
        uploads = [PhotoUpload(p, f"p{i}.png") for i, p in enumerate(photos, 1)]
        return self.reports.submit(who, key, self.form(**over), uploads, api_token_id=None)

    def counts(self) -> dict[str, int]:
        with self.db.read() as s:
            return {
                m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Case, CaseEvent, Attachment, FieldSubmission)
            }

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file()) if self.root.exists() else []


def field_on(db: Database, clock: Clock, tmp_path: Path) -> Field:
    cases = CaseService(db, clock=clock)
    root = tmp_path / "attachments"
    reports = FieldReportService(
        cases, AttachmentStore(root, max_bytes=PHOTO_LIMIT), load_report_sources()
    )
    return Field(db, cases, reports, root, street_points(db)[0][2], clock)


@pytest.fixture
def field(demo_db: Database, clock: Clock, tmp_path: Path) -> Field:
    return field_on(demo_db, clock, tmp_path)


def test_the_first_request_makes_the_case_its_photos_and_the_key(field: Field) -> None:
    photos = (png_bytes(seed=1), png_bytes(seed=2))
    device_time = "2026-11-23T04:10:00+08:00"  # the device's clock is five hours behind
    done = field.submit(photos=photos, urgent="1", device_time=device_time)
    assert not done.replayed
    a = done.answer
    assert (a.state, a.state_label, a.photos) == ("reported", "待立案", 2)
    case = field.cases.get(a.id)
    assert (case.number, case.version) == (a.number, a.version)
    assert case.number.startswith("E06010")
    assert case.source == "inspector" and case.urgent is True
    assert case.reported_at == field.clock()  # server time wins
    with field.db.read() as s:
        event = s.execute(
            select(CaseEvent.id, CaseEvent.action, CaseEvent.actor_id).where(
                CaseEvent.case_id == a.id
            )
        ).one()
        rows = s.execute(
            select(Attachment.case_event_id, Attachment.filename, Attachment.stored_path)
            .where(Attachment.case_id == a.id)
            .order_by(Attachment.id)
        ).all()
        key = s.execute(
            select(
                FieldSubmission.case_id,
                FieldSubmission.accuracy_m,
                FieldSubmission.device_time,
                FieldSubmission.received_at,
            )
        ).one()
    assert (event.action, event.actor_id) == ("report", INSPECTOR.id)
    assert [r.case_event_id for r in rows] == [event.id, event.id]  # the report's own photos
    assert [r.filename for r in rows] == ["p1.png", "p2.png"]
    assert {(field.root / r.stored_path).read_bytes() for r in rows} == set(photos)
    assert (key.case_id, key.accuracy_m) == (a.id, 8.5)
    assert key.device_time.isoformat() == "2026-11-22T20:10:00+00:00"
    assert key.received_at == field.clock()


def test_a_replay_answers_the_same_and_writes_nothing(field: Field) -> None:
    photos = (png_bytes(seed=1),)
    first = field.submit(photos=photos)
    before, files = field.counts(), field.files()
    again = field.submit(photos=photos)
    assert again.replayed and again.answer == first.answer
    assert field.counts() == before and field.files() == files
    # The case moves on; a late retry still gets the answer the first request got.
    field.cases.register(CHIEF, first.answer.id, first.answer.version)
    late = field.submit(photos=photos)
    assert late.replayed and late.answer == first.answer


@pytest.mark.parametrize(
    "change",
    [
        {"description": "另一件事"},
        {"accuracy": "9"},
        {"urgent": "1"},
        {"device_time": "2026-11-23T09:00:00+08:00"},
        {"photos": (png_bytes(seed=9),)},
        {"photos": ()},
    ],
    ids=lambda c: next(iter(c)),
)
def test_the_same_key_with_another_request_is_refused(field: Field, change: dict) -> None:
    photos = change.pop("photos", (png_bytes(seed=1),))
    field.submit(photos=(png_bytes(seed=1),))
    before, files = field.counts(), field.files()
    with pytest.raises(idempotency.IdempotencyMismatchError, match="key-1"):
        field.submit(photos=photos, **change)
    assert field.counts() == before and field.files() == files


def test_keys_are_per_person(field: Field) -> None:
    mine = field.submit(key="same")
    theirs = field.submit(key="same", who=GRID)
    assert not theirs.replayed and theirs.answer.id != mine.answer.id
    assert field.cases.get(theirs.answer.id).source == "grid"


def test_a_bad_second_photo_writes_nothing_and_leaves_the_key_free(field: Field) -> None:
    before = field.counts()
    bad = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 64
    with pytest.raises(UnsupportedMediaError) as exc:
        field.submit(photos=(png_bytes(seed=1), bad))
    assert exc.value.field == "photo"
    assert exc.value.message.startswith("第 2 张照片（p2.png）") and "JPEG" in exc.value.message
    assert field.counts() == before
    assert field.files() == []  # not even a staged copy of the good first photo
    done = field.submit(photos=(png_bytes(seed=1),))  # the key was not used up
    assert not done.replayed and done.answer.photos == 1


def test_photo_count_size_and_emptiness(field: Field) -> None:
    before = field.counts()
    with pytest.raises(ValidationError, match=f"最多 {MAX_PHOTOS} 张，本次 5 张"):
        field.submit(photos=tuple(png_bytes(seed=i) for i in range(5)))
    with pytest.raises(AttachmentTooLargeError, match=r"第 1 张照片.*照片过大"):
        field.submit(photos=(JPEG_HEAD + b"\x00" * PHOTO_LIMIT,))
    with pytest.raises(ValidationError, match=r"第 3 张照片.*照片为空"):
        field.submit(photos=(png_bytes(seed=1), png_bytes(seed=2), b""))
    assert field.counts() == before and field.files() == []


@pytest.mark.parametrize(
    ("over", "error", "name", "text"),
    [
        ({"category_code": ""}, MissingFieldError, "category_code", "缺少问题类别代码"),
        ({"category_code": "99999"}, ValidationError, "category_code", "99999"),
        ({"category_code": "03005"}, ValidationError, "kind", "请指明部件或事件"),
        ({"kind": "thing"}, ValidationError, "kind", "未知类别类型"),
        ({"lon": ""}, MissingFieldError, "lon", "缺少经度"),
        ({"lat": "north"}, InvalidCoordinatesError, "lat", "纬度不是数字"),
        ({"lon": "34.27", "lat": "108.93"}, InvalidCoordinatesError, "lat", "可能写反了"),
        ({"lon": "116.40", "lat": "39.90"}, OutsideDistrictError, "lon", "116.4"),
        ({"accuracy": "abc"}, ValidationError, "accuracy", "定位精度不是数字"),
        ({"accuracy": "-1"}, ValidationError, "accuracy", "0 到"),
        ({"urgent": "2"}, ValidationError, "urgent", "应为 0 或 1"),
        ({"device_time": "yesterday"}, ValidationError, "device_time", "ISO 8601"),
        ({"device_time": "2026-11-23T09:00:00"}, ValidationError, "device_time", "时区"),
        ({"description": " "}, MissingFieldError, "description", "缺少问题描述"),
        ({"address": "x" * 300}, ValidationError, "address", "地址过长"),
    ],
)
def test_bad_fields_are_named_and_write_nothing(
    field: Field, over: dict, error: type[ConsoleError], name: str, text: str
) -> None:
    before = field.counts()
    with pytest.raises(error, match=text) as exc:
        field.submit(photos=(png_bytes(seed=1),), **over)
    assert exc.value.field == name
    assert field.counts() == before and field.files() == []


def test_the_kind_is_asked_only_where_the_code_needs_it(field: Field) -> None:
    done = field.submit(key="c", category_code="03005", kind="component")
    assert field.cases.get(done.answer.id).kind == "component"
    done = field.submit(key="e", category_code="03005", kind="事件")
    assert field.cases.get(done.answer.id).kind == "event_type"


def test_roles_that_do_not_report_are_refused_first(field: Field) -> None:
    before = field.counts()
    with pytest.raises(PermissionDeniedError, match="发现上报"):
        field.submit(who=DISPATCHER, photos=(b"not even a photo",))
    with pytest.raises(MissingFieldError):
        field.submit(key="")
    assert field.counts() == before


def test_my_reports_newest_first(field: Field) -> None:
    first = field.submit(key="a", photos=(png_bytes(seed=1),))
    field.clock.advance(minutes=5)
    second = field.submit(key="b", photos=(png_bytes(seed=1), png_bytes(seed=2)))
    field.submit(key="c", who=GRID)
    mine = field.reports.mine(INSPECTOR)
    assert [r.id for r in mine] == [second.answer.id, first.answer.id]
    top = mine[0]
    assert (top.number, top.state, top.state_label) == (second.answer.number, "reported", "待立案")
    assert (top.category_name, top.address, top.photos) == ("暴露垃圾", "莲湖路1号", 2)
    assert top.reported_at == field.clock()
    assert [r.id for r in field.reports.mine(INSPECTOR, limit=1)] == [second.answer.id]
    assert len(field.reports.mine(GRID)) == 1
    assert field.reports.mine(DISPATCHER) == []


# --------------------------------------------------------------------------- the race


def _actor(db: Database, username: str) -> Actor:
    with db.read() as s:
        user = s.scalar(select(User).where(User.username == username))
        assert user is not None
        return Actor(user.id, user.display_name, user.role, user.department_id)


def _both_past_the_lookup(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make two requests both find no key before either writes: the race, every time."""
    gate = threading.Barrier(2, timeout=30)
    seen: set[int] = set()
    calls: list[str] = []
    real: Callable[..., Any] = idempotency.find

    def find(session: Any, user_id: int, key: str) -> Any:
        found = real(session, user_id, key)
        me = threading.get_ident()
        calls.append("found" if found else "none")
        if me not in seen:
            seen.add(me)
            assert found is None
            gate.wait()
        return found

    monkeypatch.setattr(idempotency, "find", find)
    return calls


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_db(request: pytest.FixtureRequest) -> Database:
    db: Database = request.getfixturevalue("demo_db" if request.param == "sqlite" else "demo_pg")
    return db


def test_two_identical_requests_racing_make_one_case(
    any_db: Database, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = field_on(any_db, clock, tmp_path)
    who = _actor(any_db, "inspector")
    before = field.counts()
    calls = _both_past_the_lookup(monkeypatch)
    photos = (png_bytes(seed=3),)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: field.submit(photos=photos, who=who), range(2)))
    assert calls.count("none") == 2  # both raced past the look-up
    assert sorted(a.replayed for a in answers) == [False, True]
    assert answers[0].answer == answers[1].answer
    after = field.counts()
    assert after["cases"] == before["cases"] + 1
    assert after["attachments"] == before["attachments"] + 1
    assert after["field_submissions"] == before["field_submissions"] + 1
    assert len(field.files()) == 1


def test_a_racing_twin_with_another_body_is_refused(
    any_db: Database, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = field_on(any_db, clock, tmp_path)
    who = _actor(any_db, "inspector")
    before = field.counts()
    _both_past_the_lookup(monkeypatch)

    def attempt(description: str) -> Submitted | ConsoleError:
        try:
            return field.submit(
                photos=(png_bytes(seed=len(description)),), who=who, description=description
            )
        except ConsoleError as exc:
            return exc

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(attempt, ["垃圾", "另一件事的描述"]))
    won = [r for r in results if isinstance(r, Submitted)]
    lost = [r for r in results if not isinstance(r, Submitted)]
    assert len(won) == 1 and not won[0].replayed
    assert len(lost) == 1 and isinstance(lost[0], idempotency.IdempotencyMismatchError)
    assert field.counts()["cases"] == before["cases"] + 1
    assert field.counts()["attachments"] == before["attachments"] + 1
    # the loser's photo never left staging: the winner's file is the only one
    winner = field.cases.get(won[0].answer.id).description
    assert [p.stem for p in field.files()] == [sha256(png_bytes(seed=len(winner))).hexdigest()]


def test_two_different_reports_racing_for_the_days_first_number_both_get_a_case(
    any_db: Database, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = field_on(any_db, clock, tmp_path)
    who = _actor(any_db, "inspector")
    before = field.counts()
    _both_past_the_lookup(monkeypatch)
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda key: field.submit(key=key, who=who), ["k-a", "k-b"]))
    assert [a.replayed for a in answers] == [False, False]
    numbers = sorted(a.answer.number for a in answers)
    assert numbers[0].endswith("0001") and numbers[1].endswith("0002")
    assert field.counts()["cases"] == before["cases"] + 2
