"""R-PAY, R-CT, R-DISC, R-DUP, R-BUSY, R-REFUND-INLINE, R-SLIP: checkout with the terminal,
end to end through the real screens against the simulator over TCP."""
import pytest

from app.core.payment_state import PaymentState
from tests.ui.terminal_helpers import assert_ledger_agrees_with_terminal, open_day, pay_by_terminal


@pytest.fixture
def checkout(register, terminal):
    open_day(register)
    yield register
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)


def test_full_amount_by_ic_credit(checkout, terminal, printer):
    terminal.approve(brand="VISA", last4="1012", entry_mode="ICC")
    checkout.add_products("ナポリタン", "アイスコーヒー")  # ¥1,460
    checkout.tap("terminalMethodButton")
    checkout.wait_screen("TerminalPickerScreen")
    assert checkout.find("usenpayCreditButton").isEnabled()
    checkout.tap("usenpayCreditButton")
    checkout.wait_screen("CheckoutScreen")
    assert checkout.text("terminalMethodButton") == "USEN PAY"
    checkout.tap("remainingButton")
    checkout.tap("payButton")
    checkout.wait_screen("PaymentConfirmScreen")
    assert checkout.text("methodLabel") == "USEN PAY クレジット"
    assert checkout.text("amountLabel") == "¥1,460"
    checkout.tap("terminalLinkButton")
    checkout.wait_screen("PaymentDoneScreen")
    assert checkout.find("printSlipButton").isVisible()
    [row] = checkout.context.payments.all()
    assert (row.state, row.amount_yen, row.brand, row.card_last4) == ("approved", 1460, "VISA", "1012")
    assert checkout.text("referenceLabel") == row.poi_transaction_id
    checkout.tap("printSlipButton")
    checkout.wait_devices()
    assert [job.copy_label for job in printer.jobs] == ["お客様控", "加盟店控"]
    first = printer.jobs[0].text
    assert "クレジットカード売上票" in first and "(再)" not in first and "************1012" in first
    assert row.poi_transaction_id in first and "￥1,460" in first
    checkout.tap("printSlipButton")
    checkout.wait_devices()
    assert printer.jobs[2].text.startswith("(再)") and printer.jobs[3].reprint
    checkout.tap("okButton")
    checkout.wait_screen("CheckoutDoneScreen")
    [slip] = checkout.slips()
    assert [(t.kind, t.label, t.amount_yen, t.reference) for t in slip.tenders] == [
        ("terminal", "クレジット(VISA)", 1460, row.transaction_id)]
    assert printer.drawer_kicks == 0


def test_emoney_for_part_of_1360_and_cash_for_the_rest(checkout, terminal, printer):
    terminal.approve(brand="iD", last4="5678")
    checkout.add_products("パンケーキ", "アイスコーヒー")
    assert checkout.text("totalLabel") == "¥1,360"
    pay_by_terminal(checkout, "usenpayEmoneyButton", 1000)
    checkout.wait_screen("PaymentDoneScreen")
    checkout.tap("printSlipButton")
    checkout.wait_devices()
    assert "領収書" in printer.jobs[0].text and "iD" in printer.jobs[0].text
    checkout.tap("okButton")
    checkout.wait_screen("CheckoutScreen")  # the rest, with the method back on 現金 (R-PAY 6)
    assert checkout.text("remainingLabel") == "¥360"
    assert checkout.text("methodLabel") == "現金"
    assert checkout.find("cashMethodButton").isChecked()
    assert checkout.text("paymentLabel_0") == "電子マネー(iD)　¥1,000"
    checkout.type_digits("500")
    checkout.tap("payButton")
    checkout.wait_screen("CheckoutDoneScreen")
    assert checkout.text("changeLabel") == "¥140"
    [slip] = checkout.slips()
    assert [(t.kind, t.amount_yen) for t in slip.tenders] == [("terminal", 1000), ("cash", 500)]
    assert slip.change_yen == 140


def test_qr_has_no_slip(checkout, terminal, printer):
    terminal.approve()
    checkout.add_products("プリン")
    pay_by_terminal(checkout, "usenpayQrButton")
    checkout.wait_screen("PaymentDoneScreen")
    assert not checkout.find("okButton").isHidden()
    with pytest.raises(AssertionError):
        checkout.find("printSlipButton")
    checkout.tap("okButton")
    checkout.wait_screen("CheckoutDoneScreen")
    assert printer.jobs == []


def test_cancel_on_the_terminal(checkout, terminal):
    terminal.cancel_on_terminal()
    checkout.add_products("プリン")
    pay_by_terminal(checkout, "usenpayCreditButton")
    dialog = checkout.wait_dialog("CancelMessageDialog")
    assert "キャンセル" in dialog.message
    checkout.tap("closeButton")
    checkout.wait_screen("CheckoutScreen")
    assert checkout.text("remainingLabel") == "¥420"
    assert [r.state for r in checkout.context.payments.all()] == [PaymentState.FAILED]


