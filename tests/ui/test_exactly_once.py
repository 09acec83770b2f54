"""Issue 9 and 16 through the real screens, against the real simulator over loopback.

Issue 9: a manager's 「未決済」 / 「決済済み」 never hides the terminal's answer (both
directions of the double-charge repro); 要確認 is asked again by itself after a register
restart. Issue 16: a refund is never sent twice, a declined refund never reads approved,
and a terminal that lost its journal is not believed."""
from sqlalchemy import select

from app.core.ledger.models import AuditRecord
from app.core.money import format_yen
from app.core.payment_state import PaymentState
from tests.ui.terminal_helpers import assert_ledger_agrees_with_terminal, open_day, pay_by_terminal


def card_read_then_disconnect(register, terminal, product="カフェラテ"):
    """切断する at the PIN step (the card is read: too late to abort) → 要確認 → 閉じる."""
    register.add_products(product)
    pay_by_terminal(register, "usenpayCreditButton")
    register.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    terminal.present_card("ICC", "VISA", "7777")
    register.wait_until(lambda: terminal.engine.stage == "wait_pin", what="the PIN prompt")
    register.tap("disconnectButton")
    dialog = register.wait_dialog("ErrorDialog")
    assert "処理中" in dialog.message  # the terminal said "in progress": it says so
    register.tap("closeButton")
    register.wait_screen("CheckoutScreen")
    [row] = register.context.payments.all()
    return row


def go_offline_and_wait(register, terminal):
    terminal.set_offline(True)
    register.wait_until(lambda: not register.context.terminal.state.linked, what="the link to drop")
    register.context.coordinator.link_down_grace = 0  # "a set time" without the link, for the test


def shown(register, name):
    """The widget ``name`` once it is on screen (rows are rebuilt when an answer arrives)."""
    found = []

    def look():
        try:
            found[:] = [register.find(name)]
        except AssertionError:
            return False
        return True
    register.wait_until(look, what=f"{name} on screen")
    return found[0]


def manager_decides(register, row, button):
    register.tap(button)
    register.wait_dialog("ManagerAuthDialog")  # 佐藤 is a cashier
    register.type_digits("1234")
    register.tap("okButton")


def test_the_double_charge_repro_cannot_happen_while_the_terminal_says_in_progress(terminal_checkout, terminal):
    """Issue 9, as reported: 切断する at PIN → 閉じる → 会計 → ReconcileDialog → 「未決済」.
    While the terminal answers "in progress" the manual buttons are disabled and say why;
    when the customer enters the PIN the approval settles the sale: one charge, one slip."""
    register = terminal_checkout
    row = card_read_then_disconnect(register, terminal)
    register.pay("cashMethodButton", None)
    register.wait_dialog("ReconcileDialog")
    register.wait_until(lambda: "処理中" in shown(register, f"openRequest_{row.id}").text(), what="the reason")
    assert not shown(register, f"markNotDone_{row.id}").isEnabled()
    assert not shown(register, f"markDone_{row.id}").isEnabled()
    terminal.enter_pin()  # the customer finishes on the terminal
    register.wait_screen("CheckoutDoneScreen", timeout=20)  # re-asked by itself, no tap
    [slip] = register.slips()
    assert [t.kind for t in slip.tenders] == ["terminal"]
    assert [h["approved"] for h in terminal.history()] == [True]


def test_unpaid_by_a_manager_then_approved_by_the_terminal_is_shown_as_needing_action(terminal_checkout, terminal):
    """Issue 9, first direction: the link is down long enough, the dialog says the risk, the
    manager says 「未決済」, the cashier takes cash; the terminal had approved → 要対応 (refund
    on the terminal) on the top screen with amount and 受注コード, audited, never dropped."""
    register = terminal_checkout
    row = card_read_then_disconnect(register, terminal)
    go_offline_and_wait(register, terminal)
    register.pay("cashMethodButton", None)
    register.wait_dialog("ReconcileDialog")
    register.wait_until(lambda: "要対応" in shown(register, f"openRequest_{row.id}").text(), what="the risk, in words")
    manager_decides(register, row, f"markNotDone_{row.id}")
    register.wait_until(lambda: register.context.payments.get(row.id).state == PaymentState.MANUAL_UNPAID,
                        what="the manager's decision")
    register.tap("closeButton")
    register.pay("cashMethodButton", None)
    register.wait_screen("CheckoutDoneScreen")
    terminal.enter_pin()  # meanwhile the customer had gone on: the terminal approves
    terminal.set_offline(False)
    register.wait_until(lambda: register.context.payments.get(row.id).state == PaymentState.DISPUTED_PAID,
                        timeout=20, what="the terminal's answer to be recorded")
    register.tap("topButton")
    register.wait_screen("TopScreen")
    banner = register.text("reconcileLabel")
    recorded = register.context.payments.get(row.id)
    assert "要対応" in banner and format_yen(recorded.amount_yen) in banner and recorded.poi_transaction_id in banner
    assert "返金" in banner
    with register.ledger.session() as db:
        [audit] = db.scalars(select(AuditRecord).where(AuditRecord.action == "terminal_contradiction")).all()
    assert audit.target == f"terminal_payment:{row.id}"
    # refunded on the terminal, then recorded: the banner clears
    register.tap("reconcileButton")
    register.wait_dialog("ReconcileDialog")
    manager_decides(register, row, f"markRefunded_{row.id}")
    register.wait_until(lambda: register.context.payments.get(row.id).state == PaymentState.REFUNDED, what="the record")


