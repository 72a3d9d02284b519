"""The import dialog on a real SQLite demo database: real widgets, the real bridge worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.bridge import Bridge
from console.db import Database
from console.models import CaseEvent
from console.services.workbench import Workbench
from console.views.import_dialog import ImportDialog
from tests.conftest import Clock
from tests.services.ingest.support import case_count, points


@pytest.fixture
def keep() -> Iterator[list[object]]:
    """Widgets made in a test, held until the bridge's worker has stopped: a finished call
    may still hold the last reference to one, and a widget must not die on that thread."""
    widgets: list[object] = []
    yield widgets
    widgets.clear()


@pytest.fixture
def bridge(keep: list[object]) -> Iterator[Bridge]:
    bridge = Bridge()
    yield bridge
    bridge.shutdown()


@pytest.fixture
def open_dialog(
    qtbot: QtBot, bridge: Bridge, keep: list[object], demo_db: Database, clock: Clock
) -> Callable[[str], ImportDialog]:
    """``open_dialog(user)``: the dialog on the demo database, shown, signed in as ``user``."""

    def open_as(user: str) -> ImportDialog:
        dialog = ImportDialog(bridge, Workbench(demo_db, username=user, clock=clock))
        qtbot.addWidget(dialog)
        keep.append(dialog)
        dialog.show()
        return dialog

    return open_as


def _csv(db: Database, path: Path, rows: int, *, bad: int = 0) -> Path:
    pts = points(db, 20)
    lines = ["外部编号,类别代码,类型,经度,纬度,问题描述,地址"]
    for i in range(rows):
        x, y = pts[i % len(pts)]
        lines.append(f"G{i:06d},0102,事件,{x},{y},垃圾堆积,莲湖路{i}号")
    lines += [f"X{i},9999,事件,1,2,坏,路" for i in range(bad)]
    path.write_bytes("\n".join(lines).encode("gbk"))
    return path


def test_import_a_small_csv_through_the_dialog(
    qtbot: QtBot, open_dialog: Callable[[str], ImportDialog], demo_db: Database, tmp_path: Path
) -> None:
    # A duty chief holds import_cases but does not report cases: the import goes in as 受理.
    dialog = open_dialog("duty_chief")
    path = _csv(demo_db, tmp_path / "上报.csv", 3, bad=1)
    assert not dialog.import_button.isEnabled()
    dialog.set_file(path, "csv", "hotline")
    assert dialog.import_button.isEnabled()
    shown: list[bool] = []
    steps: list[tuple[int, int]] = []

    def on_progress(done: int, total: int) -> None:
        steps.append((done, total))
        shown.append(dialog.progress.isVisible())

    dialog.progress_changed.connect(on_progress)
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000) as finished:
        dialog.import_button.click()
    result = finished.args[0]
    assert result.accepted == 3 and len(result.rejected) == 1
    assert steps and steps[-1] == (4, 4) and all(shown)
    assert not dialog.progress.isVisible()
    text = dialog.summary_label.text()
    assert dialog.tr("Accepted: %1").replace("%1", "3") in text
    assert dialog.tr("Rejected: %1").replace("%1", "1") in text
    assert str(tmp_path / "上报.csv.report.csv") in text
    assert dialog.open_report_button.isVisible() and dialog.open_report_button.isEnabled()
    assert case_count(demo_db) == 3
    with demo_db.read() as s:
        roles = set(s.scalars(select(CaseEvent.actor_role)))
        names = set(s.scalars(select(CaseEvent.actor_name)))
    assert roles == {"intake"} and names == {dialog.workbench.actor.name}
    # The same file again: all duplicates, nothing added.
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000) as again:
        dialog.import_button.click()
    assert again.args[0].accepted == 0 and again.args[0].duplicates == 3
    assert case_count(demo_db) == 3


def test_the_format_box_and_file_filter_are_the_registry(
    open_dialog: Callable[[str], ImportDialog],
) -> None:
    """The dialog keeps no list of its own (console.services.ingest.registry, issue 14 §2)."""
    from console.services.ingest.registry import FORMAT_NAMES, file_patterns

    dialog = open_dialog("intake")
    box = dialog.format_box
    assert [box.itemData(i) for i in range(box.count())] == ["auto", *FORMAT_NAMES]
    assert all(p.startswith("*.") for p in file_patterns())


def test_dry_run_imports_nothing(
    qtbot: QtBot, open_dialog: Callable[[str], ImportDialog], demo_db: Database, tmp_path: Path
) -> None:
    dialog = open_dialog("intake")
    dialog.set_file(_csv(demo_db, tmp_path / "d.csv", 5))
    dialog.dry_run_box.setChecked(True)
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000) as finished:
        dialog.import_button.click()
    assert finished.args[0].dry_run and finished.args[0].accepted == 0
    assert case_count(demo_db) == 0


def test_cancel_halfway_leaves_nothing_written(
    qtbot: QtBot, open_dialog: Callable[[str], ImportDialog], demo_db: Database, tmp_path: Path
) -> None:
    dialog = open_dialog("intake")
    dialog.set_file(_csv(demo_db, tmp_path / "big.csv", 20_000))
    clicked: list[int] = []

    def cancel_on_first_progress(done: int, total: int) -> None:
        if not clicked:
            clicked.append(done)
            button = dialog.progress.findChild(QPushButton)
            assert button is not None and button.isVisible()
            button.click()  # the progress dialog's own Cancel button

    dialog.progress_changed.connect(cancel_on_first_progress)
    with qtbot.waitSignal(dialog.import_failed, timeout=60_000) as failed:
        dialog.import_button.click()
    assert failed.args[0] == "cancelled"
    assert clicked and clicked[0] < 20_000
    assert case_count(demo_db) == 0
    assert not (tmp_path / "big.csv.report.csv").exists()
    assert not dialog.progress.isVisible() and dialog.import_button.isEnabled()


def test_a_role_without_import_permission_is_refused(
    qtbot: QtBot, open_dialog: Callable[[str], ImportDialog], demo_db: Database, tmp_path: Path
) -> None:
    dialog = open_dialog("dispatcher")
    dialog.set_file(_csv(demo_db, tmp_path / "p.csv", 2))
    with qtbot.waitSignal(dialog.import_failed, timeout=30_000) as failed:
        dialog.import_button.click()
    assert failed.args[0] == "permission_denied"
    assert case_count(demo_db) == 0


def test_unreadable_file_reports_the_reason(
    qtbot: QtBot, open_dialog: Callable[[str], ImportDialog], demo_db: Database, tmp_path: Path
) -> None:
    dialog = open_dialog("intake")
    dialog.set_file(tmp_path / "missing.csv")
    with qtbot.waitSignal(dialog.import_failed, timeout=30_000) as failed:
        dialog.import_button.click()
    assert failed.args[0] == "unreadable"
    assert "missing.csv" in dialog.summary_label.text()


def test_the_window_menu_opens_the_dialog_for_roles_that_may_import(
    qtbot: QtBot,
    bridge: Bridge,
    keep: list[object],
    demo_db: Database,
    clock: Clock,
    tmp_path: Path,
) -> None:
    from PySide6.QtCore import QSettings

    from console.services.queue import QueueFilter, queue_tabs
    from console.views.main_window import MainWindow

    def window(user: str) -> MainWindow:
        win = MainWindow(
            bridge,
            Workbench(demo_db, username=user, clock=clock),
            tabs=queue_tabs(),
            filter_type=QueueFilter,
            settings=QSettings(str(tmp_path / f"{user}.ini"), QSettings.Format.IniFormat),
            theme="light",
        )
        qtbot.addWidget(win)
        keep.append(win)
        return win

    chief = window("duty_chief")
    action = chief.actions_by_id["import_file"]
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+I"
    assert chief.actions_by_id["export_queue"].isEnabled()
    action.trigger()
    assert chief.import_dialog.isVisible()
    inspector = window("inspector")  # sees the queues; neither imports nor exports
    assert not inspector.actions_by_id["import_file"].isEnabled()
    assert not inspector.actions_by_id["export_queue"].isEnabled()
    assert not inspector.queue.export_action.isEnabled()