def test_decline_shows_the_terminal_code(checkout, terminal):
    terminal.decline("E1001")
    checkout.add_products("プリン")
    pay_by_terminal(checkout, "usenpayCreditButton")
    dialog = checkout.wait_dialog("ErrorDialog")
    assert "E1001" in dialog.message and "承認されませんでした" in dialog.message
    checkout.tap("closeButton")
    checkout.wait_screen("CheckoutScreen")
    assert checkout.text("paidLabel") == "¥0"


@pytest.mark.parametrize("choice", ["abort", "continue"])
def test_duplicate_alert(checkout, terminal, choice):
    terminal.duplicate_alert(choice)
    checkout.add_products("パンケーキ")
    pay_by_terminal(checkout, "usenpayCreditButton")
    if choice == "abort":  # 取引中止 → an error, back to 会計画面
        dialog = checkout.wait_dialog("ErrorDialog")
        assert "重複" in dialog.message
        checkout.tap("closeButton")
        checkout.wait_screen("CheckoutScreen")
        assert checkout.slips() == []
    else:  # 続ける → a normal completion
        checkout.wait_screen("PaymentDoneScreen")
        checkout.tap("okButton")
        checkout.wait_screen("CheckoutDoneScreen")
        assert len(checkout.slips()) == 1


def test_busy_terminal_at_checkout(checkout, terminal):
    terminal.busy_once()
    checkout.add_products("プリン")
    pay_by_terminal(checkout, "usenpayCreditButton")
    dialog = checkout.wait_dialog("ErrorDialog")
    assert dialog.windowTitle() == "処理中エラー"
    checkout.tap("closeButton")
    checkout.wait_screen("CheckoutScreen")
    assert [r.state for r in checkout.context.payments.all()] == [PaymentState.FAILED]


def test_disconnect_before_the_card_is_read_charges_nothing(checkout, terminal):
    checkout.add_products("カフェラテ")
    pay_by_terminal(checkout, "usenpayCreditButton")
    checkout.wait_screen("ProcessingScreen")
    checkout.wait_until(lambda: terminal.engine.stage == "wait_card", what="the terminal to wait for the card")
    checkout.tap("disconnectButton")
    dialog = checkout.wait_dialog("CancelMessageDialog")
    assert "決済されていません" in dialog.message
    checkout.tap("closeButton")
    checkout.wait_screen("CheckoutScreen")
    [row] = checkout.context.payments.all()
    assert row.state == PaymentState.FAILED
    assert not any(h["approved"] for h in terminal.history())
    # a new attempt is allowed now, with new ids
    terminal.approve()
    pay_by_terminal(checkout, "usenpayCreditButton")
    checkout.wait_screen("PaymentDoneScreen")
    first, second = checkout.context.payments.all()
    assert first.transaction_id != second.transaction_id and second.state == PaymentState.APPROVED


def test_disconnect_after_the_card_is_read_records_one_payment(checkout, terminal):
    checkout.add_products("カフェラテ")
    pay_by_terminal(checkout, "usenpayCreditButton")
    checkout.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    terminal.present_card("ICC", "JCB", "3333")  # the card is read; PIN next
    checkout.wait_until(lambda: terminal.engine.stage == "wait_pin", what="the PIN prompt")
    checkout.tap("disconnectButton")
    dialog = checkout.wait_dialog("ErrorDialog")  # too late to abort: 要確認, never "failed"
    assert "要確認" in dialog.message
    assert [r.state for r in checkout.context.payments.all()] == [PaymentState.UNKNOWN]
    terminal.enter_pin()  # the customer finishes: the terminal approves
    checkout.wait_screen("PaymentDoneScreen", timeout=8)
    [row] = checkout.context.payments.all()
    assert row.state == PaymentState.APPROVED and row.card_last4 == "3333"
    checkout.tap("okButton")
    checkout.wait_screen("CheckoutDoneScreen")
    [slip] = checkout.slips()
    assert [t.reference for t in slip.tenders] == [row.transaction_id]


def test_non_cash_above_remaining_never_reaches_the_terminal(checkout, terminal):
    checkout.add_products("プリン")
    checkout.tap("terminalMethodButton")
    checkout.tap("usenpayCreditButton")
    checkout.wait_screen("CheckoutScreen")
    checkout.type_digits("500")
    checkout.tap("payButton")
    assert "残額（¥420）を超えて" in checkout.message()
    assert checkout.screen() == "CheckoutScreen"
    assert checkout.context.payments.all() == [] and terminal.history() == []


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


