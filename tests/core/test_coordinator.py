"""The payment coordinator without Qt (issue 9, 16): a fake bridge whose futures the test
resolves by hand, a real ledger file, and a dispatcher whose clock the test moves."""
from concurrent.futures import Future
from dataclasses import replace

import pytest

from app.core.errors import RegiError
from app.core.payments.coordinator import PaymentCoordinator
from app.core.payments.dispatch import ManualDispatcher
from app.core.terminal.bridge import LinkState
from app.core.terminal.config import TerminalConfig
from app.core.terminal.errors import ErrorCondition
from app.core.terminal.events import EventKind, TerminalEvent
from app.core.terminal.results import Outcome, PaymentResult, ReversalResult, TerminalError, TransactionStatusResult
from tests.core.test_terminal_payment_book import approved, book  # noqa: F401  (fixture)


class FakeBridge:
    def __init__(self, journal="J1"):
        self.config = TerminalConfig(profile="usenpay", host="127.0.0.1", port=1, pairing_key="k" * 32)
        self.state = LinkState(linked=True, journal_id=journal)
        self.sent = []  # (kind, args, future)
        self._subscribers = []

    def subscribe(self, callback):
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def emit(self, kind):
        self.state = replace(self.state, linked=kind is EventKind.LINK_UP)
        for callback in list(self._subscribers):
            callback(TerminalEvent(kind))

    def _future(self, kind, *args):
        future = Future()
        self.sent.append((kind, args, future))
        return future

    def pay(self, transaction_id, amount_yen, method, *, service_id):
        return self._future("pay", transaction_id, amount_yen, method, service_id)

    def reversal(self, transaction_id, poi, amount_yen, *, service_id):
        return self._future("reversal", transaction_id, poi, amount_yen, service_id)

    def abort(self, transaction_id):
        return self._future("abort", transaction_id)

    def transaction_status(self, transaction_id, category):
        return self._future("status", transaction_id, category)

    def of(self, kind):
        return [s for s in self.sent if s[0] == kind]


@pytest.fixture
def rig(book):  # noqa: F811
    bridge = FakeBridge()
    dispatcher = ManualDispatcher()
    clock = [0.0]
    coordinator = PaymentCoordinator(book, dispatcher, first_retry=3, max_retry=60, link_down_grace=120,
                                     monotonic=lambda: clock[0])
    coordinator.attach(bridge)
    updates = []
    coordinator.subscribe(updates.append)
    dispatcher.run()
    return coordinator, bridge, dispatcher, updates, clock


def unknown_result(row):
    return PaymentResult(Outcome.UNKNOWN, "s", row.transaction_id, row.amount_yen,
                         error=TerminalError.of(ErrorCondition.UNREACHABLE_HOST, "L0002"))


def in_progress(row, journal="J1"):
    return TransactionStatusResult(Outcome.SUCCESS, row.transaction_id, "Payment", found=True, in_progress=True,
                                   journal_id=journal)


def not_found(row, journal="J1", category="Payment"):
    return TransactionStatusResult(Outcome.SUCCESS, row.transaction_id, category, found=False, journal_id=journal)


def done(row):
    return TransactionStatusResult(Outcome.SUCCESS, row.transaction_id, "Payment", found=True, terminal_status="売上予定",
                                   payment=approved(row), journal_id="J1")


def test_the_row_with_all_its_ids_is_committed_before_sending(rig, book):  # noqa: F811
    coordinator, bridge, dispatcher, updates, _ = rig
    row = coordinator.pay(amount_yen=1200, method="credit", staff_id=1)
    [(_, (transaction_id, amount, method, service_id), future)] = bridge.of("pay")
    stored = book.get(row.id)
    assert (stored.transaction_id, stored.service_id, stored.journal_id, stored.state) == (
        transaction_id, service_id, "J1", "pending")
    assert coordinator.busy(row.id)
    future.set_result(approved(row))
    dispatcher.run()
    assert book.get(row.id).state == "approved" and not coordinator.busy(row.id)
    assert updates[-1].row.state == "approved"


