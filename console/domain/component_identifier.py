"""管理部件标识码 (GB/T 47678.5-2026): 17 digits = 6-digit county code (GB/T 2260) + 2-digit
大类 + 3-digit 小类 + 6-digit serial (shared/reference/codes_and_lifecycle.md §2). The class and
item are the component's category code in that taxonomy. Pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass

IDENTIFIER_LENGTH = 17
_PATTERN = re.compile(r"^(\d{6})(\d{5})(\d{6})$")


@dataclass(frozen=True)
class ComponentIdentifier:
    county_code: str
    category_code: str
    serial: int

    def __str__(self) -> str:
        return f"{self.county_code}{self.category_code}{self.serial:06d}"


def make_identifier(county_code: str, category_code: str, serial: int) -> str:
    """The identifier of the ``serial``-th object of a category in a county."""
    if not (len(county_code) == 6 and county_code.isdigit()):
        raise ValueError(f"county code {county_code!r} is not 6 digits")
    if not (len(category_code) == 5 and category_code.isdigit()):
        raise ValueError(f"category code {category_code!r} is not a 5-digit GB/T 47678.5 code")
    if not 1 <= serial <= 999_999:
        raise ValueError(f"serial {serial} is outside 1–999999")
    return str(ComponentIdentifier(county_code, category_code, serial))


def identifier_problem(text: str, county_code: str, category_code: str | None) -> str | None:
    """Why ``text`` is not a valid identifier of a component of ``category_code`` in the county
    (a Chinese sentence a census clerk can act on), or None when it is."""
    match = _PATTERN.match(text)
    if match is None:
        return f"标识码“{text}”应为17位数字（6位区县代码+2位大类+3位小类+6位序号）"
    county, category, serial = match.groups()
    if county != county_code:
        return f"标识码“{text}”的区县代码 {county} 不是本区的 {county_code}"
    if category_code is not None and category != category_code:
        return f"标识码“{text}”的类别 {category} 与部件小类 {category_code} 不符"
    if int(serial) == 0:
        return f"标识码“{text}”的序号不能为 000000"
    return None


def parse_identifier(text: str) -> ComponentIdentifier:
    match = _PATTERN.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a 17-digit component identifier")
    county, category, serial = match.groups()
    return ComponentIdentifier(county, category, int(serial))