def test_paid_by_a_manager_then_declined_by_the_terminal_asks_to_collect_the_money(register, terminal):
    """Issue 9, the mirror: 「決済済み」 completes the sale; the terminal then declines →
    要対応: collect the money (the slip holds a payment that never happened)."""
    open_day(register)
    row = card_read_then_disconnect(register, terminal, "プリン")
    go_offline_and_wait(register, terminal)
    register.pay("cashMethodButton", None)
    register.wait_dialog("ReconcileDialog")
    manager_decides(register, row, f"markDone_{row.id}")
    register.wait_screen("CheckoutDoneScreen")  # the manager's 決済済み paid the sale
    terminal.enter_pin(ok=False)  # the terminal declines after all
    terminal.set_offline(False)
    register.wait_until(lambda: register.context.payments.get(row.id).state == PaymentState.DISPUTED_UNPAID,
                        timeout=20, what="the terminal's answer to be recorded")
    register.tap("topButton")
    register.wait_screen("TopScreen")
    banner = register.text("reconcileLabel")
    assert "要対応" in banner and "回収" in banner and format_yen(row.amount_yen) in banner
    register.open_slip_list()  # the slip it belongs to says so
    register.open_slip(1)
    assert "要対応" in register.text("voidNoteLabel") and "回収" in register.text("voidNoteLabel")
    register.tap("backButton")
    register.wait_screen("SlipListScreen")
    register.tap("backButton")
    register.wait_screen("TopScreen")
    register.tap("reconcileButton")
    register.wait_dialog("ReconcileDialog")
    manager_decides(register, row, f"markCollected_{row.id}")
    register.wait_until(lambda: register.context.payments.get(row.id).state == PaymentState.FAILED, what="the record")


def test_unknown_is_asked_again_by_itself_after_a_register_restart(register, terminal):
    """Issue 9 / item 5: the register dies while the customer is at the PIN step; after the
    restart the status is "in progress"; when the customer finishes, the register asks again
    by itself and records the approval (listed as a payment without a slip)."""
    open_day(register)
    register.add_products("カフェラテ")
    pay_by_terminal(register, "usenpayCreditButton")
    register.wait_until(lambda: terminal.engine.stage == "wait_card", what="the card prompt")
    terminal.present_card("ICC", "JCB", "3333")
    register.wait_until(lambda: terminal.engine.stage == "wait_pin", what="the PIN prompt")
    restarted = register.crash_and_restart()
    restarted.login("佐藤", "1111")
    restarted.wait_screen("TopScreen")
    [row] = restarted.context.payments.all()
    restarted.wait_until(lambda: restarted.context.coordinator.why(row.id) == "in_progress", timeout=10,
                         what="the status query after the restart")
    assert restarted.context.payments.get(row.id).state == PaymentState.UNKNOWN
    terminal.enter_pin()
    restarted.wait_until(lambda: restarted.context.payments.get(row.id).state == PaymentState.APPROVED, timeout=20,
                         what="the approval, asked for without a tap")
    restarted.wait_until(lambda: "伝票のない決済が1件" in restarted.text("reconcileLabel"), what="the banner")
    assert_ledger_agrees_with_terminal(restarted, terminal)


def test_a_refund_still_being_checked_cannot_be_sent_again_with_the_checkouts_x(terminal_checkout, terminal):
    """Issue 16 case 1, in 支払い欄: × on a payment whose refund is 要確認 sends nothing."""
    register = terminal_checkout
    terminal.approve(brand="JCB")
    register.add_products("タンブラー")
    pay_by_terminal(register, "usenpayCreditButton", 1000)
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutScreen")
    [payment] = register.context.payments.all()
    go_offline_and_wait(register, terminal)  # nobody to ask for now
    refund = register.context.payments.begin(amount_yen=1000, method="credit", profile="usenpay", staff_id=1,
                                             refund_of=payment, checkout_key=register.context.current_cart.key)
    register.context.payments.record_no_answer(refund.id, "test: the answer was lost")
    register.tap("paymentDelete_0")
    assert register.screen() == "CheckoutScreen" and "確認中" in register.message()
    register.wait_dialog("ReconcileDialog")
    register.tap("closeButton")
    register.pay("cashMethodButton", None)  # nor is the sale closed while the refund is in doubt
    assert register.slips() == []
    assert len(register.context.payments.all()) == 2  # nothing sent
    terminal.set_offline(False)  # the terminal never got it: asked, it says not found → failed
    register.wait_until(lambda: register.context.payments.get(refund.id).state == PaymentState.FAILED, timeout=20,
                        what="the refund's status")


