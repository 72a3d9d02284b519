"""Routing by tier (#16 §2) and 一格七员's duties (#16 §4), as the data files say.

resources/org/tiers.csv gives each category its normal tier — grid (self-handled in the grid
by the grid staff role named), street (the street's 城管委) or district (a department, as
routing.csv routes it): 小事不出网格、大事不出街道. resources/org/grid_staff_duties.csv gives
each grid staff role what it may report and self-handle. Both are read and line-checked by
console.services.reference.files; this module checks them against each other (a grid row's
role must hold that self_handle duty; ``uncovered`` lists categories without a tier, which
the tests keep empty) and answers the lookups:
the dispatch preview's proposed tier, and whether a grid staff role may report or self-handle
a category. Only the seven grid staff roles are bound by duties; other roles (the inspector,
intake) stay as the lifecycle table allows them. No Qt; the one database read is a case's
category name for the refusal (:func:`check_case`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from console.config import resources_dir
from console.errors import PermissionDeniedError, ValidationError
from console.models import Case, DepartmentKind
from console.services.reference import data as reference_data
from console.services.reference.files import (
    EVERY_CATEGORY,
    KIND_COMPONENT,
    TAXONOMIES,
    GridDutyRow,
    TierRow,
    read_categories,
    read_grid_staff_duties,
    read_grid_staff_roles,
    read_tiers,
)

GRID, STREET, DISTRICT = "grid", "street", "district"
TIER_LABELS = {GRID: "网格", STREET: "街道", DISTRICT: "区"}
RULE = "小事不出网格、大事不出街道"
REPORT, SELF_HANDLE = "report", "self_handle"
_DUTY_LABELS = {REPORT: "上报", SELF_HANDLE: "自行处置"}


@dataclass(frozen=True)
class TierChoice:
    tier: str
    #: For a grid matter: the grid staff role that self-handles it, and its Chinese name.
    grid_role: str | None = None
    grid_role_name: str | None = None
    #: For a case naming a register object (issue 17): its owner department's name, which the
    #: case goes to whatever the category's row says (:func:`owner_tier`).
    owner_name: str | None = None

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]

    def cell(self) -> str:
        """Short, for a table cell: 街道, or 网格（环卫保洁员）."""
        return f"网格（{self.grid_role_name}）" if self.tier == GRID else self.label

    def describe(self) -> str:
        """The line the dispatch dialog shows, e.g. 建议层级：街道（小事不出网格、大事不出街道）."""
        if self.owner_name is not None:
            return f"建议层级：{self.label}（部件主管部门「{self.owner_name}」处置）"
        if self.tier == GRID:
            return f"建议层级：网格（{self.grid_role_name}自行处置；{RULE}）"
        if self.tier == STREET:
            return f"建议层级：街道（{RULE}）"
        return "建议层级：区（由区专业部门处置）"


def owner_tier(owner_name: str, owner_kind: str) -> TierChoice:
    """The tier of a case naming a register object: its owner's — the street when the owner is
    a street committee, else the district — so the tier and the proposed department agree."""
    tier = STREET if owner_kind == DepartmentKind.STREET_COMMITTEE.value else DISTRICT
    return TierChoice(tier, owner_name=owner_name)


def _kind_zh(kind: str) -> str:
    return "部件" if kind == KIND_COMPONENT else "事件"


class TierTable:
    """The two files' rows, checked against each other and against the taxonomies."""

    def __init__(
        self,
        tiers: Sequence[TierRow],
        duties: Sequence[GridDutyRow],
        role_names: dict[str, str],
    ) -> None:
        self.tiers = list(tiers)
        self.duties = list(duties)
        #: grid staff role code → Chinese name (grid_staff_roles.csv)
        self.role_names = dict(role_names)
        for row in self.tiers:
            code = row.category_prefix
            if row.grid_role is not None and not self.allows(
                row.grid_role, SELF_HANDLE, row.taxonomy, row.kind, code
            ):
                raise ValidationError(
                    f"tiers.csv 第{row.line}行：{self.role_names[row.grid_role]}"
                    f"（{row.grid_role}）在 grid_staff_duties.csv 中没有自处置 {code} 的职责"
                )

    def _rule(self, taxonomy: str, kind: str, code: str, urgent: bool) -> TierRow | None:
        candidates = [
            r
            for r in self.tiers
            if r.taxonomy == taxonomy
            and r.kind == kind
            and code.startswith(r.category_prefix)
            and r.urgent in (None, urgent)
        ]
        if not candidates:
            return None
        # The longest prefix; at the same prefix, the row for this urgency (unique by file).
        return max(candidates, key=lambda r: (len(r.category_prefix), r.urgent is not None))

    def uncovered(self) -> list[str]:
        """The categories of the taxonomy files no tiers.csv row covers (to be none)."""
        return [
            f"{taxonomy} {_kind_zh(c.kind)} {c.code}"
            for taxonomy in TAXONOMIES
            for c in read_categories(taxonomy)
            if self._rule(taxonomy, c.kind, c.code, False) is None
        ]

    def tier_of(self, taxonomy: str, kind: str, code: str, *, urgent: bool = False) -> TierChoice:
        rule = self._rule(taxonomy, kind, code, urgent)
        if rule is None:  # a class added without its rows: that category only
            raise ValidationError(
                f"tiers.csv：{taxonomy} {_kind_zh(kind)} {code} 没有层级规则"
                "（每个大类至少要有一行2位前缀的规则）"
            )
        role = rule.grid_role
        return TierChoice(rule.tier, role, self.role_names.get(role) if role else None)

    def bound(self, role: str) -> bool:
        """Whether ``role`` is one of 一格七员, whose duties the file lists."""
        return role in self.role_names

    def allows(self, role: str, duty: str, taxonomy: str, kind: str, code: str) -> bool:
        # A self_handle row lets the role report the category too.
        duties = (REPORT, SELF_HANDLE) if duty == REPORT else (SELF_HANDLE,)
        return any(
            d.role == role
            and d.duty in duties
            and d.taxonomy == taxonomy
            and d.kind == kind
            and (d.category_prefix == EVERY_CATEGORY or code.startswith(d.category_prefix))
            for d in self.duties
        )

    def check(
        self, role: str, duty: str, taxonomy: str, kind: str, code: str, name: str = ""
    ) -> None:
        """Refuses a grid staff role a category outside its duties, naming both."""
        if not self.bound(role) or self.allows(role, duty, taxonomy, kind, code):
            return
        category = f"{_kind_zh(kind)}「{code} {name}」" if name else f"{_kind_zh(kind)}「{code}」"
        tail = "请按常规上报，由指挥中心派遣" if duty == SELF_HANDLE else "请交由其他网格员上报"
        raise PermissionDeniedError(
            f"{self.role_names[role]}（{role}）的职责不含{_DUTY_LABELS[duty]}{category}"
            f"（见 resources/org/grid_staff_duties.csv），{tail}"
        )


