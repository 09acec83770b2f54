"""R-CHK and R-RECEIPT through the real checkout screen, a real SQLite ledger and the
capturing printer."""
import re
from datetime import datetime

import pytest

from app.core.clock import FixedClock

NOW = datetime(2026, 11, 21, 12, 34, 0)


@pytest.fixture
def register_clock():
    return FixedClock(NOW)


@pytest.fixture
def checkout(register):
    register.start_checkout()
    return register


def test_mixed_take_out_cart_for_cash_with_change(checkout, printer):
    checkout.tap("takeOutButton")
    checkout.add_products("カフェラテ", "カフェラテ", "ミックスサンド", "タンブラー", "クラフトビール")
    assert checkout.text("lineQuantity_0") == "2"
    assert checkout.text("totalLabel") == "¥4,670"
    assert checkout.text("tax10Label") == "¥268（対象 ¥2,950）"  # タンブラー 2,200 + ビール 750
    assert checkout.text("tax8Label") == "¥127（対象 ¥1,720）"  # 1,040 + 680 take-out food
    checkout.pay("cashMethodButton", 10000)
    checkout.wait_screen("CheckoutDoneScreen")
    assert checkout.text("totalLabel") == "¥4,670"
    assert checkout.text("depositLabel") == "¥10,000"
    assert checkout.text("changeLabel") == "¥5,330"
    with pytest.raises(AssertionError):  # one tender: no empty line above お釣り
        checkout.find("tendersLabel")
    [slip] = checkout.slips()
    assert (slip.total_yen, slip.cash_tendered_yen, slip.change_yen, slip.eat_in) == (4670, 10000, 5330, False)
    assert [(t.rate_percent, t.taxable_yen, t.tax_yen) for t in slip.taxes] == [(10, 2950, 268), (8, 1720, 127)]
    checkout.wait_until(lambda: printer.drawer_kicks == 1, what="the drawer to open")
    checkout.tap("printReceiptButton")
    checkout.wait_devices()
    assert checkout.message() == "印刷しました。"
    assert checkout.find("messageLabel").property("tone") == "done"  # green: it went through
    text = printer.jobs[-1].text
    for expected in ("カフェ・レギ 渋谷店", "T1234567890123", "2026年11月21日", "12:34", "000001", "佐藤",
                     "※カフェラテ", "※ミックスサンド", "タンブラー", "小計", "10%対象", "￥2,950", "￥268",
                     "8%対象", "￥1,720", "￥127", "合計", "￥4,670", "お預り", "￥10,000", "お釣り", "￥5,330",
                     "軽減税率"):
        assert expected in text, expected
    assert "※タンブラー" not in text
    assert "再発行" not in text
    checkout.tap("printReceiptButton")
    checkout.wait_until(lambda: len(printer.jobs) == 2, what="the reprint")
    assert "再発行" in printer.jobs[-1].text
    checkout.tap("nextCheckoutButton")
    assert checkout.screen() == "CheckoutScreen"
    assert checkout.text("totalLabel") == "¥0"


def test_eat_in_is_all_ten_percent(checkout):
    checkout.tap("eatInButton")
    checkout.add_products("カフェラテ", "ミックスサンド")
    assert checkout.text("tax10Label") == "¥109（対象 ¥1,200）"
    assert checkout.text("tax8Label") == "—"
    assert "※" not in checkout.text("lineName_0")


def test_split_between_cash_and_gift_voucher(checkout, printer):
    checkout.add_products("ナポリタン", "アイスコーヒー")  # ¥1,460
    checkout.pay("otherMethodButton", 1000, tender="gift_voucher")
    assert checkout.screen() == "CheckoutScreen"
    assert checkout.text("paymentLabel_0") == "商品券　¥1,000"
    assert checkout.text("remainingLabel") == "¥460"
    assert checkout.text("methodLabel") == "現金"  # reset to cash for the rest
    checkout.tap("remainingButton")
    assert checkout.text("amountDisplay") == "¥460"
    checkout.tap("payButton")
    checkout.wait_screen("CheckoutDoneScreen")
    [slip] = checkout.slips()
    assert [(t.kind, t.label, t.amount_yen) for t in slip.tenders] == [("other", "商品券", 1000), ("cash", "現金", 460)]
    assert slip.change_yen == 0
    assert checkout.text("tendersLabel") == "（商品券 ¥1,000 ＋ 現金 ¥460）"  # お預り says what it was made of
    checkout.tap("printReceiptButton")
    checkout.wait_until(lambda: printer.jobs, what="the receipt")
    assert "商品券" in printer.jobs[0].text and "￥460" in printer.jobs[0].text


def test_no_drawer_kick_without_cash(checkout, printer):
    checkout.add_products("プリン")
    checkout.pay("otherMethodButton", None, tender="gift_voucher")
    checkout.wait_screen("CheckoutDoneScreen")
    checkout.tap("printReceiptButton")
    checkout.wait_until(lambda: printer.jobs, what="the receipt")
    assert printer.drawer_kicks == 0


def test_quantities_and_line_delete(checkout):
    checkout.add_products("スコーン", "クッキー")
    checkout.tap("linePlus_0")
    checkout.tap("linePlus_0")
    assert checkout.text("lineAmount_0") == "¥1,050"
    checkout.tap("lineMinus_0")
    assert checkout.text("lineQuantity_0") == "2"
    checkout.tap("lineMinus_1")
    assert "× で商品を削除" in checkout.message()
    checkout.tap("lineDelete_0")
    assert checkout.text("totalLabel") == "¥250"
    assert checkout.text("lineName_0").startswith("クッキー")


