"""R-HIST in the ledger: the day's slips in keyset pages, filters, derived states, voids and
corrections (app.core.ledger.slip_queries / voids / journal) on a real SQLite file."""
import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text

from app.core.cart import Cart, Discount, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.errors import RegiError
from app.core.ledger import business_day, slips
from app.core.ledger.journal import SlipJournal
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import AuditRecord, DrawerMovement, Register, Slip
from app.core.ledger.slip_queries import (
    SlipFilter,
    SlipState,
    TenderMethod,
    parse_amount,
    parse_slip_number,
)

DAY = date(2026, 11, 21)
T0 = datetime(2026, 11, 21, 9, 0, 0)


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}", FixedClock(T0))
    seed_demo(ledger)
    ledger.open_day(staff_id(ledger, "佐藤"), total_yen=30000)
    yield ledger
    ledger.dispose()


@pytest.fixture
def journal(ledger):
    return SlipJournal(ledger)


def staff_id(ledger, name):
    return next(s.id for s in ledger.staff() if s.name == name)


def sell(ledger, *, at=None, staff="佐藤", items=(("ブレンドコーヒー", 450, "food"),), pay=(("cash", None),), eat_in=False,
         line_discount=None, slip_discount=None):
    """Commit a slip at ``at``; ``pay``: (kind, amount or None for the rest)."""
    if at is not None:
        ledger.clock.at = at
    cart = Cart(eat_in=eat_in)
    products = {p.name: p for c in ledger.catalog() for p in c.products}
    for name, price, tax_class in items:
        product = products.get(name)
        cart.add_product(product.id if product else None, name, price, TaxClass(tax_class))
    if line_discount:
        cart.set_line_discount(0, line_discount)
    if slip_discount:
        cart.set_slip_discount(slip_discount)
    labels = {"cash": ("現金", "cash"), "other": ("商品券", "gift_voucher"), "terminal": ("USEN PAY クレジット", "usenpay_credit")}
    for kind, amount in pay:
        label, code = labels[kind]
        cart.add_payment(Payment(PaymentKind(kind), label, amount if amount is not None else cart.remaining_yen, code))
    return ledger.commit_sale(cart, staff_id(ledger, staff))


def void(journal, ledger, slip_id, *, by="佐藤", manager="山田 店長", reason="打ち間違い", correction=False):
    return journal.void(slip_id, staff_id=staff_id(ledger, by), authorized_by_id=staff_id(ledger, manager), reason=reason,
                        correction=correction)


def counts(ledger):
    with ledger.session() as db:
        return {table: db.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("slips", "slip_lines", "slip_taxes", "tenders", "drawer_movements", "audit_records")}


# --- the list ---------------------------------------------------------------------------

def test_day_list_newest_first_with_columns(ledger, journal):
    sell(ledger, at=datetime(2026, 11, 20, 23, 59, 59))  # the day before: not listed
    first = sell(ledger, at=datetime(2026, 11, 21, 0, 0, 0))
    second = sell(ledger, at=datetime(2026, 11, 21, 10, 15, 0), staff="鈴木",
                  items=(("ナポリタン", 980, "food"), ("タンブラー", 2200, "standard")), pay=(("other", 1000), ("cash", 5000)))
    sell(ledger, at=datetime(2026, 11, 22, 0, 0, 0))  # the day after
    page = journal.page(DAY)
    assert [r.slip_number for r in page.rows] == [second.slip_number, first.slip_number]
    top = page.rows[0]
    assert (top.created_at, top.staff_name, top.total_yen, top.tender_labels, top.state_label) == (
        datetime(2026, 11, 21, 10, 15), "鈴木", 3180, "商品券・現金", "通常")
    assert page.next_cursor is None
    assert journal.count(DAY) == 2
    assert [r.slip_number for r in journal.page(date(2026, 11, 20)).rows] == [1]


