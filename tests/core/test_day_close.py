"""点検・精算 in the ledger (R-CLOSE): the day's figures, 入金 / 出金, the 精算 record."""
from datetime import datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from app.core.cart import Cart, Discount, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.demo import seed_demo
from app.core.errors import RegiError
from app.core.ledger import audit
from app.core.ledger.day_close import DayClose
from app.core.ledger.journal import SlipJournal
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import AuditRecord, DrawerMovement, Settlement
from app.core.ledger.terminal_payments import TerminalPaymentBook

T0 = datetime(2026, 11, 21, 9, 0, 0)


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'regi.db'}", FixedClock(T0))
    seed_demo(ledger)
    yield ledger
    ledger.dispose()


@pytest.fixture
def day(ledger):
    return DayClose(ledger, TerminalPaymentBook(ledger))


def sid(ledger, name):
    return next(s.id for s in ledger.staff() if s.name == name)


def sell(ledger, staff, *, eat_in=False, cash=None, gift=0, discount=0):
    cart = Cart(eat_in=eat_in)
    cart.add_product(1, "ブレンドコーヒー", 450, TaxClass.FOOD)
    cart.add_product(2, "タンブラー", 2200, TaxClass.STANDARD)
    if discount:
        cart.set_line_discount(1, Discount(yen=discount))
    if gift:
        cart.add_payment(Payment(PaymentKind.OTHER, "商品券", gift, "gift_voucher"))
    cart.add_payment(Payment(PaymentKind.CASH, "現金", cash if cash is not None else cart.remaining_yen, "cash"))
    return ledger.commit_sale(cart, sid(ledger, staff))


def test_report_figures_and_expected_cash(ledger, day):
    sato, yamada = sid(ledger, "佐藤"), sid(ledger, "山田 店長")
    ledger.open_day(sato, total_yen=30000)
    sell(ledger, "佐藤", cash=3000)  # 2650 cash, change 350
    ledger.clock.advance(hours=2)
    sell(ledger, "鈴木", eat_in=True, gift=1000, discount=200)  # 2450: 1000 gift + 1450 cash
    third = sell(ledger, "佐藤")  # 2650 cash
    SlipJournal(ledger).void(third.slip_id, staff_id=sato, authorized_by_id=yamada, reason="打ち間違い")
    day.cash_move("cash_in", 5000, "両替", staff_id=sato)
    day.cash_move("cash_out", 1200, "経費", note="切手", staff_id=sato)

    report = day.report()
    assert (report.sales.count, report.sales.amount_yen) == (3, 7750)
    assert (report.voids.count, report.voids.amount_yen) == (1, 2650)
    assert (report.net_sales.count, report.net_sales.amount_yen) == (2, 5100)
    assert (report.discounts.count, report.discounts.amount_yen) == (1, 200)
    assert [(t.label, t.count, t.amount_yen) for t in report.tenders] == [("現金", 2, 4100), ("商品券", 1, 1000)]
    assert [(t.label, t.taxable_yen, t.tax_yen) for t in report.taxes] == [
        ("10%対象 店内", 2450, 222), ("10%対象 持ち帰り", 2200, 200), ("8%対象 持ち帰り", 450, 33)]
    assert [(s.label, s.count, s.amount_yen) for s in report.staff] == [("佐藤", 1, 2650), ("鈴木", 1, 2450)]
    assert [(h.label, h.count, h.amount_yen) for h in report.hours] == [("09時", 1, 2650), ("11時", 1, 2450)]
    assert [(m.label, m.count, m.amount_yen) for m in report.cash_moves] == [("入金", 1, 5000), ("出金", 1, 1200)]
    cash = report.cash
    assert (cash.float_yen, cash.cash_sales_yen, cash.cash_refunds_yen) == (30000, 2650 + 1450 + 2650, 2650)
    assert report.expected_cash_yen == 30000 + 6750 - 2650 + 5000 - 1200
    assert day.expected_cash_yen() == report.expected_cash_yen
    with ledger.session() as db:  # the expected cash is what the drawer movements say
        assert db.scalar(text("SELECT SUM(amount_yen) FROM drawer_movements")) == report.expected_cash_yen


def test_cash_moves_refuse_bad_input(ledger, day):
    sato = sid(ledger, "佐藤")
    ledger.open_day(sato, total_yen=3000)
    bad = [(("cash_in", 0, "両替"), {}, "入金額は¥1"), (("cash_out", 100, "旅行"), {}, "理由を選んで"),
           (("cash_out", 100, "その他"), {}, "内容を入力"), (("cash_out", 3001, "両替"), {}, "理論在高 ¥3,000"),
           (("cash_in", 10_000_000, "両替"), {}, "入金額は")]
    for args, kwargs, message in bad:
        with pytest.raises(RegiError, match=message):
            day.cash_move(*args, staff_id=sato, **kwargs)
    day.cash_move("cash_in", 20000, "両替", staff_id=sato)
    with pytest.raises(RegiError, match="責任者の承認"):
        day.cash_move("cash_out", 10001, "仕入れ", staff_id=sato)
    with ledger.session() as db:
        assert [m.kind for m in db.scalars(select(DrawerMovement))] == ["float", "cash_in"]
    day.cash_move("cash_out", 10001, "仕入れ", staff_id=sato, authorized_by_id=sid(ledger, "山田 店長"))
    with ledger.session() as db:
        [row] = db.scalars(select(AuditRecord).where(AuditRecord.action == "cash_out"))
        assert (row.reason, row.authorized_by_id) == ("仕入れ", sid(ledger, "山田 店長"))


