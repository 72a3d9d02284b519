"""Reference data: loading into the database and the lookups the case services need.

The data lives in CSV files under resources/ (see resources/taxonomy/README.md); reading and
validating them is console.services.reference.files. This module holds the other half: it
loads the parsed rows into the database idempotently and answers the lookups the case
services need (category, deadline rules, routing, street committee). For the callers'
convenience it re-exports the public names of reference_files (constants, row dataclasses,
category-key helpers, ``read_*``). No Qt.

Components and events share code numbers within a taxonomy (部件 0101 上水井盖, 事件 0101
私搭乱建), so every table keeps the kind ("component" / "event_type") beside the plain code:
categories are unique on (taxonomy, kind, code), deadline rules and routing rules carry a kind
column too. The lookups take a plain code plus ``kind``; without a kind, a code only one kind
has resolves and a code both kinds have is refused. For convenience they also accept a
*category key* — the code prefixed with ``C`` (部件) or ``E`` (事件), as the case number spells
it ("E0102") — which carries its own kind.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.errors import UnknownCategoryError, ValidationError
from console.models import (
    Category,
    DeadlineRule,
    Department,
    DepartmentKind,
    Region,
    RegionLevel,
    RoutingRule,
)
from console.services.reference.files import (
    _KIND_LETTER,
    _LETTER_KIND,
    KIND_COMPONENT,
    KIND_EVENT,
    KINDS,
    TAXONOMIES,
    TAXONOMY_CJT214,
    TAXONOMY_GBT2026,
    CategoryRow,
    DeadlineRuleRow,
    DepartmentRow,
    RoleRow,
    RoutingRow,
    _check_taxonomy,
    category_key,
    read_categories,
    read_deadline_rules,
    read_departments,
    read_functions,
    read_grid_staff_roles,
    read_roles,
    read_routing,
    split_category_key,
    taxonomy_of_code,
)
from console.services.reference.functions import category_functions
from console.services.seed_session import seed_memo

__all__ = [
    "KINDS",
    "KIND_COMPONENT",
    "KIND_EVENT",
    "TAXONOMIES",
    "TAXONOMY_CJT214",
    "TAXONOMY_GBT2026",
    "CategoryRow",
    "DeadlineRuleRow",
    "DepartmentRow",
    "RoleRow",
    "RoutingRow",
    "category_key",
    "get_category",
    "load_reference_data",
    "read_categories",
    "read_deadline_rules",
    "read_departments",
    "read_functions",
    "read_grid_staff_roles",
    "read_roles",
    "read_routing",
    "route",
    "rules_for",
    "split_category_key",
    "street_committee_for",
    "taxonomy_of_code",
]

_KIND_ZH = {KIND_COMPONENT: "部件", KIND_EVENT: "事件"}


# --------------------------------------------------------------------------- category keys


def _resolve_code(code: str, kind: str | None) -> tuple[str | None, str]:
    """(kind or None if unknown, plain code) of a caller's code: plain, or a C/E key."""
    code = code.strip()
    if kind is not None and kind not in _KIND_LETTER:
        raise ValidationError(
            f"未知的类别类型“{kind}”（应为 component 或 event_type）", field="kind"
        )
    if code[:1] in _LETTER_KIND:
        key_kind, plain = split_category_key(code)
        if kind is not None and kind != key_kind:
            raise ValidationError(
                f"类别“{code}”是{_KIND_ZH[key_kind]}，与指定类型{kind}不符", field="kind"
            )
        return key_kind, plain
    return kind, code


# --------------------------------------------------------------------------- loading


def _street_ids(session: Session) -> dict[str, int]:
    stmt = select(Region.code, Region.id).where(Region.level == RegionLevel.STREET.value)
    return {code: id_ for code, id_ in session.execute(stmt).all()}


