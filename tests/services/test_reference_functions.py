"""The five functions of grid work (#16 §3): the files, and the load into the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from console.db import Database
from console.errors import ValidationError
from console.models import Category, Department, RoutingRule
from console.services.reference import data as rd
from console.services.reference.functions import (
    FunctionCodes,
    category_functions,
    codes_of_function,
    read_role_functions,
)
from tests.services.test_reference_data import _append, resources_copy  # noqa: F401 (fixture)

FIVE = ["党的建设", "经济发展", "城市管理", "公共服务", "安全稳定"]


def _all_categories() -> list[rd.CategoryRow]:
    return [c for t in rd.TAXONOMIES for c in rd.read_categories(t)]


def test_the_five_functions_in_order() -> None:
    assert rd.read_functions() == FIVE


def test_national_classes_are_city_management_and_local_classes_their_function() -> None:
    categories = _all_categories()
    functions = category_functions(categories)
    assert set(functions) == {(c.taxonomy, c.kind, c.code) for c in categories}
    by_major = {
        (c.taxonomy, c.kind, c.major_code): functions[c.taxonomy, c.kind, c.code]
        for c in categories
    }
    gbt = rd.TAXONOMY_GBT2026
    assert by_major[gbt, "event_type", "11"] == "党的建设"
    assert by_major[gbt, "event_type", "12"] == "经济发展"
    assert by_major[gbt, "event_type", "13"] == "公共服务"
    assert by_major[gbt, "event_type", "14"] == "安全稳定"
    others = {
        f
        for (t, k, m), f in by_major.items()
        if not (t == gbt and m in {"11", "12", "13", "14"} and k == "event_type")
    }
    assert others == {"城市管理"}
    # The four new classes are local extension classes, with the issue's own items.
    local = {c.name: c for c in categories if c.taxonomy == gbt and c.local}
    for name in (
        "矛盾纠纷",
        "安全隐患",
        "出租屋与流动人口信息变更",
        "企业服务诉求",
        "政务服务代办",
        "困难群众帮扶",
    ):
        assert name in local, name
    # The older local classes (共享单车、充电桩…) stay city management.
    assert functions[rd.TAXONOMY_CJT214, "event_type", "0601"] == "城市管理"


def test_codes_of_a_function_the_shorter_list() -> None:
    """What the queues filter on: a function's codes, or all but the others' when shorter."""
    gbt = rd.TAXONOMY_GBT2026
    assert codes_of_function("安全稳定") == [
        FunctionCodes(gbt, "event_type", ("14001", "14002", "14003", "14099"), False)
    ]
    city = {(g.taxonomy, g.kind): g for g in codes_of_function("城市管理")}
    assert set(city) == {(t, k) for t in rd.TAXONOMIES for k in rd.KINDS}
    assert city[gbt, "event_type"].but and len(city[gbt, "event_type"].codes) == 13
    assert city["cjt214", "event_type"] == FunctionCodes("cjt214", "event_type", (), True)
    with pytest.raises(ValidationError, match="未知的职能: 城建"):
        codes_of_function("城建")


def test_role_functions() -> None:
    roles = read_role_functions()
    assert roles["grid_manager"] == tuple(FIVE)
    assert roles["inspector"] == ("城市管理",)
    assert roles["property_manager"] == ("城市管理", "安全稳定")
    assert "dispatcher" not in roles  # a seat that does not report covers none


def test_load_sets_functions_on_categories_and_departments(demo_db: Database) -> None:
    with demo_db.read() as s:
        local = s.execute(
            select(Category.code, Category.function, Category.is_local_extension).where(
                Category.taxonomy == rd.TAXONOMY_GBT2026, Category.code.in_(["14001", "12001"])
            )
        ).all()
        assert sorted(local) == [("12001", "经济发展", True), ("14001", "安全稳定", True)]
        assert s.scalar(select(Department.function).where(Department.code == "FUN27")) == "安全稳定"
        # The new classes route to a department of their own function.
        for code, function in [("14001", "安全稳定"), ("12001", "经济发展"), ("13002", "公共服务")]:
            dept = rd.route(s, rd.TAXONOMY_GBT2026, code, None, kind="event_type")
            assert dept is not None and dept.function == function, (code, dept)
        assert s.scalar(select(RoutingRule.id).limit(1)) is not None


def test_reload_corrects_rows_from_before_the_column(demo_db: Database) -> None:
    # A database migrated by 0029 has every row at the column's default: the load fixes them.
    with demo_db.session() as s:
        s.execute(update(Category).values(function="城市管理"))
        s.execute(update(Department).values(function="城市管理"))
    with demo_db.session() as s:
        counts = rd.load_reference_data(s)
    local = [c for c in _all_categories() if c.taxonomy == rd.TAXONOMY_GBT2026 and c.local]
    non_city = [d for d in rd.read_departments() if d.function != "城市管理"]
    assert counts["functions_updated"] == len(local) + len(non_city) == 13 + 21
    with demo_db.read() as s:
        assert s.scalar(select(Category.function).where(Category.code == "13001")) == "公共服务"


def test_unknown_function_of_a_category_is_refused_with_its_line(resources_copy: Path) -> None:  # noqa: F811
    line = _append(resources_copy / "taxonomy" / "functions.csv", "cjt214,event_type,06,文化建设")
    with pytest.raises(ValidationError, match=rf"functions\.csv 第{line}行：未知的职能“文化建设”"):
        category_functions(_all_categories())


def test_a_category_without_a_function_is_refused(resources_copy: Path) -> None:  # noqa: F811
    path = resources_copy / "taxonomy" / "functions.csv"
    text = path.read_text(encoding="utf-8").replace("cjt214,component,*,城市管理\n", "")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="cjt214 component 0101 没有职能规则"):
        category_functions(_all_categories())


def test_unknown_function_of_a_department_is_refused(resources_copy: Path) -> None:  # noqa: F811
    path = resources_copy / "org" / "departments.csv"
    line = _append(path, "FUN99,区某局,functional,,某科长（演示）,029-86000099,城市建设")
    with pytest.raises(ValidationError, match=rf"departments\.csv 第{line}行：职能“城市建设”"):
        rd.read_departments()


def test_role_functions_refuse_unknown_roles_and_functions(resources_copy: Path) -> None:  # noqa: F811
    path = resources_copy / "org" / "role_functions.csv"
    original = path.read_text(encoding="utf-8")
    line = _append(path, "street_sweeper,城市管理")
    with pytest.raises(ValidationError, match=rf"第{line}行：未知的角色“street_sweeper”"):
        read_role_functions()
    path.write_text(original, encoding="utf-8")
    line = _append(path, "inspector,安全")
    with pytest.raises(ValidationError, match=rf"第{line}行：未知的职能“安全”"):
        read_role_functions()
