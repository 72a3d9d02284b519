"""The five functions of grid work (#16 §3): 党的建设、经济发展、城市管理、公共服务、安全稳定.

Three files say them (each line-checked here, like the other reference files):
resources/org/functions.csv lists the functions in order; resources/taxonomy/functions.csv
gives each category its function (longest prefix wins, ``*`` = a whole taxonomy and kind;
every category must resolve); resources/org/role_functions.csv which functions each role
covers (what the field app offers it). A department's function is departments.csv's column.
No database, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.config import resource, resources_dir
from console.errors import PermissionDeniedError, ValidationError
from console.services.reference.files import (
    EVERY_CATEGORY,
    TAXONOMIES,
    CategoryRow,
    _bad,
    _category_prefix,
    _read_csv,
    _required,
    read_categories,
    read_functions,
    read_grid_staff_roles,
    read_roles,
)

_CATEGORY_FUNCTION_COLUMNS = ("taxonomy", "kind", "category_prefix", "function")
_ROLE_FUNCTION_COLUMNS = ("role", "function")
#: role_functions.csv's function for all five.
ALL_FUNCTIONS = "*"


@dataclass(frozen=True)
class CategoryFunctionRow:
    line: int
    taxonomy: str
    kind: str
    #: A code prefix, or EVERY_CATEGORY.
    category_prefix: str
    function: str


def _function(path_name: str, line: int, value: str, known: Sequence[str]) -> str:
    if value not in known:
        raise ValidationError(
            f"{path_name} 第{line}行：未知的职能“{value}”（应为 {' / '.join(known)} 之一）"
        )
    return value


def read_category_functions(functions: Sequence[str]) -> list[CategoryFunctionRow]:
    path = resource("taxonomy", "functions.csv")
    rows: list[CategoryFunctionRow] = []
    seen: set[tuple[str, str, str]] = set()
    codes: dict[tuple[str, str], list[str]] = {}
    for line, r in _read_csv(path, _CATEGORY_FUNCTION_COLUMNS):
        _required(path, line, r, *_CATEGORY_FUNCTION_COLUMNS)
        taxonomy, kind, prefix = _category_prefix(path, line, r, codes, every=True)
        if (taxonomy, kind, prefix) in seen:
            raise _bad(path, line, "同一分类标准、类别前缀的职能规则重复")
        seen.add((taxonomy, kind, prefix))
        function = _function(path.name, line, r["function"], functions)
        rows.append(CategoryFunctionRow(line, taxonomy, kind, prefix, function))
    return rows


def category_functions(
    categories: Iterable[CategoryRow], functions: Sequence[str] | None = None
) -> dict[tuple[str, str, str], str]:
    """(taxonomy, kind, code) → function of every category given; one without a rule raises."""
    rows = read_category_functions(functions if functions is not None else read_functions())
    found: dict[tuple[str, str, str], str] = {}
    for c in categories:
        fits = [
            r
            for r in rows
            if r.taxonomy == c.taxonomy
            and r.kind == c.kind
            and (r.category_prefix == EVERY_CATEGORY or c.code.startswith(r.category_prefix))
        ]
        if not fits:
            raise ValidationError(
                f"functions.csv：{c.taxonomy} {c.kind} {c.code} 没有职能规则"
                "（每个分类标准和类型至少要有一行 * 规则）"
            )
        best = max(fits, key=lambda r: len(r.category_prefix.strip(EVERY_CATEGORY)))
        found[c.taxonomy, c.kind, c.code] = best.function
    return found


def read_role_functions(functions: Sequence[str] | None = None) -> dict[str, tuple[str, ...]]:
    """role → the functions it covers, in functions.csv's order; a role without a row: none."""
    known = list(functions) if functions is not None else read_functions()
    roles = {r.code for r in read_roles()} | {r.code for r in read_grid_staff_roles()}
    path = resource("org", "role_functions.csv")
    covered: dict[str, set[str]] = {}
    for line, r in _read_csv(path, _ROLE_FUNCTION_COLUMNS):
        _required(path, line, r, *_ROLE_FUNCTION_COLUMNS)
        if r["role"] not in roles:
            raise _bad(path, line, f"未知的角色“{r['role']}”")
        mine = covered.setdefault(r["role"], set())
        if r["function"] == ALL_FUNCTIONS:
            mine.update(known)
            continue
        function = _function(path.name, line, r["function"], known)
        if function in mine:
            raise _bad(path, line, f"角色 {r['role']} 的职能“{function}”重复")
        mine.add(function)
    return {role: tuple(f for f in known if f in mine) for role, mine in covered.items()}


_ROLE_TABLES: dict[Path, dict[str, tuple[str, ...]]] = {}


def role_functions() -> dict[str, tuple[str, ...]]:
    """read_role_functions() of the resources directory in use, read once."""
    where = resources_dir()
    table = _ROLE_TABLES.get(where)
    if table is None:
        table = _ROLE_TABLES[where] = read_role_functions()
    return table


def check_role_covers(role: str, function: str, category: str) -> None:
    """Refuses a report by ``role`` of ``category`` (its code and name) of a ``function`` the
    role does not cover (role_functions.csv), naming both."""
    covered = role_functions().get(role, ())
    if function in covered:
        return
    mine = "、".join(covered) or "无"
    raise PermissionDeniedError(
        f"本角色不负责“{function}”方面的上报，不能上报「{category}」（可上报的职能：{mine}；"
        "见 resources/org/role_functions.csv）"
    )


@dataclass(frozen=True)
class FunctionCodes:
    """The categories of one function within one taxonomy and kind: every code but
    ``codes`` when ``but`` (the shorter list to test a case against), else just ``codes``."""

    taxonomy: str
    kind: str
    codes: tuple[str, ...]
    but: bool


#: Per resources directory: function → its FunctionCodes, one per taxonomy and kind it has.
_CODE_TABLES: dict[Path, dict[str, list[FunctionCodes]]] = {}


def codes_of_function(function: str) -> list[FunctionCodes]:
    """The categories of ``function`` per taxonomy and kind, from the files the reference load
    writes to categories.function (read once per resources directory); an unknown function is
    refused by name. The queues filter on these lists: a correlated lookup of each case's
    category made SQLite scan the whole cases table (1 s for a rare function on 200,000 cases,
    3 ms with the lists)."""
    where = resources_dir()
    table = _CODE_TABLES.get(where)
    if table is None:
        table = _CODE_TABLES[where] = _function_codes()
    if function not in table:
        raise ValidationError(
            f"未知的职能: {function}（应为 {' / '.join(table)} 之一）", field="function"
        )
    return table[function]


def _function_codes() -> dict[str, list[FunctionCodes]]:
    known = read_functions()
    categories = [c for t in TAXONOMIES for c in read_categories(t)]
    by_group: dict[tuple[str, str], dict[str, list[str]]] = {}
    for (taxonomy, kind, code), f in category_functions(categories, known).items():
        by_group.setdefault((taxonomy, kind), {}).setdefault(f, []).append(code)
    table: dict[str, list[FunctionCodes]] = {f: [] for f in known}
    for (taxonomy, kind), of in sorted(by_group.items()):
        for f, codes in of.items():
            others = tuple(c for g, cs in of.items() if g != f for c in cs)
            if len(others) < len(codes):
                table[f].append(FunctionCodes(taxonomy, kind, others, True))
            else:
                table[f].append(FunctionCodes(taxonomy, kind, tuple(codes), False))
    return table