def test_keyset_pages_neither_overlap_nor_skip_even_within_one_second(ledger, journal):
    for i in range(25):  # many slips in the same second: the id breaks the tie
        sell(ledger, at=datetime(2026, 11, 21, 12, 0, 0) if i % 2 else datetime(2026, 11, 21, 9, i, 0))
    seen, cursor = [], None
    while True:
        page = journal.page(DAY, cursor=cursor, limit=7)
        seen += [r.slip_id for r in page.rows]
        assert len(page.rows) <= 7
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    with ledger.session() as db:
        expected = list(db.scalars(select(Slip.id).order_by(Slip.created_at.desc(), Slip.id.desc())))
    assert seen == expected and len(seen) == 25


def test_filters_amount_method_and_number(ledger, journal):
    cheap = sell(ledger, at=datetime(2026, 11, 21, 9, 0), items=(("クッキー", 250, "food"),))
    mixed = sell(ledger, at=datetime(2026, 11, 21, 9, 5), items=(("オムライス", 1050, "food"),), pay=(("other", 500), ("cash", None)))
    voucher = sell(ledger, at=datetime(2026, 11, 21, 9, 10), items=(("タンブラー", 2200, "standard"),), pay=(("other", None),))
    numbers = lambda flt: [r.slip_number for r in journal.page(DAY, flt).rows]  # noqa: E731
    assert numbers(SlipFilter(min_total_yen=1000)) == [voucher.slip_number, mixed.slip_number]
    assert numbers(SlipFilter(min_total_yen=250, max_total_yen=1050)) == [mixed.slip_number, cheap.slip_number]
    assert numbers(SlipFilter(max_total_yen=249)) == []
    assert numbers(SlipFilter(methods=frozenset({TenderMethod.CASH}))) == [mixed.slip_number, cheap.slip_number]
    assert numbers(SlipFilter(methods=frozenset({TenderMethod.OTHER}))) == [voucher.slip_number, mixed.slip_number]
    assert numbers(SlipFilter(methods=frozenset({TenderMethod.TERMINAL}))) == []
    assert numbers(SlipFilter(slip_number=mixed.slip_number)) == [mixed.slip_number]
    assert numbers(SlipFilter(slip_number=mixed.slip_number, min_total_yen=2000)) == []
    assert journal.count(DAY, SlipFilter(methods=frozenset({TenderMethod.OTHER}))) == 2


def test_malformed_filters_are_refused():
    with pytest.raises(RegiError, match="下限 ¥2,000 が上限 ¥1,000 を超えています"):
        SlipFilter(min_total_yen=2000, max_total_yen=1000)
    with pytest.raises(RegiError, match="1以上"):
        parse_slip_number("000")
    with pytest.raises(RegiError, match="9桁まで"):
        parse_slip_number("1234567890")
    with pytest.raises(RegiError, match="数字"):
        parse_slip_number("12a")
    with pytest.raises(RegiError, match="金額"):
        parse_amount("99999999")
    assert parse_slip_number("000123") == 123
    assert parse_slip_number("") is None and parse_amount("") is None and parse_amount("0") == 0