def test_refund_of_a_terminal_payment_during_checkout(checkout, terminal, printer):
    terminal.approve(brand="Mastercard", last4="4444")
    checkout.add_products("タンブラー")  # ¥2,200
    pay_by_terminal(checkout, "usenpayCreditButton", 1000)
    checkout.wait_screen("PaymentDoneScreen")
    checkout.tap("okButton")
    checkout.wait_screen("CheckoutScreen")
    checkout.tap("paymentDelete_0")
    checkout.wait_screen("RefundConfirmScreen")
    assert checkout.text("amountLabel") == "¥1,000"
    checkout.tap("terminalLinkButton")
    checkout.wait_screen("RefundDoneScreen")
    checkout.tap("printSlipButton")
    checkout.wait_devices()
    assert "クレジットカード取消票" in printer.jobs[0].text and "************4444" in printer.jobs[0].text
    checkout.tap("okButton")
    checkout.wait_screen("CheckoutScreen")
    assert checkout.text("paidLabel") == "¥0"
    assert checkout.text("remainingLabel") == "¥2,200"
    payment, refund = checkout.context.payments.all()
    assert (payment.state, refund.kind, refund.state) == (PaymentState.REFUNDED, "refund", PaymentState.APPROVED)
    checkout.pay("cashMethodButton", 3000)
    checkout.wait_screen("CheckoutDoneScreen")
    [slip] = checkout.slips()
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

@pytest.fixture
def ct_checkout(register, terminal):
    open_day(register)
    yield register
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_payment_without_picker(ct_checkout, terminal, printer, terminal_profile):
    terminal.approve(method="emoney", brand="QUICPay")
    ct_checkout.add_products("マフィン")
    pay_by_terminal(ct_checkout)  # 「決済端末」 → amount → 「会計」: no picker
    ct_checkout.wait_screen("PaymentDoneScreen")
    [row] = ct_checkout.context.payments.all()
    assert (row.requested_method, row.method, row.brand) == (None, "emoney", "QUICPay")
    assert len(row.poi_transaction_id) == 5 and row.poi_transaction_id.isdigit()
    assert ct_checkout.find("referenceLabel").text() == row.poi_transaction_id
    with pytest.raises(AssertionError):
        ct_checkout.find("printSlipButton")  # the CT-6100 prints its own slips
    ct_checkout.tap("okButton")
    ct_checkout.wait_screen("CheckoutDoneScreen")
    assert printer.jobs == []


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_reset_cancels(ct_checkout, terminal, terminal_profile):
    terminal.cancel_on_terminal()  # 「リセット」
    ct_checkout.add_products("マフィン")
    pay_by_terminal(ct_checkout)
    ct_checkout.wait_dialog("CancelMessageDialog")
    ct_checkout.tap("closeButton")
    ct_checkout.wait_screen("CheckoutScreen")


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_disconnect_asks_to_return_the_terminal_home_first(ct_checkout, terminal, terminal_profile):
    ct_checkout.add_products("マフィン")
    pay_by_terminal(ct_checkout)
    ct_checkout.wait_until(lambda: terminal.engine.stage == "choose_method", what="the terminal's method choice")
    ct_checkout.tap("disconnectButton")
    dialog = ct_checkout.wait_dialog("DisconnectConfirmDialog")
    assert "ホーム画面" in dialog.message and "フリーズ" in dialog.message
    ct_checkout.tap("cancelButton")  # not yet: nothing is sent
    assert ct_checkout.screen() == "ProcessingScreen"
    ct_checkout.tap("disconnectButton")
    ct_checkout.wait_dialog("DisconnectConfirmDialog")
    ct_checkout.tap("okButton")
    ct_checkout.wait_dialog("CancelMessageDialog")
    ct_checkout.tap("closeButton")
    ct_checkout.wait_screen("CheckoutScreen")
    assert [r.state for r in ct_checkout.context.payments.all()] == [PaymentState.FAILED]


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_refund_shows_the_slip_number_to_key_in(ct_checkout, terminal, terminal_profile):
    terminal.approve(method="credit", brand="VISA")
    ct_checkout.add_products("タンブラー")
    pay_by_terminal(ct_checkout, None, 1000)
    ct_checkout.wait_screen("PaymentDoneScreen")
    ct_checkout.tap("okButton")
    ct_checkout.wait_screen("CheckoutScreen")
    ct_checkout.tap("paymentDelete_0")
    ct_checkout.wait_screen("RefundConfirmScreen")
    [row] = ct_checkout.context.payments.all()
    assert ct_checkout.text("referenceLabel") == f"決済端末で取消する伝票番号：{row.poi_transaction_id}"
    ct_checkout.tap("terminalLinkButton")
    ct_checkout.wait_screen("RefundDoneScreen")
    ct_checkout.tap("okButton")
    ct_checkout.wait_screen("CheckoutScreen")
    assert ct_checkout.text("paidLabel") == "¥0"
