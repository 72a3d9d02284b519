"""Issue 17 in the case detail: the register object a case names, its other cases (one opens on
Enter / double-click), and 结案 of a case about a broken object asking what becomes of it —
the real panel and the real dialog, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from console.services.components.case_component import CaseComponent, ComponentCase
from console.views import component_close_dialog
from console.views.case_detail_panel import CaseDetailPanel
from console.views.component_close_dialog import ComponentStatusDialog
from console.views.i18n import set_language
from tests.views.detail_support import HOSTILE, make_detail, option


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture
def panel(qtbot: Any) -> CaseDetailPanel:
    widget = CaseDetailPanel()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def component(status: str = "damaged", label: str = "损坏", broken: bool = True) -> CaseComponent:
    return CaseComponent(
        id=5,
        identifier="61010401001000001",
        name="供水井盖" + HOSTILE,
        category_code="01001",
        class_name="上水井盖",
        status=status,
        status_label=label,
        broken=broken,
        after_close="intact" if broken else None,
        owner_name="市政管理局",
        maintainer=None,
        address="莲湖路1号 <i>北门</i>",
        history=(
            ComponentCase(
                77,
                "E0102202611230077",
                "dispatched",
                "处置中",
                datetime(2026, 11, 22, 1, 0, tzinfo=UTC),
                "01001",
            ),
            ComponentCase(
                61,
                "E0102202610010061",
                "closed",
                "已结案",
                datetime(2026, 10, 1, 1, 0, tzinfo=UTC),
                "01001",
            ),
        ),
    )


def test_the_object_and_its_other_cases_are_shown(panel: CaseDetailPanel, qtbot: Any) -> None:
    panel.show_detail(make_detail(component=component()))
    box = panel.component_box
    assert box.isVisible()
    # The register's text as plain text: the markup shows, it is not rendered.
    assert box.fields["name"].textFormat() == Qt.TextFormat.PlainText
    assert box.fields["name"].text() == "供水井盖" + HOSTILE
    assert box.fields["address"].text() == "莲湖路1号 <i>北门</i>"
    assert box.fields["identifier"].text() == "61010401001000001"
    assert box.fields["class"].text() == "上水井盖 (01001)"
    assert box.fields["status"].text() == "损坏（故障）"
    assert box.fields["owner"].text() == "市政管理局"
    assert box.fields["maintainer"].text() == "—"
    rows = [
        [box.history.topLevelItem(i).text(c) for c in range(3)]
        for i in range(box.history.topLevelItemCount())
    ]
    assert [r[0] for r in rows] == ["E0102202611230077", "E0102202610010061"]
    assert rows[0][2] == "2026-11-22 09:00" and rows[0][1] != ""
    with qtbot.waitSignal(panel.open_case_requested, timeout=1000) as opened:
        box.history.itemActivated.emit(box.history.topLevelItem(1), 0)
    assert opened.args == [61]
    panel.show_detail(make_detail())  # a case naming no object
    assert not box.isVisible()


def test_close_of_a_broken_object_asks_and_sends_the_status(
    panel: CaseDetailPanel, qtbot: Any
) -> None:
    panel.show_detail(
        make_detail(component=component(), actions=(option("close", "结案", "Close"),))
    )
    seen: dict[str, Any] = {}

    def choose_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ComponentStatusDialog)
        combo = dialog.choice
        seen["items"] = [combo.itemData(i) for i in range(combo.count())]
        seen["first"] = combo.itemText(0)
        combo.setCurrentIndex(combo.findData("scrapped"))
        dialog.accept()

    QTimer.singleShot(0, choose_and_accept)
    with qtbot.waitSignal(panel.action_with_input_requested, timeout=3000) as blocker:
        panel.action_buttons["close"].click()
    # 完好 proposed first, then leaving it, then the other statuses.
    assert seen == {
        "items": ["intact", "keep", "missing", "occupied", "scrapped"],
        "first": "设为完好（建议）",
    }
    assert blocker.args == ["close", 42, 7, {"component_status": "scrapped"}]


def test_leaving_it_and_cancelling(
    panel: CaseDetailPanel, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel.show_detail(
        make_detail(component=component(), actions=(option("close", "结案", "Close"),))
    )
    sent: list[Any] = []
    panel.action_with_input_requested.connect(lambda *a: sent.append(a))
    panel.action_requested.connect(lambda *a: sent.append(a))

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        dialog.reject()

    QTimer.singleShot(0, cancel)
    panel.action_buttons["close"].click()
    assert sent == []  # cancelled: nothing closed
    monkeypatch.setattr(component_close_dialog, "ask_component_status", lambda *a: "keep")
    panel.action_buttons["close"].click()
    assert sent == [("close", 42, 7, {"component_status": "keep"})]


def test_close_of_an_intact_object_asks_nothing(panel: CaseDetailPanel, qtbot: Any) -> None:
    panel.show_detail(
        make_detail(
            component=component("intact", "完好", broken=False),
            actions=(option("close", "结案", "Close"),),
        )
    )
    with qtbot.waitSignal(panel.action_requested, timeout=1000) as blocker:
        panel.action_buttons["close"].click()
    assert blocker.args == ["close", 42, 7]
