"""Issue 8 / R-INQ: numeric fields hold their largest valid value without overflow.

The tenkey's value once crossed Qt as a C ``int``: an 11th digit in 決済情報照会 killed the
register. A CT-6100 注文番号 has 18 digits; it must be keyed and found through the real screen,
and a 19th digit refused with the field's message, the keyed value unchanged."""
import pytest

from app.ui.widgets.tenkey import TenKey
from tests.ui.terminal_helpers import open_day, pay_by_terminal


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_an_18_digit_order_number_is_found_in_payment_inquiry(register, terminal, terminal_profile):
    open_day(register, "山田 店長", "1234")
    terminal.approve(method="qr", brand="PayPay")
    register.add_products("プリン")
    pay_by_terminal(register)
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutDoneScreen")
    register.tap("topButton")
    register.wait_screen("TopScreen")
    order_number = register.context.payments.all()[-1].poi_transaction_id
    assert len(order_number) == 18 and int(order_number) > 2**31 - 1  # past what a C int holds
    register.tap("inquiryButton")
    register.wait_screen("PaymentInquiryScreen")
    register.tap("codeField")
    register.type_digits(order_number)
    assert register.text("codeField") == f"伝票番号　{order_number}"
    register.type_digits("7")  # a 19th digit
    assert register.message() == "伝票番号・注文番号は18桁までです。"
    assert register.text("codeField") == f"伝票番号　{order_number}"
    register.tap("searchButton")
    screen = register.window.current_screen
    assert [hit.payment.poi_transaction_id for hit in screen.hits] == [order_number]
    assert order_number in register.text("result_0")


def test_the_tenkey_carries_values_past_64_bits(qtbot):
    keys = TenKey(30, code=True)
    qtbot.addWidget(keys)
    seen = []
    keys.changed.connect(seen.append)
    for digit in "9" * 30:
        keys.press(digit)
    assert seen[-1] == 10**30 - 1 and keys.value == 10**30 - 1
    keys.set_value(10**25)
    assert seen[-1] == 10**25 and keys.text == "1" + "0" * 25
