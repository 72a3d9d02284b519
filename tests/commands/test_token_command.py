"""`grid-console token create|list|revoke`."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console.cli import main
from console.db import Database
from console.models import ApiToken, SecurityEvent
from console.services.api_tokens import TOKEN_PREFIX, ApiTokenService, TokenError, hash_secret


def test_create_list_revoke(demo_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    url = str(demo_db.engine.url)
    assert (
        main(["--db", url, "token", "create", "--user", "inspector", "--label", "城管通-007"]) == 0
    )
    out, _ = capsys.readouterr()
    secrets = [w for w in out.split() if w.startswith(TOKEN_PREFIX)]
    assert len(secrets) == 1 and out.count(secrets[0]) == 1  # printed once
    secret = secrets[0]
    assert "城管通-007" in out and "只显示这一次" in out
    with demo_db.read() as s:
        token_id, stored = s.execute(select(ApiToken.id, ApiToken.token_hash)).one()
    assert stored == hash_secret(secret)
    service = ApiTokenService(demo_db)
    assert service.authenticate(secret).actor.role == "inspector"

    assert (
        main(
            [
                "--db",
                url,
                "token",
                "create",
                "--user",
                "intake",
                "--label",
                "12345",
                "--rate",
                "600",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["--db", url, "token", "list"]) == 0
    out, _ = capsys.readouterr()
    assert secret not in out and stored not in out
    assert "城管通-007" in out and "user=inspector" in out and "600/min" in out and "有效" in out

    assert main(["--db", url, "token", "revoke", str(token_id)]) == 0
    out, _ = capsys.readouterr()
    assert "已吊销" in out
    with pytest.raises(TokenError):
        service.authenticate(secret)
    assert main(["--db", url, "token", "list", "--active"]) == 0
    out, _ = capsys.readouterr()
    assert "城管通-007" not in out and "12345" in out
    # Both in the security log, as the command line's doing (no one signed in).
    with demo_db.read() as s:
        logged = s.execute(
            select(SecurityEvent.kind, SecurityEvent.username, SecurityEvent.detail)
            .where(SecurityEvent.actor_id.is_(None), SecurityEvent.kind.like("token_%"))
            .order_by(SecurityEvent.id)
        ).all()
    assert [tuple(r) for r in logged] == [
        ("token_issued", "inspector", f"设备「城管通-007」（令牌 #{token_id}），命令行签发"),
        ("token_issued", "intake", f"设备「12345」（令牌 #{token_id + 1}），命令行签发"),
        ("token_revoked", "inspector", f"设备「城管通-007」（令牌 #{token_id}），命令行吊销"),
    ]


def test_errors_exit_2_with_a_message(
    demo_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(demo_db.engine.url)
    assert main(["--db", url, "token", "create", "--user", "ghost", "--label", "x"]) == 2
    _, err = capsys.readouterr()
    assert "用户不存在" in err
    assert main(["--db", url, "token", "revoke", "42"]) == 2
    _, err = capsys.readouterr()
    assert "令牌不存在" in err
    assert main(["--db", url, "token", "list"]) == 0
    out, _ = capsys.readouterr()
    assert "没有令牌" in out
