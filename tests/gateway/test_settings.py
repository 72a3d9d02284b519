"""The gateway's data files: read, and refused with a clear message when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.errors import ValidationError
from console.gateway.settings import (
    GatewaySettings,
    Limits,
    load_report_sources,
    load_task_scopes,
)


def test_the_shipped_files(tmp_path: Path) -> None:
    settings = GatewaySettings.load(attachments_dir=tmp_path)
    assert settings.attachments_dir == tmp_path
    assert settings.limits.max_body_bytes == 1024 * 1024 and settings.limits.rate_per_minute == 120
    assert settings.report_sources["intake"] == ("hotline", "public")
    assert settings.task_scopes["department"].scope == "own_department"
    assert settings.task_scopes["inspector"].states == ("report_check", "handled")
    assert settings.task_scopes["inspector"].scope == "assigned"
    assert settings.jurisdiction_id == "610104"
    assert settings.with_limits(burst=2).limits.burst == 2 and settings.limits.burst == 30


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("name,value\nmax_body_bytes,lots\n", "不是数字"),
        ("name,value\nmax_body_bytes,10\n", "不小于"),
        ("name,value\nrate_per_minute,nan\n", "不小于"),
        ("name,value\nspeed,3\n", "未知限额"),
    ],
)
def test_bad_limits(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "limits.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=words):
        Limits.from_file(path)


def test_bad_sources_and_tasks(tmp_path: Path) -> None:
    sources = tmp_path / "sources.csv"
    sources.write_text("role,sources\nintake,hotline|mars\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="mars"):
        load_report_sources(sources)
    tasks = tmp_path / "tasks.csv"
    tasks.write_text("role,states,scope\ndepartment,dispatched|flying,all\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="department"):
        load_task_scopes(tasks)