def test_close_is_one_immutable_numbered_record(ledger, day):
    sato, yamada = sid(ledger, "佐藤"), sid(ledger, "山田 店長")
    ledger.open_day(sato, total_yen=10000)
    sell(ledger, "佐藤")
    with pytest.raises(RegiError, match="責任者"):
        day.close(staff_id=sato, authorized_by_id=sato, total_yen=12650)
    with pytest.raises(RegiError, match="過不足 -¥100 の理由"):
        day.close(staff_id=sato, authorized_by_id=yamada, total_yen=12550)
    with pytest.raises(RegiError, match="マイナス"):
        day.close(staff_id=sato, authorized_by_id=yamada, counts={1000: -1})
    with pytest.raises(RegiError, match="9999枚まで"):
        day.close(staff_id=sato, authorized_by_id=yamada, counts={1: 10000})
    assert ledger.current_day() is not None and day.history() == []
    closed = day.close(staff_id=sato, authorized_by_id=yamada, counts={10000: 1, 1000: 2, 500: 1, 100: 1}, difference_reason="釣銭の渡し過ぎ")
    assert (closed.settlement.settlement_number, closed.settlement.difference_yen) == (1, -50)
    assert closed.counts == {10000: 1, 1000: 2, 500: 1, 100: 1}
    assert ledger.current_day() is None
    with pytest.raises(RegiError, match="開局していません"):
        day.close(staff_id=sato, authorized_by_id=yamada, total_yen=0)
    with ledger.session() as db, pytest.raises(DatabaseError):
        db.execute(text("UPDATE settlements SET counted_cash_yen = 0"))
    ledger.clock.advance(days=1)
    ledger.open_day(sato, total_yen=10000)
    second = day.close(staff_id=yamada, authorized_by_id=yamada, total_yen=10000)
    assert second.settlement.settlement_number == 2
    assert [s.settlement_number for s in day.history()] == [2, 1]
    assert day.closed_day(closed.settlement.id).report.net_sales.amount_yen == 2650


def test_a_crash_inside_close_leaves_the_day_open(ledger, day, monkeypatch):
    sato, yamada = sid(ledger, "佐藤"), sid(ledger, "山田 店長")
    ledger.open_day(sato, total_yen=10000)

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(audit, "record", crash)
    with pytest.raises(RuntimeError):
        day.close(staff_id=yamada, authorized_by_id=yamada, total_yen=10000)
    assert ledger.current_day() is not None
    with ledger.session() as db:
        assert db.scalars(select(Settlement)).all() == []


def test_sales_csv_is_utf8_with_bom_one_row_per_line(ledger, day, tmp_path):
    import csv

    sato = sid(ledger, "佐藤")
    ledger.open_day(sato, total_yen=10000)
    sell(ledger, "佐藤", gift=1000)
    path = day.export_sales(tmp_path / "exports")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["伝票番号", "日時", "区分", "担当者"]
    assert [(r[0], r[3], r[6], r[10], r[11], r[13]) for r in rows[1:]] == [
        ("000001", "佐藤", "ブレンドコーヒー", "8%", "450", "商品券 1000 / 現金 1650"),
        ("000001", "佐藤", "タンブラー", "10%", "2200", "商品券 1000 / 現金 1650")]
    with pytest.raises(RegiError, match="CSVを書き出せません"):
        (tmp_path / "file").write_text("x")
        day.export_sales(tmp_path / "file" / "sub")


def test_a_correction_is_counted_apart_from_voids(ledger, day):
    sato, yamada = sid(ledger, "佐藤"), sid(ledger, "山田 店長")
    ledger.open_day(sato, total_yen=10000)
    first, second = sell(ledger, "佐藤"), sell(ledger, "佐藤")
    journal = SlipJournal(ledger)
    journal.void(first.slip_id, staff_id=sato, authorized_by_id=yamada, reason="打ち間違い")
    journal.void(second.slip_id, staff_id=sato, authorized_by_id=yamada, reason="打ち間違い", correction=True)
    report = day.report()
    assert (report.voids.count, report.voids.amount_yen) == (1, 2650)
    assert (report.corrections.count, report.corrections.amount_yen) == (1, 2650)
    assert (report.net_sales.count, report.net_sales.amount_yen) == (0, 0)
