"""Reference data files: reading and validating the CSVs under resources/.

The data lives in CSV files under resources/ (see resources/taxonomy/README.md): the
taxonomies, deadline rules, departments, routing and roles. This module holds the half that
parses them: the row dataclasses, the taxonomy and kind constants, the category-key helpers
and the ``read_*`` functions, which check every row and raise ValidationError naming the
file and line of the first bad one. It touches no database; loading the rows and answering
lookups is console.services.reference.data. No Qt.

Components and events share code numbers within a taxonomy (部件 0101 上水井盖, 事件 0101
私搭乱建), so every row keeps the kind ("component" / "event_type") beside the plain code. A
*category key* is the code prefixed with ``C`` (部件) or ``E`` (事件), as the case number
spells it ("E0102"); it carries its own kind.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.config import resource
from console.domain.time_limits import parse_time_limit
from console.errors import InvalidTimeLimitError, ValidationError
from console.models import DepartmentKind

TAXONOMY_CJT214 = "cjt214"
TAXONOMY_GBT2026 = "gbt47678-5-2026"
# Which one classifies a new report depends on its date: console.services.taxonomy_schedule.
TAXONOMIES = (TAXONOMY_CJT214, TAXONOMY_GBT2026)

KIND_COMPONENT = "component"
KIND_EVENT = "event_type"
KINDS = (KIND_COMPONENT, KIND_EVENT)

_KIND_LETTER = {KIND_COMPONENT: "C", KIND_EVENT: "E"}
_LETTER_KIND = {letter: kind for kind, letter in _KIND_LETTER.items()}

#: Per taxonomy: the file of each kind and the digits of 大类 + 小类.
_TAXONOMY_FILES = {
    TAXONOMY_CJT214: {
        KIND_COMPONENT: "cjt214_components.csv",
        KIND_EVENT: "cjt214_events.csv",
    },
    TAXONOMY_GBT2026: {
        KIND_COMPONENT: "gbt47678_5_2026_components.csv",
        KIND_EVENT: "gbt47678_5_2026_events.csv",
    },
}
_CODE_RE = {TAXONOMY_CJT214: re.compile(r"\d{4}"), TAXONOMY_GBT2026: re.compile(r"\d{5}")}
_MAJOR_RE = re.compile(r"\d{2}")
_STREET_CODE_RE = re.compile(r"\d{9}")

_CATEGORY_COLUMNS = (
    "major_code",
    "major_name",
    "code",
    "name",
    "successor_code",
    "local",
    "evidence",
    "confidence",
)
_RULE_COLUMNS = (
    "taxonomy",
    "kind",
    "category_code",
    "condition",
    "limit",
    "closing_condition",
    "default_department_code",
    "source",
)
_DEPARTMENT_COLUMNS = (
    "code",
    "name",
    "kind",
    "street_code",
    "contact_person",
    "contact_phone",
    "function",
)
_FUNCTION_COLUMNS = ("function", "name_en")
_ROUTING_COLUMNS = ("taxonomy", "kind", "category_prefix", "street_code", "department_code")
_ROLE_COLUMNS = ("code", "name_zh", "name_en", "description")
_TIER_COLUMNS = ("taxonomy", "kind", "category_prefix", "urgent", "tier", "grid_role")
_DUTY_COLUMNS = ("role", "duty", "taxonomy", "kind", "category_prefix")
#: tiers.csv: settled in the grid by its staff, inside the street, or by a district department.
TIERS = ("grid", "street", "district")
#: grid_staff_duties.csv: what a grid staff role may do with a category.
DUTIES = ("report", "self_handle")
#: grid_staff_duties.csv's category_prefix for every category of the taxonomy and kind.
EVERY_CATEGORY = "*"
#: roles.csv's scope column: the region levels a seat can be confined to, and a department.
ROLE_SCOPES = ("district", "street", "unit", "grid", "department")


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class CategoryRow:
    taxonomy: str
    kind: str
    major_code: str
    major_name: str
    code: str
    name: str
    successor_code: str | None
    local: bool
    evidence: str
    confidence: str

    @property
    def key(self) -> str:
        return category_key(self.kind, self.code)


@dataclass(frozen=True)
class DeadlineRuleRow:
    taxonomy: str
    kind: str
    category_code: str
    condition: str
    limit: str
    limit_value: float
    limit_unit: str
    closing_condition: str
    default_department_code: str | None
    source: str

    @property
    def key(self) -> str:
        return category_key(self.kind, self.category_code)


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name: str
    kind: str
    street_code: str | None
    contact_person: str | None
    contact_phone: str | None
    #: One of the five functions of grid work (read_functions).
    function: str


@dataclass(frozen=True)
class RoutingRow:
    taxonomy: str
    kind: str
    category_prefix: str
    street_code: str | None
    department_code: str

    @property
    def key(self) -> str:
        return category_key(self.kind, self.category_prefix)


@dataclass(frozen=True)
class RoleRow:
    code: str
    name_zh: str
    name_en: str
    description: str
    #: What a seat of the role sees (roles.csv only): district (all), street / unit (the region
    #: on the account), department (its department's tasks). console.services.case_scope.
    scope: str = "district"


@dataclass(frozen=True)
class TierRow:
    line: int
    taxonomy: str
    kind: str
    category_prefix: str
    #: The case's urgency the row is for; None: any.
    urgent: bool | None
    tier: str
    #: For a grid matter: the 一格七员 role that self-handles it.
    grid_role: str | None


@dataclass(frozen=True)
class GridDutyRow:
    line: int
    role: str
    duty: str
    taxonomy: str
    kind: str
    #: A code prefix, or EVERY_CATEGORY.
    category_prefix: str


# --------------------------------------------------------------------------- category keys


def category_key(kind: str, code: str) -> str:
    """The key form of a (kind, code) pair: "C0101" for 部件, "E0101" for 事件."""
    if kind not in _KIND_LETTER:
        raise ValidationError(
            f"未知的类别类型“{kind}”（应为 component 或 event_type）", field="kind"
        )
    return _KIND_LETTER[kind] + code


def taxonomy_of_code(code: str) -> str | None:
    """The taxonomy whose code form a plain code or key has (4 digits: CJ/T 214; 5: 2026)."""
    plain = code[1:] if code[:1] in _LETTER_KIND else code
    found = [t for t, pattern in _CODE_RE.items() if pattern.fullmatch(plain)]
    return found[0] if len(found) == 1 else None


def split_category_key(key: str) -> tuple[str, str]:
    """(kind, plain code) of a category key such as "E0102"."""
    if not key or key[0] not in _LETTER_KIND:
        raise ValidationError(f"类别键“{key}”应以 C（部件）或 E（事件）开头", field="category_code")
    return _LETTER_KIND[key[0]], key[1:]


# --------------------------------------------------------------------------- CSV reading


def _check_taxonomy(taxonomy: str) -> None:
    if taxonomy not in _TAXONOMY_FILES:
        raise ValidationError(
            f"未知的分类标准“{taxonomy}”（应为 {' / '.join(TAXONOMIES)}）", field="taxonomy"
        )


def _read_csv(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, stripped row) for each data row; a bad header or row raises naming both.
    Lines starting with ``#`` are comments (where a file's choices come from)."""
    with path.open(encoding="utf-8", newline="") as f:
        kept = [(n, text) for n, text in enumerate(f, 1) if not text.startswith("#")]
        # The reader counts the lines it was given: map them back to the file's own.
        numbers = [n for n, _ in kept]
        reader = csv.DictReader(text for _, text in kept)
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header]
        if missing:
            first = numbers[0] if numbers else 1
            raise ValidationError(f"{path.name} 第{first}行：缺少列 {', '.join(missing)}")
        for raw in reader:
            line = numbers[reader.line_num - 1]
            if None in raw:
                raise ValidationError(f"{path.name} 第{line}行：字段多于表头")
            if any(raw[c] is None for c in header):
                raise ValidationError(f"{path.name} 第{line}行：字段少于表头")
            yield line, {k: (v or "").strip() for k, v in raw.items()}


