"""SPEC §7: a shop without a printer (the demo) sees each printed document on screen."""

from PySide6.QtWidgets import QLabel

from app.testing.driver import RegisterDriver
from app.ui.print_preview import PrintPreviewDialog, PreviewPrintService


def test_receipt_preview_on_screen(qtbot, tmp_path):
    driver = RegisterDriver.start(tmp_path, printer_service=PreviewPrintService())
    try:
        driver.start_checkout()
        driver.add_products("プリン")
        driver.pay("cashMethodButton", 1000)
        driver.wait_screen("CheckoutDoneScreen")
        driver.tap("printReceiptButton")
        dialog = driver.wait_dialog("PrintPreviewDialog")
        assert isinstance(dialog, PrintPreviewDialog)
        assert "プリン" in "\n".join(dialog.document.text_lines())
        picture = [label for label in dialog.findChildren(QLabel) if label.pixmap() and not label.pixmap().isNull()]
        assert picture and picture[0].pixmap().width() == 576
        driver.tap("closeButton")
        assert driver.dialog("PrintPreviewDialog") is None
    finally:
        driver.close()
