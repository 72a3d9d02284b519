"""zh_CN is complete: every tr() string of the views is in the .ts, translated, and compiled."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from console.config import resource

ROOT = Path(__file__).resolve().parents[2]


def tool(name: str) -> str:
    path = Path(sys.executable).with_name(name)
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} not found: it ships with PySide6")
    return found


def test_every_view_string_is_translated(tmp_path: Path) -> None:
    ts = tmp_path / "console_zh_CN.ts"
    shutil.copy(resource("i18n", "console_zh_CN.ts"), ts)
    sources = sorted(str(p) for p in (ROOT / "console" / "views").glob("*.py"))
    subprocess.run(
        [tool("pyside6-lupdate"), *sources, "-ts", str(ts), "-no-obsolete"],
        check=True,
        capture_output=True,
    )
    untranslated = [
        m.findtext("source")
        for m in ET.parse(ts).iter("message")
        if m.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert untranslated == [], "add zh_CN translations (pyside6-linguist) for these"


def test_compiled_catalogue_is_current(tmp_path: Path) -> None:
    qm = tmp_path / "console_zh_CN.qm"
    subprocess.run(
        [tool("pyside6-lrelease"), str(resource("i18n", "console_zh_CN.ts")), "-qm", str(qm)],
        check=True,
        capture_output=True,
    )
    assert qm.read_bytes() == resource("i18n", "console_zh_CN.qm").read_bytes(), (
        "run pyside6-lrelease resources/i18n/console_zh_CN.ts"
    )


def test_translation_loads_and_translates(qapp: object) -> None:
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(resource("i18n", "console_zh_CN.qm")))
    assert translator.translate("MainWindow", "Case detail") == "案件详情"
    assert translator.translate("Commands", "Dispatch…") == "派遣…"