def load_reference_data(session: Session) -> dict[str, int]:
    """Insert whatever of the reference data is not in the database yet; counts inserted.

    Idempotent: categories are matched on (taxonomy, kind, code), rules on (taxonomy, kind,
    code, condition), departments on code, routing on (taxonomy, kind, prefix, street). A
    rule already present takes the file's limit (counted as ``deadline_rules_updated``).
    Everything is read and cross-checked before the first insert, so a bad file writes nothing.
    """
    categories = [row for taxonomy in TAXONOMIES for row in read_categories(taxonomy)]
    functions = category_functions(categories)
    rules = read_deadline_rules()
    departments = read_departments()
    routing = read_routing()

    known = {(c.taxonomy, c.kind, c.code) for c in categories}
    dept_codes = {d.code for d in departments}
    for rule in rules:
        if (rule.taxonomy, rule.kind, rule.category_code) not in known:
            raise ValidationError(
                f"deadline_rules.csv：{rule.taxonomy} 中没有{_KIND_ZH[rule.kind]}"
                f"类别 {rule.category_code}"
            )
        if rule.default_department_code and rule.default_department_code not in dept_codes:
            raise ValidationError(
                f"deadline_rules.csv：类别 {rule.category_code} 的默认部门"
                f" {rule.default_department_code} 不存在"
            )
    for route_row in routing:
        if route_row.department_code not in dept_codes:
            raise ValidationError(f"routing.csv：部门 {route_row.department_code} 不存在")

    counts = {
        "categories": 0,
        "deadline_rules": 0,
        "deadline_rules_updated": 0,
        "departments": 0,
        "routing_rules": 0,
        "functions_updated": 0,
    }
    streets = _street_ids(session)

    have_categories = {(c.taxonomy, c.kind, c.code): c for c in session.scalars(select(Category))}
    for c in categories:
        function = functions[c.taxonomy, c.kind, c.code]
        have = have_categories.get((c.taxonomy, c.kind, c.code))
        if have is not None:
            # The file is the authority on a function (rows from before the column: 城市管理).
            if have.function != function:
                have.function = function
                counts["functions_updated"] += 1
            continue
        session.add(
            Category(
                taxonomy=c.taxonomy,
                kind=c.kind,
                code=c.code,
                name=c.name,
                major_code=c.major_code,
                major_name=c.major_name,
                successor_code=c.successor_code,
                is_local_extension=c.local,
                function=function,
            )
        )
        counts["categories"] += 1

    have_rules = {
        (r.taxonomy, r.kind, r.category_code, r.condition): r
        for r in session.scalars(select(DeadlineRule))
    }
    for rule in rules:
        existing_rule = have_rules.get(
            (rule.taxonomy, rule.kind, rule.category_code, rule.condition)
        )
        if existing_rule is not None:
            # The file is the authority on a rule's limit: a corrected row (4工作时 →
            # 4紧急工作时) reaches databases loaded before. Registered cases keep theirs.
            if (existing_rule.limit_value, existing_rule.limit_unit) != (
                rule.limit_value,
                rule.limit_unit,
            ):
                existing_rule.limit_value = rule.limit_value
                existing_rule.limit_unit = rule.limit_unit
                counts["deadline_rules_updated"] += 1
            continue
        session.add(
            DeadlineRule(
                taxonomy=rule.taxonomy,
                kind=rule.kind,
                category_code=rule.category_code,
                condition=rule.condition,
                limit_value=rule.limit_value,
                limit_unit=rule.limit_unit,
                closing_condition=rule.closing_condition,
                default_department_code=rule.default_department_code,
                source=rule.source,
            )
        )
        counts["deadline_rules"] += 1

    by_code = {d.code: d for d in session.scalars(select(Department))}
    for d in departments:
        street_id = streets.get(d.street_code) if d.street_code else None
        existing = by_code.get(d.code)
        if existing is not None:
            # Streets may be imported after the first load: link the committee then.
            if existing.street_id is None and street_id is not None:
                existing.street_id = street_id
            if existing.function != d.function:
                existing.function = d.function
                counts["functions_updated"] += 1
            continue
        dept = Department(
            code=d.code,
            name=d.name,
            kind=d.kind,
            street_id=street_id,
            contact_person=d.contact_person,
            contact_phone=d.contact_phone,
            active=True,
            function=d.function,
        )
        session.add(dept)
        by_code[d.code] = dept
        counts["departments"] += 1
    session.flush()

    # Not left to the unique constraint: NULL street ids never collide in SQL.
    have_routes = {
        tuple(r)
        for r in session.execute(
            select(
                RoutingRule.taxonomy,
                RoutingRule.kind,
                RoutingRule.category_prefix,
                RoutingRule.street_id,
            )
        )
    }
    for route_row in routing:
        route_street: int | None = None
        if route_row.street_code is not None:
            route_street = streets.get(route_row.street_code)
            if route_street is None:
                continue  # that street is not in this database
        ident = (route_row.taxonomy, route_row.kind, route_row.category_prefix, route_street)
        if ident in have_routes:
            continue
        session.add(
            RoutingRule(
                taxonomy=route_row.taxonomy,
                kind=route_row.kind,
                category_prefix=route_row.category_prefix,
                street_id=route_street,
                department_id=by_code[route_row.department_code].id,
            )
        )
        have_routes.add(ident)
        counts["routing_rules"] += 1
    session.flush()
    return counts


# --------------------------------------------------------------------------- lookups


