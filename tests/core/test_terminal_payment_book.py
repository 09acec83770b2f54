"""R-DISC / R-RECON on the ledger: the request row exists before sending, and only the
transition table moves it. Uses real result objects and a real SQLite file."""
from datetime import datetime

import pytest

from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.errors import RegiError
from app.core.ledger.ledger import Ledger
from app.core.ledger.terminal_payments import TerminalPaymentBook
from app.core.payment_state import TRANSITIONS, IllegalTransition, PaymentEvent, PaymentState, transition
from app.core.terminal.errors import ErrorCondition
from app.core.terminal.results import Outcome, PaymentResult, ReversalResult, TerminalError, TransactionStatusResult


@pytest.fixture
def book(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}", FixedClock(datetime(2026, 11, 21, 10, 0)))
    seed_demo(ledger)
    ledger.open_day(1, total_yen=0)
    yield TerminalPaymentBook(ledger)
    ledger.dispose()


def approved(row, **kw):
    return PaymentResult(Outcome.SUCCESS, "svc", row.transaction_id, row.amount_yen, poi_transaction_id="TSU3-0000001",
                         method="credit", brand="VISA", masked_pan="************1012", entry_mode="ICC",
                         approval_number="123456", terminal_status="売上予定", slip={"承認番号": "123456"}, **kw)


def status(row, pos_word, found=True, in_progress=False, payment=None):
    return TransactionStatusResult(Outcome.SUCCESS, row.transaction_id, "Payment", found=found, in_progress=in_progress,
                                   terminal_status=pos_word, payment=payment)


def test_begin_commits_a_pending_row_with_unique_ids(book):
    first = book.begin(amount_yen=1360, method="credit", profile="usenpay", staff_id=1)
    second = book.begin(amount_yen=1360, method="credit", profile="usenpay", staff_id=1)
    assert first.state == PaymentState.PENDING
    assert first.transaction_id != second.transaction_id and first.transaction_id.startswith("R01-20261121")
    assert [p.state for p in book.open_requests()] == ["pending", "pending"]


def test_begin_needs_an_open_day(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'x.db'}")
    seed_demo(ledger)
    with pytest.raises(RegiError, match="開局"):
        TerminalPaymentBook(ledger).begin(amount_yen=100, method=None, profile="ct6100", staff_id=1)
    assert TerminalPaymentBook(ledger).all() == []
    ledger.dispose()


def test_approval_keeps_only_what_the_terminal_sent_and_last4(book):
    row = book.begin(amount_yen=1360, method="credit", profile="usenpay", staff_id=1)
    done = book.record_result(row.id, approved(row))
    assert (done.state, done.poi_transaction_id, done.brand, done.card_last4, done.approval_number) == (
        "approved", "TSU3-0000001", "VISA", "1012", "123456")
    assert "1012" in done.card_last4 and len(done.card_last4) == 4


def test_disconnect_then_status_done_records_the_payment_once(book):
    row = book.begin(amount_yen=5000, method="credit", profile="usenpay", staff_id=1)
    assert book.record_no_answer(row.id, "切断する").state == "unknown"
    assert book.open_requests()[0].id == row.id
    done = book.record_status(row.id, status(row, "売上予定", payment=approved(row)))
    assert done.state == "approved" and done.poi_transaction_id == "TSU3-0000001"
    # the original request's late answer confirms, it does not add a second payment
    assert book.record_result(row.id, approved(row)).state == "approved"
    assert [p.state for p in book.all()] == ["approved"]
    assert book.open_requests() == []


def test_not_found_means_nothing_was_charged(book):
    row = book.begin(amount_yen=5000, method="credit", profile="usenpay", staff_id=1)
    book.record_no_answer(row.id, "切断する")
    assert book.record_status(row.id, status(row, None, found=False)).state == "failed"


def test_processing_unconfirmed_stays_unknown(book):
    row = book.begin(amount_yen=800, method="emoney", profile="usenpay", staff_id=1)
    book.record_no_answer(row.id, "timeout")
    assert book.record_status(row.id, status(row, "処理未了")).state == "unknown"


def test_a_late_approval_of_a_failed_payment_is_kept_as_disputed(book):
    """Issue 9: a contradicting answer is recorded (要対応), never dropped, and audited."""
    row = book.begin(amount_yen=800, method="credit", profile="usenpay", staff_id=1)
    declined = PaymentResult(Outcome.FAILURE, "svc", row.transaction_id, 800,
                             error=TerminalError.of(ErrorCondition.REFUSAL, "E1001"))
    assert book.record_result(row.id, declined).error_code == "E1001"
    assert book.record_result(row.id, approved(row)).state == "disputed_paid"
    assert [r.id for r in book.needing_action()] == [row.id]
    other = book.begin(amount_yen=800, method="credit", profile="usenpay", staff_id=1)
    book.record_result(other.id, approved(other))
    with pytest.raises(IllegalTransition):  # an approved payment never turns failed
        book.record_result(other.id, declined)


def test_refund_marks_the_payment_refunded(book):
    payment = book.record_result((row := book.begin(amount_yen=900, method="credit", profile="usenpay", staff_id=1)).id, approved(row))
    refund = book.begin(amount_yen=900, method="credit", profile="usenpay", staff_id=1, refund_of=payment)
    result = ReversalResult(Outcome.SUCCESS, "svc2", refund.transaction_id, "TSU3-0000001", 900, poi_transaction_id="TSU3-0000002", kind="取消")
    assert book.record_result(refund.id, result).state == "approved"
    assert book.get(payment.id).state == "refunded"


def test_manual_resolution_needs_a_reason_and_is_audited(book):
    row = book.begin(amount_yen=700, method="qr", profile="usenpay", staff_id=2)
    book.record_no_answer(row.id, "restart")
    with pytest.raises(RegiError):
        book.resolve_manually(row.id, done=True, manager_id=1, reason=" ")
    done = book.resolve_manually(row.id, done=True, manager_id=1, reason="端末の履歴で決済完了を確認")
    assert done.state == "manual_paid" and "責任者確認" in done.resolution


def test_every_state_has_an_exit_or_is_final_and_no_known_result_flips():
    assert transition("pending", PaymentEvent.NO_ANSWER) is PaymentState.UNKNOWN
    for (state, event), after in TRANSITIONS.items():
        if state in (PaymentState.APPROVED, PaymentState.REFUNDED):
            assert after in (PaymentState.APPROVED, PaymentState.REFUNDED), (state, event)
        if state is PaymentState.FAILED:  # only a late approval moves it, to 要対応
            assert after in (PaymentState.FAILED, PaymentState.DISPUTED_PAID), (state, event)
