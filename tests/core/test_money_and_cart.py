"""Money, tax and cart rules of R-CHK, without Qt or a database."""
import pytest

from app.core.cart import MAX_PAYMENTS, Cart, Discount, Payment, PaymentKind, TaxClass
from app.core.errors import RegiError
from app.core.money import MAX_AMOUNT_YEN, TaxRounding, format_yen, inclusive_tax_yen

FOOD, STD = TaxClass.FOOD, TaxClass.STANDARD


def cash(amount):
    return Payment(PaymentKind.CASH, "現金", amount, "cash")


def voucher(amount):
    return Payment(PaymentKind.OTHER, "商品券", amount, "gift_voucher")


@pytest.mark.parametrize(
    "taxable, rate, rounding, expected",
    [
        (1100, 10, TaxRounding.FLOOR, 100),
        (1080, 8, TaxRounding.FLOOR, 80),
        (970, 8, TaxRounding.FLOOR, 71),  # 71.85…
        (970, 8, TaxRounding.HALF_UP, 72),
        (970, 8, TaxRounding.CEIL, 72),
        (1000, 10, TaxRounding.HALF_UP, 91),  # 90.909…
        (1000, 10, TaxRounding.CEIL, 91),
        (0, 10, TaxRounding.CEIL, 0),
        (-970, 8, TaxRounding.FLOOR, -71),
    ],
)
def test_inclusive_tax(taxable, rate, rounding, expected):
    assert inclusive_tax_yen(taxable, rate, rounding) == expected


def test_format_yen():
    assert format_yen(1360) == "¥1,360"
    assert format_yen(-50) == "-¥50"


def test_take_out_food_is_reduced_and_tax_is_per_rate_once_per_slip():
    cart = Cart(eat_in=False)
    cart.add_product(1, "カフェラテ", 520, FOOD)
    cart.add_product(1, "カフェラテ", 520, FOOD)
    cart.add_product(2, "ミックスサンド", 680, FOOD)
    cart.add_product(3, "タンブラー", 2200, STD)
    assert len(cart.lines) == 3 and cart.lines[0].quantity == 2
    assert [(r.rate_percent, r.taxable_yen, r.tax_yen) for r in cart.rate_totals()] == [(10, 2200, 200), (8, 1720, 127)]
    # per-line rounding would give 38+38+50 = 126 on the 8 % items; the slip rule gives 127
    assert cart.total_yen == 3920


def test_eat_in_makes_food_standard_rate():
    cart = Cart(eat_in=True)
    cart.add_product(1, "カフェラテ", 520, FOOD)
    assert [(r.rate_percent, r.tax_yen) for r in cart.rate_totals()] == [(10, 47)]


def test_slip_discount_is_shared_between_rates_and_adds_up():
    cart = Cart()
    cart.add_product(1, "ケーキ", 1000, FOOD)
    cart.add_product(2, "マグ", 3000, STD)
    cart.set_slip_discount(Discount(percent=10))
    rates = cart.rate_totals()
    assert cart.total_yen == 3600
    assert sum(r.taxable_yen for r in rates) == 3600
    assert {r.rate_percent: r.taxable_yen for r in rates} == {10: 2700, 8: 900}


def test_line_discounts():
    cart = Cart()
    cart.add_product(1, "ケーキ", 500, FOOD)
    cart.set_quantity(0, 2)
    cart.set_line_discount(0, Discount(yen=100))
    assert cart.lines[0].amount_yen == 900
    cart.set_line_discount(0, Discount(percent=50))
    assert cart.lines[0].amount_yen == 500
    with pytest.raises(RegiError):
        cart.set_line_discount(0, Discount(yen=1001))
    with pytest.raises(RegiError):
        Discount(percent=101)


def test_cash_with_change():
    cart = Cart()
    cart.add_product(1, "コーヒー", 450, FOOD)
    cart.add_payment(cash(1000))
    assert cart.is_settled and cart.change_yen == 550 and cart.remaining_yen == 0


def test_split_and_non_cash_limit():
    cart = Cart()
    cart.add_product(1, "ランチ", 1360, FOOD)
    with pytest.raises(RegiError, match="残額"):
        cart.add_payment(voucher(1361))
    assert cart.payments == []
    cart.add_payment(voucher(1000))
    cart.add_payment(cash(500))
    assert cart.change_yen == 140 and cart.cash_tendered_yen == 500


@pytest.mark.parametrize("amount, message", [(0, "金額を入力"), (MAX_AMOUNT_YEN + 1, "までです")])
def test_bad_amounts_are_refused(amount, message):
    cart = Cart()
    cart.add_product(1, "コーヒー", 450, FOOD)
    with pytest.raises(RegiError, match=message):
        cart.add_payment(cash(amount))
    assert cart.payments == []


def test_empty_cart_and_sixth_payment():
    cart = Cart()
    with pytest.raises(RegiError, match="商品が登録されていません"):
        cart.add_payment(cash(100))
    cart.add_product(1, "ランチ", 1000, FOOD)
    for _ in range(MAX_PAYMENTS):
        cart.add_payment(voucher(10))
    with pytest.raises(RegiError, match="5種類まで"):
        cart.add_payment(voucher(10))
    assert len(cart.payments) == MAX_PAYMENTS


def test_lines_are_frozen_while_paying():
    cart = Cart()
    cart.add_product(1, "ランチ", 1000, FOOD)
    cart.add_payment(voucher(100))
    with pytest.raises(RegiError, match="支払い中"):
        cart.add_product(2, "コーヒー", 450, FOOD)
    assert len(cart.lines) == 1


def test_total_cannot_exceed_the_maximum():
    cart = Cart()
    cart.add_product(1, "高額品", 5_000_000, STD)
    with pytest.raises(RegiError, match="上限"):
        cart.add_product(1, "高額品", 5_000_000, STD)
    assert cart.lines[0].quantity == 1