_TABLES: dict[Path, TierTable] = {}


def tier_table() -> TierTable:
    """The checked table of the resources directory in use, read once."""
    where = resources_dir()
    table = _TABLES.get(where)
    if table is None:
        roles = {r.code: r.name_zh for r in read_grid_staff_roles()}
        table = TierTable(read_tiers(), read_grid_staff_duties(), roles)
        _TABLES[where] = table
    return table


def check_case(session: Session, role: str, duty: str, case: Case) -> None:
    """Refuses ``role`` ``duty`` (report / self_handle) on ``case``'s category when the role is
    one of 一格七员 and its duties do not list the category (tier_table().check)."""
    check_category(session, role, duty, case.taxonomy, case.kind, case.category_code)


def duty_allows(role: str, duty: str, case: Case) -> bool:
    """Whether ``role`` may ``duty`` ``case``'s category: always for a role the duties do not
    bind (the lifecycle decides), else as its duties list (the detail offers no step that
    :func:`check_case` would refuse)."""
    table = tier_table()
    return not table.bound(role) or table.allows(
        role, duty, case.taxonomy, case.kind, case.category_code
    )


def check_category(
    session: Session, role: str, duty: str, taxonomy: str, kind: str, code: str
) -> None:
    """:func:`check_case` for a category not yet on a case (a report being filed)."""
    table = tier_table()
    if not table.bound(role):
        return
    if table.allows(role, duty, taxonomy, kind, code):
        return
    name = reference_data.get_category(session, taxonomy, code, kind=kind).name
    table.check(role, duty, taxonomy, kind, code, name)
