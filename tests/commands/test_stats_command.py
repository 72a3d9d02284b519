"""`grid-console stats [--json]` through cli.main, checked against counts made in Python."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.cli import main
from console.db import Database
from console.domain.lifecycle import STATE_LABELS
from tests.commands.expected import independent_stats


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('stats') / 'demo.sqlite3'}"
    assert main(["--db", url, "seed-demo", "--cases", "250", "--days", "15", "--seed", "5"]) == 0
    return url


def expected_between(url: str, before: datetime, after: datetime) -> tuple[dict, dict]:
    """The independent figures at the instants just before and just after the command ran."""
    db = Database(url)
    try:
        with db.read() as s:
            return independent_stats(s, before), independent_stats(s, after)
    finally:
        db.dispose()


def test_json_matches_independent_counts(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    before = datetime.now(UTC)
    assert main(["--db", seeded_url, "stats", "--json"]) == 0
    after = datetime.now(UTC)
    got = json.loads(capsys.readouterr().out)
    at_before, at_after = expected_between(seeded_url, before, after)

    assert set(got) == {"regions", "departments", "staff", "states", "lights"}
    assert got["regions"] == at_before["regions"]
    assert got["regions"] == {"district": 1, "street": 9, "area": 41, "unit": 134, "grid": 364}
    assert got["departments"] == at_before["departments"]
    assert got["staff"] == at_before["staff"]
    assert got["staff"]["grid_staff"] == 364 * 7
    assert got["states"] == at_before["states"]
    assert sum(got["states"].values()) == 250
    # A light is computed at the command's own "now"; it lies between before and after.
    assert got["lights"] in (at_before["lights"], at_after["lights"])
    open_cases = sum(
        n for state, n in got["states"].items() if state not in ("closed", "archived", "voided")
    )
    assert sum(got["lights"].values()) == open_cases
    assert got["lights"].get("green", 0) > 0


def test_text_form_has_the_chinese_labels(
    seeded_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["--db", seeded_url, "stats"]) == 0
    out = capsys.readouterr().out
    db = Database(seeded_url)
    try:
        with db.read() as s:
            expected = independent_stats(s, datetime.now(UTC))
    finally:
        db.dispose()
    for label in ("地域 regions:", "组织 organisation:", "案件状态 case states:"):
        assert label in out
    assert "在办案件红黄绿灯 open cases by traffic light:" in out
    assert "  区 district: 1" in out
    assert "  街道 street: 9" in out
    assert "  单元(社区) unit: 134" in out
    assert "  网格 grid: 364" in out
    assert "  街道城管委 street_committee: 9" in out
    assert "  专业部门 professional: 22" in out
    assert "  职能部门 functional: 28" in out  # the five functions' departments too (#16 §3)
    for state, n in expected["states"].items():
        assert f"  {STATE_LABELS[state][0]} {state}: {n}\n" in out
    for zh, light in (("绿灯", "green"), ("黄灯", "yellow"), ("红灯", "red"), ("未计时", "none")):
        assert f"  {zh} {light}: " in out
    assert not out.lstrip().startswith("{")


def test_empty_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert main(["--db", url, "stats", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["regions"] == dict.fromkeys(("district", "street", "area", "unit", "grid"), 0)
    assert got["states"] == {} and got["lights"] == {} and got["departments"] == {}
    assert got["staff"] == {"grid_staff": 0, "users": 0}
    assert main(["--db", url, "stats"]) == 0
    assert "(无案件 no cases)" in capsys.readouterr().out