def _bad(path: Path, line: int, problem: str) -> ValidationError:
    return ValidationError(f"{path.name} 第{line}行：{problem}")


def _required(path: Path, line: int, row: dict[str, str], *names: str) -> None:
    for name in names:
        if not row[name]:
            raise _bad(path, line, f"{name} 不能为空")


def _kind(path: Path, line: int, value: str) -> str:
    if value not in KINDS:
        raise _bad(path, line, f"kind“{value}”应为 component 或 event_type")
    return value


def read_categories(taxonomy: str) -> list[CategoryRow]:
    """Every category of ``taxonomy``: its components, then its events."""
    _check_taxonomy(taxonomy)
    code_re = _CODE_RE[taxonomy]
    rows: list[CategoryRow] = []
    for kind, filename in _TAXONOMY_FILES[taxonomy].items():
        path = resource("taxonomy", filename)
        seen: set[str] = set()
        for line, r in _read_csv(path, _CATEGORY_COLUMNS):
            _required(path, line, r, "major_code", "major_name", "code", "name")
            code, major = r["code"], r["major_code"]
            if not _MAJOR_RE.fullmatch(major):
                raise _bad(path, line, f"大类代码“{major}”应为2位数字")
            if not code_re.fullmatch(code) or not code.startswith(major):
                raise _bad(path, line, f"小类代码“{code}”格式不符或不属于大类 {major}")
            if code in seen:
                raise _bad(path, line, f"小类代码“{code}”重复")
            successor = r["successor_code"] or None
            if successor is not None and not _CODE_RE[TAXONOMY_GBT2026].fullmatch(successor):
                raise _bad(path, line, f"successor_code“{successor}”应为5位数字")
            if r["local"] not in ("", "0", "1"):
                raise _bad(path, line, f"local“{r['local']}”应为 0 或 1")
            seen.add(code)
            rows.append(
                CategoryRow(
                    taxonomy=taxonomy,
                    kind=kind,
                    major_code=major,
                    major_name=r["major_name"],
                    code=code,
                    name=r["name"],
                    successor_code=successor,
                    local=r["local"] == "1",
                    evidence=r["evidence"],
                    confidence=r["confidence"],
                )
            )
    return rows


