"""``regi-screenshots [DIR]``: render every screen (and the main dialogs) to PNG at
1280×800 and 1920×1080, offscreen, on a throw-away demo ledger with a sample cart.

Look at the PNGs after any UI change: Japanese must render and nothing may be clipped.
It drives the register with the test harness (``RegisterDriver``), so it lives in
``app.testing``, beside it: the register itself never imports the harness (issue 15).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

SIZES = ((1280, 800), (1920, 1080))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="regi-screenshots",
        description="Render every screen and dialog of the register to PNG at 1280×800 and 1920×1080, on a demo "
                    "ledger in a temp dir with the terminal simulator; fails if a screen does not fit, a text is cut "
                    "or two targets overlap.")
    parser.add_argument("out", nargs="?", default="screenshots", type=Path,
                        help="folder for the PNGs, one subfolder per size (default: screenshots)")
    args = parser.parse_args(argv)
    from app.ui.offscreen import use_offscreen

    use_offscreen(os.environ)  # a 1920×1080 offscreen screen, so dialogs are laid out as on the tablet

    from PySide6.QtWidgets import QApplication

    from app.core.terminal.config import DEMO_PAIRING_KEY
    from app.simulator.control import SimulatorControl
    from app.simulator.engine import TerminalEngine
    from app.simulator.server import SimulatorServer
    from app.simulator.window import SimulatorWindow
    from app.testing.driver import RegisterDriver

    app = QApplication.instance() or QApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for profile, walk, with_simulator in (("usenpay", tour, True), ("ct6100", ct6100_tour, False)):
        engine = TerminalEngine(profile)
        server = SimulatorServer(engine, pairing_key=DEMO_PAIRING_KEY).start_in_thread()
        terminal = SimulatorControl(engine, server)
        with tempfile.TemporaryDirectory() as tmp:
            driver = RegisterDriver.start(Path(tmp), settings={"terminal_profile": profile, "terminal_port": server.port})
            try:
                for name, shot in walk(driver, terminal):
                    problems += save_shot(app, args.out, driver, name, shot)
                if with_simulator:
                    window = SimulatorWindow(engine)
                    window.resize(480, 800)
                    window.show()
                    problems += save_shot(app, args.out, driver, "90_SimulatorWindow", window)
                    window.close()
            finally:
                driver.close()
                server.stop_in_thread()
    for problem in problems:
        print("does not fit:", problem, file=sys.stderr)
    return 1 if problems else 0


def save_shot(app, out: Path | None, driver, name: str, shot) -> list[str]:
    """Save ``shot`` at each size (``out=None``: only check it) and return its layout problems. The
    main window is resized to the size; a dialog is drawn over its screen at that size, as the cashier
    sees it; another top-level window (the simulator) is saved once at its own size."""
    from PySide6.QtWidgets import QDialog

    from app.ui.layout_check import layout_problems

    problems = []
    full_screen = getattr(shot, "full_screen", False)  # e.g. the start-up error window
    sizes = SIZES if shot is driver.window or full_screen or isinstance(shot, QDialog) else (None,)
    for size in sizes:
        if size is not None:
            (shot if full_screen else driver.window).resize(*size)
        app.processEvents()
        if shot is driver.window and (shot.width(), shot.height()) != size:
            problems.append(f"{name} needs {shot.width()}x{shot.height()} at {size[0]}x{size[1]}")
        root = driver.window.current_screen if shot is driver.window else shot
        where = f"{size[0]}x{size[1]}" if size else f"{shot.width()}x{shot.height()}"
        problems += [f"{name} at {where}: {problem}" for problem in layout_problems(root)]
        if out is None:
            continue
        picture = over_screen(driver.window, shot) if isinstance(shot, QDialog) else shot.grab()
        path = out / (f"{size[0]}x{size[1]}" if size else "other") / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        picture.save(str(path))
        print(path)
    return problems


def over_screen(window, dialog):
    """The window with ``dialog`` centred over it and the rest shaded, as a modal dialog looks."""
    from PySide6.QtGui import QColor, QPainter

    canvas = window.grab()
    picture = dialog.grab()
    painter = QPainter(canvas)
    painter.fillRect(canvas.rect(), QColor(0, 0, 0, 90))
    painter.drawPixmap((canvas.width() - picture.width()) // 2, (canvas.height() - picture.height()) // 2, picture)
    painter.end()
    return canvas


def tour(driver, terminal):
    """Walk the app through every screen, yielding ``(file name, widget to grab)``.
    ``terminal``: the ``SimulatorControl`` of the simulator the register is linked to."""
    driver.reset_to_login()
    yield "01_LoginScreen", driver.window
    driver.tap_staff("佐藤")
    for key in "9":
        driver.tap(f"key{key}")
    driver.tap("loginButton")
    yield "01b_LoginScreen_error", driver.window
    driver.login("山田 店長", "1234")
    if driver.screen() == "OpenScreen":
        for denomination, count in ((10000, 1), (1000, 10), (500, 10), (100, 30)):
            driver.tap(f"denom_{denomination}")
            driver.type_digits(str(count))
        yield "02_OpenScreen", driver.window
        driver.tap("confirmButton")
    driver.wait_until(lambda: driver.find("terminalStatus").property("linkState") == "connected", what="the link")
    yield "03_TopScreen", driver.window
    terminal.set_battery(7)
    driver.wait_until(lambda: "印刷できません" in driver.text("terminalStatus"), what="the battery warning")
    yield "03b_TopScreen_battery_low", driver.window
    terminal.set_battery(100)
    driver.wait_until(lambda: "充電" not in driver.text("terminalStatus"), what="the battery warning to go")
    driver.tap("checkoutButton")
    driver.add_products("カフェラテ", "ミックスサンド", "チーズケーキ", "タンブラー", "カフェラテ")
    yield "04_CheckoutScreen", driver.window
    driver.tap("otherMethodButton")
    yield "04b_OtherTenderDialog", driver.dialog("OtherTenderDialog")
    driver.tap("tender_gift_voucher")
    driver.type_digits("1000")
    driver.tap("payButton")
    yield "04c_CheckoutScreen_split", driver.window
    driver.tap("cashMethodButton")
    driver.type_digits("10000")
    driver.tap("payButton")
    yield "05_CheckoutDoneScreen", driver.window
    driver.tap("formalReceiptButton")
    yield "05b_FormalReceiptDialog", driver.dialog("FormalReceiptDialog")
    driver.tap("cancelButton")
    yield from _terminal_screens(driver, terminal)
    yield from _slip_screens(driver)
    yield from _stay_up_screens(driver)
    yield from _close_screens(driver)
    yield from _backoffice_screens(driver)


def _terminal_screens(driver, terminal):
    """Paying with the terminal (R-PAY), the in-checkout refund, 設定, 要確認."""
    driver.tap("nextCheckoutButton")
    driver.add_products("パンケーキ", "アイスコーヒー")
    driver.tap("terminalMethodButton")
    yield "08_TerminalPickerScreen", driver.window
    driver.tap("usenpayCreditButton")
    driver.type_digits("1000")
    driver.tap("payButton")
    yield "09_PaymentConfirmScreen", driver.window
    terminal.set_os_update("2031-08-26T00:00:00+09:00")  # seed 003: announced with each payment until then
    driver.tap("terminalLinkButton")
    driver.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    driver.wait_until(lambda: "カード" in driver.text("terminalPromptLabel"), what="the prompt on the register")
    driver.wait_until(lambda: driver.window.current_screen.os_update_label.isVisible(), what="the OS update line")
    yield "10_ProcessingScreen", driver.window
    terminal.set_os_update(None)
    terminal.present_card("ICC", "VISA", "1012")
    driver.wait_until(lambda: terminal.engine.stage == "wait_pin", what="the PIN prompt")
    terminal.enter_pin()
    driver.wait_screen("PaymentDoneScreen")
    yield "11_PaymentDoneScreen", driver.window
    driver.tap("okButton")
    driver.wait_screen("CheckoutScreen")
    yield "12_CheckoutScreen_terminal_paid", driver.window
    driver.tap("paymentDelete_0")
    yield "13_RefundConfirmScreen", driver.window
    yield from _held_refund(driver, terminal, "13r_RefundProcessingScreen")
    driver.wait_screen("RefundDoneScreen")
    yield "14_RefundDoneScreen", driver.window
    driver.tap("okButton")
    driver.wait_screen("CheckoutScreen")
    driver.pay("cashMethodButton", None)
    driver.wait_screen("CheckoutDoneScreen")
    yield from _history_screens(driver, terminal)
    yield from _dialog_screens(driver, terminal)
    row = driver.context.payments.begin(amount_yen=800, method="qr", profile="usenpay", staff_id=driver.context.staff.id)
    driver.context.payments.record_no_answer(row.id, "screenshot: an answer that never came")
    terminal.server.stop_in_thread()  # so it stays 要確認 for the picture
    driver.reset_to_login()
    driver.login("山田 店長", "1234")
    driver.wait_until(lambda: driver.text("reconcileLabel") != "", what="the 要確認 banner")
    yield "15_TopScreen_reconcile", driver.window
    driver.tap("reconcileButton")
    yield "15b_ReconcileDialog", driver.dialog("ReconcileDialog")
    driver.tap("closeButton")
    driver.tap("settingsButton")
    driver.tap("terminalCheckButton")
    driver.wait_until(lambda: "接続できません" in driver.text("terminalCheckResult"), timeout=8, what="the check")
    yield "16_SettingsScreen_check", driver.window
    driver.tap("terminalSettingsTab")
    yield "16b_SettingsScreen_terminal", driver.window
    driver.find("terminalHostEdit").setText("192.168.1.50")  # a LAN terminal with the demo key: refused
    driver.tap("saveSettingsButton")
    yield "16e_SettingsScreen_demo_key_refused", driver.window
    driver.tap("generateKeyButton")
    yield "16f_SettingsScreen_generated_key", driver.window
    yield from _backup_screens(driver)
    driver.tap("backButton")
    driver.tap("checkoutButton")


def _held_refund(driver, terminal, name: str):
    """From RefundConfirmScreen: 「決済端末連携」 with the refund held at the terminal (払戻中), then let go."""
    terminal.hold_refund()
    driver.tap("terminalLinkButton")
    driver.wait_screen("RefundProcessingScreen")
    driver.wait_until(lambda: "払い戻し" in driver.text("terminalPromptLabel"), what="the terminal's prompt")
    yield name, driver.window
    terminal.release_refund()


def _disputed_payment(driver) -> None:
    """A 要対応 row for the tour (issue 9): 未決済 by a manager, then approved by the terminal."""
    from app.core.terminal.results import Outcome, PaymentResult

    book = driver.context.payments
    row = book.begin(amount_yen=1360, method="credit", profile="usenpay", staff_id=driver.context.staff.id)
    book.record_no_answer(row.id, "screenshot")
    book.resolve_manually(row.id, done=False, manager_id=1, reason="決済端末の取引履歴で確認")
    book.record_result(row.id, PaymentResult(Outcome.SUCCESS, "svc", row.transaction_id, 1360,
                                             poi_transaction_id="TSU3-0009999", method="credit", brand="VISA"))


def _history_screens(driver, terminal):
    """決済履歴 and 決済情報照会 (R-HIST, R-INQ): a card sale, its history, a refund from
    there, the 伝票取消 offer, the inquiry. From CheckoutDoneScreen; ends on TopScreen."""
    driver.tap("nextCheckoutButton")
    terminal.approve(brand="VISA", last4="1012")
    _sell_by_terminal_and_open_history(driver, ("ナポリタン", "アイスコーヒー"), "usenpayCreditButton")
    driver.wait_screen("PaymentHistoryScreen")
    yield "17_PaymentHistoryScreen", driver.window
    driver.tap("payment_0")
    yield "17b_OperationChoiceDialog", driver.dialog("OperationChoiceDialog")
    driver.tap("refundButton")
    driver.wait_screen("RefundConfirmScreen")
    yield "17c_RefundConfirmScreen_history", driver.window
    driver.tap("terminalLinkButton")
    driver.wait_screen("RefundDoneScreen")
    driver.tap("okButton")
    driver.wait_screen("PaymentHistoryScreen")
    yield "17d_VoidOfferDialog", driver.wait_dialog("VoidOfferDialog")
    driver.tap("laterButton")
    yield "17e_PaymentHistoryScreen_refunded", driver.window
    driver.tap("backButton")
    driver.tap("backButton")
    driver.tap("backButton")
    driver.wait_screen("TopScreen")
    driver.tap("checkoutButton")
    terminal.approve(brand="WAON")
    _sell_by_terminal_and_open_history(driver, ("プリン",), "usenpayEmoneyButton")
    driver.tap("payment_0")
    driver.tap("refundButton")
    yield "17f_CashRefundDialog", driver.wait_dialog("CashRefundDialog")
    driver.tap("closeButton")
    driver.tap("backButton")
    driver.tap("backButton")
    driver.tap("backButton")
    driver.wait_screen("TopScreen")
    driver.tap("inquiryButton")
    driver.wait_screen("PaymentInquiryScreen")
    yield "18_PaymentInquiryScreen", driver.window
    driver.tap("backButton")
    driver.wait_screen("TopScreen")


def _dialog_screens(driver, terminal):
    """A method not contracted, a decline, a cancel on the terminal, a cashier asking for a
    manager, the print preview. From TopScreen with a manager; ends there."""
    _set_qr_contracted(driver, False)
    driver.tap("checkoutButton")
    driver.add_products("プリン")
    driver.tap("terminalMethodButton")
    driver.wait_screen("TerminalPickerScreen")
    yield "08b_TerminalPickerScreen_not_contracted", driver.window
    terminal.decline("E1001")
    driver.tap("usenpayCreditButton")
    driver.tap("remainingButton")
    driver.tap("payButton")
    driver.tap("terminalLinkButton")
    yield "10b_ErrorDialog_declined", driver.wait_dialog("ErrorDialog")
    driver.tap("closeButton")
    driver.wait_screen("CheckoutScreen")
    terminal.cancel_on_terminal()
    driver.tap("terminalMethodButton")
    driver.tap("usenpayCreditButton")
    driver.tap("remainingButton")
    driver.tap("payButton")
    driver.tap("terminalLinkButton")
    yield "10c_CancelMessageDialog", driver.wait_dialog("CancelMessageDialog")
    driver.tap("closeButton")
    driver.wait_screen("CheckoutScreen")
    driver.pay("cashMethodButton", None)
    driver.wait_screen("CheckoutDoneScreen")
    yield "05c_PrintPreviewDialog", _receipt_preview(driver)
    driver.tap("closeButton")
    driver.tap("topButton")
    _set_qr_contracted(driver, True)
    driver.reset_to_login()
    driver.login("佐藤", "1111")
    driver.wait_screen("TopScreen")
    driver.tap("checkoutButton")
    driver.add_products("プリン")
    driver.tap("lineName_0")
    driver.type_digits("50")
    driver.tap("discountYenButton")
    yield "04d_ManagerAuthDialog", driver.wait_dialog("ManagerAuthDialog")
    driver.tap("cancelButton")
    driver.tap("lineDelete_0")
    driver.tap("backButton")
    driver.reset_to_login()
    driver.login("山田 店長", "1234")
    driver.wait_screen("TopScreen")


def _set_qr_contracted(driver, contracted: bool) -> None:
    """Through 「設定」 > 「決済端末設定」, as a manager would. From and to TopScreen."""
    driver.tap("settingsButton")
    driver.tap("terminalSettingsTab")
    if driver.find("method_qr").isChecked() != contracted:
        driver.tap("method_qr")
    driver.tap("saveSettingsButton")
    driver.tap("backButton")
    driver.wait_screen("TopScreen")


def _receipt_preview(driver):
    """The on-screen print preview (printer kind 「プレビュー」) of the last slip's receipt."""
    from app.core.printing.document import paper_dots
    from app.core.printing.receipt import layout_receipt
    from app.core.receipt_data import receipt_for_slip
    from app.ui.print_preview import PrintPreviewDialog

    settings = driver.context.settings
    slip = driver.context.ledger.slip(driver.window.current_screen.slip_id)  # CheckoutDoneScreen's
    document = layout_receipt(receipt_for_slip(slip, settings), driver.context.printer.columns)
    dialog = PrintPreviewDialog(driver.window, document, paper_dots(settings.printer_paper_mm))
    dialog.open()
    return dialog


