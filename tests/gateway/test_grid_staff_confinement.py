"""一格七员 through the gateway: a grid staff member self-handles from the field app in its own
grid only (next door: refused by name, nothing written), its tasks are its grid's cases, and an
account without its grid is told so. The real gateway on the demo database."""

from __future__ import annotations

from sqlalchemy import update

from console.models import User
from tests.gateway.conftest import Gateway
from tests.gateway.test_field_reports import counts
from tests.gateway.test_field_self_handle import self_handled
from tests.services.console_support import INTAKE, report_input
from tests.services.test_grid_staff_confinement import NEXT, OWN, grid_point


def at(point: tuple[float, float]) -> dict[str, str]:
    return {"lon": f"{point[0]:.7f}", "lat": f"{point[1]:.7f}"}


def test_a_grid_staff_member_self_handles_in_its_own_grid_only(gateway: Gateway) -> None:
    _, own = grid_point(gateway.db, OWN)
    _, next_door = grid_point(gateway.db, NEXT)
    with gateway.client("sanitation_worker") as c:
        before = counts(gateway)
        refused = self_handled(c, gateway, "sw-next", **at(next_door))
        assert refused.status_code == 403, refused.text
        assert refused.json()["message"] == (
            "该案件位于「莲湖路第一社区第2网格」，不在您负责的网格「莲湖路第一社区第1网格」内，"
            "不能自行处置；请按普通上报提交（不选自行处置），由指挥中心立案派遣"
        )
        assert counts(gateway) == before  # the report went back with the refusal
        done = self_handled(c, gateway, "sw-own", **at(own))
        assert done.status_code == 201, done.text
        assert done.json()["state"] == "self_handled"


def test_a_grid_staff_members_tasks_are_its_grids_cases(gateway: Gateway) -> None:
    _, own = grid_point(gateway.db, OWN)
    _, next_door = grid_point(gateway.db, NEXT)
    mine = gateway.cases.report(INTAKE, report_input(own)).id
    theirs = gateway.cases.report(INTAKE, report_input(next_door)).id
    with gateway.client("grid_manager") as c:
        listed = c.get("/api/v1/tasks")
        assert listed.status_code == 200, listed.text
        assert [t["id"] for t in listed.json()["tasks"]] == [mine]
        assert c.get(f"/api/v1/tasks/{mine}").status_code == 200
        assert c.get(f"/api/v1/tasks/{theirs}").status_code == 404


def test_a_grid_staff_account_without_its_grid_is_told_so(gateway: Gateway) -> None:
    _, own = grid_point(gateway.db, OWN)
    with gateway.db.session() as s:
        s.execute(update(User).where(User.username == "grid_manager").values(region_id=None))
    message = (
        "您的账号（网格管理员）尚未指定所在网格，不能查看或处理案件；"
        "请管理员在“用户管理”中为该账号指定所在网格"
    )
    with gateway.client("grid_manager") as c:
        tasks = c.get("/api/v1/tasks")
        assert tasks.status_code == 403, tasks.text
        assert tasks.json()["message"] == message
        before = counts(gateway)
        refused = self_handled(c, gateway, "gm-1", **at(own))
        assert refused.status_code == 403, refused.text
        assert refused.json()["message"] == message
        assert counts(gateway) == before