def _parse_limit(path: Path, line: int, text: str) -> tuple[float, str]:
    # The command line's parser, so the file takes every unit the clock knows (紧急工作时 too).
    try:
        limit = parse_time_limit(text)
    except InvalidTimeLimitError as exc:
        raise _bad(path, line, exc.message) from None
    return limit.value, limit.unit.value


def read_deadline_rules() -> list[DeadlineRuleRow]:
    path = resource("deadlines", "deadline_rules.csv")
    rows: list[DeadlineRuleRow] = []
    seen: set[tuple[str, str, str, str]] = set()
    for line, r in _read_csv(path, _RULE_COLUMNS):
        _required(path, line, r, "taxonomy", "kind", "category_code", "condition", "limit")
        _required(path, line, r, "closing_condition", "source")
        if r["taxonomy"] not in _TAXONOMY_FILES:
            raise _bad(path, line, f"未知的分类标准“{r['taxonomy']}”")
        # The condition text is what tells two rules of one category apart on reload.
        ident = (r["taxonomy"], r["kind"], r["category_code"], r["condition"])
        if ident in seen:
            raise _bad(path, line, "同一类别的立案条件重复")
        seen.add(ident)
        value, unit = _parse_limit(path, line, r["limit"])
        rows.append(
            DeadlineRuleRow(
                taxonomy=r["taxonomy"],
                kind=_kind(path, line, r["kind"]),
                category_code=r["category_code"],
                condition=r["condition"],
                limit=r["limit"],
                limit_value=value,
                limit_unit=unit,
                closing_condition=r["closing_condition"],
                default_department_code=r["default_department_code"] or None,
                source=r["source"],
            )
        )
    return rows


def read_function_names() -> dict[str, str]:
    """The five functions of grid work (resources/org/functions.csv), in the filters' order:
    the Chinese name (the value every other file uses) → the English one."""
    path = resource("org", "functions.csv")
    names: dict[str, str] = {}
    for line, r in _read_csv(path, _FUNCTION_COLUMNS):
        _required(path, line, r, "function", "name_en")
        if r["function"] in names:
            raise _bad(path, line, f"职能“{r['function']}”重复")
        names[r["function"]] = r["name_en"]
    return names