def ct6100_tour(driver, terminal):
    """The CT-6100 screens (R-CT): no picker, 切断する asks to send the terminal home first, the
    terminal's slip number on the refund screens."""
    driver.login("山田 店長", "1234")
    if driver.screen() == "OpenScreen":
        driver.open_register(30000)
    driver.wait_until(lambda: driver.find("terminalStatus").property("linkState") == "connected", what="the link")
    driver.tap("checkoutButton")
    driver.add_products("ナポリタン", "アイスコーヒー")
    driver.tap("terminalMethodButton")
    driver.tap("remainingButton")
    driver.tap("payButton")
    driver.wait_screen("PaymentConfirmScreen")
    yield "20_PaymentConfirmScreen_ct6100", driver.window
    driver.tap("terminalLinkButton")
    driver.wait_until(lambda: terminal.engine.stage == "choose_method", what="the terminal's method choice")
    yield "21_ProcessingScreen_ct6100", driver.window
    driver.tap("disconnectButton")
    yield "21b_DisconnectConfirmDialog", driver.wait_dialog("DisconnectConfirmDialog")
    driver.tap("cancelButton")
    terminal.choose_method("credit")
    driver.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    terminal.present_card("ICC", "VISA", "1012")
    driver.wait_until(lambda: terminal.engine.stage == "wait_pin", what="the PIN prompt")
    terminal.enter_pin()
    driver.wait_screen("PaymentDoneScreen")
    yield "22_PaymentDoneScreen_ct6100", driver.window
    driver.tap("okButton")
    driver.wait_screen("CheckoutDoneScreen")
    driver.tap("topButton")
    driver.open_slip_list()
    driver.tap_slip_row(0)
    driver.tap("detailButton")
    yield "23_SlipDetailScreen_ct6100", driver.window
    driver.tap("paymentHistoryButton_0")
    driver.wait_screen("PaymentHistoryScreen")
    yield "24_PaymentHistoryScreen_ct6100", driver.window
    driver.tap("payment_0")
    yield "24b_OperationChoiceDialog_ct6100", driver.wait_dialog("OperationChoiceDialog")
    driver.tap("refundButton")
    driver.wait_screen("RefundConfirmScreen")
    yield "25_RefundConfirmScreen_ct6100", driver.window
    yield from _held_refund(driver, terminal, "25b_RefundProcessingScreen_ct6100")
    driver.wait_screen("RefundDoneScreen")
    yield "26_RefundDoneScreen_ct6100", driver.window
    driver.tap("okButton")


