"""A report that names a register object (issue 17): the object must exist, be of the report's
category (a 部件 report) and lie within the register's nearby radius of the report's point — what
the intake form and the field app proposed. Errors a reporter can act on. No Qt."""

from __future__ import annotations

from sqlalchemy.orm import Session

from console.errors import ValidationError
from console.models import Component
from console.services.components.rules import register_rules
from console.services.duplicates import distance_m


def check_component(
    session: Session, component_id: int, kind: str, category_code: str, lon: float, lat: float
) -> Component:
    """The object a report names, or a ValidationError on ``component_id`` saying why not.

    ``kind`` and ``category_code`` are the case's as filed (a CJ/T 214 code already mapped to
    its successor where it has one)."""
    if kind != "component":
        raise ValidationError("只有部件类问题可以关联部件", field="component_id")
    component = session.get(Component, component_id)
    if component is None:
        raise ValidationError(f"部件 {component_id} 不在部件库中", field="component_id")
    if category_code not in (component.category_code, component.legacy_category_code):
        raise ValidationError(
            f"部件 {component.identifier}（{component.name}）的小类 {component.category_code} "
            f"与上报类别 {category_code} 不符",
            field="component_id",
        )
    radius = register_rules().nearby_radius_m
    distance = float(distance_m(lon, lat, component.lon, component.lat))
    if distance > radius:
        raise ValidationError(
            f"部件 {component.identifier} 距上报位置 {distance:.0f} 米，超出 {radius:.0f} 米；"
            "请核对位置或选择“不在部件库中”",
            field="component_id",
        )
    return component
