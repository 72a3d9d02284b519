"""Help → Keyboard shortcuts lists every command that has a shortcut, with its keys."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from console.views.commands import COMMANDS
from console.views.shortcuts_dialog import ShortcutsDialog


def test_every_command_with_a_shortcut_is_listed(qtbot: QtBot) -> None:
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    table = dialog.table
    with_keys = [c for c in COMMANDS if c.shortcut]
    assert table.rowCount() == len(with_keys) > 5
    keys = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert "Ctrl+J" in keys and "Ctrl+N" in keys
    titles = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert all(titles)
