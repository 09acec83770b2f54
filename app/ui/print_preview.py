"""The on-screen printer (SPEC §7) for shops without a receipt printer, and for the demo:
every printed document is rendered as the printer would print it and shown in a
``PrintPreviewDialog`` (objectName) instead of on paper."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QScrollArea, QVBoxLayout

from app.core.printing.config import PrinterConfig
from app.core.printing.document import PrintDocument
from app.core.printing.service import PrintService
from app.ui.widgets.buttons import touch_button


KIND_LABELS = {"receipt": "レシート", "formal_receipt": "領収書", "card_slip": "控え", "emoney_slip": "控え"}


class _Relay(QObject):
    printed = Signal(object)  # PrintDocument, queued to the UI thread


class PreviewPrintService(PrintService):
    """A ``PrintService`` whose paper is the screen. Drawer kicks are accepted (no drawer)."""

    def __init__(self, paper_mm: int = 80, model: str = ""):
        super().__init__(PrinterConfig(kind="none", paper_mm=paper_mm, model=model))
        self.relay = _Relay()
        self.relay.printed.connect(self._show, Qt.QueuedConnection)

    def print_document(self, doc: PrintDocument) -> None:  # worker thread
        super().print_document(doc)
        self.relay.printed.emit(doc)

    def _show(self, doc: PrintDocument) -> None:
        # A dialog without a parent would be collected at once: when no window is active
        # (a dialog just closed and the platform activated nothing), use the register's.
        parent = QApplication.activeWindow() or next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()), None)
        dialog = PrintPreviewDialog(parent, doc, self.config.dots)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()


class PrintPreviewDialog(QDialog):
    def __init__(self, parent, doc: PrintDocument, dots: int):
        super().__init__(parent)
        self.setAttribute(Qt.WA_DeleteOnClose)  # one-shot: deleted once closed, never piled up
        self.setObjectName("PrintPreviewDialog")
        self.setWindowTitle("印刷プレビュー")
        self.setModal(True)
        self.document = doc
        layout = QVBoxLayout(self)
        what = KIND_LABELS.get(doc.kind, "印刷物") + (f"・{doc.copy_label}" if doc.copy_label else "")
        title = QLabel(f"印刷プレビュー（{what}）", self)
        title.setProperty("role", "title")
        layout.addWidget(title)
        from PIL.ImageQt import ImageQt  # Pillow: on the first preview, not at start-up

        from app.core.printing.render import render_image

        image = render_image(doc, dots).convert("L")
        picture = QLabel(self)
        picture.setPixmap(QPixmap.fromImage(ImageQt(image)))
        scroll = QScrollArea(self)
        scroll.setWidget(picture)
        scroll.setMinimumSize(dots + 30, 560)
        layout.addWidget(scroll)
        close = touch_button("閉じる", "closeButton", "primary", self)
        close.clicked.connect(self.accept)
        layout.addWidget(close)