def refund_left_in_doubt(register, terminal, payment, profile):
    """Issue 16 case 1's set-up and first look: a refund of ``payment`` sent while the terminal is
    away and never answered; 決済履歴 shows it 払い戻し確認中, 取消 on the row offers 再確認 only,
    and 再確認 without the terminal says so. Returns the refund's row."""
    from tests.ui.test_history import to_history

    go_offline_and_wait(register, terminal)
    refund = register.context.payments.begin(amount_yen=payment.amount_yen, method=payment.method, profile=profile,
                                             staff_id=1, refund_of=payment)
    register.context.payments.record_no_answer(refund.id, "test: the answer was lost")
    to_history(register)
    assert shown(register, "paymentStatus_0").text() == "払い戻し確認中"
    register.tap("payment_0")
    register.wait_dialog("RefundCheckingDialog")
    register.tap("recheckButton")
    assert "接続していません" in register.message()
    assert len(register.context.payments.all()) == 2  # nothing sent
    return refund


def test_a_refund_still_being_checked_cannot_be_sent_again_from_history(register, terminal):
    """Issue 16 case 1, in 決済履歴: 取消 and 端末で返金済みにする refuse and offer 再確認."""
    open_day(register, "山田 店長", "1234")
    terminal.approve(brand="JCB")
    register.add_products("プリン")
    pay_by_terminal(register, "usenpayCreditButton")
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutDoneScreen")
    register.tap("topButton")
    [payment] = register.context.payments.all()
    refund = refund_left_in_doubt(register, terminal, payment, "usenpay")
    from tests.ui.test_history import choose
    import pytest
    from app.core.errors import RegiError
    with pytest.raises(RegiError, match="確認中"):  # 端末で返金済みにする, as the screen would call it
        register.context.payments.mark_refunded_elsewhere(payment.id, manager_id=1, reason="端末で返金")
    terminal.set_offline(False)
    register.wait_until(lambda: register.context.payments.get(refund.id).state == PaymentState.FAILED, timeout=20,
                        what="the refund's status")
    register.wait_until(lambda: shown(register, "paymentStatus_0").text() == "決済完了", what="the row to refresh")
    choose(register, "refundButton")
    register.wait_screen("RefundConfirmScreen")


def test_a_declined_refund_never_reads_approved(register, terminal):
    """Issue 16 case 2: refund #1's answer is lost (the terminal restarts and declines it),
    refund #2 goes through; asked about #1 the terminal answers for #1 — declined."""
    open_day(register, "山田 店長", "1234")
    terminal.approve(brand="VISA")
    register.add_products("プリン")
    pay_by_terminal(register, "usenpayCreditButton")
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutDoneScreen")
    register.tap("topButton")
    from tests.ui.test_history import choose, refund_through_terminal, to_history
    to_history(register)
    terminal.restart_during(approved=False, target="reversal")
    choose(register, "refundButton")
    register.wait_screen("RefundConfirmScreen")
    register.tap("terminalLinkButton")
    register.wait_dialog("CancelMessageDialog", timeout=20)  # asked: not done
    register.tap("closeButton")
    payment, first = register.context.payments.all()
    assert (first.kind, first.state, payment.state) == ("refund", PaymentState.FAILED, PaymentState.APPROVED)
    register.wait_screen("PaymentHistoryScreen")
    choose(register, "refundButton")
    refund_through_terminal(register)
    register.context.coordinator.recheck(first.id)  # ask about #1 again, after #2 went through
    register.wait_until(lambda: not register.context.coordinator.busy(first.id), what="the answer")
    states = [(r.kind, r.state) for r in register.context.payments.all()]
    assert states == [("payment", "refunded"), ("refund", "failed"), ("refund", "approved")]
    assert_ledger_agrees_with_terminal(register, terminal)


def test_a_terminal_that_lost_its_journal_is_not_believed(terminal_checkout, terminal):
    """Issue 16 case 3: an approval on its way when the terminal restarted and lost its
    journal; "not found" from the new journal stays 要確認, and the manager is told why."""
    register = terminal_checkout
    terminal.restart_during(approved=True, forget=True)
    register.add_products("チーズケーキ")
    pay_by_terminal(register, "usenpayCreditButton")
    register.wait_until(lambda: register.dialog("ErrorDialog") is not None
                        and "記録を失って" in register.dialog("ErrorDialog").message, timeout=20, what="the reason")
    [row] = register.context.payments.all()
    assert row.state == PaymentState.UNKNOWN and register.context.coordinator.why(row.id) == "journal_lost"
    register.tap("closeButton")
    register.wait_screen("CheckoutScreen")
    register.pay("cashMethodButton", None)  # no second payment while it is unknown
    register.wait_dialog("ReconcileDialog")
    register.wait_until(lambda: "記録を失って" in shown(register, f"openRequest_{row.id}").text(), what="why")
    assert shown(register, f"markDone_{row.id}").isEnabled()  # a manager may decide, knowing why
    assert register.slips() == []
    register.tap("closeButton")
    assert row.journal_id is not None and row.journal_id != terminal.journal_id()