def _slip_screens(driver):
    """伝票明細 (R-HIST): a second sale, the list, the date picker, the detail, a void."""
    driver.add_products("ナポリタン", "アイスコーヒー")
    driver.pay("cashMethodButton", None)
    driver.tap("topButton")
    driver.open_slip_list()
    yield "06_SlipListScreen", driver.window
    driver.tap("dateButton")
    yield "06b_DatePickerDialog", driver.dialog("DatePickerDialog")
    driver.tap("cancelButton")
    driver.open_slip(1)  # the first sale: gift voucher and cash
    yield "07_SlipDetailScreen", driver.window
    driver.tap("voidSlipButton")  # 山田 店長 is a manager: straight to the reason
    yield "07b_VoidReasonDialog", driver.dialog("VoidReasonDialog")
    driver.tap("reason_0")
    driver.tap("confirmButton")
    driver.wait_devices()
    yield "07c_SlipDetailScreen_voided", driver.window
    driver.tap("backButton")
    yield "06c_SlipListScreen_voided", driver.window


def _stay_up_screens(driver):
    """Issue 8: an uncaught error, the simulator that could not start, the start-up errors."""
    from app.simulator_process import SimulatorNotStarted, _not_started
    from app.startup_checks import unwritable_message
    from app.ui.error_reporter import ErrorReporter
    from app.ui.startup_error import StartupErrorWindow
    from app.ui.widgets.dialogs import fit_long_message, show_error

    driver.tap("backButton")
    driver.wait_screen("TopScreen")
    ErrorReporter(driver.window)("1125-1623-7f3a", ZeroDivisionError("division by zero"))
    yield "12_UnexpectedErrorDialog", driver.wait_dialog("ErrorDialog")
    driver.tap("closeButton")
    notice = SimulatorNotStarted(_not_started("ポート 127.0.0.1:9201 は別のプログラムが使用中です")).message
    yield "12b_SimulatorNotStartedDialog", fit_long_message(show_error(driver.window, notice, title="決済端末シミュレーター"))
    driver.tap("closeButton")
    for name, message in (
            ("13_StartupErrorWindow_locked", "この台帳は別の Regi が使用中です（プロセス番号（PID）12345）。\n"
                                             "/home/shop/.local/share/regi/regi.db\n"
                                             "同じ台帳で2つの Regi は起動できません。先に起動した Regi をお使いください。"),
            ("13b_StartupErrorWindow_read_only", unwritable_message(Path("/home/shop/.local/share/regi")))):
        window = StartupErrorWindow(message, "/home/shop/.local/state/regi/log/regi.log")
        window.show()
        yield name, window
        window.close()
        window.deleteLater()


