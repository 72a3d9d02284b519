"""One row of a register file (`grid-console import-components`) checked and turned into a
component's values, or a RowError with a Chinese reason (issue 17, "Bad input").

The lookups a row needs (taxonomy, departments, the district's county code) are read once into
:class:`RegisterReference`; a row then costs dictionary reads, no query. Where the object is
(grid, street, outside the district) is decided for all rows at once by the importer
(console.services.components.importer). No Qt.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import numpy as np
import shapely
from shapely.geometry import mapping as shape_mapping
from shapely.geometry import shape as make_shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.config import resource
from console.domain.component_identifier import identifier_problem
from console.domain.input_limits import MAX_NUMBER_CHARS, has_nul
from console.models import Category, Department, Region
from console.services.components.rules import status_code, statuses
from console.services.ingest.formats import quote
from console.services.ingest.mapping import RowError, check_swapped, load_aliases
from console.services.reference.data import TAXONOMY_CJT214, TAXONOMY_GBT2026

#: The fields of resources/components/columns.csv.
FIELDS = (
    "identifier",
    "name",
    "category_code",
    "category_name",
    "legacy_category_code",
    "owner_department",
    "owner_department_code",
    "owner_department_name",
    "maintainer",
    "maintainer_code",
    "status",
    "surveyed_on",
    "address",
    "photo",
    "lon",
    "lat",
    "geometry",
    # read for people, not used: the grid and street come from the position
    "grid_code",
    "street",
    "geometry_kind",
)
#: Each field's name in a row's reason.
LABELS = {
    "identifier": "管理部件标识码",
    "name": "管理部件名称",
    "category_code": "部件类别",
    "category_name": "部件小类名称",
    "legacy_category_code": "CJ/T 214 类别代码",
    "owner_department": "主管部门",
    "owner_department_code": "主管部门代码",
    "owner_department_name": "主管部门名称",
    "maintainer": "养护单位",
    "maintainer_code": "养护单位代码",
    "status": "管理部件状态",
    "surveyed_on": "初始日期",
    "address": "地址",
    "photo": "图片",
    "lon": "经度",
    "lat": "纬度",
    "geometry": "几何",
    "grid_code": "所在单元网格",
    "street": "所在街道",
    "geometry_kind": "几何类型",
}
#: Longest text per stored field (the columns' lengths in console.models.component); any other
#: cell is a code or a number and may be at most MAX_CODE.
MAX_TEXT = {"name": 30, "address": 256, "photo": 256, "maintainer": 100, "geometry": 1_000_000}
MAX_CODE = 100
#: GeoJSON type → the register's geometry_kind.
KINDS = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def column_aliases() -> dict[str, str]:
    return load_aliases(resource("components", "columns.csv"), FIELDS)


@dataclass(frozen=True)
class RegisterReference:
    """What checking a row reads from the database, read once."""

    county_code: str
    #: GB/T 47678.5-2026 component code → name; its 大类 code → name
    components: dict[str, str]
    majors: dict[str, str]
    #: CJ/T 214 component code → (name, successor code or None); its 大类 codes
    legacy: dict[str, tuple[str, str | None]]
    legacy_majors: set[str]
    #: 2026 code → the CJ/T 214 code whose successor it is
    predecessor: dict[str, str]
    #: a component name (either generation) → 2026 code
    by_name: dict[str, str]
    #: event codes (4 and 5 digits) and names: a component row naming one is an event, not an object
    events: dict[str, str]
    department_by_code: dict[str, int]
    department_by_name: dict[str, int]


def load_reference(s: Session) -> RegisterReference:
    county = s.scalar(select(Region.code).where(Region.level == "district").order_by(Region.id))
    components: dict[str, str] = {}
    majors: dict[str, str] = {}
    legacy: dict[str, tuple[str, str | None]] = {}
    legacy_majors: set[str] = set()
    events: dict[str, str] = {}
    rows = s.execute(
        select(
            Category.taxonomy,
            Category.kind,
            Category.code,
            Category.name,
            Category.major_code,
            Category.major_name,
            Category.successor_code,
        ).order_by(Category.taxonomy, Category.code)
    )
    for taxonomy, kind, code, name, major, major_name, successor in rows:
        if kind != "component":
            events.setdefault(code, name)
            events.setdefault(name, name)
        elif taxonomy == TAXONOMY_GBT2026:
            components[code] = name
            majors[major] = major_name
        elif taxonomy == TAXONOMY_CJT214:
            legacy[code] = (name, successor)
            legacy_majors.add(major)
    predecessor: dict[str, str] = {}
    for code, (_name, successor) in legacy.items():
        if successor is not None:
            predecessor.setdefault(successor, code)  # codes in order: the first one
    by_name = {name: succ for name, succ in legacy.values() if succ is not None}
    by_name.update({name: code for code, name in components.items()})
    by_code: dict[str, int] = {}
    by_dept_name: dict[str, int] = {}
    for dept_id, code, name in s.execute(select(Department.id, Department.code, Department.name)):
        by_code[code] = dept_id
        by_dept_name.setdefault(name, dept_id)
    return RegisterReference(
        county_code=county or "",
        components=components,
        majors=majors,
        legacy=legacy,
        legacy_majors=legacy_majors,
        predecessor=predecessor,
        by_name=by_name,
        events={k: v for k, v in events.items() if k not in by_name},
        department_by_code=by_code,
        department_by_name=by_dept_name,
    )


@dataclass(slots=True)
class CheckedRow:
    """A row that passed every check but the district's: the component's values (only the
    fields the file has; the importer fills the rest for a new object)."""

    line: int
    identifier: str
    values: dict[str, Any]


def _too_long(name: str, text: str) -> RowError:
    limit = MAX_TEXT.get(name, MAX_CODE)
    return RowError(
        "text_too_long", f"{LABELS[name]}过长: {len(text)} 字（上限 {limit} 字）", field=name
    )


def _cell(fields: dict[str, Any], name: str) -> str | None:
    """A field's text, stripped (numbers from GeoJSON as text); None when empty."""
    value = fields.get(name)
    if value is None:
        return None
    if value.__class__ is not str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = str(value)
    text: str = value.strip()
    if not text:
        return None
    if len(text) > MAX_TEXT.get(name, MAX_CODE):
        raise _too_long(name, text)
    if has_nul(text):
        raise RowError("nul_character", f"{LABELS[name]}含 NUL 字符（\\0）", field=name)
    return text