def test_list_query_uses_the_day_index(ledger):
    """The day's range is read through ix_slips_created_at (a year of slips must not be scanned)."""
    from app.core.ledger.slip_queries import _where
    from sqlalchemy.dialects import sqlite

    register_id = SlipJournal(ledger).register_id
    with ledger.session() as db:
        for flt in (SlipFilter(), SlipFilter(min_total_yen=100, methods=frozenset({TenderMethod.CASH}))):
            query = select(Slip.id).where(*_where(register_id, DAY, flt)).order_by(Slip.created_at.desc(), Slip.id.desc()).limit(41)
            compiled = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
            plan = " | ".join(row[-1] for row in db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "USING INDEX ix_slips_created_at" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # ordered by the index, no sort of the day
        query = select(Slip.id).where(*_where(register_id, DAY, SlipFilter(slip_number=7)))
        compiled = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
        plan = " | ".join(row[-1] for row in db.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
        assert "USING INDEX" in plan and "SCAN slips" not in plan, plan


# --- voids ------------------------------------------------------------------------------

def test_void_writes_a_reversing_slip_pays_cash_back_and_is_audited(ledger, journal):
    sale = sell(ledger, items=(("ブレンドコーヒー", 450, "food"), ("タンブラー", 2200, "standard")),
                pay=(("other", 1000), ("cash", 2000)))  # cash 2,000, change 350: the drawer got 1,650
    ledger.clock.advance(minutes=5)
    result = void(journal, ledger, sale.slip_id, reason="お客様都合")
    assert (result.original_number, result.void_number, result.cash_refund_yen, result.correction) == (1, 2, 1650, False)
    original, reversal = ledger.slips()
    assert (reversal.kind, reversal.voids_slip_id, reversal.total_yen, reversal.subtotal_yen) == ("void", original.id, -2650, -2650)
    assert (reversal.cash_tendered_yen, reversal.change_yen) == (-2000, -350)
    assert [(l.name, l.quantity, l.amount_yen) for l in reversal.lines] == [("ブレンドコーヒー", -1, -450), ("タンブラー", -1, -2200)]
    assert [(t.rate_percent, t.taxable_yen, t.tax_yen) for t in reversal.taxes] == [(10, -2200, -200), (8, -450, -33)]
    assert [(t.kind, t.label, t.amount_yen) for t in reversal.tenders] == [("other", "商品券", -1000), ("cash", "現金", -2000)]
    with ledger.session() as db:
        movement = db.scalars(select(DrawerMovement).where(DrawerMovement.slip_id == reversal.id)).one()
        assert (movement.kind, movement.amount_yen, movement.reason) == ("void", -1650, "お客様都合")
        record = db.scalars(select(AuditRecord).where(AuditRecord.action == "slip_void")).one()
    assert (record.staff_id, record.authorized_by_id, record.reason, record.target) == (
        staff_id(ledger, "佐藤"), staff_id(ledger, "山田 店長"), "お客様都合", f"slip:{original.id}")
    assert json.loads(record.detail)["void_slip_number"] == 2
    rows = {r.slip_number: r for r in journal.page(DAY).rows}
    assert (rows[1].state, rows[1].state_label, rows[1].related_number) == (SlipState.VOIDED, "取消済", 2)
    assert (rows[2].state, rows[2].state_label, rows[2].total_yen) == (SlipState.VOID, "取消伝票（000001）", -2650)
    assert journal.page(DAY, SlipFilter(min_total_yen=2650, max_total_yen=2650)).rows == list(journal.page(DAY).rows)
    assert journal.detail(original.id).void_refusal.startswith("伝票番号 000001 はすでに取消されています")


def test_refused_voids_write_nothing(ledger, journal):
    sale = sell(ledger)
    void(journal, ledger, sale.slip_id)
    before = counts(ledger)
    reversal_id = ledger.slips()[-1].id
    with pytest.raises(RegiError, match="すでに取消されています"):
        void(journal, ledger, sale.slip_id)
    with pytest.raises(RegiError, match="取消伝票は取消できません"):
        void(journal, ledger, reversal_id)
    other = sell(ledger)
    before = counts(ledger)
    with pytest.raises(RegiError, match="責任者の承認"):
        void(journal, ledger, other.slip_id, manager="鈴木")
    with pytest.raises(RegiError, match="理由"):
        void(journal, ledger, other.slip_id, reason="  ")
    with pytest.raises(RegiError, match="見つかりません"):
        void(journal, ledger, 9999)
    assert counts(ledger) == before


def test_slip_of_another_register_is_refused(ledger, journal):
    with ledger.session() as db, db.begin():
        register = Register(code="R02", name="レジ2")
        db.add(register)
        db.flush()
        session = business_day.open_day(db, register, staff_id(ledger, "佐藤"), T0, total_yen=0)
        cart = Cart()
        cart.add_product(1, "ブレンドコーヒー", 450, TaxClass.FOOD)
        cart.add_payment(Payment(PaymentKind.CASH, "現金", 450, "cash"))
        foreign = slips.commit_sale(db, cart, register_id=register.id, session_id=session.id, staff_id=staff_id(ledger, "佐藤"), now=T0)
        foreign_id = foreign.id
    assert journal.page(DAY).rows == []  # this register's list only
    before = counts(ledger)
    with pytest.raises(RegiError, match="他のレジの伝票"):
        void(journal, ledger, foreign_id)
    assert counts(ledger) == before


def test_terminal_tenders_block_the_void_until_refunded(ledger, journal):
    sale = sell(ledger, items=(("カレーライス", 950, "food"),), pay=(("cash", 500), ("terminal", None)))
    before = counts(ledger)
    with pytest.raises(RegiError, match="決済端末の支払い（USEN PAY クレジット ¥450）が返金されていません"):
        void(journal, ledger, sale.slip_id)
    assert counts(ledger) == before
    assert "返金されていません" in journal.detail(sale.slip_id).void_refusal


def test_void_needs_an_open_register(ledger, journal):
    sale = sell(ledger)
    with ledger.session() as db, db.begin():
        db.execute(text("UPDATE register_sessions SET closed_at = :at, closed_by_id = 1"), {"at": T0})
    before = counts(ledger)
    with pytest.raises(RegiError, match="開局していません"):
        void(journal, ledger, sale.slip_id)
    assert counts(ledger) == before


def test_void_without_cash_moves_no_cash(ledger, journal):
    sale = sell(ledger, pay=(("other", None),))
    assert void(journal, ledger, sale.slip_id).cash_refund_yen == 0
    with ledger.session() as db:
        assert db.scalar(select(func.count()).select_from(DrawerMovement).where(DrawerMovement.kind == "void")) == 0


def test_correction_marks_the_original_and_preloads_the_same_lines(ledger, journal):
    sale = sell(ledger, items=(("パンケーキ", 880, "food"), ("紅茶", 450, "food"), ("手書き商品", 300, "standard")),
                eat_in=True, line_discount=Discount(yen=80), slip_discount=Discount(percent=10))
    original = ledger.slip(sale.slip_id)
    result = void(journal, ledger, sale.slip_id, correction=True, reason="金額・数量の誤り")
    assert result.correction
    rows = {r.slip_number: r for r in journal.page(DAY).rows}
    assert (rows[1].state, rows[1].state_label) == (SlipState.CORRECTED, "訂正")
    assert journal.detail(sale.slip_id).relations.correction
    cart = journal.correction_cart(sale.slip_id, Cart())
    assert cart.eat_in is True and cart.payments == []
    assert [(l.name, l.unit_price_yen, l.quantity, l.discount_yen, l.tax_class) for l in cart.lines] == [
        ("パンケーキ", 880, 1, 80, TaxClass.FOOD), ("紅茶", 450, 1, 0, TaxClass.FOOD), ("手書き商品", 300, 1, 0, TaxClass.STANDARD)]
    assert cart.slip_discount == Discount(percent=10)
    assert (cart.subtotal_yen, cart.slip_discount_yen, cart.total_yen) == (original.subtotal_yen, original.discount_yen, original.total_yen)
    assert [(r.rate_percent, r.taxable_yen, r.tax_yen) for r in cart.rate_totals()] == [
        (t.rate_percent, t.taxable_yen, t.tax_yen) for t in original.taxes]
    cart.add_payment(Payment(PaymentKind.CASH, "現金", cart.total_yen, "cash"))
    assert ledger.commit_sale(cart, staff_id(ledger, "佐藤")).slip_number == 3
    with ledger.session() as db:
        assert db.scalar(select(AuditRecord.reason).where(AuditRecord.action == "slip_correct")) == "金額・数量の誤り"
