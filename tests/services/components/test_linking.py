"""A 部件 report naming a register object: kept on the case when it fits, else a clear refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from console.db import Database
from console.errors import ValidationError
from console.models import Case, Component
from console.services.cases.service import CaseService
from tests.conftest import Clock
from tests.models.test_components import _row
from tests.services.console_support import INSPECTOR, report_input, street_points

DEG_PER_M = 1 / 111_195


def _component(db: Database, lon: float, lat: float, category: str = "01001") -> int:
    row = _row(db, f"610104{category}000001") | {"category_code": category, "lon": lon, "lat": lat}
    with db.session() as s:
        return int(s.execute(insert(Component).returning(Component.id), [row]).scalar_one())


def _cases(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count(Case.id))) or 0)


def test_a_component_report_keeps_the_object_it_names(demo_db: Database, clock: Clock) -> None:
    lon, lat = street_points(demo_db)[0][2]
    component = _component(demo_db, lon + 10 * DEG_PER_M, lat)
    service = CaseService(demo_db, clock=clock)
    case = service.report(
        INSPECTOR,
        report_input((lon, lat), kind="component", category_code="01001", component_id=component),
    )
    with demo_db.read() as s:
        assert s.scalar(select(Case.component_id).where(Case.id == case.id)) == component


@pytest.mark.parametrize(
    ("over", "words"),
    [
        ({"kind": "event_type", "category_code": "06010"}, "只有部件类问题"),
        ({"kind": "component", "category_code": "01002"}, "与上报类别 01002 不符"),
        ({"kind": "component", "category_code": "01001", "far": True}, "超出 30 米"),
        ({"kind": "component", "category_code": "01001", "missing": True}, "不在部件库中"),
    ],
)
def test_a_wrong_object_is_refused_and_nothing_is_filed(
    demo_db: Database, clock: Clock, over: dict[str, object], words: str
) -> None:
    lon, lat = street_points(demo_db)[0][2]
    component = _component(demo_db, lon, lat)
    far = over.pop("far", False)
    missing = over.pop("missing", False)
    point = (lon, lat + 60 * DEG_PER_M) if far else (lon, lat)
    service = CaseService(demo_db, clock=clock)
    with pytest.raises(ValidationError) as err:
        service.report(
            INSPECTOR,
            report_input(point, component_id=component + 99 if missing else component, **over),
        )
    assert words in str(err.value) and err.value.field == "component_id"
    assert _cases(demo_db) == 0
