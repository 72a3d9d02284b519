"""Display names of coded values (states, sources) in the interface language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from console.domain.lifecycle import STATE_LABELS
from console.services.duty_roster import role_labels
from console.views.i18n import QT_TRANSLATE_NOOP, pick, use_english

#: Report sources: English source text, translated in the "Labels" context.
SOURCE_NAMES = {
    "inspector": QT_TRANSLATE_NOOP("Labels", "Inspector"),
    "hotline": QT_TRANSLATE_NOOP("Labels", "12345 hotline"),
    "video": QT_TRANSLATE_NOOP("Labels", "Video patrol"),
    "public": QT_TRANSLATE_NOOP("Labels", "Public"),
    "opinion": QT_TRANSLATE_NOOP("Labels", "Public opinion"),
    "grid": QT_TRANSLATE_NOOP("Labels", "Grid staff"),
}


def source_text(code: str) -> str:
    name = SOURCE_NAMES.get(code)
    return QCoreApplication.translate("Labels", name) if name else code


def state_text(code: str | None, label_zh: str | None = None) -> str:
    """A state's name: the table's Chinese label, or its English one with --lang en."""
    if not code:
        return label_zh or ""
    zh, en = STATE_LABELS.get(code, (label_zh or code, code))
    return en if use_english() else (label_zh or zh)


def role_text(code: str) -> str:
    """A role's name from resources/org/roles.csv, in the interface language."""
    return pick(*role_labels().get(code, (code, code)))