def _close_screens(driver):
    """入金・出金 and 点検・精算 (R-CLOSE), with the 要確認 left by the tour blocking 精算 and the
    terminal (stopped by then) unable to give its totals. From TopScreen."""
    driver.wait_screen("TopScreen")
    driver.tap("cashMoveButton")
    driver.type_digits("5000")
    driver.tap("reason_0")
    yield "30_CashMoveScreen", driver.window
    driver.tap("confirmButton")
    driver.tap("backButton")
    driver.tap("closeDayButton")
    driver.wait_screen("CloseScreen")
    yield "31_CloseScreen_blocked", driver.window
    driver.tap("blocker_0")
    driver.context.coordinator.link_down_grace = 0  # the terminal has been away "a set time" (issue 9)
    for row in driver.context.payments.open_requests():  # a manager's 未決済 (the terminal is away for the tour)
        driver.context.payments.resolve_manually(row.id, done=False, manager_id=driver.context.staff.id,
                                                 reason="決済端末の取引履歴で確認")
    driver.tap("closeButton")
    for denomination, count in ((10000, 3), (5000, 1), (1000, 12), (500, 3), (100, 8)):
        driver.tap(f"denom_{denomination}")
        driver.type_digits(str(count))
    yield "31b_CloseScreen", driver.window
    driver.tap("inspectButton")
    driver.wait_screen("InspectionScreen")
    yield "32_InspectionScreen", driver.window
    driver.tap("backButton")
    driver.tap("settleButton")
    yield "33_TerminalTotalsDialog", driver.wait_dialog("TerminalTotalsDialog")
    driver.tap("reason_1")
    driver.tap("confirmButton")
    yield "33b_DifferenceReasonDialog", driver.wait_dialog("DifferenceReasonDialog")
    driver.tap("reason_1")
    driver.tap("confirmButton")
    driver.wait_screen("InspectionScreen")
    driver.wait_devices()
    yield "34_InspectionScreen_close", driver.window
    driver.window.go("CloseHistoryScreen")
    yield "35_CloseHistoryScreen", driver.window


