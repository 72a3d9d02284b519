"""Task steps by idempotency key (console.services.field_steps): two attempts with the same key
at once, the first holding its transaction, on a SQLite file and on PostgreSQL. One step, one
photo, one key row; the second attempt gets the first one's answer."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from console.db import Database
from console.models import Attachment, CaseEvent, FieldSubmission
from console.services import geography
from console.services.actors import Actor
from console.services.attachments import (
    AttachmentRecord,
    AttachmentService,
    AttachmentStore,
    PhotoUpload,
)
from console.services.cases.dto import CaseSnapshot
from console.services.cases.service import CaseService
from console.services.demo import ensure_people
from console.services.field_steps import Done, FieldStepService, Step
from console.services.reference import data as reference_data
from tests.conftest import Clock
from tests.gateway.support import dispatched, png_bytes
from tests.services.console_support import handler


class Counting(FieldStepService):
    """Counts the look-ups of the key: 2 for one attempt means it lost the race and looked again."""

    def __init__(self, attachments: AttachmentService) -> None:
        super().__init__(attachments)
        self.lookups: dict[str, int] = {}

    def replayed(self, actor: Actor, key: str, step: Step) -> Done | None:
        name = threading.current_thread().name
        self.lookups[name] = self.lookups.get(name, 0) + 1
        return super().replayed(actor, key, step)


@pytest.fixture
def demo_pg(pg_url: str) -> Iterator[Database]:
    db = Database(pg_url)
    try:
        with db.session() as s:
            geography.ensure_demo_district(s)
        with db.session() as s:
            reference_data.load_reference_data(s)
            ensure_people(s, random.Random(1))
        yield db
    finally:
        db.dispose()


def race(db: Database, clock: Clock, root: Path) -> None:
    cases = CaseService(db, clock=clock)
    steps = Counting(AttachmentService(cases, AttachmentStore(root, max_bytes=1 << 20)))
    s = dispatched(cases, db)
    who = handler(db, s.department_id)
    step = Step("feedback", s.id, s.version, "已清运", PhotoUpload(png_bytes(seed=5), "a.png"))
    inside, release = threading.Event(), threading.Event()
    done: dict[str, Done] = {}
    failed: list[BaseException] = []

    def answer(snap: CaseSnapshot, record: AttachmentRecord | None) -> Mapping[str, Any]:
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(30)  # the step is written, not committed: the twin starts now
        assert record is not None
        return {"version": snap.version, "photo": record.id, "by": threading.current_thread().name}

    def attempt() -> None:
        try:
            done[threading.current_thread().name] = steps.run(who, "k-1", step, answer)
        except BaseException as exc:  # the failure is what the test reports
            failed.append(exc)

    first = threading.Thread(target=attempt, name="first")
    second = threading.Thread(target=attempt, name="second")
    first.start()
    assert inside.wait(30)
    second.start()
    time.sleep(0.5)  # the second has looked for the key and waits on the case (or the file lock)
    assert second.is_alive()
    release.set()
    first.join(30)
    second.join(30)
    assert not failed, failed
    assert done["first"].replayed is False and done["second"].replayed is True
    assert done["second"].answer == done["first"].answer
    assert done["first"].answer["by"] == "first"
    assert steps.lookups == {"first": 1, "second": 2}  # the second lost and looked again
    with db.read() as session:
        feedbacks = session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id == s.id, CaseEvent.action == "feedback")
        )
        assert feedbacks == 1
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
        assert session.scalar(select(func.count()).select_from(FieldSubmission)) == 1
    assert not list((root / ".staging").glob("*"))  # the loser's staged photo is gone


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_same_step_twice_at_once_is_done_once(
    backend: str, tmp_path: Path, clock: Clock, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue("demo_db" if backend == "sqlite" else "demo_pg")
    race(db, clock, tmp_path / "attachments")
