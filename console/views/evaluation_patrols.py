"""The evaluation's patrol tab (网格定期巡查): 巡查覆盖率 per street, area, unit or grid and
the district, and per patrolling person 巡查次数, 巡查里程 and 上报数.

Reads a console.services.evaluation.patrols.PatrolSection by attribute only; informational
(the figures are in no composite). Names are untrusted text: every cell is a plain item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.views.i18n import pick

if TYPE_CHECKING:
    from console.services.evaluation.patrols import PatrolCoverage, PatrolSection

LEVELS = ("street", "area", "unit", "grid")


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1f}%"


class PatrolPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evaluationPatrols")
        self.section: PatrolSection | None = None
        self.note_label = QLabel()
        self.note_label.setObjectName("patrolNote")
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)
        self.note_label.setWordWrap(True)
        self.level_combo = QComboBox()
        self.level_combo.setObjectName("patrolLevel")
        names = {
            "street": self.tr("Streets"),
            "area": self.tr("Areas"),
            "unit": self.tr("Units"),
            "grid": self.tr("Grids"),
        }
        for level in LEVELS:
            self.level_combo.addItem(names[level], level)
        self.coverage_table = self._table(
            "patrolCoverage",
            [
                self.tr("Name"),
                self.tr("Grids"),
                self.tr("Patrols due"),
                self.tr("Patrols done"),
                self.tr("Patrol coverage"),
                self.tr("Grids patrolled"),
                self.tr("Track inside (m)"),
            ],
        )
        self.people_table = self._table(
            "patrolPeople",
            [
                self.tr("Name"),
                self.tr("Role"),
                self.tr("Patrols"),
                self.tr("Distance (km)"),
                self.tr("Reported"),
            ],
        )
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Patrol coverage of")))
        top.addWidget(self.level_combo)
        top.addStretch(1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.coverage_table)
        splitter.addWidget(self.people_table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note_label)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.level_combo.currentIndexChanged.connect(self._on_level_combo_changed)

    @staticmethod
    def _table(name: str, heads: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(heads))
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(heads)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        return table

    def current_level(self) -> str:
        return str(self.level_combo.currentData())

    def _on_level_combo_changed(self, _index: int) -> None:
        self._pull_coverage()

    # -- model to widget ---------------------------------------------------------------

    def show_section(self, section: PatrolSection | None) -> None:
        self.section = section
        if section is None:
            self.note_label.setText(self.tr("No patrol figures in this report."))
            for table in (self.coverage_table, self.people_table):
                table.setRowCount(0)
            return
        district = section.district
        self.note_label.setText(
            self.tr(
                "District patrol coverage %1 (%2 of %3 due, %4 days counted); "
                "patrols open now: %5. Informational: in no composite."
            )
            .replace("%1", rate_text(district.rate))
            .replace("%2", str(district.met))
            .replace("%3", str(district.required))
            .replace("%4", str(section.days))
            .replace("%5", str(section.open_now))
        )
        self._pull_coverage()
        people = list(section.people)
        self.people_table.setRowCount(len(people))
        for r, p in enumerate(people):
            cells = (
                p.name,
                pick(p.role_zh, p.role_en),
                str(p.patrols),
                f"{p.distance_km:.2f}",
                str(p.reported),
            )
            self._fill(self.people_table, r, cells)

    def _pull_coverage(self) -> None:
        rows: list[PatrolCoverage] = (
            list(self.section.by_level.get(self.current_level(), ())) if self.section else []
        )
        self.coverage_table.setRowCount(len(rows))
        for r, c in enumerate(rows):
            cells = (
                c.name,
                str(c.grids),
                str(c.required),
                str(c.met),
                rate_text(c.rate),
                str(c.grids_visited),
                f"{c.metres:.0f}",
            )
            self._fill(self.coverage_table, r, cells)

    @staticmethod
    def _fill(table: QTableWidget, row: int, cells: tuple[Any, ...]) -> None:
        for c, text in enumerate(cells):
            item = QTableWidgetItem(str(text))
            if c >= 2 or (table.objectName() == "patrolCoverage" and c >= 1):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(row, c, item)
