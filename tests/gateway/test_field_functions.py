"""The field app and the five functions of grid work (#16 §3), through the real gateway: the
categories endpoint lists the functions the caller's role covers (resources/org/role_functions.csv),
and a report of a function the role does not cover is refused with nothing written."""

from __future__ import annotations

from tests.gateway.conftest import Gateway
from tests.gateway.test_field_reports import counts, post

FIVE = {"党的建设", "经济发展", "城市管理", "公共服务", "安全稳定"}


def _all(c, **params: object) -> list[dict]:
    r = c.get("/api/v1/categories", params={"limit": 2000, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_grid_manager_sees_all_five_an_inspector_city_management(gateway: Gateway) -> None:
    with gateway.client("grid_manager") as c:
        everything = _all(c)
        assert {x["function"] for x in everything} == FIVE
        found = c.get("/api/v1/categories", params={"q": "矛盾"}).json()
        assert found[0] == {
            "code": "14001",
            "kind": "event_type",
            "name": "矛盾纠纷",
            "taxonomy": "gbt47678-5-2026",
            "path": "安全稳定 / 矛盾纠纷",
            "function": "安全稳定",
            "self_handle": False,
        }
        economic = _all(c, function="经济发展")
        assert [x["code"] for x in economic] == ["12001", "12002", "12099"]
        city = _all(c, function="城市管理")
        assert len(city) == len(everything) - 13
    with gateway.client("inspector") as c:
        mine = _all(c)
        assert {x["function"] for x in mine} == {"城市管理"}
        assert len(mine) == len(city)
        assert c.get("/api/v1/categories", params={"q": "矛盾纠纷"}).json() == []
        refused = c.get("/api/v1/categories", params={"function": "安全稳定"})
        assert refused.status_code == 403
        assert "不负责“安全稳定”" in refused.json()["message"]
        assert "城市管理" in refused.json()["message"]
        unknown = c.get("/api/v1/categories", params={"function": "城市建设"})
        assert unknown.status_code == 400 and "未知的职能“城市建设”" in unknown.json()["message"]


def test_a_role_without_functions_is_offered_none(gateway: Gateway) -> None:
    with gateway.client("dispatcher") as c:
        assert _all(c) == []


def test_reports_of_a_function_the_role_covers_only(gateway: Gateway) -> None:
    with gateway.client("inspector") as c:
        r = post(c, gateway, "f-1", category_code="14001", description="邻里纠纷")
        assert r.status_code == 403, r.text
        assert "不能上报「14001 矛盾纠纷」" in r.json()["message"]
        assert counts(gateway) == {
            "cases": 0,
            "case_events": 0,
            "attachments": 0,
            "field_submissions": 0,
        }
    with gateway.client("grid_manager") as c:
        r = post(c, gateway, "f-2", category_code="14001", description="邻里纠纷")
        assert r.status_code == 201, r.text
        case = gateway.cases.get(r.json()["id"])
        assert (case.category_code, case.state) == ("14001", "reported")