def _backoffice_screens(driver):
    """設定's back office (SPEC §8): each section, its confirmations, CSV preview and errors,
    and the first-manager dialog of an empty ledger. From anywhere, as a manager; ends on LoginScreen."""
    import tempfile

    driver.window.go("TopScreen")
    driver.wait_screen("TopScreen")
    driver.tap("settingsButton")
    driver.tap("shopTab")
    yield "40_SettingsScreen_shop", driver.window
    driver.enter_text("registrationNumberEdit", "T1000012050002")
    driver.tap("saveShopButton")
    yield "40b_RegistrationConfirmDialog", driver.wait_dialog("RegistrationConfirmDialog")
    driver.tap("cancelButton")
    driver.tap("printerTab")
    driver.tap("printerKind_network")
    driver.enter_text("printerTargetEdit", "127.0.0.1:9")
    driver.tap("testPrintButton")
    driver.wait_devices(10)
    yield "41_SettingsScreen_printer", driver.window
    driver.tap("checkoutRulesTab")
    yield "42_SettingsScreen_checkout_rules", driver.window
    driver.tap("staffTab")
    driver.tap_staff("佐藤")
    yield "43_SettingsScreen_staff", driver.window
    driver.tap("catalogTab")
    yield "44_SettingsScreen_catalog", driver.window
    driver.tap("editProduct_105")
    driver.tap("moveProductUpButton")
    yield "44d_SettingsScreen_catalog_product", driver.window
    driver.tap("editCategoriesButton")
    driver.tap("categoryRow_2")
    yield "44e_CategoryDialog", driver.wait_dialog("CategoryDialog")
    driver.tap("closeButton")
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/products.csv"
        driver.enter_text("csvPathEdit", path)
        driver.tap("exportCsvButton")
        text = open(path, encoding="utf-8-sig").read()
        with open(path, "w", encoding="cp932") as out:  # a Shift_JIS file: two changes and a new product
            out.write(text.replace("ブレンドコーヒー,450", "ブレンドコーヒー,480").replace("紅茶,450,飲食料品,ドリンク,4,1", "紅茶,450,飲食料品,ドリンク,4,0")
                      + "901,季節のタルト,680,飲食料品,スイーツ,9,1\r\n")
        driver.tap("importCsvButton")
        yield "44b_CsvPreviewDialog", driver.wait_dialog("CsvPreviewDialog")
        driver.tap("cancelButton")
        with open(path, "a", encoding="cp932") as out:
            out.write("902,ホールケーキ,12000000,飲食料品,スイーツ,10,1\r\n901,重複,100,標準,スイーツ,11,1\r\n")
        driver.tap("importCsvButton")
        yield "44c_CsvErrorsDialog", driver.wait_dialog("CsvErrorsDialog")
        driver.tap("closeButton")
    driver.tap("backButton")
    driver.reset_to_login()
    from app.ui.backoffice.first_manager import FirstManagerDialog

    dialog = FirstManagerDialog(driver.window.current_screen, driver.ledger, lambda: None)
    dialog.open()
    yield "45_FirstManagerDialog", dialog
    dialog.reject()