def test_payment_line_x_removes_it(checkout):
    checkout.add_products("カレーライス")
    checkout.pay("otherMethodButton", 500, tender="gift_voucher")
    checkout.tap("paymentDelete_0")
    assert checkout.text("remainingLabel") == "¥950"
    assert checkout.slips() == []


def test_cashier_discount_needs_a_manager(checkout):
    checkout.add_products("パンケーキ", "紅茶")  # 880 + 450
    checkout.type_digits("10")
    checkout.tap("discountPercentButton")
    dialog = checkout.wait_dialog("ManagerAuthDialog")
    checkout.type_digits("1111")  # the cashier's own password is not a manager's
    checkout.tap("okButton")
    assert "責任者のパスワードが違います" in dialog.message_label.text()
    assert checkout.text("totalLabel") == "¥1,330"
    checkout.type_digits("1234")
    checkout.tap("okButton")
    checkout.wait_until(lambda: checkout.dialog("ManagerAuthDialog") is None, what="the dialog to close")
    assert checkout.text("totalLabel") == "¥1,197"  # 10 % off the slip
    checkout.tap("lineName_1")  # 値引 ¥50 on 紅茶
    checkout.type_digits("50")
    checkout.tap("discountYenButton")
    checkout.wait_dialog("ManagerAuthDialog")
    checkout.type_digits("1234")
    checkout.tap("okButton")
    checkout.wait_until(lambda: checkout.dialog("ManagerAuthDialog") is None, what="the dialog to close")
    assert checkout.text("lineAmount_1") == "¥400"
    checkout.pay("cashMethodButton", None)
    checkout.wait_screen("CheckoutDoneScreen")
    [slip] = checkout.slips()
    assert (slip.subtotal_yen, slip.discount_yen, slip.total_yen) == (1280, 128, 1152)
    assert slip.lines[1].discount_yen == 50


# --- bad input: a clear message, nothing changed ---------------------------------------

def test_checkout_of_an_empty_cart(checkout):
    checkout.type_digits("1000")
    checkout.tap("payButton")
    assert checkout.message() == "商品が登録されていません。"
    assert checkout.slips() == []
    assert checkout.screen() == "CheckoutScreen"


def test_amount_zero(checkout):
    checkout.add_products("クッキー")
    checkout.tap("payButton")
    assert checkout.message() == "金額を入力してください。"
    assert checkout.find("messageLabel").property("tone") == ""  # a refusal stays red
    assert checkout.text("paidLabel") == "¥0"


def test_amount_above_the_maximum_cannot_be_keyed(checkout):
    checkout.add_products("クッキー")
    checkout.type_digits("99999999")
    assert checkout.text("amountDisplay") == "¥9,999,999"
    assert "7桁まで" in checkout.message()


def test_non_cash_above_remaining(checkout):
    checkout.add_products("クッキー")
    checkout.pay("otherMethodButton", 300, tender="gift_voucher")
    assert "残額（¥250）を超えて" in checkout.message()
    assert checkout.text("paidLabel") == "¥0"
    assert checkout.slips() == []


def test_sixth_payment(checkout):
    checkout.add_products("オムライス")  # ¥1,050
    for _ in range(5):
        checkout.pay("otherMethodButton", 10, tender="gift_voucher")
    checkout.pay("cashMethodButton", 5000)
    assert checkout.message() == "併用決済は5種類までです。"
    assert checkout.text("paidLabel") == "¥50"
    assert checkout.screen() == "CheckoutScreen"
    assert checkout.slips() == []


def test_cart_is_frozen_while_paying(checkout):
    checkout.add_products("クッキー", "スコーン")
    checkout.pay("otherMethodButton", 100, tender="gift_voucher")
    checkout.tap("lineDelete_0")
    assert "支払い中" in checkout.message()
    assert checkout.text("totalLabel") == "¥600"


# --- printing never loses a checkout ---------------------------------------------------

def test_printer_failure_offers_retry(checkout, printer):
    checkout.add_products("マフィン")
    checkout.pay("cashMethodButton", 1000)
    checkout.wait_screen("CheckoutDoneScreen")
    checkout.wait_until(lambda: printer.drawer_kicks == 1, what="the drawer to open")
    printer.fail_next(1, "プリンターの用紙がありません。")
    checkout.tap("printReceiptButton")
    dialog = checkout.wait_dialog("ErrorDialog")
    assert "用紙" in dialog.message and "印刷できませんでした" in dialog.message
    assert len(checkout.slips()) == 1  # the sale is kept
    checkout.tap("retryButton")
    checkout.wait_until(lambda: printer.jobs, what="the retried receipt")
    assert "マフィン" in printer.jobs[0].text


def test_formal_receipt(checkout, printer):
    checkout.add_products("ナポリタン")
    checkout.pay("cashMethodButton", 1000)
    checkout.wait_screen("CheckoutDoneScreen")
    checkout.tap("formalReceiptButton")
    checkout.wait_dialog("FormalReceiptDialog")
    checkout.tap("uesamaButton")
    checkout.tap("printButton")
    checkout.wait_until(lambda: printer.jobs, what="the 領収書")
    text = printer.jobs[0].text
    assert "領収書" in text and re.search(r"^上\s+様$", text, re.M)
    assert "￥980-" in text and "お品代" in text and "T1234567890123" in text
