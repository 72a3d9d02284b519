"""管理部件标识码: 6-digit county + 2-digit 大类 + 3-digit 小类 + 6-digit serial."""

from __future__ import annotations

import pytest

from console.domain.component_identifier import (
    identifier_problem,
    make_identifier,
    parse_identifier,
)


def test_made_and_parsed_back() -> None:
    text = make_identifier("610104", "01001", 42)
    assert text == "61010401001000042"
    parsed = parse_identifier(text)
    assert (parsed.county_code, parsed.category_code, parsed.serial) == ("610104", "01001", 42)
    assert identifier_problem(text, "610104", "01001") is None


@pytest.mark.parametrize(
    ("text", "category", "words"),
    [
        ("6101040100100004", "01001", "17位数字"),  # 16 digits: the older implementation's form
        ("6101040100100004X", "01001", "17位数字"),
        ("61010301001000042", "01001", "区县代码 610103"),
        ("61010401002000042", "01001", "与部件小类 01001 不符"),
        ("61010401001000000", "01001", "序号不能为 000000"),
    ],
)
def test_a_wrong_structure_says_what_is_wrong(text: str, category: str, words: str) -> None:
    problem = identifier_problem(text, "610104", category)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("county", "category", "serial"),
    [
        ("61010", "01001", 1),
        ("610104", "0101", 1),
        ("610104", "01001", 0),
        ("610104", "01001", 10**6),
    ],
)
def test_make_refuses_what_would_not_parse(county: str, category: str, serial: int) -> None:
    with pytest.raises(ValueError):
        make_identifier(county, category, serial)
