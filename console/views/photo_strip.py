"""The case's photos in the detail: thumbnails in a row, a click shows one full size.

Fed with console.services.cases.photos.CasePhoto records (bytes read on the worker). Each
thumbnail's tooltip says which step it documents (上报, 处置反馈 …), when and the file name, as
plain text; the image itself is decoded by Qt from the bytes, never from a path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.views.formatting import local_time_text, plain_tooltip
from console.views.i18n import pick

if TYPE_CHECKING:
    from console.services.cases.photos import CasePhoto

THUMB = 72


class PhotoStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoStrip")
        self.case_id: int | None = None
        self.buttons: list[QToolButton] = []
        self._photos: list[tuple[CasePhoto, QPixmap]] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self.empty = QLabel("—", self)
        self._row.addWidget(self.empty)
        self._row.addStretch(1)
        self.viewer: QDialog | None = None

    def show_photos(self, case_id: int, photos: Sequence[CasePhoto]) -> None:
        self.case_id = case_id
        for button in self.buttons:
            self._row.removeWidget(button)
            button.deleteLater()
        self.buttons, self._photos = [], []
        for photo in photos:
            pixmap = QPixmap()
            if not pixmap.loadFromData(photo.data):
                continue  # not an image Qt can read: leave it out rather than show a blank
            button = QToolButton(self)
            button.setObjectName("photoThumb")
            button.setIcon(QIcon(pixmap))
            button.setIconSize(QSize(THUMB, THUMB))
            button.setToolTip(  # the file name is the uploader's: never markup
                plain_tooltip(
                    f"{pick(photo.step_zh, photo.step_en)} · {local_time_text(photo.uploaded_at)}"
                    f" · {photo.filename}"
                )
            )
            index = len(self._photos)
            button.clicked.connect(lambda _=False, i=index: self.open_photo(i))
            self._row.insertWidget(self._row.count() - 1, button)
            self.buttons.append(button)
            self._photos.append((photo, pixmap))
        self.empty.setVisible(not self.buttons)

    def open_photo(self, index: int) -> QDialog:
        """The photo full size (scaled down to the screen when larger), in its own window."""
        photo, pixmap = self._photos[index]
        if self.viewer is not None:
            self.viewer.close()
        viewer = QDialog(self)
        viewer.setObjectName("photoViewer")
        viewer.setWindowTitle(
            f"{pick(photo.step_zh, photo.step_en)} · {local_time_text(photo.uploaded_at)}"
        )
        label = QLabel(viewer)
        label.setObjectName("photoFull")
        screen = self.screen().availableGeometry().size() * 0.85
        shown = pixmap
        if pixmap.width() > screen.width() or pixmap.height() > screen.height():
            shown = pixmap.scaled(
                screen,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        label.setPixmap(shown)
        scroll = QScrollArea(viewer)
        scroll.setWidget(label)
        scroll.setWidgetResizable(True)
        QVBoxLayout(viewer).addWidget(scroll)
        viewer.resize(shown.size() + QSize(40, 40))
        viewer.show()
        self.viewer = viewer
        return viewer
