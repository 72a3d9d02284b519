"""resources/taxonomy/schedule.csv: which taxonomy files a new report, and bad files."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from console.config import LOCAL_TZ, RESOURCES_ENV, resources_dir
from console.errors import ValidationError
from console.services.reference.data import TAXONOMY_CJT214, TAXONOMY_GBT2026
from console.services.taxonomy_schedule import read_schedule


def test_gbt47678_5_2026_from_its_effective_date() -> None:
    schedule = read_schedule()
    assert schedule.taxonomy_on(date(2026, 6, 30)) == TAXONOMY_CJT214
    assert schedule.taxonomy_on(date(2026, 7, 1)) == TAXONOMY_GBT2026
    assert schedule.taxonomy_on(date(2031, 1, 1)) == TAXONOMY_GBT2026
    assert schedule.taxonomy_on(date(1999, 1, 1)) == TAXONOMY_CJT214  # before the first row
    assert schedule.label(TAXONOMY_CJT214) == "CJ/T 214"
    assert schedule.label(TAXONOMY_GBT2026) == "GB/T 47678.5-2026"


def test_the_local_date_decides() -> None:
    schedule = read_schedule()
    # 2026-06-30 16:30 UTC is 2026-07-01 00:30 in Xi'an: already the new standard.
    assert schedule.taxonomy_on(datetime(2026, 6, 30, 16, 30, tzinfo=UTC)) == TAXONOMY_GBT2026
    assert schedule.taxonomy_on(datetime(2026, 6, 30, 23, 59, tzinfo=LOCAL_TZ)) == TAXONOMY_CJT214
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.taxonomy_on(datetime(2026, 7, 1, 9, 0))


@pytest.fixture
def schedule_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    monkeypatch.setenv(RESOURCES_ENV, str(target))
    return target / "taxonomy" / "schedule.csv"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["2026-13-01,gbt47678-5-2026,x,"], "schedule.csv 第2行：启用日期“2026-13-01”应为"),
        (["2026-07-01,gbt2026,x,"], "schedule.csv 第2行：未知的分类标准“gbt2026”"),
        (["2026-07-01,,x,"], "schedule.csv 第2行：taxonomy 不能为空"),
        (
            ["2026-07-01,gbt47678-5-2026,x,", "2007-01-01,cjt214,y,"],
            "schedule.csv 第3行：启用日期 2007-01-01 应晚于上一行的 2026-07-01",
        ),
        ([], "schedule.csv：没有任何启用行"),
    ],
)
def test_bad_schedule_names_file_line_and_problem(
    schedule_file: Path, rows: list[str], message: str
) -> None:
    schedule_file.write_text(
        "\n".join(["effective_from,taxonomy,label,note", *rows]) + "\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as err:
        read_schedule()
    assert err.value.message.startswith(message)
