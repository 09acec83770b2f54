"""R-HIST / R-INQ in the ledger: the void guard follows the terminal payments' states, the
list flags refunded-but-unvoided slips, and the payment search (codes, ranges, indexes)."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.dialects import sqlite

from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.errors import RegiError
from app.core.ledger import voids
from app.core.ledger.journal import SlipJournal
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import AuditRecord, Slip
from app.core.ledger.payment_history import (
    CodeMatch,
    PaymentHistory,
    PaymentSearch,
    parse_payment_code,
    payment_query,
)
from app.core.ledger.slip_queries import refunded_unvoided_slip_ids
from app.core.ledger.terminal_payments import TerminalPaymentBook
from app.core.terminal.results import Outcome, PaymentResult

T0 = datetime(2026, 11, 21, 9, 0, 0)
DAY = T0.date()


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}", FixedClock(T0))
    seed_demo(ledger)
    ledger.open_day(staff_id(ledger, "佐藤"), total_yen=30000)
    yield ledger
    ledger.dispose()


def staff_id(ledger, name):
    return next(s.id for s in ledger.staff() if s.name == name)


def paid(book, amount, code, method="credit"):
    row = book.begin(amount_yen=amount, method=method, profile="usenpay", staff_id=1)
    result = PaymentResult(Outcome.SUCCESS, "svc", row.transaction_id, amount, poi_transaction_id=code, method=method,
                           brand="VISA", masked_pan="****1012", entry_mode="ICC", approval_number="1", terminal_status="売上予定")
    return book.record_result(row.id, result)


def sale(ledger, *rows, cash=0, reference=None):
    """Commit a slip paid by ``rows`` (terminal tenders), ``cash``, and ¥100 on ``reference``."""
    extra = 100 if reference is not None else 0
    cart = Cart()
    cart.add_product(None, "ランチ", sum(r.amount_yen for r in rows) + cash + extra, TaxClass.FOOD)
    if cash:
        cart.add_payment(Payment(PaymentKind.CASH, "現金", cash, "cash"))
    for row in rows:
        cart.add_payment(Payment(PaymentKind.TERMINAL, "クレジット", row.amount_yen, "terminal_credit", reference=row.transaction_id))
    if reference is not None:
        cart.add_payment(Payment(PaymentKind.TERMINAL, "クレジット", 100, "terminal_credit", reference=reference))
    return ledger.commit_sale(cart, staff_id(ledger, "佐藤")).slip_id


def refusal(ledger, slip_id):
    return SlipJournal(ledger).detail(slip_id).void_refusal


def test_the_void_waits_for_every_terminal_payment_of_the_slip(ledger):
    book = TerminalPaymentBook(ledger)
    first, second = paid(book, 1000, "TSU3-0000001"), paid(book, 2000, "TSU3-0000002")
    slip_id = sale(ledger, first, second, cash=500)
    assert "¥1,000" in refusal(ledger, slip_id) and "¥2,000" in refusal(ledger, slip_id)
    assert refunded_unvoided_slip_ids_of(ledger, [slip_id]) == set()
    manager = staff_id(ledger, "山田 店長")
    book.mark_refunded_elsewhere(first.id, manager_id=manager, reason="決済端末で取消済み")
    assert "¥2,000" in refusal(ledger, slip_id) and "¥1,000" not in refusal(ledger, slip_id)
    assert refunded_unvoided_slip_ids_of(ledger, [slip_id]) == set()  # one still paid
    book.mark_refunded_elsewhere(second.id, manager_id=manager, reason="決済端末で取消済み")
    assert refusal(ledger, slip_id) is None
    assert refunded_unvoided_slip_ids_of(ledger, [slip_id]) == {slip_id}
    page = SlipJournal(ledger).page(DAY)
    assert page.rows[0].needs_void and page.rows[0].state_label == "通常・要伝票取消"
    SlipJournal(ledger).void(slip_id, staff_id=manager, authorized_by_id=manager, reason="返品")
    assert refunded_unvoided_slip_ids_of(ledger, [slip_id]) == set()
    assert not any(row.needs_void for row in SlipJournal(ledger).page(DAY).rows)


def test_a_tender_matching_no_payment_counts_as_unrefunded(ledger):
    slip_id = sale(ledger, cash=300, reference="no-such-transaction")
    with ledger.session() as db:
        slip = db.get(Slip, slip_id)
        assert [t.reference for t in voids.unrefunded_terminal_tenders(db, slip)] == ["no-such-transaction"]
    assert refunded_unvoided_slip_ids_of(ledger, [slip_id]) == set()
    cash_only = sale(ledger, cash=400)
    assert refunded_unvoided_slip_ids_of(ledger, [cash_only]) == set()  # nothing to refund: never flagged


def refunded_unvoided_slip_ids_of(ledger, ids):
    with ledger.session() as db:
        return refunded_unvoided_slip_ids(db, ids)


def test_refund_requests_authorised_by_a_manager_are_audited_with_the_row(ledger):
    book = TerminalPaymentBook(ledger)
    row = paid(book, 1000, "TSU3-0000001")
    manager = staff_id(ledger, "山田 店長")
    refund = book.begin(amount_yen=1000, method="credit", profile="usenpay", staff_id=1, refund_of=row,
                        authorized_by_id=manager)
    with ledger.session() as db:
        [record] = db.scalars(select(AuditRecord).where(AuditRecord.action == "terminal_refund")).all()
    assert (record.staff_id, record.authorized_by_id, record.target) == (1, manager, f"terminal_payment:{row.id}")
    assert f'"refund_id": {refund.id}' in record.detail


def test_payment_codes_as_keyed():
    assert parse_payment_code("", "usenpay") is None
    assert parse_payment_code("3377", "usenpay") == CodeMatch("-0003377", False)
    assert parse_payment_code("0003377", "usenpay") == CodeMatch("-0003377", False)
    assert parse_payment_code("119", "ct6100") == CodeMatch("00119", True)
    assert parse_payment_code("202611211234560001", "ct6100") == CodeMatch("202611211234560001", True)
    for digits, profile in (("12345678", "usenpay"), ("0", "usenpay"), ("123456", "ct6100"), ("00000", "ct6100"),
                            ("12a", "usenpay")):
        with pytest.raises(RegiError):
            parse_payment_code(digits, profile)


def test_search_bounds_and_filters(ledger):
    book = TerminalPaymentBook(ledger)
    first = paid(book, 1000, "TSU3-0000001")
    ledger.clock.at = T0 + timedelta(days=1)
    second = paid(book, 2000, "TSU3-0000012", method="emoney")
    slip_id = sale(ledger, second)
    history = PaymentHistory(ledger)
    tomorrow = DAY + timedelta(days=1)
    hits = history.search(PaymentSearch(DAY, tomorrow))
    assert [(h.payment.id, h.slip_id) for h in hits] == [(second.id, slip_id), (first.id, None)]
    assert [h.payment.id for h in history.search(PaymentSearch(DAY, DAY))] == [first.id]
    assert [h.payment.id for h in history.search(PaymentSearch(DAY, tomorrow, method="emoney"))] == [second.id]
    assert [h.payment.id for h in history.search(PaymentSearch(DAY, tomorrow, amount_yen=1000))] == [first.id]
    code = parse_payment_code("1", "usenpay")  # -0000001, not -0000012
    assert [h.payment.id for h in history.search(PaymentSearch(DAY, tomorrow, code=code))] == [first.id]
    with pytest.raises(RegiError, match="期間"):
        PaymentSearch(tomorrow, DAY)
    with pytest.raises(RegiError, match="93日"):
        PaymentSearch(DAY - timedelta(days=100), DAY)


def test_search_reads_the_date_index(ledger):
    register_id = ledger.register().id
    with ledger.session() as db:
        for search, index in ((PaymentSearch(DAY, DAY), "ix_terminal_payments_created_at"),
                              (PaymentSearch(DAY, DAY, method="credit", amount_yen=500, code=parse_payment_code("12", "usenpay")),
                               "ix_terminal_payments_created_at"),
                              (PaymentSearch(DAY, DAY, code=parse_payment_code("119", "ct6100")), "ix_terminal_payments_")):
            compiled = payment_query(register_id, search).compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
            plan = " | ".join(row[-1] for row in db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "USING INDEX " + index in plan and "SCAN terminal_payments" not in plan, plan
