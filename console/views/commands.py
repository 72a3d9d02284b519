"""The user's commands, declared once as data and rendered into QActions by the main window."""

from __future__ import annotations

from dataclasses import dataclass

from console.views.i18n import QT_TRANSLATE_NOOP


@dataclass(frozen=True)
class Command:
    id: str
    title: str  # English source text; translated with the "Commands" context
    shortcut: str
    menu: str  # "file", "case", "duty", "view", "help"
    toolbar: bool = False


COMMANDS: tuple[Command, ...] = (
    Command(
        "next_case", QT_TRANSLATE_NOOP("Commands", "Next case"), "Ctrl+J", "case", toolbar=True
    ),
    Command("register", QT_TRANSLATE_NOOP("Commands", "Register"), "Ctrl+R", "case", toolbar=True),
    Command("dispatch", QT_TRANSLATE_NOOP("Commands", "Dispatch…"), "Ctrl+D", "case", toolbar=True),
    Command(
        "verify_pass",
        QT_TRANSLATE_NOOP("Commands", "Verify: pass"),
        "Ctrl+Shift+V",
        "case",
        toolbar=True,
    ),
    Command(
        "close", QT_TRANSLATE_NOOP("Commands", "Close case"), "Ctrl+Shift+C", "case", toolbar=True
    ),
    Command("refresh", QT_TRANSLATE_NOOP("Commands", "Refresh"), "F5", "case"),
    Command(
        "remind", QT_TRANSLATE_NOOP("Commands", "Remind me about this case…"), "Ctrl+M", "case"
    ),
    Command("handover", QT_TRANSLATE_NOOP("Commands", "Shift handover…"), "Ctrl+H", "duty"),
    Command("roster", QT_TRANSLATE_NOOP("Commands", "Duty roster"), "", "duty"),
    Command("alarm_settings", QT_TRANSLATE_NOOP("Commands", "Alarm settings…"), "", "duty"),
    Command(
        "evaluation", QT_TRANSLATE_NOOP("Commands", "Monthly evaluation…"), "Ctrl+E", "reports"
    ),
    Command("toggle_dashboard", QT_TRANSLATE_NOOP("Commands", "Show dashboard"), "F12", "view"),
    Command(
        "snooze",
        QT_TRANSLATE_NOOP("Commands", "Silence the alarm for 10 minutes"),
        "Ctrl+Shift+S",
        "duty",
    ),
    Command("focus_search", QT_TRANSLATE_NOOP("Commands", "Find…"), "Ctrl+F", "case"),
    Command("toggle_map", QT_TRANSLATE_NOOP("Commands", "Show map"), "F9", "view"),
    Command("toggle_detail", QT_TRANSLATE_NOOP("Commands", "Show case detail"), "F10", "view"),
    Command("toggle_alerts", QT_TRANSLATE_NOOP("Commands", "Show alerts"), "F11", "view"),
    Command("theme_light", QT_TRANSLATE_NOOP("Commands", "Light theme"), "", "view"),
    Command("theme_dark", QT_TRANSLATE_NOOP("Commands", "Dark theme (night shift)"), "", "view"),
    Command("theme_auto", QT_TRANSLATE_NOOP("Commands", "Theme follows the clock"), "", "view"),
    Command("new_report", QT_TRANSLATE_NOOP("Commands", "New report…"), "Ctrl+N", "file"),
    Command(
        "place_pending", QT_TRANSLATE_NOOP("Commands", "Reports to place on the map…"), "", "file"
    ),
    Command("import_file", QT_TRANSLATE_NOOP("Commands", "Import reports…"), "Ctrl+I", "file"),
    Command("export_queue", QT_TRANSLATE_NOOP("Commands", "Export queue…"), "Ctrl+Shift+E", "file"),
    Command("switch_user", QT_TRANSLATE_NOOP("Commands", "Switch user…"), "Ctrl+U", "file"),
    Command("change_password", QT_TRANSLATE_NOOP("Commands", "Change password…"), "", "file"),
    Command("user_admin", QT_TRANSLATE_NOOP("Commands", "Users and security log…"), "", "file"),
    Command("calendar", QT_TRANSLATE_NOOP("Commands", "Holiday calendar…"), "", "file"),
    Command("quit", QT_TRANSLATE_NOOP("Commands", "Quit"), "Ctrl+Q", "file"),
    Command("shortcuts", QT_TRANSLATE_NOOP("Commands", "Keyboard shortcuts"), "F1", "help"),
)