def test_a_lost_answer_is_asked_about_never_resent_and_reasked_with_backoff(rig, book):  # noqa: F811
    coordinator, bridge, dispatcher, updates, _ = rig
    row = coordinator.pay(amount_yen=800, method="credit", staff_id=1)
    bridge.of("pay")[0][2].set_result(unknown_result(row))
    dispatcher.run()
    assert book.get(row.id).state == "unknown" and len(bridge.of("status")) == 1
    assert coordinator.busy(row.id)
    bridge.of("status")[0][2].set_result(in_progress(row))
    dispatcher.run()
    assert coordinator.why(row.id) == "in_progress" and not coordinator.busy(row.id)
    # re-asked by itself: after 3 s, then 6 s, ... capped at 60 s
    delays = []
    for answer_number in range(1, 7):
        waited = 0
        while len(bridge.of("status")) == answer_number:
            dispatcher.advance(1)
            waited += 1
        delays.append(waited)
        bridge.of("status")[-1][2].set_result(in_progress(row))
        dispatcher.run()
    assert delays == [3, 6, 12, 24, 48, 60]
    bridge.of("status")[-1][2]  # the customer finishes: the next ask records the approval
    while len(bridge.of("status")) == 7:
        dispatcher.advance(1)
    bridge.of("status")[-1][2].set_result(done(row))
    dispatcher.run()
    assert book.get(row.id).state == "approved"
    assert len(bridge.of("pay")) == 1  # never resent


def test_requests_left_open_by_a_restart_are_asked_when_the_link_comes_up(book):  # noqa: F811
    """Item 5: a register restart while the customer is still at the terminal."""
    first = PaymentCoordinator(book, ManualDispatcher())
    bridge = FakeBridge()
    first.attach(bridge)
    row = first.pay(amount_yen=500, method="credit", staff_id=1)  # then the register dies
    bridge2 = FakeBridge()
    bridge2.state = replace(bridge2.state, linked=False)
    dispatcher = ManualDispatcher()
    second = PaymentCoordinator(book, dispatcher)
    second.attach(bridge2)
    second.resume()
    dispatcher.run()
    assert bridge2.of("status") == []  # link down: nothing to ask yet
    bridge2.emit(EventKind.LINK_UP)
    dispatcher.run()
    bridge2.of("status")[0][2].set_result(in_progress(row))
    dispatcher.run()
    assert book.get(row.id).state == "unknown"
    dispatcher.advance(3)
    bridge2.of("status")[1][2].set_result(done(row))
    dispatcher.run()
    assert book.get(row.id).state == "approved"


def test_not_found_from_another_journal_is_unknown_and_lets_a_manager_decide(rig, book):  # noqa: F811
    """Issue 16 case 3: a terminal that lost its journal is not believed."""
    coordinator, bridge, dispatcher, _, _ = rig
    row = coordinator.pay(amount_yen=800, method="credit", staff_id=1)
    bridge.of("pay")[0][2].set_result(unknown_result(row))
    dispatcher.run()
    assert not coordinator.manual_resolution(book.get(row.id)).allowed  # still asking
    bridge.of("status")[0][2].set_result(not_found(row, journal="J2"))
    dispatcher.run()
    assert book.get(row.id).state == "unknown" and coordinator.why(row.id) == "journal_lost"
    verdict = coordinator.manual_resolution(book.get(row.id))
    assert verdict.allowed and "記録を失って" in verdict.text
    # from the same journal, "not found" means never reached: failed
    other = coordinator.pay(amount_yen=900, method="credit", staff_id=1)
    bridge.of("pay")[1][2].set_result(unknown_result(other))
    dispatcher.run()
    bridge.of("status")[-1][2].set_result(not_found(other))
    dispatcher.run()
    assert book.get(other.id).state == "failed"


