"""`grid-console user …` through cli.main on a real SQLite copy of the demo database."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from console.cli import main
from console.db import Database
from console.errors import AuthenticationError
from console.models import Region, SecurityEvent, User
from console.services.auth import security_policy, sign_in


@pytest.fixture
def url(tmp_path: Path, demo_template: Path) -> str:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"


def user_cmd(monkeypatch: pytest.MonkeyPatch, url: str, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))  # not a terminal: one line each
    return main(["--db", url, "user", *args])


def can_sign_in(url: str, username: str, password: str) -> bool:
    db = Database(url)
    try:
        sign_in(db, username, password, datetime.now(UTC))
        return True
    except AuthenticationError:
        return False
    finally:
        db.dispose()


def test_list(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert user_cmd(monkeypatch, url, "list") == 0
    out = capsys.readouterr().out
    assert "dispatcher" in out and "duty_chief" in out and "wall" in out
    assert "NONE" not in out  # every demo account has a password


def test_add_passwd_role_deactivate(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        user_cmd(
            monkeypatch,
            url,
            "add",
            "li4",
            "--name",
            "李四",
            "--role",
            "dispatcher",
            stdin="night-desk-42\n",
        )
        == 0
    )
    assert "li4" in capsys.readouterr().out
    assert can_sign_in(url, "li4", "night-desk-42")

    assert user_cmd(monkeypatch, url, "passwd", "li4", stdin="other-desk-43\n") == 0
    assert not can_sign_in(url, "li4", "night-desk-42")
    assert can_sign_in(url, "li4", "other-desk-43")

    assert user_cmd(monkeypatch, url, "role", "li4", "department", "--department", "PRO02") == 0
    assert "处置人员" in capsys.readouterr().out

    assert user_cmd(monkeypatch, url, "deactivate", "li4") == 0
    assert not can_sign_in(url, "li4", "other-desk-43")
    assert user_cmd(monkeypatch, url, "activate", "li4") == 0
    assert can_sign_in(url, "li4", "other-desk-43")

    db = Database(url)
    try:
        with db.read() as s:
            rows = s.execute(
                select(SecurityEvent.kind, SecurityEvent.actor_name, SecurityEvent.detail)
                .where(SecurityEvent.username == "li4", SecurityEvent.actor_name.is_not(None))
                .order_by(SecurityEvent.id)
            ).all()
    finally:
        db.dispose()
    assert [r.kind for r in rows] == [
        "user_created",
        "password_reset",
        "role_changed",
        "user_deactivated",
        "user_reactivated",
    ]
    assert all(r.actor_name.startswith("命令行") for r in rows)
    assert rows[2].detail.startswith("派遣员(dispatcher) → 处置人员(department)")


def test_unlock(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(security_policy().max_failed_logins):
        assert not can_sign_in(url, "leader", "wrong-pass-1")
    assert not can_sign_in(url, "leader", "lingdao-2026")  # locked
    assert user_cmd(monkeypatch, url, "unlock", "leader") == 0
    assert can_sign_in(url, "leader", "lingdao-2026")


def test_errors_are_clear_and_change_nothing(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert user_cmd(monkeypatch, url, "add", "x9", "--name", "X", "--role", "dispatcher") == 2
    assert "标准输入中没有密码" in capsys.readouterr().err
    assert (
        user_cmd(
            monkeypatch, url, "add", "x9", "--name", "X", "--role", "pilot", stdin="abcdefg-12\n"
        )
        == 2
    )
    assert "未知角色" in capsys.readouterr().err
    assert user_cmd(monkeypatch, url, "passwd", "dispatcher", stdin="short\n") == 2
    assert "密码至少" in capsys.readouterr().err
    assert can_sign_in(url, "dispatcher", "paiqian-2026")
    assert (
        user_cmd(monkeypatch, url, "role", "dispatcher", "department", "--department", "NOPE") == 2
    )
    assert "NOPE" in capsys.readouterr().err
    assert user_cmd(monkeypatch, url, "unlock", "nobody") == 2
    assert "nobody" in capsys.readouterr().err


def test_no_password_on_the_command_line(url: str) -> None:
    with pytest.raises(SystemExit):
        main(["--db", url, "user", "passwd", "dispatcher", "--password", "x"])


def test_a_grid_staff_account_names_its_grid(
    monkeypatch: pytest.MonkeyPatch, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """一格七员 are confined to a grid: --region takes a grid's code (15 digits), not a unit's."""
    add = ("add", "wg9", "--name", "网格员九", "--role", "sanitation_worker", "--region")
    assert user_cmd(monkeypatch, url, *add, "610104001001", stdin="abcdefg-12\n") == 2
    assert "须为一个网格" in capsys.readouterr().err
    assert user_cmd(monkeypatch, url, *add, "610104001001002", stdin="abcdefg-12\n") == 0
    db = Database(url)
    try:
        with db.read() as s:
            code = s.scalar(
                select(Region.code)
                .join(User, User.region_id == Region.id)
                .where(User.username == "wg9")
            )
    finally:
        db.dispose()
    assert code == "610104001001002"