_Cached = TypeVar("_Cached")


def _memo(cache: dict[Any, Any], key: Any, compute: Callable[..., _Cached], *args: Any) -> _Cached:
    """``compute(*args)``, or its RowError, remembered by ``key`` (the raw cells it reads): a
    census repeats a few categories, departments, statuses and dates over thousands of rows."""
    try:
        found = cache[key]
    except KeyError:
        found = cache[key] = _attempt(compute, *args)
    except TypeError:  # an unhashable cell (a JSON list or object): checked, not remembered
        found = _attempt(compute, *args)
    if isinstance(found, RowError):
        raise RowError(found.code, found.message, field=found.field)
    return found


def _attempt(compute: Callable[..., Any], *args: Any) -> Any:
    try:
        return compute(*args)
    except RowError as exc:
        return exc


class RowChecker:
    """Checks the rows of one file; ``present``: the fields its columns give (an attribute
    the file has no column for is left as the register has it)."""

    def __init__(self, ref: RegisterReference, present: frozenset[str]) -> None:
        self.ref = ref
        self.present = present
        self._categories: dict[Any, tuple[str, str | None]] = {}
        self._owners: dict[Any, int] = {}
        self._maintainers: dict[Any, dict[str, Any]] = {}
        self._statuses: dict[Any, str] = {}
        self._dates: dict[Any, date | None] = {}
        self._optional = [n for n in ("address", "photo") if n in present]

    def __call__(self, line: int, fields: dict[str, Any]) -> CheckedRow:
        """``fields`` (field → raw value) checked; RowError with the first fault found."""
        ref, present, get = self.ref, self.present, fields.get
        identifier = _cell(fields, "identifier")
        if identifier is None:
            raise RowError("missing_identifier", "缺少管理部件标识码", field="identifier")
        category_key = (
            get("category_code"),
            get("category_name"),
            get("legacy_category_code"),
            identifier[6:11],
        )
        category, legacy = _memo(
            self._categories, category_key, _category_of, fields, identifier, ref
        )
        problem = identifier_problem(identifier, ref.county_code, category)
        if problem is not None:
            raise RowError("invalid_identifier", problem, field="identifier")
        owner_key = (
            get("owner_department_code"),
            get("owner_department"),
            get("owner_department_name"),
        )
        values: dict[str, Any] = {
            "identifier": identifier,
            "category_code": category,
            "legacy_category_code": legacy,
            "owner_department_id": _memo(self._owners, owner_key, _owner, fields, ref),
            **_position(fields),
        }
        if "name" in present:
            values["name"] = _cell(fields, "name") or ref.components[category]
        if "status" in present:
            values["status"] = _memo(self._statuses, get("status"), _status, fields)
        if "surveyed_on" in present:
            surveyed = _memo(self._dates, get("surveyed_on"), _date, fields)
            if surveyed is not None:
                values["surveyed_on"] = surveyed
        for name in self._optional:
            values[name] = _cell(fields, name)
        if "maintainer" in present or "maintainer_code" in present:
            keeper_key = (get("maintainer_code"), get("maintainer"))
            values.update(_memo(self._maintainers, keeper_key, _maintainer, fields, ref))
        return CheckedRow(line, identifier, values)


