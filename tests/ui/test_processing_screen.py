"""決済処理中 / 払戻中 as the cashier reads them (issue 14 items 14, 16, 18; R-PAY 4–5, R-CT, seed 003)."""
from datetime import datetime

from app.simulator.clock import JST
from tests.ui.terminal_helpers import open_day, pay_by_terminal


def test_captions_like_the_manual_and_the_os_update_kept_for_the_whole_payment(terminal_checkout, terminal):
    """An OS update pending (seed 003: announced with each payment until its deadline) is its own
    line with the deadline, still there after the terminal's next prompts."""
    deadline = datetime(2031, 8, 26, 0, 0, tzinfo=JST)
    terminal.set_os_update(deadline.isoformat())
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    terminal_checkout.wait_screen("ProcessingScreen")
    assert terminal_checkout.text("methodCaption") == "決済手段"
    assert terminal_checkout.text("amountCaption") == "決済金額"
    assert (terminal_checkout.text("methodLabel"), terminal_checkout.text("amountLabel")) == ("USEN PAY クレジット", "¥420")
    screen = terminal_checkout.window.current_screen
    terminal_checkout.wait_until(lambda: screen.os_update_label.isVisible(), what="the OS update line")
    assert "2031/08/26 00:00" in terminal_checkout.text("osUpdateLabel")
    terminal.present_card("ICC", "VISA", "1012")
    terminal_checkout.wait_until(lambda: terminal.engine.stage == "wait_pin", what="the PIN prompt")
    terminal_checkout.wait_until(lambda: "暗証番号" in terminal_checkout.text("terminalPromptLabel"), what="the prompt")
    assert "2031/08/26 00:00" in terminal_checkout.text("osUpdateLabel")  # not replaced by the prompt
    terminal.enter_pin()
    terminal_checkout.wait_screen("PaymentDoneScreen")


def test_no_os_update_line_without_a_pending_update(terminal_checkout, terminal):
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    terminal_checkout.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    terminal_checkout.wait_until(lambda: "カード" in terminal_checkout.text("terminalPromptLabel"), what="the prompt")
    assert not terminal_checkout.window.current_screen.os_update_label.isVisible()
    terminal.cancel()
    terminal_checkout.wait_dialog("CancelMessageDialog")
    terminal_checkout.tap("closeButton")


def test_a_refund_held_at_the_terminal_shows_haraimodoshi_until_it_is_done(register, terminal):
    """The simulator's hold_refund keeps 払戻中 on screen (the tour's shot); release_refund ends it."""
    open_day(register, "山田 店長", "1234")
    terminal.approve(brand="VISA")
    register.add_products("プリン")
    pay_by_terminal(register, "usenpayCreditButton", 200)  # part of it: the checkout stays open
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutScreen")
    terminal.hold_refund()
    register.tap("paymentDelete_0")
    register.wait_screen("RefundConfirmScreen")
    register.tap("terminalLinkButton")
    register.wait_screen("RefundProcessingScreen")
    register.wait_until(lambda: "払い戻し" in register.text("terminalPromptLabel"), what="the terminal's prompt")
    assert register.text("waitingLabel") == "決済端末で支払取消を行ってください"
    assert (register.text("amountCaption"), register.text("amountLabel")) == ("払戻金額", "¥200")
    assert register.screen() == "RefundProcessingScreen"  # held: nothing answered yet
    terminal.release_refund()
    register.wait_screen("RefundDoneScreen")
    assert [(row.kind, row.state) for row in register.context.payments.all()] == [
        ("payment", "refunded"), ("refund", "approved")]
