"""一格七员 in the field app (#16 §4): a grid staff member signs in with their own account, the
category search marks what their duties let them self-handle, and the report with its 自行处置
goes through for those categories only. The real gateway on the demo database."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from console.models import CaseEvent
from console.services.demo import demo_accounts
from tests.gateway.conftest import Gateway
from tests.gateway.test_field_reports import counts, photos, post
from tests.gateway.test_field_self_handle import after

PASSWORD = {a.username: a.password for a in demo_accounts()}


def signed_in(gw: Gateway, username: str) -> httpx.Client:
    """A client holding the device token the person's own sign-in issued."""
    with gw.client() as c:
        r = c.post(
            "/api/v1/session",
            json={"username": username, "password": PASSWORD[username], "device_label": "城管通"},
        )
    assert r.status_code == 201, r.text
    return gw.client(secret=r.json()["token"])


def category(c: httpx.Client, name: str) -> dict[str, object]:
    found = c.get("/api/v1/categories", params={"q": name}).json()
    return next(x for x in found if x["name"] == name)


def self_handled(c: httpx.Client, gw: Gateway, key: str, code: str) -> httpx.Response:
    return post(
        c,
        gw,
        key,
        [*photos(1), *after(1)],
        category_code=code,
        self_handled="1",
        handling_note="已就地处置",
    )


def test_a_sanitation_worker_signs_in_and_self_handles_exposed_rubbish(gateway: Gateway) -> None:
    with signed_in(gateway, "sanitation_worker") as c:
        me = c.get("/api/v1/me").json()
        assert (me["username"], me["role"], me["role_label"]) == (
            "sanitation_worker",
            "sanitation_worker",
            "环卫保洁员",
        )
        assert category(c, "暴露垃圾")["self_handle"] is True
        assert category(c, "占道经营")["self_handle"] is False  # street order: not its duty

        r = self_handled(c, gateway, "sw-1", "06010")
        assert r.status_code == 201, r.text
        assert r.json()["state"] == "self_handled"
        with gateway.db.read() as s:
            actions = s.scalars(
                select(CaseEvent.action)
                .where(CaseEvent.case_id == r.json()["id"])
                .order_by(CaseEvent.id)
            ).all()
        assert actions == ["report", "self_handle"]

        before = counts(gateway)
        refused = self_handled(c, gateway, "sw-2", "09006")  # 占道经营
        assert refused.status_code == 403, refused.text
        assert refused.json()["message"] == (
            "环卫保洁员（sanitation_worker）的职责不含上报事件「09006 占道经营」"
            "（见 resources/org/grid_staff_duties.csv），请交由其他网格员上报"
        )
        assert counts(gateway) == before  # nothing written


def test_a_frontage_inspector_self_handles_what_the_frontage_duty_covers(
    gateway: Gateway,
) -> None:
    with signed_in(gateway, "frontage_inspector") as c:
        assert category(c, "店外经营")["self_handle"] is True  # 门前三包
        assert category(c, "暴露垃圾")["self_handle"] is False  # the sanitation worker's
        r = self_handled(c, gateway, "fi-1", "09005")
        assert r.status_code == 201 and r.json()["state"] == "self_handled", r.text
        before = counts(gateway)
        refused = self_handled(c, gateway, "fi-2", "06010")
        assert refused.status_code == 403, refused.text
        assert refused.json()["message"] == (
            "“三包”督查员（frontage_inspector）的职责不含自行处置事件「06010 暴露垃圾」"
            "（见 resources/org/grid_staff_duties.csv），请按常规上报，由指挥中心派遣"
        )
        assert counts(gateway) == before
        plain = post(c, gateway, "fi-3", photos(1), category_code="06010")
        assert plain.status_code == 201 and plain.json()["state"] == "reported"


def test_the_inspector_and_the_supervisor_get_no_self_handling_switch(gateway: Gateway) -> None:
    for username in ("inspector", "grid_supervisor"):
        with signed_in(gateway, username) as c:
            everything = c.get("/api/v1/categories", params={"limit": 2000}).json()
            assert everything and not any(x["self_handle"] for x in everything)


def test_the_grid_staff_walk_patrols_and_a_handler_does_not(gateway: Gateway) -> None:
    with signed_in(gateway, "sanitation_worker") as c:
        assert c.get("/api/v1/me").json()["may_patrol"] is True  # the app shows 巡查
        started = c.post("/api/v1/patrols")
        assert started.status_code == 201, started.text
    for username in ("city_inspector", "property_manager"):
        with gateway.client(username) as c:
            assert c.get("/api/v1/me").json()["may_patrol"] is True
    with gateway.client("dept-pro02") as c:
        assert c.get("/api/v1/me").json()["may_patrol"] is False
        assert c.post("/api/v1/patrols").status_code == 403
