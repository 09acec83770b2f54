"""Issue 9 / 16 on the ledger: SQLite itself refuses a state change the transition table
does not allow, a change of a request's ids and any DELETE (migration 0003); refunds are
refused while another refund of the payment is open."""
import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app.core.errors import RegiError
from app.core.payment_state import TRANSITIONS
from app.core.terminal.results import Outcome, ReversalResult
from tests.core.test_terminal_payment_book import approved, book  # noqa: F401  (fixture)


def _migration():
    path = Path(__file__).resolve().parents[2] / "app" / "migrations" / "versions" / "0003_exactly_once.py"
    spec = importlib.util.spec_from_file_location("m0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_trigger_allows_exactly_the_state_changes_of_the_table():
    table = {(a.value, b.value) for (a, _e), b in TRANSITIONS.items() if a != b}
    assert set(_migration().STATE_CHANGES) == table


def _sql(book, statement):
    with book.ledger.session() as db, db.begin():
        db.execute(text(statement))


def test_sqlite_refuses_a_state_change_outside_the_table_and_deletes(book):
    row = book.begin(amount_yen=500, method="credit", profile="usenpay", staff_id=1)
    book.record_result(row.id, approved(row))
    for statement in (f"UPDATE terminal_payments SET state = 'failed' WHERE id = {row.id}",
                      f"UPDATE terminal_payments SET state = 'pending' WHERE id = {row.id}",
                      f"UPDATE terminal_payments SET transaction_id = 'X' WHERE id = {row.id}",
                      f"UPDATE terminal_payments SET amount_yen = 1 WHERE id = {row.id}",
                      f"DELETE FROM terminal_payments WHERE id = {row.id}"):
        with pytest.raises(DatabaseError):
            _sql(book, statement)
    _sql(book, f"UPDATE terminal_payments SET state = 'refunded' WHERE id = {row.id}")  # in the table
    assert book.get(row.id).state == "refunded"


def test_begin_commits_service_and_journal_ids_with_the_row(book):
    row = book.begin(amount_yen=500, method="credit", profile="usenpay", staff_id=1, service_id="svc-1",
                     journal_id="J-1")
    assert (book.get(row.id).service_id, book.get(row.id).journal_id) == ("svc-1", "J-1")


def test_a_payment_with_an_open_refund_cannot_be_refunded_or_marked_again(book):
    """Issue 16 case 1: refund #1 is 要確認 → no refund #2, no 返金済みにする."""
    payment = book.begin(amount_yen=900, method="credit", profile="usenpay", staff_id=1)
    payment = book.record_result(payment.id, approved(payment))
    refund = book.begin(amount_yen=900, method="credit", profile="usenpay", staff_id=1, refund_of=payment)
    book.record_no_answer(refund.id, "timeout")
    with pytest.raises(RegiError, match="確認中"):
        book.begin(amount_yen=900, method="credit", profile="usenpay", staff_id=1, refund_of=payment)
    with pytest.raises(RegiError, match="確認中"):
        book.mark_refunded_elsewhere(payment.id, manager_id=1, reason="端末で返金")
    assert book.open_refund_of(payment.id).id == refund.id
    # once the terminal says the refund was declined, a new refund may go
    declined = ReversalResult(Outcome.FAILURE, "s", refund.transaction_id, "TSU3-0000001", 900)
    book.record_result(refund.id, declined)
    assert book.begin(amount_yen=900, method="credit", profile="usenpay", staff_id=1, refund_of=payment).kind == "refund"