def read_functions() -> list[str]:
    """The five functions' Chinese names, in the filters' order."""
    return list(read_function_names())


def read_departments() -> list[DepartmentRow]:
    path = resource("org", "departments.csv")
    kinds = {k.value for k in DepartmentKind}
    functions = read_functions()
    rows: list[DepartmentRow] = []
    seen: set[str] = set()
    for line, r in _read_csv(path, _DEPARTMENT_COLUMNS):
        _required(path, line, r, "code", "name", "kind", "function")
        if r["function"] not in functions:
            raise _bad(path, line, f"职能“{r['function']}”应为 {' / '.join(functions)} 之一")
        if r["code"] in seen:
            raise _bad(path, line, f"部门代码“{r['code']}”重复")
        if r["kind"] not in kinds:
            raise _bad(path, line, f"部门类型“{r['kind']}”应为 {' / '.join(sorted(kinds))}")
        street = r["street_code"] or None
        if r["kind"] == DepartmentKind.STREET_COMMITTEE and street is None:
            raise _bad(path, line, "街道城管委必须填写 street_code")
        if street is not None and not _STREET_CODE_RE.fullmatch(street):
            raise _bad(path, line, f"街道代码“{street}”应为9位数字")
        seen.add(r["code"])
        rows.append(
            DepartmentRow(
                code=r["code"],
                name=r["name"],
                kind=r["kind"],
                street_code=street,
                contact_person=r["contact_person"] or None,
                contact_phone=r["contact_phone"] or None,
                function=r["function"],
            )
        )
    return rows


def read_routing() -> list[RoutingRow]:
    path = resource("org", "routing.csv")
    rows: list[RoutingRow] = []
    seen: set[tuple[str, str, str, str | None]] = set()
    for line, r in _read_csv(path, _ROUTING_COLUMNS):
        _required(path, line, r, "taxonomy", "kind", "category_prefix", "department_code")
        if r["taxonomy"] not in _TAXONOMY_FILES:
            raise _bad(path, line, f"未知的分类标准“{r['taxonomy']}”")
        if not r["category_prefix"].isdigit():
            raise _bad(path, line, f"类别前缀“{r['category_prefix']}”应为数字")
        street = r["street_code"] or None
        if street is not None and not _STREET_CODE_RE.fullmatch(street):
            raise _bad(path, line, f"街道代码“{street}”应为9位数字")
        ident = (r["taxonomy"], r["kind"], r["category_prefix"], street)
        if ident in seen:
            raise _bad(path, line, "同一分类标准、类别前缀和街道的路由规则重复")
        seen.add(ident)
        rows.append(
            RoutingRow(
                taxonomy=r["taxonomy"],
                kind=_kind(path, line, r["kind"]),
                category_prefix=r["category_prefix"],
                street_code=street,
                department_code=r["department_code"],
            )
        )
    return rows


def _read_role_file(filename: str) -> list[RoleRow]:
    path = resource("org", filename)
    rows: list[RoleRow] = []
    for line, r in _read_csv(path, _ROLE_COLUMNS):
        _required(path, line, r, "code", "name_zh", "name_en")
        scope = r.get("scope") or "district"
        if scope not in ROLE_SCOPES:
            raise _bad(path, line, f"scope“{scope}”应为 {' / '.join(ROLE_SCOPES)} 之一")
        rows.append(RoleRow(r["code"], r["name_zh"], r["name_en"], r["description"], scope))
    return rows


def read_roles() -> list[RoleRow]:
    """The console roles (console.models.Role), with their Chinese and English names."""
    return _read_role_file("roles.csv")


def read_grid_staff_roles() -> list[RoleRow]:
    """一格七员 (console.models.GridStaffRole), with their Chinese and English names."""
    return _read_role_file("grid_staff_roles.csv")


