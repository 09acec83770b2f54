"""Issue 16 through the real screens, the cases test_exactly_once.py does not drive: a refund
whose terminal restarts and forgets (case 3: never 失敗), two payments of two journals with
the same number (case 3: never confused), and the register dying mid-refund (case 4), with
its answer lost on the link (the ``link_faults`` fixture of app.testing)."""
import pytest

from app.core.payment_state import PaymentState
from tests.ui.terminal_helpers import assert_ledger_agrees_with_terminal, open_day
from tests.ui.test_history import choose, refund_through_terminal, reversals, sell, to_history

MANAGER = ("山田 店長", "1234")


def test_a_refund_the_terminal_forgot_stays_unknown_and_is_not_sent_again(register, terminal):
    """The terminal refunds, restarts and loses its journal before answering: asked, the new
    journal says "not found" — the refund is 要確認 for a manager, never 失敗, and the
    payment cannot be refunded again."""
    open_day(register, *MANAGER)
    payment = sell(register, terminal, "usenpayCreditButton", "プリン")
    to_history(register)
    terminal.restart_during(approved=True, target="reversal", forget=True)
    choose(register, "refundButton")
    register.wait_screen("RefundConfirmScreen")
    register.tap("terminalLinkButton")
    [refund] = register.context.payments.refunds_of(payment.id)
    register.wait_until(lambda: register.context.coordinator.why(refund.id) == "journal_lost"
                        and not register.context.coordinator.busy(refund.id), timeout=20, what="the status answer")
    assert register.context.payments.get(refund.id).state == PaymentState.UNKNOWN
    assert register.context.payments.get(payment.id).state == PaymentState.APPROVED
    register.wait_until(lambda: register.dialog("ErrorDialog") is not None
                        and "記録を失って" in register.dialog("ErrorDialog").message, what="the manager told why")
    register.tap("closeButton")
    register.wait_until(lambda: register.text("paymentStatus_0") == "払い戻し確認中", what="the row")
    register.tap("payment_0")
    register.wait_dialog("RefundCheckingDialog")  # 再確認 offered, no 取消
    assert len(register.context.payments.all()) == 2  # nothing sent again
    assert reversals(terminal) == []  # the new journal knows nothing of it: only a manager can say


def test_two_journals_numbering_alike_are_never_confused(register, terminal):
    """The terminal lost its journal and numbers from the start again: the new payment may
    carry the old one's number. 取消 of the new one refunds the new one; the old one is not
    sent to the terminal (its number now names another payment)."""
    open_day(register, *MANAGER)
    old = sell(register, terminal, "usenpayCreditButton", "プリン")
    terminal.lose_journal()
    terminal.drop_link()  # the register logs in again and learns the new journal
    register.wait_until(lambda: register.context.terminal.state.journal_id == terminal.journal_id(), timeout=20,
                        what="the register to see the new journal")
    register.tap("checkoutButton")
    new = sell(register, terminal, "usenpayCreditButton", "カフェラテ")
    assert new.poi_transaction_id == old.poi_transaction_id  # the same 受注コード, two journals
    to_history(register, slip_number=2)
    choose(register, "refundButton")
    refund_through_terminal(register)
    [made] = reversals(terminal)
    assert made["original"] == new.poi_transaction_id and made["amount"] == new.amount_yen
    assert register.context.payments.get(new.id).state == PaymentState.REFUNDED
    assert register.context.payments.get(old.id).state == PaymentState.APPROVED
    register.tap("okButton")
    register.wait_dialog("VoidOfferDialog")
    register.tap("laterButton")
    register.tap("backButton")
    register.wait_screen("SlipDetailScreen")
    register.tap("backButton")
    register.wait_screen("SlipListScreen")
    register.open_slip(1)
    register.tap("paymentHistoryButton_0")
    register.wait_screen("PaymentHistoryScreen")
    choose(register, "refundButton")
    register.wait_screen("RefundConfirmScreen")
    register.tap("terminalLinkButton")
    register.wait_until(lambda: "取引記録が変わった" in register.message(), what="the refusal")
    assert len(reversals(terminal)) == 1  # nothing sent for the old one
    assert register.context.payments.get(old.id).state == PaymentState.APPROVED
    assert len(register.context.payments.refunds_of(old.id)) == 0

@pytest.mark.parametrize("terminal_profile", ["usenpay", "ct6100"])
def test_the_register_dies_mid_refund_and_the_next_one_records_it_once(register, terminal, link_faults,
                                                                         terminal_profile):
    """The terminal refunds; its answer is lost on the link; the register dies (no Logout).
    The next register asks by itself: the refund is recorded once, nothing is sent again."""
    open_day(register, *MANAGER)
    button = "usenpayCreditButton" if terminal_profile == "usenpay" else None
    payment = sell(register, terminal, button, "プリン", method="credit")
    to_history(register)
    link_faults.lose_answers = True
    choose(register, "refundButton")
    register.wait_screen("RefundConfirmScreen")
    register.tap("terminalLinkButton")
    register.wait_until(lambda: reversals(terminal), what="the terminal to refund")
    restarted = register.crash_and_restart()
    link_faults.lose_answers = False
    restarted.login(*MANAGER)
    restarted.wait_screen("TopScreen")
    [refund] = restarted.context.payments.refunds_of(payment.id)
    restarted.wait_until(lambda: restarted.context.payments.get(refund.id).state == PaymentState.APPROVED,
                         timeout=20, what="the refund, asked about without a tap")
    assert restarted.context.payments.get(payment.id).state == PaymentState.REFUNDED
    [made] = reversals(terminal)
    assert made["transaction_id"] == refund.transaction_id and made["approved"]
    assert len(restarted.context.payments.all()) == 2
    assert_ledger_agrees_with_terminal(restarted, terminal)


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_a_refund_still_being_checked_cannot_be_sent_again(register, terminal, terminal_profile):
    """Issue 16 case 1 on a CT-6100 (test_exactly_once.py drives USEN PAY): 取消 in 決済履歴
    of a payment whose refund is 要確認 offers 再確認 and sends nothing; once the terminal
    says the refund never happened, 取消 is offered again."""
    from tests.ui.test_exactly_once import refund_left_in_doubt, shown

    open_day(register, *MANAGER)
    payment = sell(register, terminal, None, "プリン", method="credit")
    refund = refund_left_in_doubt(register, terminal, payment, "ct6100")
    assert reversals(terminal) == []  # nothing reached the terminal either
    terminal.set_offline(False)
    register.wait_until(lambda: register.context.payments.get(refund.id).state == PaymentState.FAILED, timeout=20,
                        what="the refund's status")
    register.wait_until(lambda: shown(register, "paymentStatus_0").text() == "決済完了", what="the row to refresh")
    choose(register, "refundButton")
    refund_through_terminal(register)
    [made] = reversals(terminal)
    assert made["original"] == payment.poi_transaction_id
    assert [r.state for r in register.context.payments.refunds_of(payment.id)] == [PaymentState.FAILED,
                                                                                  PaymentState.APPROVED]