def _category_of(
    fields: dict[str, Any], identifier: str, ref: RegisterReference
) -> tuple[str, str | None]:
    code_text, name_text = _cell(fields, "category_code"), _cell(fields, "category_name")
    if code_text is None and name_text is None and len(identifier) == 17:
        code_text = identifier[6:11]  # the identifier carries the class and item (digits 7–11)
    return _category(code_text, name_text, _cell(fields, "legacy_category_code"), ref)


def _category(
    code_text: str | None, name_text: str | None, named_legacy: str | None, ref: RegisterReference
) -> tuple[str, str | None]:
    """(GB/T 47678.5-2026 code, CJ/T 214 code or None) of the row's class and item."""
    given = code_text or name_text
    if given is None:
        raise RowError("missing_category", "缺少部件类别（类别代码或小类名称）", field="category")
    text = given
    if text[:1] in ("C", "c") and text[1:].isdigit():
        text = text[1:]
    elif text[:1] in ("E", "e") and text[1:].isdigit():
        raise RowError("event_category", f"类别 {quote(given)} 是事件，不是部件", field="category")
    legacy: str | None
    if text.isdigit() and len(text) == 5:
        code = text
        if code not in ref.components:
            raise _unknown(code, ref.majors, "GB/T 47678.5-2026", ref)
        legacy = ref.predecessor.get(code)
    elif text.isdigit() and len(text) == 4:
        if text not in ref.legacy:
            raise _unknown(text, ref.legacy_majors, "CJ/T 214", ref)
        name, successor = ref.legacy[text]
        if successor is None:
            raise RowError(
                "no_successor",
                f"CJ/T 214 部件 {text} {name} 在 GB/T 47678.5-2026 中没有对应小类，无法登记",
                field="category",
            )
        code, legacy = successor, text
    elif text in ref.by_name:
        code = ref.by_name[text]
        legacy = ref.predecessor.get(code)
    elif text in ref.events:
        raise RowError("event_category", f"类别“{quote(text)}”是事件，不是部件", field="category")
    else:
        raise RowError(
            "unknown_category",
            f"未知部件类别“{quote(text)}”（应为 5 位 GB/T 47678.5-2026 代码、4 位 CJ/T 214 "
            "代码或小类名称）",
            field="category",
        )
    if named_legacy is not None and named_legacy != legacy:
        successor = ref.legacy.get(named_legacy, ("", None))[1]
        if successor != code:
            raise RowError(
                "legacy_mismatch",
                f"CJ/T 214 类别代码 {quote(named_legacy)} 与部件小类 {code} 不对应",
                field="legacy_category_code",
            )
        legacy = named_legacy
    return code, legacy


def _unknown(
    code: str, majors: dict[str, str] | set[str], taxonomy: str, ref: RegisterReference
) -> RowError:
    if code in ref.events:
        return RowError(
            "event_category",
            f"类别 {code}（{ref.events[code]}）是事件，不是部件",
            field="category",
        )
    if code[:2] not in majors:
        return RowError("unknown_class", f"未知部件大类 {code[:2]}（{taxonomy}）", field="category")
    return RowError(
        "unknown_item",
        f"部件大类 {code[:2]} 中没有小类 {code[2:]}（{taxonomy}）",
        field="category",
    )


def _department(text: str, ref: RegisterReference) -> int | None:
    return ref.department_by_code.get(text) or ref.department_by_name.get(text)


def _owner(fields: dict[str, Any], ref: RegisterReference) -> int:
    for field in ("owner_department_code", "owner_department", "owner_department_name"):
        text = _cell(fields, field)
        if text is None:
            continue
        found = (
            ref.department_by_code.get(text)
            if field == "owner_department_code"
            else _department(text, ref)
        )
        if found is None:
            raise RowError(
                "unknown_department",
                f"主管部门“{quote(text)}”不存在（应为部门表中的代码或名称）",
                field=field,
            )
        return found
    raise RowError("missing_owner", "缺少主管部门", field="owner_department")


def _maintainer(fields: dict[str, Any], ref: RegisterReference) -> dict[str, Any]:
    code, name = _cell(fields, "maintainer_code"), _cell(fields, "maintainer")
    if code is not None:
        found = ref.department_by_code.get(code)
        if found is None:
            raise RowError(
                "unknown_department",
                f"养护单位代码“{quote(code)}”不是部门表中的部门",
                field="maintainer_code",
            )
        return {"maintainer_department_id": found, "maintainer_name": None}
    found = _department(name, ref) if name is not None else None
    # Not one of the departments (a contractor): kept by its name.
    return {"maintainer_department_id": found, "maintainer_name": None if found else name}


