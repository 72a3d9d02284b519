"""Reference data: the CSV files, their loading into a migrated database, and the lookups."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.config import LOCAL_TZ, RESOURCES_ENV, resources_dir
from console.db import Database
from console.errors import UnknownCategoryError, ValidationError
from console.models import (
    Case,
    Category,
    DeadlineRule,
    Department,
    GridStaffRole,
    Region,
    Role,
    RoutingRule,
)
from console.services.cases.service import CaseService
from console.services.reference import data as rd
from console.services.reference.data import (
    KIND_COMPONENT,
    KIND_EVENT,
    TAXONOMY_CJT214,
    TAXONOMY_GBT2026,
)
from tests.conftest import Clock
from tests.services.console_support import CHIEF, DISPATCHER, INTAKE, report_input, street_points


def _by_kind(taxonomy: str, kind: str) -> list[rd.CategoryRow]:
    return [c for c in rd.read_categories(taxonomy) if c.kind == kind]


def _add_streets(db: Database) -> tuple[int, int]:
    with db.session() as s:
        a = Region(code="610104001", level="street", name="青年路街道")
        b = Region(code="610104002", level="street", name="北院门街道")
        s.add_all([a, b])
        s.flush()
        return a.id, b.id


# --------------------------------------------------------------------------- files


def test_taxonomy_names_and_code_forms() -> None:
    assert (TAXONOMY_CJT214, TAXONOMY_GBT2026) == ("cjt214", "gbt47678-5-2026")
    assert rd.taxonomy_of_code("0102") == rd.taxonomy_of_code("E0102") == TAXONOMY_CJT214
    assert rd.taxonomy_of_code("06010") == rd.taxonomy_of_code("C01002") == TAXONOMY_GBT2026
    assert rd.taxonomy_of_code("102") is None and rd.taxonomy_of_code("garbage") is None


def test_cjt214_has_85_standard_components_in_6_classes_plus_local_class_07() -> None:
    rows = _by_kind(TAXONOMY_CJT214, KIND_COMPONENT)
    standard = [r for r in rows if not r.local]
    local = [r for r in rows if r.local]
    assert len(standard) == 85
    assert Counter(r.major_code for r in standard) == {
        "01": 38,
        "02": 17,
        "03": 11,
        "04": 10,
        "05": 3,
        "06": 6,
    }
    assert local and {r.major_code for r in local} == {"07"}
    assert all(r.major_name == "扩展部件类" for r in local)
    assert all(r.evidence == "local extension (demo)" for r in local)
    assert len({r.major_code for r in rows}) == 7  # the article's 7类部件


def test_cjt214_has_54_standard_events_in_5_classes_plus_local_class_06() -> None:
    rows = _by_kind(TAXONOMY_CJT214, KIND_EVENT)
    standard = [r for r in rows if not r.local]
    local = [r for r in rows if r.local]
    assert len(standard) == 54
    assert {r.major_code for r in standard} == {"01", "02", "03", "04", "05"}
    assert {r.major_code for r in local} == {"06"}
    assert {r.code for r in local} >= {"0601", "0602", "0603", "0699"}
    assert len({r.major_code for r in rows}) == 6  # the article's 6类事件


def test_cjt214_keeps_evidence_confidence_and_successor() -> None:
    by_code = {r.code: r for r in _by_kind(TAXONOMY_CJT214, KIND_COMPONENT)}
    assert by_code["0110"].confidence == "medium"
    assert by_code["0311"].confidence == "low"
    assert by_code["0102"].successor_code == "01002"
    assert by_code["0101"].successor_code is None
    events = {r.code: r for r in _by_kind(TAXONOMY_CJT214, KIND_EVENT)}
    assert events["0102"].name == "暴露垃圾"
    assert events["0102"].confidence == "corroborated"
    assert events["0102"].successor_code == "06010"


def test_gbt2026_directories_are_complete() -> None:
    components = _by_kind(TAXONOMY_GBT2026, KIND_COMPONENT)
    events = _by_kind(TAXONOMY_GBT2026, KIND_EVENT)
    standard = [r for r in events if not r.local]
    local = [r for r in events if r.local]
    assert len(components) == 153
    assert len(standard) == 250
    assert {r.major_code for r in components} == {"01", "02", "03", "04", "05"}
    assert {r.major_code for r in standard} == {f"{n:02d}" for n in range(1, 11)}
    assert all(len(r.code) == 5 for r in components + events)
    assert not any(r.local for r in components)
    # The local classes of the grid's other four functions (#16 §3).
    assert {(r.major_code, r.major_name) for r in local} == {
        ("11", "党的建设"),
        ("12", "经济发展"),
        ("13", "公共服务"),
        ("14", "安全稳定"),
    }


def test_successor_codes_point_at_existing_2026_categories() -> None:
    codes_2026 = {(r.kind, r.code) for r in rd.read_categories(TAXONOMY_GBT2026)}
    for row in rd.read_categories(TAXONOMY_CJT214):
        if row.successor_code:
            assert (row.kind, row.successor_code) in codes_2026, row


def test_every_category_has_a_rule_and_every_rule_a_category() -> None:
    rules = rd.read_deadline_rules()
    ruled = {(r.taxonomy, r.key) for r in rules}
    categories = {(c.taxonomy, c.key) for t in rd.TAXONOMIES for c in rd.read_categories(t)}
    assert categories - ruled == set()
    assert ruled - categories == set()


def test_rule_limits_parse_and_defaults_follow_the_class() -> None:
    rules = rd.read_deadline_rules()
    assert {r.limit_unit for r in rules} == {"work_hours", "workdays", "hours"}
    defaults = {
        (r.taxonomy, r.kind, r.category_code): r
        for r in rules
        if r.source == "default (no published value found)"
    }
    # 突发事件 runs on the natural clock, 街面秩序 on 紧急工作时, plain components in workdays.
    assert defaults[(TAXONOMY_CJT214, KIND_EVENT, "0401")].limit == "2小时"
    assert defaults[(TAXONOMY_CJT214, KIND_EVENT, "0401")].limit_unit == "hours"
    street_order = defaults[(TAXONOMY_CJT214, KIND_EVENT, "0505")]
    assert (street_order.limit, street_order.limit_value, street_order.limit_unit) == (
        "4紧急工作时",
        4.0,
        "hours",
    )
    assert defaults[(TAXONOMY_CJT214, KIND_COMPONENT, "0118")].limit == "5工作日"
    assert defaults[(TAXONOMY_CJT214, KIND_EVENT, "0201")].limit == "2工作日"
    assert defaults[(TAXONOMY_GBT2026, KIND_EVENT, "09009")].limit == "4紧急工作时"
    assert defaults[(TAXONOMY_GBT2026, KIND_EVENT, "09009")].limit_unit == "hours"


def test_every_urgent_working_hour_rule_runs_on_the_natural_clock() -> None:
    """The rows whose condition says 紧急工作时 (街面秩序 and its 2026 class 09, local 06)."""
    urgent = [r for r in rd.read_deadline_rules() if "紧急工作时" in r.condition]
    assert len(urgent) == 39
    assert {(r.limit, r.limit_value, r.limit_unit) for r in urgent} == {
        ("4紧急工作时", 4.0, "hours")
    }
    assert Counter((r.taxonomy, r.category_code[:2]) for r in urgent) == {
        (TAXONOMY_CJT214, "05"): 14,
        (TAXONOMY_CJT214, "06"): 4,
        (TAXONOMY_GBT2026, "09"): 21,
    }


def test_every_rule_and_route_names_an_existing_department() -> None:
    codes = {d.code for d in rd.read_departments()}
    for rule in rd.read_deadline_rules():
        assert rule.default_department_code in codes, rule
    for row in rd.read_routing():
        assert row.department_code in codes, row


def test_departments_are_50_plus_9_street_committees() -> None:
    rows = rd.read_departments()
    kinds = Counter(d.kind for d in rows)
    # 22 professional + 18 functional, and 10 functional for the grid's other functions (#16 §3).
    assert kinds == {"street_committee": 9, "professional": 22, "functional": 28}
    functions = Counter(d.function for d in rows)
    assert set(functions) == set(rd.read_functions())
    assert all(d.function == "城市管理" for d in rows if d.kind != "functional")
    committees = [d for d in rows if d.kind == "street_committee"]
    assert {d.street_code for d in committees} == {f"610104{n:03d}" for n in range(1, 10)}
    assert all(d.code == f"SC{d.street_code}" for d in committees)
    assert all(d.contact_phone and d.contact_phone.startswith("029-8") for d in rows)
    assert all(d.contact_person and "演示" in d.contact_person for d in rows)


def test_roles_match_the_model_enums() -> None:
    assert {r.code for r in rd.read_roles()} == {r.value for r in Role}
    assert {r.code for r in rd.read_grid_staff_roles()} == {r.value for r in GridStaffRole}
    assert {r.code: r.name_zh for r in rd.read_roles()}["duty_chief"] == "值班长"


def test_deadlines_reference_rows_keep_their_values_and_source() -> None:
    rules = rd.read_deadline_rules()

    def rows(taxonomy: str, kind: str, code: str) -> list[rd.DeadlineRuleRow]:
        return [r for r in rules if (r.taxonomy, r.kind, r.category_code) == (taxonomy, kind, code)]

    # 暴露垃圾: P2's 4工作时 (chosen over P1's 1工作日: P2 is the fuller district standard).
    (exposed,) = rows(TAXONOMY_CJT214, KIND_EVENT, "0102")
    assert (exposed.limit, exposed.limit_value, exposed.limit_unit) == (
        "4工作时",
        4.0,
        "work_hours",
    )
    assert exposed.source.startswith("P2 ")
    # 道路保洁 has two 立案条件 in P2.
    assert [r.limit for r in rows(TAXONOMY_CJT214, KIND_EVENT, "0104")] == ["2工作时", "4工作时"]
    # 私搭乱建: staged limits, the final stage counts and the stages stay in the text.
    (illegal,) = rows(TAXONOMY_CJT214, KIND_EVENT, "0101")
    assert illegal.limit == "20工作日"
    assert "停工4工作时" in illegal.condition and "7工作日" in illegal.closing_condition
    # 水域不洁 only has P1's value.
    assert rows(TAXONOMY_CJT214, KIND_EVENT, "0105")[0].source.startswith("P1 ")
    # Manhole covers: natural-clock hours from the local rules, P12a first (the default).
    cover = rows(TAXONOMY_CJT214, KIND_COMPONENT, "0102")
    assert cover[0].limit == "6小时" and cover[0].limit_unit == "hours"
    assert cover[0].source.startswith("P12a")
    assert {r.source.split()[0] for r in cover} == {"P12a", "P12b"}
    # The 2026 successor codes carry the same values.
    assert rows(TAXONOMY_GBT2026, KIND_EVENT, "06010")[0].limit == "4工作时"
    assert rows(TAXONOMY_GBT2026, KIND_COMPONENT, "01002")[0].limit == "6小时"


# --------------------------------------------------------------------------- loading


def test_load_inserts_everything_and_is_idempotent(db: Database) -> None:
    _add_streets(db)
    with db.session() as s:
        first = rd.load_reference_data(s)
    n_categories = sum(len(rd.read_categories(t)) for t in rd.TAXONOMIES)
    assert first["categories"] == n_categories == 89 + 58 + 153 + 250 + 13
    assert first["deadline_rules"] == len(rd.read_deadline_rules())
    assert first["departments"] == 59
    # Street rows only for the two streets in the regions table.
    routing = rd.read_routing()
    known = {None, "610104001", "610104002"}
    assert first["routing_rules"] == sum(1 for r in routing if r.street_code in known)
    with db.session() as s:
        second = rd.load_reference_data(s)
    assert second == {
        "categories": 0,
        "deadline_rules": 0,
        "deadline_rules_updated": 0,
        "departments": 0,
        "routing_rules": 0,
        "functions_updated": 0,
    }
    with db.session() as s:
        for model, key in [
            (Category, "categories"),
            (DeadlineRule, "deadline_rules"),
            (Department, "departments"),
            (RoutingRule, "routing_rules"),
        ]:
            assert s.scalar(select(func.count()).select_from(model)) == first[key]


def test_rows_store_plain_codes_with_the_kind_beside_them(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
        exposed = s.scalars(
            select(Category).where(Category.taxonomy == TAXONOMY_CJT214, Category.code == "0102")
        ).all()
        assert {(c.kind, c.name) for c in exposed} == {
            (KIND_COMPONENT, "污水井盖"),
            (KIND_EVENT, "暴露垃圾"),
        }
        # No stored code carries a C/E letter any more.
        for model, column in [
            (Category, Category.code),
            (DeadlineRule, DeadlineRule.category_code),
            (RoutingRule, RoutingRule.category_prefix),
        ]:
            assert all(v.isdigit() for v in s.scalars(select(column))), model
        assert set(s.scalars(select(DeadlineRule.kind).distinct())) == {KIND_COMPONENT, KIND_EVENT}
        assert set(s.scalars(select(RoutingRule.kind).distinct())) == {KIND_COMPONENT, KIND_EVENT}
        # Both 0101 rows (上水井盖 and 私搭乱建) coexist under the (taxonomy, kind, code) key.
        both = s.scalars(
            select(Category)
            .where(Category.taxonomy == TAXONOMY_CJT214, Category.code == "0101")
            .order_by(Category.kind)
        ).all()
        assert [(c.kind, c.name) for c in both] == [
            (KIND_COMPONENT, "上水井盖"),
            (KIND_EVENT, "私搭乱建"),
        ]
        rule_kinds = s.scalars(
            select(DeadlineRule.kind).where(
                DeadlineRule.taxonomy == TAXONOMY_CJT214, DeadlineRule.category_code == "0101"
            )
        ).all()
        assert set(rule_kinds) == {KIND_COMPONENT, KIND_EVENT}


def test_street_committees_link_to_streets_that_exist(db: Database) -> None:
    a, b = _add_streets(db)
    with db.session() as s:
        rd.load_reference_data(s)
        linked = {d.code: d.street_id for d in s.scalars(select(Department))}
        assert linked["SC610104001"] == a
        assert linked["SC610104002"] == b
        assert linked["SC610104009"] is None
        assert rd.street_committee_for(s, a).code == "SC610104001"  # type: ignore[union-attr]
        assert rd.street_committee_for(s, 99_999) is None


def test_committees_link_when_streets_arrive_later(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
    a, _ = _add_streets(db)
    with db.session() as s:
        counts = rd.load_reference_data(s)
        assert counts["departments"] == 0
        assert counts["routing_rules"] > 0  # the street rows skipped the first time
        assert rd.street_committee_for(s, a).code == "SC610104001"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- lookups


def test_get_category_by_key_or_by_code_and_kind(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
        exposed = rd.get_category(s, TAXONOMY_CJT214, "0102", kind=KIND_EVENT)
        assert (exposed.name, exposed.kind, exposed.code) == ("暴露垃圾", KIND_EVENT, "0102")
        cover = rd.get_category(s, TAXONOMY_CJT214, "0102", kind=KIND_COMPONENT)
        assert (cover.name, cover.kind, cover.code) == ("污水井盖", KIND_COMPONENT, "0102")
        # The key form (as case numbers spell it) carries its own kind.
        assert rd.get_category(s, TAXONOMY_CJT214, "E0102").id == exposed.id
        assert rd.get_category(s, TAXONOMY_CJT214, "C0102").id == cover.id
        assert rd.get_category(s, TAXONOMY_CJT214, "E0102", kind=KIND_EVENT).id == exposed.id
        # A code only one kind has needs no kind.
        assert rd.get_category(s, TAXONOMY_GBT2026, "09009").name == "机动车乱停放"
        local = rd.get_category(s, TAXONOMY_CJT214, "0702")
        assert (local.kind, local.code) == (KIND_COMPONENT, "0702")
        assert local.is_local_extension and local.major_name == "扩展部件类"
        assert rd.get_category(s, TAXONOMY_CJT214, "C0702").id == local.id


def test_get_category_with_the_wrong_kind_is_refused(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
        # 0702 is a local component class; there is no event 0702.
        with pytest.raises(UnknownCategoryError, match="事件类别"):
            rd.get_category(s, TAXONOMY_CJT214, "0702", kind=KIND_EVENT)
        with pytest.raises(ValidationError, match="部件"):
            rd.get_category(s, TAXONOMY_CJT214, "C0102", kind=KIND_EVENT)
        with pytest.raises(ValidationError) as err:
            rd.get_category(s, TAXONOMY_CJT214, "0102", kind="building")
        assert err.value.field == "kind"


def test_get_category_unknown_code_names_code_and_taxonomy(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
        with pytest.raises(UnknownCategoryError) as err:
            rd.get_category(s, TAXONOMY_CJT214, "9999")
    assert "9999" in err.value.message and TAXONOMY_CJT214 in err.value.message
    assert "没有" in err.value.message
    assert err.value.code == "unknown_category"


def test_get_category_asks_for_the_kind_when_a_code_is_both(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
        with pytest.raises(ValidationError) as err:
            rd.get_category(s, TAXONOMY_CJT214, "0101")
        assert not isinstance(err.value, UnknownCategoryError)
        assert "上水井盖" in err.value.message and "私搭乱建" in err.value.message
        # Rules and routing refuse to guess as well.
        with pytest.raises(ValidationError, match="请指明部件或事件"):
            rd.rules_for(s, TAXONOMY_CJT214, "0101")
        with pytest.raises(ValidationError, match="请指明部件或事件"):
            rd.route(s, TAXONOMY_CJT214, "0101", None)
    assert "部件" in err.value.message and "事件" in err.value.message
    assert err.value.field == "kind"


def test_rules_for_orders_by_id_with_the_default_first(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
        rules = rd.rules_for(s, TAXONOMY_CJT214, "E0104")
        assert [r.limit_value for r in rules] == [2.0, 4.0]
        assert [r.id for r in rules] == sorted(r.id for r in rules)
        assert all(r.source.startswith("P2 ") for r in rules)
        assert [r.id for r in rd.rules_for(s, TAXONOMY_CJT214, "0104", kind=KIND_EVENT)] == [
            r.id for r in rules
        ]
        cover = rd.rules_for(s, TAXONOMY_CJT214, "0101", kind=KIND_COMPONENT)
        assert (cover[0].limit_value, cover[0].limit_unit) == (6.0, "hours")
        assert {(r.kind, r.category_code) for r in cover} == {(KIND_COMPONENT, "0101")}
        # Same code, other kind: 私搭乱建's staged 20工作日, none of the manhole rules.
        illegal = rd.rules_for(s, TAXONOMY_CJT214, "0101", kind=KIND_EVENT)
        assert [r.limit_value for r in illegal] == [20.0]
        assert {r.id for r in illegal}.isdisjoint(r.id for r in cover)
        assert rd.rules_for(s, TAXONOMY_CJT214, "C0101") == cover
        with pytest.raises(UnknownCategoryError):
            rd.rules_for(s, TAXONOMY_GBT2026, "E99999")


def test_route_longest_prefix_and_street_precedence(db: Database) -> None:
    a, b = _add_streets(db)
    with db.session() as s:
        rd.load_reference_data(s)

        def code_of(code: str, street: int | None) -> str | None:
            dept = rd.route(s, TAXONOMY_CJT214, code, street)
            return dept.code if dept else None

        # 街面秩序: the street's own committee beats the any-street row of the same prefix.
        assert code_of("E0501", a) == "SC610104001"
        assert code_of("E0501", b) == "SC610104002"
        # No street: the any-street fallback.
        assert code_of("E0501", None) == "PRO04"
        # A longer any-street prefix (0505 → 交警) beats the street-specific 05 row.
        assert code_of("E0505", a) == "FUN02"
        # Minor-class rows beat the major-class default.
        assert code_of("C0111", a) == "PRO15"  # 燃气井盖 → 燃气
        assert code_of("C0114", a) == "PRO01"  # 无主井盖 → 市政 (major default)
        assert code_of("E0102", a) == "PRO02"  # 暴露垃圾 → 环卫
        assert rd.route(s, TAXONOMY_GBT2026, "09009", a).code == "FUN02"  # type: ignore[union-attr]
        assert rd.route(s, TAXONOMY_GBT2026, "09001", b).code == "SC610104002"  # type: ignore[union-attr]


def test_route_only_uses_rules_of_the_category_kind(db: Database) -> None:
    a, _ = _add_streets(db)
    with db.session() as s:
        rd.load_reference_data(s)

        def code_of(code: str, kind: str, street: int | None) -> str | None:
            dept = rd.route(s, TAXONOMY_CJT214, code, street, kind=kind)
            return dept.code if dept else None

        # 0501: component 0501 has its own row; event 0501 falls to the street's committee.
        assert code_of("0501", KIND_COMPONENT, a) == "PRO05"
        assert code_of("0501", KIND_EVENT, a) == "SC610104001"
        # 0101 上水井盖 vs 私搭乱建: each kind's own rules.
        assert code_of("0101", KIND_COMPONENT, a) == "PRO14"
        assert code_of("0101", KIND_EVENT, a) == "PRO04"  # 私搭乱建 → its own row
        assert rd.route(s, TAXONOMY_CJT214, "E0101", a).code == "PRO04"  # type: ignore[union-attr]


def test_route_redirects_a_committee_row_to_the_case_street(db: Database) -> None:
    a, b = _add_streets(db)
    with db.session() as s:
        rd.load_reference_data(s)
        committee_a = rd.street_committee_for(s, a)
        assert committee_a is not None
        # An any-street rule that names one committee still lands on the case's street.
        s.add(
            RoutingRule(
                taxonomy=TAXONOMY_CJT214,
                kind=KIND_EVENT,
                category_prefix="0513",
                street_id=None,
                department_id=committee_a.id,
            )
        )
        s.flush()
        assert rd.route(s, TAXONOMY_CJT214, "E0513", b).code == "SC610104002"  # type: ignore[union-attr]
        assert rd.route(s, TAXONOMY_CJT214, "E0513", None).code == "SC610104001"  # type: ignore[union-attr]


def test_route_returns_none_without_a_rule(db: Database) -> None:
    with db.session() as s:
        rd.load_reference_data(s)
        s.execute(RoutingRule.__table__.delete())
        assert rd.route(s, TAXONOMY_CJT214, "E0102", None) is None


# --------------------------------------------------------------------------- malformed files


@pytest.fixture
def resources_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    monkeypatch.setenv(RESOURCES_ENV, str(target))
    return target


def _append(path: Path, line: str) -> int:
    """Append one line; returns its line number."""
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def test_malformed_category_file_names_file_and_line(resources_copy: Path) -> None:
    path = resources_copy / "taxonomy" / "cjt214_events.csv"
    line = _append(path, "05,街面秩序,05AB,坏代码,,0,E,single-source")
    with pytest.raises(ValidationError) as err:
        rd.read_categories(TAXONOMY_CJT214)
    assert "cjt214_events.csv" in err.value.message and f"第{line}行" in err.value.message


def test_short_row_and_duplicate_code_rejected(resources_copy: Path) -> None:
    path = resources_copy / "taxonomy" / "gbt47678_5_2026_components.csv"
    line = _append(path, "01,市政公用设施,01001")
    with pytest.raises(ValidationError, match=f"gbt47678_5_2026_components.csv 第{line}行"):
        rd.read_categories(TAXONOMY_GBT2026)
    text = path.read_text(encoding="utf-8").splitlines()[:-1]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    line = _append(path, "01,市政公用设施,01001,供水井盖,,0,S-A,transcribed")
    with pytest.raises(ValidationError, match=f"第{line}行.*重复"):
        rd.read_categories(TAXONOMY_GBT2026)


def test_bad_time_limit_names_file_and_line(resources_copy: Path) -> None:
    path = resources_copy / "deadlines" / "deadline_rules.csv"
    line = _append(path, "cjt214,event_type,0102,另一条件,三天,清除,PRO02,test")
    with pytest.raises(ValidationError) as err:
        rd.read_deadline_rules()
    assert "deadline_rules.csv" in err.value.message and f"第{line}行" in err.value.message
    assert "三天" in err.value.message


def test_missing_column_is_rejected(resources_copy: Path) -> None:
    path = resources_copy / "org" / "departments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("kind", "type")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"departments\.csv 第1行.*kind"):
        rd.read_departments()


def test_rule_for_unknown_category_writes_nothing(resources_copy: Path, db: Database) -> None:
    path = resources_copy / "deadlines" / "deadline_rules.csv"
    _append(path, "cjt214,event_type,0198,不存在的类别,2工作日,清除,PRO02,test")
    with db.session() as s, pytest.raises(ValidationError, match="0198"):
        rd.load_reference_data(s)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Category)) == 0


# --------------------------------------------------------------------------- the urgent clock


def test_a_street_order_case_is_due_four_natural_hours_after_dispatch(demo_db: Database) -> None:
    """Rules loaded from the file into a real database; a 街面秩序 case (09001) dispatched on
    Friday 17:00 is due at 21:00 the same evening, not on Monday at 11:00."""
    friday = datetime(2026, 12, 4, 16, 30, tzinfo=LOCAL_TZ)
    clock = Clock(friday)
    service = CaseService(demo_db, clock=clock)
    (_street, _grid, point), *_ = street_points(demo_db)
    snap = service.report(
        INTAKE, report_input(point, category_code="09001", taxonomy=TAXONOMY_GBT2026)
    )
    snap = service.register(CHIEF, snap.id, snap.version)
    assert (snap.limit_value, snap.limit_unit) == (4.0, "hours")
    clock.now = friday.replace(hour=17, minute=0)
    snap = service.dispatch(DISPATCHER, snap.id, snap.version)
    assert snap.deadline_at == datetime(2026, 12, 4, 21, 0, tzinfo=LOCAL_TZ)
    with demo_db.read() as s:
        case = s.get(Case, snap.id)
        assert case is not None and case.urgent
        rule = s.get(DeadlineRule, case.rule_id)
        assert rule is not None and "紧急工作时" in rule.condition


def test_reloading_brings_an_old_rule_limit_in_line_with_the_file(db: Database) -> None:
    """A database loaded before the fix (4 office hours) gets the natural clock on reload."""
    with db.session() as s:
        rd.load_reference_data(s)
    with db.session() as s:
        stale = s.scalars(select(DeadlineRule).where(DeadlineRule.condition.contains("紧急工作时")))
        for rule in stale:
            rule.limit_unit = "work_hours"
    with db.session() as s:
        counts = rd.load_reference_data(s)
    assert counts["deadline_rules_updated"] == 39
    with db.read() as s:
        units = s.scalars(
            select(DeadlineRule.limit_unit).where(DeadlineRule.condition.contains("紧急工作时"))
        ).all()
    assert len(units) == 39 and set(units) == {"hours"}
