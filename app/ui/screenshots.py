"""``regi-screenshots [DIR]``: render every screen (and the main dialogs) to PNG at
1280×800 and 1920×1080, offscreen, on a throw-away demo ledger with a sample cart.

Look at the PNGs after any UI change: Japanese must render and nothing may be clipped.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

SIZES = ((1280, 800), (1920, 1080))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="regi-screenshots")
    parser.add_argument("out", nargs="?", default="screenshots", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from app.core.terminal.config import DEMO_PAIRING_KEY
    from app.simulator.control import SimulatorControl
    from app.simulator.engine import TerminalEngine
    from app.simulator.server import SimulatorServer
    from app.testing.driver import RegisterDriver

    app = QApplication.instance() or QApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    clipped = []
    engine = TerminalEngine("usenpay")
    server = SimulatorServer(engine, pairing_key=DEMO_PAIRING_KEY).start_in_thread()
    terminal = SimulatorControl(engine, server)
    with tempfile.TemporaryDirectory() as tmp:
        driver = RegisterDriver.start(Path(tmp), settings={"terminal_profile": "usenpay", "terminal_port": server.port})
        try:
            for name, shot in tour(driver, terminal):
                for width, height in SIZES:
                    if shot is driver.window:
                        shot.resize(width, height)
                    app.processEvents()
                    if shot is driver.window and (shot.width(), shot.height()) != (width, height):
                        clipped.append(f"{name} needs {shot.width()}x{shot.height()} at {width}x{height}")
                    path = args.out / f"{width}x{height}" / f"{name}.png"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    shot.grab().save(str(path))
                    print(path)
        finally:
            driver.close()
            server.stop_in_thread()
    for problem in clipped:
        print("does not fit:", problem, file=sys.stderr)
    if clipped:
        return 1
    return 0


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
    driver.tap("terminalLinkButton")
    driver.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    driver.wait_until(lambda: "カード" in driver.text("terminalPromptLabel"), what="the prompt on the register")
    yield "10_ProcessingScreen", driver.window
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
    driver.tap("terminalLinkButton")
    driver.wait_screen("RefundDoneScreen")
    yield "14_RefundDoneScreen", driver.window
    driver.tap("okButton")
    driver.wait_screen("CheckoutScreen")
    driver.pay("cashMethodButton", None)
    driver.wait_screen("CheckoutDoneScreen")
    yield from _history_screens(driver, terminal)
    row = driver.context.payments.begin(amount_yen=800, method="qr", profile="usenpay", staff_id=driver.context.staff.id)
    driver.context.payments.record_no_answer(row.id, "screenshot: an answer that never came")
    _disputed_payment(driver)  # 要対応: the terminal approved what a manager had called 未決済
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
    driver.tap("backButton")
    driver.tap("checkoutButton")


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