def _status(fields: dict[str, Any]) -> str:
    text = _cell(fields, "status")
    if text is None:
        return "intact"
    code = status_code(text)
    if code is None:
        labels = " / ".join(s.label_zh for s in statuses().values())
        raise RowError(
            "unknown_status", f"未知管理部件状态“{quote(text)}”（可选: {labels}）", field="status"
        )
    return code


def _date(fields: dict[str, Any]) -> date | None:
    text = _cell(fields, "surveyed_on")
    if text is None:
        return None
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = (int(g) for g in match.groups())
        if not 1900 <= year <= 2100:
            raise ValueError(text)
        return date(year, month, day)
    except ValueError:
        raise RowError(
            "invalid_date",
            f"初始日期格式不对: {quote(text)}（应为 2026-06-01）",
            field="surveyed_on",
        ) from None


def _number(fields: dict[str, Any], name: str) -> float | None:
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if len(value if isinstance(value, str) else repr(value)) > MAX_NUMBER_CHARS:
        raise RowError(
            "invalid_coordinates",
            f"{LABELS[name]}数值过长（超过 {MAX_NUMBER_CHARS} 个字符）",
            field=name,
        )
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise RowError(
            "invalid_coordinates", f"{LABELS[name]}不是数字: {quote(value)}", field=name
        ) from None
    if not math.isfinite(number):
        raise RowError("invalid_coordinates", f"{LABELS[name]}不是有限数: {value}", field=name)
    return number


def _position(fields: dict[str, Any]) -> dict[str, Any]:
    """geometry_kind, lon, lat and geometry (GeoJSON text, lines and polygons only)."""
    raw = fields.get("geometry")
    if isinstance(raw, str) and not raw.strip():
        raw = None
    lon, lat = _number(fields, "lon"), _number(fields, "lat")
    if raw is None:
        if lon is None or lat is None:
            raise RowError(
                "missing_position", "缺少位置（经度和纬度，或 WKT / GeoJSON 几何）", field="lon"
            )
        if not -90 <= lat <= 90:
            check_swapped(lon, lat)
        return {"geometry_kind": "point", "lon": lon, "lat": lat, "geometry": None}
    geometry = _shape(raw)
    kind = KINDS[geometry.geom_type]
    if kind == "point":
        if geometry.geom_type == "MultiPoint":
            if len(geometry.geoms) != 1:
                raise RowError(
                    "invalid_geometry",
                    "一个部件只能有一个点位（MultiPoint 有多个点）",
                    field="geometry",
                )
            geometry = geometry.geoms[0]
        check_swapped(geometry.x, geometry.y)
        return {"geometry_kind": "point", "lon": geometry.x, "lat": geometry.y, "geometry": None}
    if lon is None or lat is None:
        # A point on the object: a line's midpoint, a polygon's representative point.
        point = (
            geometry.interpolate(0.5, normalized=True)
            if kind == "line"
            else geometry.representative_point()
        )
        lon, lat = point.x, point.y
    check_swapped(lon, lat)
    text = json.dumps(shape_mapping(geometry), separators=(",", ":"))
    return {"geometry_kind": kind, "lon": lon, "lat": lat, "geometry": text}


def _shape(raw: object) -> BaseGeometry:
    """The row's geometry (a GeoJSON object, GeoJSON text or WKT), parsed and valid."""
    try:
        if isinstance(raw, str) and raw.lstrip().startswith("{"):
            raw = json.loads(raw)
        if isinstance(raw, dict):
            geometry = make_shape(raw)
        elif isinstance(raw, str):
            geometry = shapely.from_wkt(raw)
        else:
            raise ValueError(type(raw).__name__)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            shapely.errors.ShapelyError) as exc:  # fmt: skip
        raise RowError(
            "invalid_geometry",
            f"无法解析的几何（WKT 或 GeoJSON）: {quote(str(exc))}",
            field="geometry",
        ) from None
    if geometry is None or geometry.is_empty:
        raise RowError("invalid_geometry", "几何为空", field="geometry")
    if geometry.geom_type not in KINDS:
        raise RowError(
            "invalid_geometry",
            f"不支持的几何类型 {geometry.geom_type}（点、线、面及其 Multi 类型）",
            field="geometry",
        )
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        raise RowError("invalid_geometry", "几何坐标不是有限数", field="geometry")
    if not geometry.is_valid:
        raise RowError(
            "invalid_geometry", f"几何无效: {explain_validity(geometry)}", field="geometry"
        )
    return geometry
