"""The register's data files, read and checked: resources/components/statuses.csv (the statuses
an object can be in) and register.csv (the nearby radius, the repeat-offender rule, the map's
zoom). No database, no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from console.config import csv_rows, resource
from console.errors import ValidationError


@dataclass(frozen=True)
class ComponentStatus:
    code: str
    label_zh: str
    label_en: str
    #: A case about an object in this status is about a fault (损坏/丢失/占用).
    broken: bool
    #: The status 结案 of a case about such an object proposes; None: 结案 leaves it.
    after_close: str | None


@dataclass(frozen=True)
class RegisterRules:
    nearby_radius_m: float
    nearby_max: int
    repeat_cases: int
    repeat_months: int
    layer_min_zoom: int


@cache
def statuses() -> dict[str, ComponentStatus]:
    """The statuses by code, in the file's order."""
    rows = csv_rows(resource("components", "statuses.csv"))
    out = {
        r["code"]: ComponentStatus(
            code=r["code"],
            label_zh=r["label_zh"],
            label_en=r["label_en"],
            broken=r["broken"] == "1",
            after_close=r["after_close"] or None,
        )
        for r in rows
    }
    for status in out.values():
        if status.after_close is not None and status.after_close not in out:
            raise ValidationError(
                f"statuses.csv：{status.code} 的 after_close “{status.after_close}” 不是已知状态"
            )
    return out


def status_code(text: str) -> str | None:
    """The status code an import cell names (code, Chinese or English label), or None."""
    value = text.strip()
    for status in statuses().values():
        if value in (status.code, status.label_zh) or value.lower() == status.label_en:
            return status.code
    return None


@cache
def register_rules() -> RegisterRules:
    values = {r["key"]: r["value"] for r in csv_rows(resource("components", "register.csv"))}
    try:
        return RegisterRules(
            nearby_radius_m=float(values["nearby_radius_m"]),
            nearby_max=int(values["nearby_max"]),
            repeat_cases=int(values["repeat_cases"]),
            repeat_months=int(values["repeat_months"]),
            layer_min_zoom=int(values["layer_min_zoom"]),
        )
    except (KeyError, ValueError) as exc:
        raise ValidationError(f"register.csv：缺少或无法读取的值 {exc}") from exc
