"""Issue 17 in the 新建上报 form: a 部件 category and a point list the register's objects of that
class within 30 m (through the bridge), with “not in the register”; the pick is filed as the
case's component_id. The real form, a real SQLite demo database, the stand-in map (NoMapView)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select

from console.bridge import Bridge
from console.db import Database
from console.models import Case, Component
from console.services.workbench import Workbench
from console.views.map_fallback import NoMapView, WebEngineProblem
from console.views.report_form import ReportFormDialog
from tests.conftest import Clock
from tests.models.test_components import _row
from tests.services.console_support import Point, street_points

WAIT = 10_000
DEG_PER_M = 1 / 111_195


def _component(db: Database, point: Point, metres_north: float, serial: int, **over: object) -> int:
    row = _row(db, f"61010401001{serial:06d}") | {
        "lon": point[0],
        "lat": point[1] + metres_north * DEG_PER_M,
        "name": f"井盖{serial}",
        **over,
    }
    with db.session() as s:
        return int(s.execute(insert(Component).returning(Component.id), [row]).scalar_one())


@pytest.fixture
def point(demo_db: Database) -> Point:
    return street_points(demo_db)[0][2]


@pytest.fixture
def objects(demo_db: Database, point: Point) -> dict[str, int]:
    return {
        "near": _component(demo_db, point, 10, 1, status="damaged"),
        "farther": _component(demo_db, point, 20, 2),
        "outside": _component(demo_db, point, 60, 3),
        "other_class": _component(demo_db, point, 5, 4, category_code="01002"),
    }


@pytest.fixture
def form(
    qtbot: QtBot, demo_db: Database, tmp_path: Path, clock: Clock
) -> Iterator[ReportFormDialog]:
    bridge = Bridge()
    workbench = Workbench(demo_db, username="intake", clock=clock, attachments_dir=tmp_path)
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = ReportFormDialog(bridge, workbench, NoMapView(WebEngineProblem("test")), parent)
    qtbot.waitUntil(lambda: bool(dialog.choices), timeout=WAIT)
    dialog.show()
    yield dialog
    dialog.close()
    bridge.shutdown()


def _choose(form: ReportFormDialog, qtbot: QtBot, code: str) -> None:
    form.category_search.clear()
    qtbot.keyClicks(form.category_search, code)
    qtbot.waitUntil(lambda: form.chosen is not None and form.chosen.code == code, timeout=WAIT)


def _listed(form: ReportFormDialog) -> list[str]:
    return [form.components.list.item(i).text() for i in range(form.components.list.count())]


def _file(form: ReportFormDialog, qtbot: QtBot) -> int:
    form.description.setPlainText("井盖破损")
    form.address.setText("莲湖路1号")
    with qtbot.waitSignal(form.report_filed, timeout=WAIT) as filed:
        form.save_button.click()
    return int(filed.args[0].snapshot.id)


def _component_of(db: Database, case_id: int) -> int | None:
    with db.read() as s:
        return s.scalar(select(Case.component_id).where(Case.id == case_id))


def test_the_nearby_objects_are_listed_and_the_pick_is_filed(
    form: ReportFormDialog, qtbot: QtBot, demo_db: Database, point: Point, objects: dict[str, int]
) -> None:
    assert not form.components.isVisible()
    _choose(form, qtbot, "01001")
    form.set_point(*point)
    qtbot.waitUntil(lambda: form.components.list.count() == 3, timeout=WAIT)
    assert form.components.isVisible()
    listed = _listed(form)
    # "Not in the register" first (and chosen), then the two within 30 m, nearest first.
    assert listed[0] == "不在部件库中" and form.components.chosen_id() is None
    assert listed[1] == "61010401001000001 · 井盖1 · 损坏 · 10 m"
    assert listed[2] == "61010401001000002 · 井盖2 · 完好 · 20 m"
    assert form.components.choose(objects["farther"])
    assert _component_of(demo_db, _file(form, qtbot)) == objects["farther"]


def test_not_in_the_register_files_without_an_object(
    form: ReportFormDialog, qtbot: QtBot, demo_db: Database, point: Point, objects: dict[str, int]
) -> None:
    _choose(form, qtbot, "01001")
    form.set_point(*point)
    qtbot.waitUntil(lambda: form.components.list.count() == 3, timeout=WAIT)
    form.components.choose(objects["near"])
    form.components.choose(None)  # picked, then 不在部件库中 after all
    case_id = _file(form, qtbot)
    assert _component_of(demo_db, case_id) is None
    with demo_db.read() as s:
        assert s.scalar(select(Case.category_code).where(Case.id == case_id)) == "01001"


def test_the_list_follows_the_category_and_the_point(
    form: ReportFormDialog, qtbot: QtBot, point: Point, objects: dict[str, int]
) -> None:
    _choose(form, qtbot, "01001")
    form.set_point(*point)
    qtbot.waitUntil(lambda: form.components.list.count() == 3, timeout=WAIT)
    _choose(form, qtbot, "01002")  # another class: its one object
    qtbot.waitUntil(lambda: form.components.list.count() == 2, timeout=WAIT)
    assert "井盖4" in _listed(form)[1]
    form.set_point(point[0], point[1] + 200 * DEG_PER_M)  # nothing of it there
    qtbot.waitUntil(lambda: form.components.list.count() == 1, timeout=WAIT)
    assert form.components.status.text() == "30 米内没有该类部件"
    _choose(form, qtbot, "06010")  # an event: no object to name
    qtbot.waitUntil(lambda: not form.components.isVisible(), timeout=WAIT)
    assert form.report_input().component_id is None