def _category_prefix(
    path: Path,
    line: int,
    r: dict[str, str],
    codes: dict[tuple[str, str], list[str]],
    *,
    every: bool = False,
) -> tuple[str, str, str]:
    """(taxonomy, kind, prefix) of a row, the prefix that of at least one known category."""
    if r["taxonomy"] not in _TAXONOMY_FILES:
        raise _bad(path, line, f"未知的分类标准“{r['taxonomy']}”")
    kind, prefix = _kind(path, line, r["kind"]), r["category_prefix"]
    if every and prefix == EVERY_CATEGORY:
        return r["taxonomy"], kind, prefix
    if not _MAJOR_RE.match(prefix) or not prefix.isdigit():
        raise _bad(path, line, f"类别前缀“{prefix}”应为至少2位数字")
    if (r["taxonomy"], kind) not in codes:  # each taxonomy file read once per call
        codes[r["taxonomy"], kind] = [
            c.code for c in read_categories(r["taxonomy"]) if c.kind == kind
        ]
    if not any(code.startswith(prefix) for code in codes[r["taxonomy"], kind]):
        raise _bad(path, line, f"类别前缀“{prefix}”不是 {r['taxonomy']} 任何{kind}类别的代码")
    return r["taxonomy"], kind, prefix


def _grid_role(path: Path, line: int, code: str, known: Sequence[str]) -> str:
    if code not in known:
        raise _bad(path, line, f"未知的网格员角色“{code}”（应为 {' / '.join(known)} 之一）")
    return code


def read_tiers() -> list[TierRow]:
    """分级处置 (resources/org/tiers.csv): each category's normal tier; see the file's comments."""
    path = resource("org", "tiers.csv")
    rows: list[TierRow] = []
    seen: set[tuple[str, str, str, bool | None]] = set()
    codes: dict[tuple[str, str], list[str]] = {}
    roles = [r.code for r in read_grid_staff_roles()]
    for line, r in _read_csv(path, _TIER_COLUMNS):
        _required(path, line, r, "taxonomy", "kind", "category_prefix", "tier")
        taxonomy, kind, prefix = _category_prefix(path, line, r, codes)
        if r["urgent"] not in ("", "0", "1"):
            raise _bad(path, line, f"urgent“{r['urgent']}”应为 0、1 或留空（不论是否紧急）")
        urgent = None if r["urgent"] == "" else r["urgent"] == "1"
        if r["tier"] not in TIERS:
            raise _bad(path, line, f"层级“{r['tier']}”应为 {' / '.join(TIERS)} 之一")
        role = r["grid_role"] or None
        if r["tier"] == "grid" and role is None:
            raise _bad(path, line, "网格层级（grid）须填写自处置的网格员角色 grid_role")
        if r["tier"] != "grid" and role is not None:
            raise _bad(path, line, f"只有网格层级（grid）填写 grid_role，本行为 {r['tier']}")
        grid_role = _grid_role(path, line, role, roles) if role is not None else None
        ident = (taxonomy, kind, prefix, urgent)
        if ident in seen:
            raise _bad(path, line, "同一分类标准、类别前缀和紧急程度的层级规则重复")
        seen.add(ident)
        rows.append(TierRow(line, taxonomy, kind, prefix, urgent, r["tier"], grid_role))
    return rows


def read_grid_staff_duties() -> list[GridDutyRow]:
    """一格七员's duties (resources/org/grid_staff_duties.csv): what each may report and
    self-handle; see the file's comments."""
    path = resource("org", "grid_staff_duties.csv")
    rows: list[GridDutyRow] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    codes: dict[tuple[str, str], list[str]] = {}
    roles = [r.code for r in read_grid_staff_roles()]
    for line, r in _read_csv(path, _DUTY_COLUMNS):
        _required(path, line, r, *_DUTY_COLUMNS)
        role = _grid_role(path, line, r["role"], roles)
        if r["duty"] not in DUTIES:
            raise _bad(path, line, f"职责“{r['duty']}”应为 {' / '.join(DUTIES)} 之一")
        taxonomy, kind, prefix = _category_prefix(path, line, r, codes, every=True)
        ident = (role, r["duty"], taxonomy, kind, prefix)
        if ident in seen:
            raise _bad(path, line, "同一角色、职责和类别前缀的行重复")
        seen.add(ident)
        rows.append(GridDutyRow(line, role, r["duty"], taxonomy, kind, prefix))
    return rows
