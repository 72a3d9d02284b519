"""Open311's reads from a real demo database: service types, conditions, service requests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from console.config import LOCAL_TZ
from console.db import Database
from console.errors import ValidationError
from console.models import Category, DeadlineRule
from console.services import open311_requests
from console.services.attachments import AttachmentService, AttachmentStore, PhotoUpload
from console.services.cases.service import CaseService
from console.services.ingest.open311_reader import Service, load_services
from console.services.intake_limits import Limits
from console.services.open311_requests import (
    RequestRecord,
    ServiceType,
    parse_statuses,
    parse_when,
)
from console.services.taxonomy_schedule import read_schedule
from tests.conftest import Clock
from tests.gateway.support import closed, dispatched, png_bytes, reported
from tests.services.console_support import handler

TABLE = load_services()
NEW = "gbt47678-5-2026"


@pytest.fixture
def cases(demo_db: Database, clock: Clock) -> CaseService:
    return CaseService(demo_db, clock=clock)


def _find(db: Database, now: datetime, limits: Limits | None = None, **filters: Any) -> set[str]:
    with db.read() as s:
        found = open311_requests.find_requests(s, TABLE, limits or Limits(), now, **filters)
    return {r.fields["service_request_id"] for r in found}


def test_service_types_are_every_category_the_one_in_force_first(demo_db: Database) -> None:
    schedule = read_schedule()
    with demo_db.read() as s:
        types = open311_requests.service_types(s, TABLE, schedule, NEW)
        older_first = open311_requests.service_types(s, TABLE, schedule, "cjt214")
        count = s.scalar(select(func.count()).select_from(Category))
    assert len(types) == len({t.service_code for t in types}) == count
    assert {t.service_code for t in older_first} == {t.service_code for t in types}
    assert types[0].service_code == "C01001" and older_first[0].service_code == "C0101"
    garbage = next(t for t in types if t.service_code == "E06010")
    assert garbage == ServiceType(
        service_code="E06010",
        service_name="暴露垃圾",
        description="GB/T 47678.5-2026 事件 06010",
        keywords=garbage.keywords,
        group="市容环境类",
        metadata=True,
    )
    assert garbage.keywords.split(",")[:2] == ["暴露垃圾", "市容环境类"]
    assert "garbage" in garbage.keywords.split(",")  # its alias in open311_services.csv


def test_find_service_by_code_or_alias(demo_db: Database) -> None:
    with demo_db.read() as s:
        assert open311_requests.find_service(s, "garbage", TABLE) == ("E06010", TABLE["garbage"])
        code, row = open311_requests.find_service(s, "E0305", TABLE) or ("", None)
        assert code == "E0305" and row is not None and row.name == "无证掘路"
        assert open311_requests.find_service(s, "C0305", TABLE) == (
            "C0305",
            Service("cjt214", "component", "0305", "垃圾箱"),
        )
        assert open311_requests.find_service(s, "Z0305", TABLE) is None


def test_registration_conditions_in_rule_order(demo_db: Database) -> None:
    row = TABLE["garbage"]
    with demo_db.read() as s:
        conditions = open311_requests.registration_conditions(s, row)
        rules = s.scalars(
            select(DeadlineRule)
            .where(
                DeadlineRule.taxonomy == row.taxonomy,
                DeadlineRule.kind == row.kind,
                DeadlineRule.category_code == row.category_code,
            )
            .order_by(DeadlineRule.id)
        ).all()
        assert [(c.rule_id, c.condition) for c in conditions] == [
            (r.id, r.condition) for r in rules
        ]
    assert conditions and any("生活垃圾" in c.condition for c in conditions)
    assert all(c.limit for c in conditions)  # "2工作时", "1工作日"…


def test_parse_when_and_statuses() -> None:
    assert parse_when(None, "start_date") is None and parse_when("", "start_date") is None
    assert parse_when("2026-11-23T09:00:00Z", "start_date") == datetime(
        2026, 11, 23, 9, 0, tzinfo=UTC
    )
    assert parse_when(" 2026-11-23T09:00:00+08:00 ", "end_date") == datetime(
        2026, 11, 23, 9, 0, tzinfo=LOCAL_TZ
    )
    for bad, message in [
        ("2026-11-23T09:00:00", "时区"),
        ("yesterday", "ISO 8601"),
        ("2026-11-23T09:00:00." + "0" * 20 + "+08:00", "ISO 8601"),  # over 40 characters
    ]:
        with pytest.raises(ValidationError, match=message) as raised:
            parse_when(bad, "end_date")
        assert raised.value.field == "end_date"
    assert parse_statuses(None) == set() and parse_statuses("") == set()
    assert parse_statuses(" Open , closed,") == {"open", "closed"}
    assert parse_statuses(["open", "closed"]) == {"open", "closed"}  # the parameter repeated
    with pytest.raises(ValidationError) as raised:
        parse_statuses("open,pending")
    assert raised.value.field == "status"


def test_find_requests_filters(demo_db: Database, cases: CaseService, clock: Clock) -> None:
    open_one = dispatched(cases, demo_db)
    closed_one = closed(cases, demo_db)
    component = reported(cases, demo_db, category_code="0101", kind="component")
    now = clock()
    everything = {open_one.number, closed_one.number, component.number}
    assert _find(demo_db, now) == everything
    assert _find(demo_db, now, statuses={"closed"}) == {closed_one.number}
    assert _find(demo_db, now, statuses={"open"}) == {open_one.number, component.number}
    assert _find(demo_db, now, statuses={"open", "closed"}) == everything
    assert _find(demo_db, now, service_codes="C0101") == {component.number}
    assert _find(demo_db, now, service_codes="0101") == {component.number}  # an alias
    assert _find(demo_db, now, service_codes=["garbage"], statuses={"open"}) == {open_one.number}
    assert _find(demo_db, now, service_codes="C0101,E06010") == everything
    # numbers override every other filter
    numbers = [closed_one.number, component.number]
    assert _find(demo_db, now, numbers=numbers, statuses={"open"}) == set(numbers)
    day = datetime(2026, 11, 23, tzinfo=LOCAL_TZ)
    assert _find(demo_db, now, start=day + timedelta(days=1)) == set()
    assert _find(demo_db, now, start=day, end=day + timedelta(hours=23, minutes=59)) == everything
    # no start, no end: the query_days up to now
    assert _find(demo_db, now + timedelta(days=91)) == set()
    assert _find(demo_db, now + timedelta(days=91), Limits(query_days=100)) == everything
    refused: list[tuple[dict[str, Any], str]] = [
        ({"start": day, "end": day - timedelta(seconds=1)}, "end_date"),
        ({"start": day - timedelta(days=91), "end": day}, "end_date"),
        ({"service_codes": "nope"}, "service_code"),
        ({"service_codes": ["C0101", "E9999"]}, "service_code"),
    ]
    for filters, field in refused:
        with pytest.raises(ValidationError) as raised:
            _find(demo_db, now, **filters)
        assert raised.value.field == field


def test_find_requests_fields_order_limit_and_photo(
    demo_db: Database, cases: CaseService, clock: Clock, tmp_path: Path
) -> None:
    first = dispatched(cases, demo_db)
    clock.advance(minutes=10)
    second = reported(cases, demo_db)
    store = AttachmentStore(tmp_path / "attachments", max_bytes=64 * 1024)
    _, photo = AttachmentService(cases, store).act_with_photo(
        handler(demo_db, first.department_id),
        first.id,
        "feedback",
        first.version,
        note="已清运",
        photo=PhotoUpload(png_bytes(), "a.png"),
    )
    assert photo is not None
    with demo_db.read() as s:
        found = open311_requests.find_requests(s, TABLE, Limits(), clock())
        (newest,) = open311_requests.find_requests(
            s, TABLE, replace(Limits(), max_requests=1), clock()
        )
    assert [r.fields["service_request_id"] for r in found] == [second.number, first.number]
    assert newest == found[0]
    assert found[0] == RequestRecord(fields=found[0].fields, photo_id=None)
    assert found[1].photo_id == photo.id
    fields = found[1].fields
    assert fields["status"] == "open" and fields["status_notes"] == "待核查"
    assert fields["service_code"] == "E06010" and fields["service_notice"].startswith("处置时限")
    assert fields["requested_datetime"].endswith("+08:00")