def test_in_progress_blocks_manual_resolution_until_the_link_is_long_down(rig, book):  # noqa: F811
    coordinator, bridge, dispatcher, _, clock = rig
    row = coordinator.pay(amount_yen=800, method="credit", staff_id=1)
    coordinator.hang_up(row.id)
    dispatcher.run()
    bridge.of("status")[0][2].set_result(in_progress(row))
    dispatcher.run()
    with pytest.raises(RegiError, match="処理中"):
        coordinator.resolve_manually(row.id, done=False, manager_id=1, reason="x")
    bridge.emit(EventKind.LINK_DOWN)
    clock[0] = 60
    assert not coordinator.manual_resolution(book.get(row.id)).allowed
    clock[0] = 200
    verdict = coordinator.manual_resolution(book.get(row.id))
    assert verdict.allowed and "要対応" in verdict.text


def test_a_late_approval_after_a_managers_unpaid_is_recorded_as_disputed(rig, book):  # noqa: F811
    """Issue 9: 「未決済」 then the terminal approves → 要対応 (refund on the terminal)."""
    coordinator, bridge, dispatcher, updates, _ = rig
    row = coordinator.pay(amount_yen=800, method="credit", staff_id=1)
    bridge.of("pay")[0][2].set_result(unknown_result(row))
    dispatcher.run()
    bridge.of("status")[0][2].set_result(not_found(row, journal="J2"))
    dispatcher.run()
    assert coordinator.resolve_manually(row.id, done=False, manager_id=1, reason="端末で確認").state == "manual_unpaid"
    dispatcher.run()
    asked = len(bridge.of("status"))
    while len(bridge.of("status")) == asked:  # still asked after the manager's word
        dispatcher.advance(1)
    bridge.of("status")[-1][2].set_result(done(row))
    dispatcher.run()
    assert book.get(row.id).state == "disputed_paid"
    assert [r.id for r in book.needing_action()] == [row.id]
    assert updates[-1].row.state == "disputed_paid"


def test_a_refund_is_asked_about_as_itself_and_a_declined_one_never_turns_approved(rig, book):  # noqa: F811
    """Issue 16 cases 1 and 2."""
    coordinator, bridge, dispatcher, _, _ = rig
    payment = coordinator.pay(amount_yen=900, method="credit", staff_id=1)
    bridge.of("pay")[0][2].set_result(approved(payment))
    dispatcher.run()
    payment = book.get(payment.id)
    refund = coordinator.refund(payment, staff_id=1)
    [(_, (refund_txn, poi, amount, _sid), future)] = bridge.of("reversal")
    assert refund_txn == book.get(refund.id).transaction_id != payment.transaction_id
    future.set_result(ReversalResult(Outcome.UNKNOWN, "s", refund_txn, poi, amount))
    dispatcher.run()
    with pytest.raises(RegiError, match="確認中"):
        coordinator.refund(payment, staff_id=1)
    assert bridge.of("status")[-1][1] == (refund_txn, "Reversal")
    declined = ReversalResult(Outcome.FAILURE, "s", refund_txn, poi, amount,
                              error=TerminalError.of(ErrorCondition.REFUSAL, "E1001"))
    # even with the payment's word saying 取消・返品済 (another refund), the refund's own answer decides
    bridge.of("status")[-1][2].set_result(TransactionStatusResult(
        Outcome.SUCCESS, refund_txn, "Reversal", found=True, terminal_status="取消・返品済", reversal=declined,
        journal_id="J1"))
    dispatcher.run()
    assert book.get(refund.id).state == "failed" and book.get(payment.id).state == "approved"


def test_a_payment_of_another_journal_is_never_refunded_through_the_terminal(rig, book):  # noqa: F811
    """Issue 16: numbers are unique per journal only — its 受注コード may name another payment now."""
    coordinator, bridge, dispatcher, _, _ = rig
    payment = coordinator.pay(amount_yen=900, method="credit", staff_id=1)
    bridge.of("pay")[0][2].set_result(approved(payment))
    dispatcher.run()
    bridge.state = replace(bridge.state, journal_id="J2")  # the terminal lost its journal since
    with pytest.raises(RegiError, match="取引記録が変わった"):
        coordinator.refund(book.get(payment.id), staff_id=1)
    assert bridge.of("reversal") == []
