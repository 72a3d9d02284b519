"""The console's display language: Chinese by default, English on request.

Widget text goes through ``self.tr("English source")`` and Qt's translator. Domain labels
(states, actions, queue tabs) come from the reference data as a Chinese/English pair; a view
picks one with :func:`use_english` (or :func:`pick`). The app calls :func:`set_language` once
at start-up (and again when the user switches), which also sets Qt's default locale so that
``QLocale().language()`` agrees with :func:`use_english`.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale

#: The language code in force ("zh", "zh_CN", "en", "en_US", ...).
_language = "zh"


def set_language(code: str | None) -> None:
    """Switch the display language; ``None`` or "" means the default (Chinese)."""
    global _language
    _language = (code or "zh").strip() or "zh"
    QLocale.setDefault(QLocale(_language.replace("-", "_")))


def language() -> str:
    """The language code in force."""
    return _language


def use_english() -> bool:
    """True when domain labels should be shown in English (label_en), else Chinese."""
    return _language.lower().startswith("en")


def pick(label_zh: str, label_en: str) -> str:
    """The label of a zh/en pair for the language in force (falls back to the other one)."""
    if use_english():
        return label_en or label_zh
    return label_zh or label_en


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Mark ``text`` for translation in ``context`` (pyside6-lupdate finds the call by name);
    returns it unchanged. Qt's own is typed as returning ``object``."""
    del context
    return text
