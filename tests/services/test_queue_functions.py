"""The queues' function filter (#16 §3) on a real demo SQLite file: the cases whose category has
the function, with the other filters, counted alike, an unknown function refused."""

from __future__ import annotations

import pytest

from console.db import Database
from console.errors import ValidationError
from console.services.cases.service import CaseService
from console.services.queue import QueueFilter, count_queue, fetch_queue
from tests.conftest import Clock
from tests.services.console_support import (
    CHIEF,
    DISPATCHER,
    INTAKE,
    department_id,
    local,
    report_input,
    street_points,
)
from tests.services.test_queue import CAL

NOW = local(23, 12)


@pytest.fixture
def cases(demo_db: Database, clock: Clock) -> dict[str, int]:
    """One case of each of four functions; the dispute registered and dispatched by routing."""
    service = CaseService(demo_db, calendar=CAL, clock=clock)
    (_, _, p1), (_, _, p2) = street_points(demo_db)
    made: dict[str, int] = {}
    for name, code, point in [
        ("rubbish", "06010", p1),  # 暴露垃圾: 城市管理
        ("dispute", "14001", p1),  # 矛盾纠纷: 安全稳定
        ("hazard", "14002", p2),  # 安全隐患: 安全稳定, the other street
        ("business", "12001", p1),  # 企业服务诉求: 经济发展
        ("hardship", "13002", p2),  # 困难群众帮扶: 公共服务
    ]:
        clock.advance(minutes=1)
        made[name] = service.report(INTAKE, report_input(point, category_code=code)).id
    # An older code without a 2026 counterpart stays in CJ/T 214: city management too.
    manhole = report_input(p2, category_code="0101", kind="component", taxonomy="cjt214")
    made["manhole"] = service.report(INTAKE, manhole).id
    assert service.get(made["manhole"]).taxonomy == "cjt214"
    snap = service.get(made["dispute"])
    snap = service.register(CHIEF, snap.id, snap.version)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    assert snap.department_id == department_id(demo_db, "FUN27")  # routing.csv: 14 → 综治中心
    return made


def _ids(db: Database, **kw: object) -> set[int]:
    f = QueueFilter(**kw)  # type: ignore[arg-type]
    with db.read() as s:
        rows = fetch_queue(s, f, NOW, CAL, offset=0, limit=1000)
        assert count_queue(s, f, NOW) == len(rows)
    return {r.id for r in rows}


def test_each_function_shows_its_cases(demo_db: Database, cases: dict[str, int]) -> None:
    c = cases
    assert _ids(demo_db, tab="search") == set(c.values())
    assert _ids(demo_db, tab="search", function="安全稳定") == {c["dispute"], c["hazard"]}
    assert _ids(demo_db, tab="search", function="城市管理") == {c["rubbish"], c["manhole"]}
    assert _ids(demo_db, tab="search", function="经济发展") == {c["business"]}
    assert _ids(demo_db, tab="search", function="公共服务") == {c["hardship"]}
    assert _ids(demo_db, tab="search", function="党的建设") == set()


def test_the_function_filter_combines_with_the_others(
    demo_db: Database, cases: dict[str, int]
) -> None:
    c = cases
    (street1, _, _), (street2, _, _) = street_points(demo_db)
    assert _ids(demo_db, tab="search", function="安全稳定", street_id=street2) == {c["hazard"]}
    assert _ids(demo_db, tab="in_progress", function="安全稳定") == {c["dispute"]}
    assert _ids(demo_db, tab="to_register", function="安全稳定") == {c["hazard"]}
    # A category of another function: nothing.
    assert _ids(demo_db, tab="search", function="城市管理", category_code="E14001") == set()
    assert _ids(demo_db, tab="search", function="安全稳定", category_code="E14001") == {
        c["dispute"]
    }
    assert street1 != street2


def test_an_unknown_function_is_refused(demo_db: Database) -> None:
    with demo_db.read() as s, pytest.raises(ValidationError, match="未知的职能: 城市建设") as err:
        fetch_queue(s, QueueFilter(function="城市建设"), NOW, CAL, offset=0, limit=10)
    assert err.value.field == "function" and "安全稳定" in err.value.message