def get_category(
    session: Session, taxonomy: str, code: str, *, kind: str | None = None
) -> Category:
    """The category ``code`` of ``taxonomy``: a plain code plus ``kind``, or a key ("E0102").

    A plain code without a kind is accepted when only one kind has it; when both do, the
    caller must say which, rather than get the wrong one silently.
    """
    # Memo per session: one transaction asks for the same few categories many times (a
    # case's report, registration and dispatch; the demo seed's thousands of cases).
    memo: dict[tuple[str, str, str | None], Category] = session.info.setdefault("category_memo", {})
    hit = memo.get((taxonomy, code, kind))
    if hit is not None:
        return hit
    _check_taxonomy(taxonomy)
    resolved_kind, plain = _resolve_code(code, kind)
    stmt = select(Category).where(Category.taxonomy == taxonomy, Category.code == plain)
    if resolved_kind is not None:
        stmt = stmt.where(Category.kind == resolved_kind)
    found = list(session.scalars(stmt.order_by(Category.kind)))
    if not found:
        what = f"{_KIND_ZH[resolved_kind]}类别" if resolved_kind else "类别"
        raise UnknownCategoryError(
            f"分类标准 {taxonomy} 中没有{what}代码“{code}”", field="category_code"
        )
    if len(found) > 1:
        names = "、".join(f"{_KIND_ZH[c.kind]}“{c.name}”" for c in found)
        raise ValidationError(
            f"分类标准 {taxonomy} 中代码“{code}”既是{names}，请指明部件或事件", field="kind"
        )
    memo[(taxonomy, code, kind)] = found[0]
    return found[0]


def rules_for(
    session: Session, taxonomy: str, code: str, *, kind: str | None = None
) -> list[DeadlineRule]:
    """The 立案条件 rows of a category, ordered by id; the first is the default rule."""
    memo = seed_memo(session)
    key = ("rules", taxonomy, code, kind)
    if memo is not None and key in memo:
        return list(memo[key])
    category = get_category(session, taxonomy, code, kind=kind)
    stmt = (
        select(DeadlineRule)
        .where(
            DeadlineRule.taxonomy == taxonomy,
            DeadlineRule.kind == category.kind,
            DeadlineRule.category_code == category.code,
        )
        .order_by(DeadlineRule.id)
    )
    rules = list(session.scalars(stmt))
    if memo is not None:
        memo[key] = tuple(rules)
    return rules


def route(
    session: Session,
    taxonomy: str,
    code: str,
    street_id: int | None,
    *,
    kind: str | None = None,
) -> Department | None:
    """The default handling department of a category in a street, or None if no rule fits.

    Only rules of the category's kind apply. The longest matching prefix wins; at the same
    length a row for this street beats an any-street row. A rule that lands on another
    street's committee is redirected to this street's committee, since a committee only
    handles its own street.
    """
    memo = seed_memo(session)
    key = ("route", taxonomy, code, street_id, kind)
    if memo is not None and key in memo:
        return memo[key]
    found = _route(session, taxonomy, code, street_id, kind=kind)
    if memo is not None:
        memo[key] = found
    return found


def _route(
    session: Session, taxonomy: str, code: str, street_id: int | None, *, kind: str | None
) -> Department | None:
    category = get_category(session, taxonomy, code, kind=kind)
    plain = category.code
    # Prefixes down to 大类 (2 digits): shorter ones would cross major classes.
    prefixes = [plain[:n] for n in range(len(plain), 1, -1)]
    memo = seed_memo(session)
    if memo is not None:  # a bulk seed: the taxonomy's rules read once, filtered here alike
        key = ("routing", taxonomy, category.kind)
        if key not in memo:
            memo[key] = _routing_rules(session, taxonomy, category.kind)
        candidates = [
            r
            for r in memo[key]
            if r.category_prefix in prefixes and r.street_id in (None, street_id)
        ]
    else:
        stmt = select(RoutingRule).where(
            RoutingRule.taxonomy == taxonomy,
            RoutingRule.kind == category.kind,
            RoutingRule.category_prefix.in_(prefixes),
        )
        if street_id is None:
            stmt = stmt.where(RoutingRule.street_id.is_(None))
        else:
            stmt = stmt.where(
                (RoutingRule.street_id == street_id) | (RoutingRule.street_id.is_(None))
            )
        candidates = list(session.scalars(stmt))
    if not candidates:
        return None
    best = max(candidates, key=lambda r: (len(r.category_prefix), r.street_id is not None))
    dept = session.get(Department, best.department_id)
    if (
        dept is not None
        and dept.kind == DepartmentKind.STREET_COMMITTEE
        and street_id is not None
        and dept.street_id != street_id
    ):
        return street_committee_for(session, street_id) or dept
    return dept


def _routing_rules(session: Session, taxonomy: str, kind: str) -> list[RoutingRule]:
    # (taxonomy, kind, prefix, street) is unique: no two candidates tie, whatever the order.
    stmt = select(RoutingRule).where(RoutingRule.taxonomy == taxonomy, RoutingRule.kind == kind)
    return list(session.scalars(stmt.order_by(RoutingRule.id)))


def street_committee_for(session: Session, street_id: int) -> Department | None:
    """The active 街道城管委 of a street, if the street has one."""
    stmt = (
        select(Department)
        .where(
            Department.kind == DepartmentKind.STREET_COMMITTEE.value,
            Department.street_id == street_id,
            Department.active.is_(True),
        )
        .order_by(Department.id)
        .limit(1)
    )
    return session.scalars(stmt).first()
