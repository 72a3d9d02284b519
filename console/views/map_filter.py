"""The map's 职能 filter: a box over the map, 全部职能 or one of the five functions of grid work.

The map's case layer and its choropleth then show that function's open cases only; the owner
(the main window) reads them through ``Workbench.map_markers(function)``, filtered in SQL like
the queue's 职能 filter. The box only says which function: it never reads the database.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from console.views.i18n import use_english

# Where the chosen function is kept between sessions ("" for all).
SETTINGS_KEY = "map/function"


class MapFilterBar(QWidget):
    """The 职能 box. ``changed`` when the dispatcher picks another function (or all)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapFilterBar")
        self.function_box = QComboBox()
        self.function_box.setObjectName("mapFunctionFilter")
        self.function_box.setToolTip(self.tr("Show the cases of one function only"))
        self.function_box.addItem(self.tr("All functions"), None)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.function_box)
        row.addStretch(1)
        self.function_box.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def function(self) -> str | None:
        """The chosen function's Chinese name (the services' value), or None for all."""
        value = self.function_box.currentData()
        return str(value) if value else None

    def set_functions(
        self, functions: Sequence[tuple[str, str]], settings: QSettings | None = None
    ) -> None:
        """Fill the box with (Chinese name, English name) pairs (resources/org/functions.csv,
        through FilterChoices), keeping the choice, or restoring the one in ``settings``;
        ``changed`` is emitted only if the function shown changes."""
        before = self.function()
        wanted = before
        if settings is not None and settings.contains(SETTINGS_KEY):
            wanted = str(settings.value(SETTINGS_KEY) or "") or None
        english = use_english()
        self.function_box.blockSignals(True)
        try:
            self.function_box.clear()
            self.function_box.addItem(self.tr("All functions"), None)
            for zh, en in functions:
                self.function_box.addItem(en if english else zh, zh)
            at = self.function_box.findData(wanted) if wanted else 0
            self.function_box.setCurrentIndex(max(at, 0))
        finally:
            self.function_box.blockSignals(False)
        if self.function() != before:
            self.changed.emit()

    def choose(self, function: str | None) -> None:
        """Pick ``function`` (its Chinese name; None: all), as the dispatcher would."""
        at = self.function_box.findData(function) if function else 0
        if at < 0:
            raise ValueError(f"not a function of the map's box: {function}")
        self.function_box.setCurrentIndex(at)

    def save(self, settings: QSettings) -> None:
        settings.setValue(SETTINGS_KEY, self.function() or "")


def map_with_filter(bar: MapFilterBar, map_widget: QWidget) -> QWidget:
    """The map dock's content: the filter bar over the map."""
    box = QWidget()
    box.setObjectName("mapWithFilter")
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(bar)
    column.addWidget(map_widget, 1)
    return box