def _sell_by_terminal_and_open_history(driver, products, method_button) -> None:
    """A sale paid in full by the terminal, then its 決済履歴 from 伝票明細."""
    driver.add_products(*products)
    driver.tap("terminalMethodButton")
    driver.tap(method_button)
    driver.tap("remainingButton")
    driver.tap("payButton")
    driver.tap("terminalLinkButton")
    driver.wait_screen("PaymentDoneScreen")
    driver.tap("okButton")
    driver.wait_screen("CheckoutDoneScreen")
    driver.tap("topButton")
    driver.open_slip_list()
    driver.tap_slip_row(0)
    driver.tap("detailButton")
    driver.tap("paymentHistoryButton_0")


if __name__ == "__main__":
    sys.exit(main())


def _backup_screens(driver):
    """「今すぐバックアップ」 (issue 13): a failed backup's dialog and top-screen warning, then a good one."""
    from dataclasses import replace

    ledger = driver.ledger
    good = ledger.settings()
    ledger.save_settings(replace(good, backup_dir=str(driver.data_dir / "usb-not-mounted" / "regi")), None)
    driver.tap("backupNowButton")
    yield "16c_BackupResultDialog_failed", driver.wait_dialog("BackupResultDialog")
    driver.tap("closeButton")
    driver.tap("backButton")
    yield "16d_TopScreen_backup_failed", driver.window
    ledger.save_settings(good, None)
    driver.tap("settingsButton")
    driver.tap("backupNowButton")
    yield "16e_BackupResultDialog", driver.wait_dialog("BackupResultDialog")
    driver.tap("closeButton")
