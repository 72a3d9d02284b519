"""The field app's category search: today's taxonomy, by code, name or pinyin initials."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.config import LOCAL_TZ
from console.db import Database
from console.services.field_categories import CategoryFinder
from console.services.reference import data as reference_data
from console.services.taxonomy_schedule import read_schedule
from tests.conftest import Clock
from tests.gateway.conftest import Gateway

GBT2026 = reference_data.TAXONOMY_GBT2026


def test_search_by_initials_name_and_code(gateway: Gateway) -> None:
    with gateway.client("inspector") as c:
        ljx = c.get("/api/v1/categories", params={"q": "ljx"}).json()
        assert ljx[0] == {
            "code": "03005",
            "kind": "component",
            "name": "垃圾箱",
            "taxonomy": GBT2026,
            "path": "市容环卫设施 / 垃圾箱",
            "function": "城市管理",
            "self_handle": False,
        }
        names = [c["name"] for c in c.get("/api/v1/categories", params={"q": "暴露垃圾"}).json()]
        assert names[0] == "暴露垃圾"
        coded = c.get("/api/v1/categories", params={"q": "0601"}).json()
        assert coded and all(x["code"].startswith("0601") for x in coded)
        assert c.get("/api/v1/categories", params={"q": "zzzzqqq"}).json() == []


def test_everything_of_todays_taxonomy_and_the_limit(gateway: Gateway) -> None:
    with gateway.client("grid_manager") as c:
        everything = c.get("/api/v1/categories", params={"limit": 2000}).json()
        assert len(everything) > 300  # both kinds of GB/T 47678.5-2026
        assert {x["taxonomy"] for x in everything} == {GBT2026}
        assert {x["kind"] for x in everything} == {"component", "event_type"}
        assert all(len(x["code"]) == 5 for x in everything)
        assert len(c.get("/api/v1/categories").json()) == 50
        assert len(c.get("/api/v1/categories", params={"limit": 3}).json()) == 3
        for bad in ({"limit": 0}, {"limit": 2001}, {"q": "x" * 51}):
            assert c.get("/api/v1/categories", params=bad).status_code == 400
    with gateway.client() as c:
        assert c.get("/api/v1/categories").status_code == 401


def test_the_taxonomy_follows_the_date(demo_db: Database) -> None:
    clock = Clock(datetime(2026, 6, 30, 12, tzinfo=LOCAL_TZ))  # the day before 2026 took effect
    finder = CategoryFinder(demo_db, read_schedule(), clock, ttl=timedelta(hours=1))
    before = finder.find("ljx")
    assert before[0].taxonomy == "cjt214" and before[0].code == "0305"
    clock.advance(days=1)
    after = finder.find("ljx")
    assert after[0].taxonomy == GBT2026 and after[0].code == "03005"
