"""Open311 POSTs without a point (待定位) and the intake seat placing them, on a real SQLite
file; tests/integration/test_open311_pending_postgres.py runs the same on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.errors import OutsideDistrictError, PermissionDeniedError, StaleVersionError
from console.models import Case, CaseEvent, FieldSubmission, Open311Extras, Open311PendingReport
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import load_services
from console.services.open311_intake import Open311Intake, PostAnswer
from console.services.open311_pending import pending_reports, place, token_status
from console.services.workbench import Workbench
from tests.conftest import Clock
from tests.services.console_support import INTAKE, street_points

ADDRESS = "莲湖区西大街与北广济街十字东北角"


def intake(cases: CaseService) -> Open311Intake:
    table = load_services()
    return Open311Intake(cases, lambda _s, code: table.get(code), timedelta(minutes=10))


def post_pending(cases: CaseService, **over: object) -> PostAnswer:
    data = {
        "service_code": "garbage",
        "address_string": ADDRESS,
        "description": "垃圾成堆",
        "first_name": "李",
        "phone": "13800001111",
        "email": "li@example.cn",
        "device_id": "ios-1",
        **over,
    }
    return intake(cases).submit(INTAKE, data, source="hotline", api_token_id=None)


def counts(db: Database) -> tuple[int, ...]:
    with db.read() as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Case, CaseEvent, Open311PendingReport, Open311Extras, FieldSubmission)
        )


def check_placing(db: Database, cases: CaseService) -> None:
    """The whole story on one engine (run on SQLite here, on PostgreSQL by the integration)."""
    answer = post_pending(cases)
    assert answer.service_request_id is None and answer.token
    with db.read() as s:
        (waiting,) = pending_reports(s)
        assert token_status(s, answer.token) is not None
        assert token_status(s, answer.token).service_request_id is None  # type: ignore[union-attr]
        assert token_status(s, "no-such-token") is None
    assert (waiting.address, waiting.description, waiting.reporter) == (ADDRESS, "垃圾成堆", "李")
    assert waiting.category_name == "暴露垃圾"
    before = counts(db)
    assert before == (0, 0, 1, 1, 1)

    # Outside the district: refused whole, the report still waits.
    with pytest.raises(OutsideDistrictError):
        place(cases, INTAKE, waiting.id, 116.4, 39.9)
    assert counts(db) == before

    (_, _, inside) = street_points(db)[0]
    snap = place(cases, INTAKE, waiting.id, *inside)
    assert snap.state == "reported" and snap.source == "hotline"
    with db.read() as s:
        assert pending_reports(s) == []
        assert token_status(s, answer.token).service_request_id == snap.number  # type: ignore[union-attr]
        case = s.get(Case, snap.id)
        assert case is not None
        assert (case.reporter, case.reporter_phone, case.address) == ("李", "13800001111", ADDRESS)
        extras = s.scalars(select(Open311Extras).where(Open311Extras.case_id == snap.id)).one()
        assert (extras.email, extras.device_id) == ("li@example.cn", "ios-1")
        key = s.scalars(select(FieldSubmission)).one()
        assert key.case_id == snap.id  # the key follows its report onto the case
    assert counts(db) == (1, 1, 1, 1, 1)

    # Placed already: a second seat's try is refused and makes nothing.
    with pytest.raises(StaleVersionError):
        place(cases, INTAKE, waiting.id, *inside)
    assert counts(db) == (1, 1, 1, 1, 1)


def check_placing_at_once(db: Database, cases: CaseService) -> None:
    """Two seats place the same report at the same moment: one case."""
    post_pending(cases, description="同时定位")
    with db.read() as s:
        (waiting,) = pending_reports(s)
    (_, _, inside) = street_points(db)[0]
    results: list[object] = []
    barrier = threading.Barrier(2)

    def go() -> None:
        barrier.wait()
        try:
            results.append(place(cases, INTAKE, waiting.id, *inside))
        except StaleVersionError as exc:
            results.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(type(r).__name__ for r in results) == ["CaseSnapshot", "StaleVersionError"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1


def test_a_pending_report_is_placed_once(demo_db: Database, clock: Clock) -> None:
    check_placing(demo_db, CaseService(demo_db, clock=clock))


def test_two_seats_placing_at_once_make_one_case(demo_db: Database, clock: Clock) -> None:
    check_placing_at_once(demo_db, CaseService(demo_db, clock=clock))


def test_a_pending_report_is_checked_like_a_case(demo_db: Database, clock: Clock) -> None:
    cases = CaseService(demo_db, clock=clock)
    for over, field in [
        ({"description": "长" * 4001}, "description"),
        ({"phone": "call me"}, "phone"),
        ({"address_string": "路" * 257}, "address_string"),
        ({"email": "nobody"}, "email"),
        ({"address_string": None}, "long"),  # no location at all
    ]:
        with pytest.raises(Exception) as err:
            post_pending(cases, **over)
        assert getattr(err.value, "field", None) == field, (over, err.value)
    assert counts(demo_db) == (0, 0, 0, 0, 0)


def test_the_queue_is_the_reporting_seats_and_staff_see_the_extras(
    demo_db: Database, clock: Clock
) -> None:
    cases = CaseService(demo_db, clock=clock)
    post_pending(cases)
    seat = Workbench(demo_db, username="intake", clock=clock)
    (waiting,) = seat.open311_pending()
    (_, _, inside) = street_points(demo_db)[0]
    snap = seat.place_open311(waiting.id, *inside)
    extras = dict(seat.detail(snap.id).open311_extras)
    assert extras == {"电子邮箱": "li@example.cn", "设备编号": "ios-1"}
    inspector = Workbench(demo_db, username="inspector", clock=clock)  # no view_caller
    assert inspector.detail(snap.id).open311_extras == ()
    post_pending(cases, description="再一条")
    (seen,) = inspector.open311_pending()  # an inspector may report, but not see the caller
    assert seen.description == "再一条" and seen.reporter is None
    assert seat.open311_pending()[0].reporter == "李"
    handler = Workbench(demo_db, username="dept-pro02", clock=clock)
    with pytest.raises(PermissionDeniedError):
        handler.open311_pending()
