"""The field app's sign-in over HTTP: a device token for the person's own account, the
console's lockout, sign-out revoking the token, and who am I."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from console.models import ApiToken, Department, SecurityEvent, User
from console.services.api_tokens import ApiTokenService
from console.services.auth import WRONG_CREDENTIALS, security_policy
from console.services.demo import demo_accounts
from tests.gateway.conftest import Gateway
from tests.gateway.support import PRO02_USER

PASSWORD = {a.username: a.password for a in demo_accounts()}
HANDLER_PASSWORD = next(a.password for a in demo_accounts() if a.username.startswith("dept-"))


def sign_in(
    c: httpx.Client, username: str, password: str, label: str = "城管通-007"
) -> httpx.Response:
    return c.post(
        "/api/v1/session",
        json={"username": username, "password": password, "device_label": label},
    )


def tokens(gw: Gateway) -> int:
    with gw.db.read() as s:
        return s.scalar(select(func.count()).select_from(ApiToken)) or 0


def test_signing_in_issues_a_device_token_for_the_person(gateway: Gateway) -> None:
    with gateway.client() as c:
        r = sign_in(c, "inspector", PASSWORD["inspector"])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["token"].startswith("gdc_")
    assert body["user"] == {
        "username": "inspector",
        "display_name": body["user"]["display_name"],
        "role": "inspector",
        "role_label": "监督员",
        "department": None,
        "may_patrol": True,
    }
    assert body["user"]["display_name"].startswith("监督员")
    with gateway.db.read() as s:
        row = s.execute(
            select(ApiToken.id, ApiToken.label, ApiToken.token_hash, User.username).join(
                User, User.id == ApiToken.user_id
            )
        ).one()
        logged = list(
            s.scalars(
                select(SecurityEvent.kind)
                .where(SecurityEvent.username == "inspector")
                .order_by(SecurityEvent.id)
            )
        )
    assert (row.id, row.label, row.username) == (body["token_id"], "城管通-007", "inspector")
    assert row.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()  # never the secret
    # The console's own sign-in, logged as such, then the device's token.
    assert logged == ["login_ok", "token_issued"]
    listed = ApiTokenService(gateway.db).list_tokens()  # the admin's list names the device
    assert [(t.label, t.username, t.active) for t in listed] == [("城管通-007", "inspector", True)]
    with gateway.client(secret=body["token"]) as c:
        me = c.get("/api/v1/me")
    assert me.status_code == 200 and me.json() == body["user"]


def test_a_handler_sees_their_department(gateway: Gateway) -> None:
    with gateway.client() as c:
        r = sign_in(c, f" {PRO02_USER} ", HANDLER_PASSWORD, label="  处置终端-1 ")
    assert r.status_code == 201, r.text
    user = r.json()["user"]
    assert (user["username"], user["role"], user["role_label"]) == (
        PRO02_USER,
        "department",
        "处置人员",
    )
    with gateway.db.read() as s:
        assert s.scalar(select(ApiToken.label)) == "处置终端-1"
        department = s.scalar(
            select(Department.name)
            .join(User, User.department_id == Department.id)
            .where(User.username == PRO02_USER)
        )
    assert department and user["department"] == department  # its name, not its code


def test_wrong_name_or_password_is_one_401(gateway: Gateway) -> None:
    with gateway.client() as c:
        wrong = sign_in(c, "inspector", "wrong-2026")
        unknown = sign_in(c, "nobody", "wrong-2026")
    for r in (wrong, unknown):
        assert r.status_code == 401, r.text
        assert r.json() == {
            "error": "authentication_failed",
            "message": WRONG_CREDENTIALS,
            "field": None,
        }
    assert tokens(gateway) == 0


def test_missing_fields_are_named_and_count_no_failure(gateway: Gateway) -> None:
    cases = [
        ({}, "username", "缺少用户名"),
        ({"username": "  "}, "username", "缺少用户名"),
        ({"username": "inspector"}, "password", "缺少密码"),
        (
            {"username": "inspector", "password": PASSWORD["inspector"]},
            "device_label",
            "缺少设备名称",
        ),
        (
            {"username": "inspector", "password": PASSWORD["inspector"], "device_label": "x" * 101},
            "device_label",
            "设备名称过长",
        ),
        ({"username": 7, "password": "x", "device_label": "d"}, "username", "用户名必须是文本"),
    ]
    with gateway.client() as c:
        for body, field, message in cases:
            r = c.post("/api/v1/session", json=body)
            assert r.status_code == 400, r.text
            assert r.json()["field"] == field and message in r.json()["message"]
        form = c.post("/api/v1/session", data={"username": "inspector", "password": "p"})
        assert form.status_code == 400 and form.json()["field"] == "device_label"
        assert (
            c.post(
                "/api/v1/session", content=b"[1]", headers={"content-type": "application/json"}
            ).status_code
            == 400
        )
    with gateway.db.read() as s:
        assert s.scalar(select(User.failed_logins).where(User.username == "inspector")) == 0
        assert s.scalar(select(func.count()).select_from(SecurityEvent)) == 0
    assert tokens(gateway) == 0


def test_a_locked_account_answers_like_a_wrong_password(gateway: Gateway) -> None:
    """No 423 and no unlock time: a locked account, even with the right password, gets the
    very 401 a wrong password and an unknown name get; the lock is in the security log."""
    policy = security_policy()
    one_answer = {"error": "authentication_failed", "message": WRONG_CREDENTIALS, "field": None}
    with gateway.client() as c:
        answers = [
            sign_in(c, "grid_manager", "wrong-2026") for _ in range(policy.max_failed_logins)
        ]
        answers.append(sign_in(c, "grid_manager", PASSWORD["grid_manager"]))  # locked by now
        answers.append(sign_in(c, "nobody", "wrong-2026"))
    for r in answers:
        assert r.status_code == 401, r.text
        assert r.json() == one_answer
        assert "Retry-After" not in r.headers
    with gateway.db.read() as s:
        until = s.scalar(select(User.locked_until).where(User.username == "grid_manager"))
        log = s.execute(
            select(SecurityEvent.kind, SecurityEvent.detail)
            .where(SecurityEvent.username == "grid_manager")
            .order_by(SecurityEvent.id)
        ).all()
    assert until == gateway.cases.clock() + timedelta(minutes=policy.lock_minutes)
    assert [k for k, _ in log][-2:] == ["locked", "login_failed"]
    assert log[-1][1] == "账户锁定中"
    assert tokens(gateway) == 0


def test_sign_ins_are_rate_limited_per_address(gateway: Gateway) -> None:
    with gateway.client() as c:
        codes = [c.post("/api/v1/session", json={}).status_code for _ in range(10)]
        assert codes == [400] * 10
        r = sign_in(c, "inspector", PASSWORD["inspector"])
    assert r.status_code == 429, r.text
    assert r.json()["error"] == "rate_limited" and "登录尝试过于频繁" in r.json()["message"]
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert tokens(gateway) == 0
    with gateway.client("inspector") as c:  # a signed-in device is not held back by it
        assert c.get("/api/v1/me").status_code == 200


def test_signing_out_revokes_only_this_device(gateway: Gateway) -> None:
    with gateway.client() as c:
        phone = sign_in(c, "inspector", PASSWORD["inspector"], label="phone").json()["token"]
        tablet = sign_in(c, "inspector", PASSWORD["inspector"], label="tablet").json()["token"]
    with gateway.client(secret=phone) as c:
        assert c.get("/api/v1/me").status_code == 200
        out = c.delete("/api/v1/session")
        assert out.status_code == 204 and out.content == b""
        after = c.get("/api/v1/me")
        assert after.status_code == 401
        assert after.json()["message"] == "访问令牌已吊销"
        assert c.delete("/api/v1/session").status_code == 401
    with gateway.client(secret=tablet) as c:
        assert c.get("/api/v1/me").status_code == 200
    listed = {t.label: t.active for t in ApiTokenService(gateway.db).list_tokens()}
    assert listed == {"phone": False, "tablet": True}
    with gateway.client() as c:
        assert c.delete("/api/v1/session").status_code == 401
        assert c.get("/api/v1/me").status_code == 401
