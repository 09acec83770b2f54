"""R-PAY, R-CT, R-DISC, R-DUP, R-BUSY, R-REFUND-INLINE, R-SLIP: terminal_checkout with the terminal,
end to end through the real screens against the simulator over TCP."""
import json

import pytest

from app.core.payment_state import PaymentState
from tests.ui.terminal_helpers import assert_ledger_agrees_with_terminal, open_day, pay_by_terminal


def test_full_amount_by_ic_credit(terminal_checkout, terminal, printer):
    terminal.approve(brand="VISA", last4="1012", entry_mode="ICC")
    terminal_checkout.add_products("ナポリタン", "アイスコーヒー")  # ¥1,460
    terminal_checkout.tap("terminalMethodButton")
    terminal_checkout.wait_screen("TerminalPickerScreen")
    assert terminal_checkout.find("usenpayCreditButton").isEnabled()
    terminal_checkout.tap("usenpayCreditButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    assert terminal_checkout.text("terminalMethodButton") == "USEN PAY"
    terminal_checkout.tap("remainingButton")
    terminal_checkout.tap("payButton")
    terminal_checkout.wait_screen("PaymentConfirmScreen")
    assert terminal_checkout.text("methodLabel") == "USEN PAY クレジット"
    assert terminal_checkout.text("amountLabel") == "¥1,460"
    terminal_checkout.tap("terminalLinkButton")
    terminal_checkout.wait_screen("PaymentDoneScreen")
    assert terminal_checkout.find("printSlipButton").isVisible()
    [row] = terminal_checkout.context.payments.all()
    assert (row.state, row.amount_yen, row.brand, row.card_last4) == ("approved", 1460, "VISA", "1012")
    assert terminal_checkout.text("referenceLabel") == row.poi_transaction_id
    terminal_checkout.tap("printSlipButton")
    terminal_checkout.wait_devices()
    assert [job.copy_label for job in printer.jobs] == ["お客様控", "加盟店控"]
    first = printer.jobs[0].text
    assert "クレジットカード売上票" in first and "(再)" not in first and "************1012" in first
    assert row.poi_transaction_id in first and "￥1,460" in first
    terminal_checkout.tap("printSlipButton")
    terminal_checkout.wait_devices()
    assert printer.jobs[2].text.startswith("(再)") and printer.jobs[3].reprint
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutDoneScreen")
    [slip] = terminal_checkout.slips()
    assert [(t.kind, t.label, t.amount_yen, t.reference) for t in slip.tenders] == [
        ("terminal", "クレジット(VISA)", 1460, row.transaction_id)]
    assert printer.drawer_kicks == 0


def test_emoney_for_part_of_1360_and_cash_for_the_rest(terminal_checkout, terminal, printer):
    terminal.approve(brand="iD", last4="5678")
    terminal_checkout.add_products("パンケーキ", "アイスコーヒー")
    assert terminal_checkout.text("totalLabel") == "¥1,360"
    pay_by_terminal(terminal_checkout, "usenpayEmoneyButton", 1000)
    terminal_checkout.wait_screen("PaymentDoneScreen")
    terminal_checkout.tap("printSlipButton")
    terminal_checkout.wait_devices()
    assert "領収書" in printer.jobs[0].text and "iD" in printer.jobs[0].text
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutScreen")  # the rest, with the method back on 現金 (R-PAY 6)
    assert terminal_checkout.text("remainingLabel") == "¥360"
    assert terminal_checkout.text("methodLabel") == "現金"
    assert terminal_checkout.find("cashMethodButton").isChecked()
    assert terminal_checkout.text("paymentLabel_0") == "電子マネー(iD)　¥1,000"
    terminal_checkout.type_digits("500")
    terminal_checkout.tap("payButton")
    terminal_checkout.wait_screen("CheckoutDoneScreen")
    assert terminal_checkout.text("changeLabel") == "¥140"
    [slip] = terminal_checkout.slips()
    assert [(t.kind, t.amount_yen) for t in slip.tenders] == [("terminal", 1000), ("cash", 500)]
    assert slip.change_yen == 140


def test_qr_has_no_slip(terminal_checkout, terminal, printer):
    terminal.approve()
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayQrButton")
    terminal_checkout.wait_screen("PaymentDoneScreen")
    assert not terminal_checkout.find("okButton").isHidden()
    with pytest.raises(AssertionError):
        terminal_checkout.find("printSlipButton")
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutDoneScreen")
    assert printer.jobs == []


def test_cancel_on_the_terminal(terminal_checkout, terminal):
    terminal.cancel_on_terminal()
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    dialog = terminal_checkout.wait_dialog("CancelMessageDialog")
    assert "キャンセル" in dialog.message
    terminal_checkout.tap("closeButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    assert terminal_checkout.text("remainingLabel") == "¥420"
    assert [r.state for r in terminal_checkout.context.payments.all()] == [PaymentState.FAILED]


def test_decline_shows_the_terminal_code(terminal_checkout, terminal):
    terminal.decline("E1001")
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    dialog = terminal_checkout.wait_dialog("ErrorDialog")
    assert "E1001" in dialog.message and "承認されませんでした" in dialog.message
    terminal_checkout.tap("closeButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    assert terminal_checkout.text("paidLabel") == "¥0"


@pytest.mark.parametrize("choice", ["abort", "continue"])
def test_duplicate_alert(terminal_checkout, terminal, choice):
    terminal.duplicate_alert(choice)
    terminal_checkout.add_products("パンケーキ")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    if choice == "abort":  # 取引中止 → an error, back to 会計画面
        dialog = terminal_checkout.wait_dialog("ErrorDialog")
        assert "重複" in dialog.message
        terminal_checkout.tap("closeButton")
        terminal_checkout.wait_screen("CheckoutScreen")
        assert terminal_checkout.slips() == []
    else:  # 続ける → a normal completion
        terminal_checkout.wait_screen("PaymentDoneScreen")
        terminal_checkout.tap("okButton")
        terminal_checkout.wait_screen("CheckoutDoneScreen")
        assert len(terminal_checkout.slips()) == 1


def test_busy_terminal_at_checkout(terminal_checkout, terminal):
    terminal.busy_once()
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    dialog = terminal_checkout.wait_dialog("ErrorDialog")
    assert dialog.windowTitle() == "処理中エラー"
    terminal_checkout.tap("closeButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    assert [r.state for r in terminal_checkout.context.payments.all()] == [PaymentState.FAILED]


def test_disconnect_before_the_card_is_read_charges_nothing(terminal_checkout, terminal):
    terminal_checkout.add_products("カフェラテ")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    terminal_checkout.wait_screen("ProcessingScreen")
    terminal_checkout.wait_until(lambda: terminal.engine.stage == "wait_card", what="the terminal to wait for the card")
    terminal_checkout.tap("disconnectButton")
    dialog = terminal_checkout.wait_dialog("CancelMessageDialog")
    assert "決済されていません" in dialog.message
    terminal_checkout.tap("closeButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    [row] = terminal_checkout.context.payments.all()
    assert row.state == PaymentState.FAILED
    assert not any(h["approved"] for h in terminal.history())
    # a new attempt is allowed now, with new ids
    terminal.approve()
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    terminal_checkout.wait_screen("PaymentDoneScreen")
    first, second = terminal_checkout.context.payments.all()
    assert first.transaction_id != second.transaction_id and second.state == PaymentState.APPROVED


def test_disconnect_after_the_card_is_read_records_one_payment(terminal_checkout, terminal):
    terminal_checkout.add_products("カフェラテ")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    terminal_checkout.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    terminal.present_card("ICC", "JCB", "3333")  # the card is read; PIN next
    terminal_checkout.wait_until(lambda: terminal.engine.stage == "wait_pin", what="the PIN prompt")
    terminal_checkout.tap("disconnectButton")
    dialog = terminal_checkout.wait_dialog("ErrorDialog")  # too late to abort: 要確認, never "failed"
    assert "要確認" in dialog.message
    assert [r.state for r in terminal_checkout.context.payments.all()] == [PaymentState.UNKNOWN]
    terminal.enter_pin()  # the customer finishes: the terminal approves
    terminal_checkout.wait_screen("PaymentDoneScreen", timeout=8)
    [row] = terminal_checkout.context.payments.all()
    assert row.state == PaymentState.APPROVED and row.card_last4 == "3333"
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutDoneScreen")
    [slip] = terminal_checkout.slips()
    assert [t.reference for t in slip.tenders] == [row.transaction_id]


def test_non_cash_above_remaining_never_reaches_the_terminal(terminal_checkout, terminal):
    terminal_checkout.add_products("プリン")
    terminal_checkout.tap("terminalMethodButton")
    terminal_checkout.tap("usenpayCreditButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    terminal_checkout.type_digits("500")
    terminal_checkout.tap("payButton")
    assert "残額（¥420）を超えて" in terminal_checkout.message()
    assert terminal_checkout.screen() == "CheckoutScreen"
    assert terminal_checkout.context.payments.all() == [] and terminal.history() == []


def test_uncontracted_methods_are_disabled(register, terminal):
    register.context.ledger.save_settings(
        __import__("dataclasses").replace(register.context.settings, terminal_methods=["credit"]), None)
    register.context.reload_settings()
    open_day(register)
    register.add_products("プリン")
    register.tap("terminalMethodButton")
    register.wait_screen("TerminalPickerScreen")
    assert register.find("usenpayCreditButton").isEnabled()
    assert not register.find("usenpayQrButton").isEnabled()
    assert not register.find("usenpayEmoneyButton").isEnabled()


def test_refund_of_a_terminal_payment_during_checkout(terminal_checkout, terminal, printer):
    terminal.approve(brand="Mastercard", last4="4444")
    terminal_checkout.add_products("タンブラー")  # ¥2,200
    pay_by_terminal(terminal_checkout, "usenpayCreditButton", 1000)
    terminal_checkout.wait_screen("PaymentDoneScreen")
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    terminal_checkout.tap("paymentDelete_0")
    terminal_checkout.wait_screen("RefundConfirmScreen")
    assert terminal_checkout.text("amountLabel") == "¥1,000"
    terminal_checkout.tap("terminalLinkButton")
    terminal_checkout.wait_screen("RefundDoneScreen")
    terminal_checkout.tap("printSlipButton")
    terminal_checkout.wait_devices()
    assert "クレジットカード取消票" in printer.jobs[0].text and "************4444" in printer.jobs[0].text
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    assert terminal_checkout.text("paidLabel") == "¥0"
    assert terminal_checkout.text("remainingLabel") == "¥2,200"
    payment, refund = terminal_checkout.context.payments.all()
    assert (payment.state, refund.kind, refund.state) == (PaymentState.REFUNDED, "refund", PaymentState.APPROVED)
    terminal_checkout.pay("cashMethodButton", 3000)
    terminal_checkout.wait_screen("CheckoutDoneScreen")
    [slip] = terminal_checkout.slips()
    assert [t.kind for t in slip.tenders] == ["cash"]


def test_customer_slip_auto_prints_without_tapping(register, terminal, printer):
    from dataclasses import replace

    register.context.ledger.save_settings(replace(register.context.settings, customer_slip_auto=True), None)
    register.context.reload_settings()
    open_day(register)
    terminal.approve(brand="JCB")
    register.add_products("プリン")
    pay_by_terminal(register, "usenpayCreditButton")
    register.wait_screen("PaymentDoneScreen")
    register.wait_until(lambda: len(printer.jobs) == 2, what="the automatic slips")
    assert "クレジットカード売上票" in printer.jobs[0].text
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)


# --- CT-6100 (R-CT): the terminal picks the method, prints its own slips -------------------

@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_payment_without_picker(terminal_checkout, terminal, printer, terminal_profile):
    terminal.approve(method="emoney", brand="QUICPay")
    terminal_checkout.add_products("マフィン")
    pay_by_terminal(terminal_checkout)  # 「決済端末」 → amount → 「会計」: no picker
    terminal_checkout.wait_screen("PaymentDoneScreen")
    [row] = terminal_checkout.context.payments.all()
    assert (row.requested_method, row.method, row.brand) == (None, "emoney", "QUICPay")
    assert len(row.poi_transaction_id) == 5 and row.poi_transaction_id.isdigit()
    assert terminal_checkout.find("referenceLabel").text() == row.poi_transaction_id
    with pytest.raises(AssertionError):
        terminal_checkout.find("printSlipButton")  # the CT-6100 prints its own slips
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutDoneScreen")
    assert printer.jobs == []


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_reset_cancels(terminal_checkout, terminal, terminal_profile):
    terminal.cancel_on_terminal()  # 「リセット」
    terminal_checkout.add_products("マフィン")
    pay_by_terminal(terminal_checkout)
    terminal_checkout.wait_dialog("CancelMessageDialog")
    terminal_checkout.tap("closeButton")
    terminal_checkout.wait_screen("CheckoutScreen")


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_disconnect_asks_to_return_the_terminal_home_first(terminal_checkout, terminal, terminal_profile):
    terminal_checkout.add_products("マフィン")
    pay_by_terminal(terminal_checkout)
    terminal_checkout.wait_until(lambda: terminal.engine.stage == "choose_method", what="the terminal's method choice")
    terminal_checkout.tap("disconnectButton")
    dialog = terminal_checkout.wait_dialog("DisconnectConfirmDialog")
    assert "ホーム画面" in dialog.message and "フリーズ" in dialog.message
    terminal_checkout.tap("cancelButton")  # not yet: nothing is sent
    assert terminal_checkout.screen() == "ProcessingScreen"
    terminal_checkout.tap("disconnectButton")
    terminal_checkout.wait_dialog("DisconnectConfirmDialog")
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_dialog("CancelMessageDialog")
    terminal_checkout.tap("closeButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    assert [r.state for r in terminal_checkout.context.payments.all()] == [PaymentState.FAILED]


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_refund_shows_the_slip_number_to_key_in(terminal_checkout, terminal, terminal_profile):
    terminal.approve(method="credit", brand="VISA")
    terminal_checkout.add_products("タンブラー")
    pay_by_terminal(terminal_checkout, None, 1000)
    terminal_checkout.wait_screen("PaymentDoneScreen")
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    terminal_checkout.tap("paymentDelete_0")
    terminal_checkout.wait_screen("RefundConfirmScreen")
    [row] = terminal_checkout.context.payments.all()
    assert terminal_checkout.text("referenceLabel") == f"取引内容：取消　決済端末で取消する伝票番号：{row.poi_transaction_id}"
    terminal_checkout.tap("terminalLinkButton")
    terminal_checkout.wait_screen("RefundDoneScreen")
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    assert terminal_checkout.text("paidLabel") == "¥0"


# --- issue 12: 控え that tell the truth -----------------------------------------------------

def test_a_slip_whose_first_print_failed_is_not_a_reprint(terminal_checkout, terminal, printer):
    """R-SLIP: a print counts once it was sent whole; the 「再試行」 of a failed first print has no (再)."""
    terminal.approve(brand="VISA", last4="1012")
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayCreditButton")
    terminal_checkout.wait_screen("PaymentDoneScreen")
    printer.fail_next(1, "用紙切れ")
    terminal_checkout.tap("printSlipButton")
    terminal_checkout.wait_devices()
    terminal_checkout.wait_dialog("ErrorDialog")
    assert printer.jobs == []
    terminal_checkout.tap("retryButton")
    terminal_checkout.wait_devices()
    assert [(job.copy_label, job.reprint) for job in printer.jobs] == [("お客様控", False), ("加盟店控", False)]
    assert "(再)" not in printer.jobs[0].text
    terminal_checkout.tap("printSlipButton")  # a second print after one sent whole
    terminal_checkout.wait_devices()
    assert [job.reprint for job in printer.jobs[2:]] == [True, True]
    [row] = terminal_checkout.context.payments.all()
    assert row.slip_prints == 2


def test_emoney_slip_shows_the_member_number(terminal_checkout, terminal, printer):
    """R-SLIP: the terminal sends MemberNumber 「**** 5678」; the 控え prints 会員番号 (last 4 only)."""
    terminal.approve(brand="iD")
    terminal_checkout.add_products("プリン")
    pay_by_terminal(terminal_checkout, "usenpayEmoneyButton")
    terminal_checkout.wait_screen("PaymentDoneScreen")
    terminal_checkout.tap("printSlipButton")
    terminal_checkout.wait_devices()
    [row] = terminal_checkout.context.payments.all()
    member = json.loads(row.slip_data)["MemberNumber"]  # the card the customer tapped: 「**** 7098」
    assert member.startswith("****")
    for job in printer.jobs:
        [line] = [line for line in job.lines if line.startswith("会員番号")]
        assert line.endswith("*" * 12 + member[-4:])


def test_waon_in_checkout_is_refunded_in_cash_without_asking_the_terminal(terminal_checkout, terminal, printer):
    """R-REFUND-INLINE, R-HIST: × on a WAON payment says 「現金で返金してください」 before anything is
    sent, and offers the recorded cash refund, as 決済履歴 does (a cashier needs a manager)."""
    from sqlalchemy import select

    from app.core.ledger.models import DrawerMovement

    terminal.approve(brand="WAON", last4="9999")
    terminal_checkout.add_products("タンブラー")  # ¥2,200
    pay_by_terminal(terminal_checkout, "usenpayEmoneyButton", 1000)
    terminal_checkout.wait_screen("PaymentDoneScreen")
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    terminal_checkout.tap("paymentDelete_0")
    dialog = terminal_checkout.wait_dialog("CashRefundDialog")
    assert "現金で返金してください" in dialog.message and "WAON" in dialog.message
    assert terminal_checkout.screen() == "CheckoutScreen"
    terminal_checkout.tap("cashRefundButton")
    terminal_checkout.wait_dialog("ManagerAuthDialog")
    terminal_checkout.type_digits("1234")  # 山田 店長
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_devices()
    assert "現金 ¥1,000 をお客様にお返しください" in terminal_checkout.message()
    assert terminal_checkout.text("paidLabel") == "¥0" and terminal_checkout.text("remainingLabel") == "¥2,200"
    [payment] = terminal_checkout.context.payments.all()
    assert payment.state == PaymentState.REFUNDED
    assert [h for h in terminal.history() if h["kind"] == "reversal"] == []  # nothing sent
    assert printer.drawer_kicks == 1
    with terminal_checkout.ledger.session() as db:
        [movement] = db.scalars(select(DrawerMovement).where(DrawerMovement.kind == "refund")).all()
    assert movement.amount_yen == -1000


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
@pytest.mark.parametrize("method,caption", [("qr", "注文番号"), ("credit", "伝票番号")])
def test_ct6100_payment_done_names_the_number_as_決済履歴_does(terminal_checkout, terminal, terminal_profile,
                                                               method, caption):
    """seed 002 4-4: a code payment's number is the 注文番号."""
    terminal.approve(method=method, brand="PayPay" if method == "qr" else "VISA")
    terminal_checkout.add_products("マフィン")
    pay_by_terminal(terminal_checkout)
    terminal_checkout.wait_screen("PaymentDoneScreen")
    [row] = terminal_checkout.context.payments.all()
    assert terminal_checkout.text("referenceCaption") == caption
    assert terminal_checkout.text("referenceLabel") == row.poi_transaction_id
