"""Idempotency keys (console.services.idempotency) on the real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from console.db import Database
from console.errors import MissingFieldError, ValidationError
from console.services.cases.service import CaseService
from console.services.idempotency import (
    KEY_FIELD,
    IdempotencyMismatchError,
    check_key,
    find,
    fingerprint,
    record,
    replay,
)
from tests.conftest import Clock
from tests.services.console_support import GRID, INSPECTOR, report_input, street_points

FP = "f" * 64


def test_a_key_is_1_to_100_printable_characters() -> None:
    assert check_key("a") == "a"
    assert check_key("k" * 100) == "k" * 100
    assert (
        check_key("3f2c9e1a-6a4b-4c1e-9f7d-2b1e0c9d8a7f") == "3f2c9e1a-6a4b-4c1e-9f7d-2b1e0c9d8a7f"
    )
    for missing in (None, ""):
        with pytest.raises(MissingFieldError) as exc:
            check_key(missing)
        assert exc.value.field == KEY_FIELD and KEY_FIELD in exc.value.message
    with pytest.raises(ValidationError, match="过长: 101"):
        check_key("k" * 101)
    for bad in ("a b", "a\tb", "a\x00b", " ", "a\u200bb"):
        with pytest.raises(ValidationError, match="空格或控制字符") as exc:
            check_key(bad)
        assert exc.value.field == KEY_FIELD


def test_the_fingerprint_follows_every_field_and_the_photo_bytes_in_order() -> None:
    base = fingerprint({"a": "1", "b": "2"}, [b"x", b"y"])
    assert len(base) == 64
    assert fingerprint({"b": "2", "a": "1"}, [b"x", b"y"]) == base  # field order is no matter
    assert fingerprint({"a": "1", "b": "3"}, [b"x", b"y"]) != base
    assert fingerprint({"a": "1", "b": "2", "c": ""}, [b"x", b"y"]) != base
    assert fingerprint({"a": "1", "b": "2"}, [b"y", b"x"]) != base  # the photos' order
    assert fingerprint({"a": "1", "b": "2"}, [b"x"]) != base
    assert fingerprint({"a": "1", "b": "2"}, [b"x", b"y!"]) != base
    # text cannot pose as a photo, nor one field as two
    assert fingerprint({"a": "1"}, [b"x"]) != fingerprint({"a": "1", "x": ""}, [])
    assert fingerprint({"a": "1,b:2"}, []) != fingerprint({"a": "1", "b": "2"}, [])


def test_a_key_is_kept_once_per_person_with_its_answer(demo_db: Database, clock: Clock) -> None:
    point = street_points(demo_db)[0][2]
    case_id = CaseService(demo_db, clock=clock).report(INSPECTOR, report_input(point)).id
    assert INSPECTOR.id is not None and GRID.id is not None
    answer = {"id": case_id, "number": "E1", "photos": 2}
    with demo_db.session() as s:
        record(
            s,
            user_id=INSPECTOR.id,
            key="k1",
            action="report",
            request_fingerprint=FP,
            case_id=case_id,
            answer=answer,
            now=clock(),
            device_time=clock.now.replace(hour=3),
            accuracy_m=12.5,
        )
    with demo_db.read() as s:
        stored = find(s, INSPECTOR.id, "k1")
        assert find(s, INSPECTOR.id, "K1") is None  # keys are taken as sent
        assert find(s, GRID.id, "k1") is None
    assert stored is not None
    assert (stored.case_id, stored.action, stored.accuracy_m) == (case_id, "report", 12.5)
    assert stored.received_at == clock() and stored.device_time == clock.now.replace(hour=3)
    assert replay(stored, "report", FP) == answer

    with pytest.raises(IdempotencyMismatchError, match="k1") as exc:
        replay(stored, "report", "0" * 64)
    assert exc.value.field == KEY_FIELD and exc.value.code == "idempotency_mismatch"
    with pytest.raises(IdempotencyMismatchError):
        replay(stored, "feedback", FP)  # the same key for another kind of action

    with pytest.raises(IntegrityError), demo_db.session() as s:
        record(
            s,
            user_id=INSPECTOR.id,
            key="k1",
            action="report",
            request_fingerprint=FP,
            case_id=case_id,
            answer={},
            now=clock(),
        )
    with demo_db.session() as s:  # another person's device made the same key: no matter
        record(
            s,
            user_id=GRID.id,
            key="k1",
            action="report",
            request_fingerprint="0" * 64,
            case_id=case_id,
            answer={"id": case_id},
            now=clock(),
        )
    with demo_db.read() as s:
        theirs = find(s, GRID.id, "k1")
        mine = find(s, INSPECTOR.id, "k1")
    assert theirs is not None and theirs.answer == {"id": case_id}
    assert mine is not None and mine.answer == answer  # the refused twin changed nothing
