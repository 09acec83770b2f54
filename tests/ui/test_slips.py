"""R-HIST through the real screens: 伝票明細 (list, filters, date picker, paging), 伝票詳細,
伝票取消 / 伝票訂正 with manager authorisation, レシート再発行 — on a real SQLite ledger
with the capturing printer."""
import json
from datetime import datetime

import pytest
from sqlalchemy import select

from app.core.cart import Cart, Payment, PaymentKind, TaxClass
from app.core.clock import FixedClock
from app.core.ledger.journal import SlipJournal
from app.core.ledger.models import AuditRecord, DrawerMovement
from app.core.ledger.slip_queries import PAGE_SIZE

NOW = datetime(2026, 11, 21, 12, 34, 0)  # a Saturday


@pytest.fixture
def register_clock():
    return FixedClock(NOW)


def sell(register, *products, method="cashMethodButton", amount=None, tender=None):
    """Ring up ``products`` on CheckoutScreen and pay; ends back on an empty CheckoutScreen."""
    register.add_products(*products)
    register.pay(method, amount, tender)
    register.wait_screen("CheckoutDoneScreen")
    register.tap("nextCheckoutButton")


def sell_split(register, *products, voucher_yen):
    """Pay ``voucher_yen`` by 商品券 and the rest in cash."""
    register.add_products(*products)
    register.pay("otherMethodButton", voucher_yen, tender="gift_voucher")
    register.pay("cashMethodButton", None)
    register.wait_screen("CheckoutDoneScreen")
    register.tap("nextCheckoutButton")


def to_slip_list(register):
    register.tap("backButton")
    register.wait_screen("TopScreen")
    register.open_slip_list()


def staff_id(register, name):
    return next(s.id for s in register.ledger.staff() if s.name == name)


def numbers(register):
    return [row["伝票番号"] for row in register.slip_list_rows()]


def audit_records(register, action):
    with register.ledger.session() as db:
        return list(db.scalars(select(AuditRecord).where(AuditRecord.action == action)))


# --- the list ---------------------------------------------------------------------------

def test_todays_slips_newest_first_with_every_column(register, register_clock):
    register.start_checkout()  # 佐藤
    sell(register, "クッキー")  # ¥250 cash
    register_clock.advance(minutes=11)
    sell_split(register, "ナポリタン", "アイスコーヒー", voucher_yen=1000)  # 1,460
    register_clock.advance(minutes=30)
    sell(register, "タンブラー", method="otherMethodButton", tender="gift_voucher")
    to_slip_list(register)
    assert register.slip_list_rows() == [
        {"時刻": "13:15", "伝票番号": "000003", "担当者": "佐藤", "合計": "¥2,200", "支払": "商品券", "状態": "通常"},
        {"時刻": "12:45", "伝票番号": "000002", "担当者": "佐藤", "合計": "¥1,460", "支払": "商品券・現金", "状態": "通常"},
        {"時刻": "12:34", "伝票番号": "000001", "担当者": "佐藤", "合計": "¥250", "支払": "現金", "状態": "通常"},
    ]
    assert register.text("dateButton") == "2026/11/21（土）"
    assert register.text("countLabel") == "2026/11/21（土）の伝票 3件"
    assert not register.find("nextDayButton").isEnabled()  # no slips in the future
    register.tap("detailButton")
    assert register.screen() == "SlipListScreen"
    assert "伝票を選んで" in register.message()


def test_filters_by_amount_method_and_slip_number(register):
    register.start_checkout()
    sell(register, "クッキー")  # 000001 ¥250 cash
    sell_split(register, "ナポリタン", "アイスコーヒー", voucher_yen=1000)  # 000002 ¥1,460 voucher + cash
    sell(register, "タンブラー", method="otherMethodButton", tender="gift_voucher")  # 000003 ¥2,200 voucher
    to_slip_list(register)
    everything = ["000003", "000002", "000001"]
    assert numbers(register) == everything

    register.tap("amountFromField")
    register.type_digits("1000")
    assert register.text("amountFromField") == "金額 下限　¥1,000"
    register.tap("searchButton")
    assert numbers(register) == ["000003", "000002"]
    assert register.text("countLabel") == "2026/11/21（土）の伝票 2件（絞り込み中）"
    register.tap("amountToField")
    register.type_digits("2000")
    register.tap("searchButton")
    assert numbers(register) == ["000002"]

    register.tap("clearFilterButton")
    assert numbers(register) == everything
    register.tap("otherFilterButton")  # toggles apply at once
    assert numbers(register) == ["000003", "000002"]
    register.tap("cashFilterButton")  # 現金 or その他
    assert numbers(register) == everything
    register.tap("otherFilterButton")
    assert numbers(register) == ["000002", "000001"]
    register.tap("cashFilterButton")
    register.tap("terminalFilterButton")
    assert numbers(register) == []
    assert register.text("countLabel") == "2026/11/21（土）の伝票はありません（絞り込み中）"

    register.tap("clearFilterButton")
    register.tap("slipNumberField")
    register.type_digits("000002")  # as printed on the receipt
    register.tap("searchButton")
    assert numbers(register) == ["000002"]
    register.tap("keyClear")
    register.type_digits("7")
    register.tap("searchButton")
    assert numbers(register) == []
    assert register.message() == "2026/11/21（土）に伝票番号 000007 の伝票はありません。"


def test_malformed_filters_get_a_message_and_change_nothing(register):
    register.start_checkout()
    sell(register, "クッキー")
    sell(register, "タンブラー")
    to_slip_list(register)
    register.tap("slipNumberField")
    register.type_digits("2")
    register.tap("searchButton")
    assert numbers(register) == ["000002"]
    register.tap("keyClear")
    register.type_digits("0")
    register.tap("searchButton")
    assert register.message() == "伝票番号は1以上の数字で入力してください（0は使われていません）。"
    assert numbers(register) == ["000002"]  # still the last good search
    assert register.text("countLabel") == "2026/11/21（土）の伝票 1件（絞り込み中）"
    register.tap("keyClear")
    register.tap("amountFromField")
    register.type_digits("3000")
    register.tap("amountToField")
    register.type_digits("100")
    register.tap("cashFilterButton")
    assert "下限 ¥3,000 が上限 ¥100 を超えています" in register.message()
    assert not register.find("cashFilterButton").isChecked()  # the tap was undone
    assert numbers(register) == ["000002"]
    register.tap("amountToField")
    assert register.text("amountToField") == "金額 上限　¥100"
    register.tap("keyClear")
    register.type_digits("1234567")
    register.type_digits("8")  # an 8th digit is refused by the tenkey
    assert register.message() == "7桁までしか入力できません。"
    assert register.text("amountToField") == "金額 上限　¥1,234,567"


def test_date_picker_shows_another_days_slips(register, register_clock):
    register_clock.at = datetime(2026, 11, 20, 18, 5)
    register.start_checkout()
    sell(register, "カレーライス")  # Friday
    register_clock.at = NOW
    sell(register, "プリン")  # Saturday
    to_slip_list(register)
    assert [(r["伝票番号"], r["合計"]) for r in register.slip_list_rows()] == [("000002", "¥420")]
    register.tap("prevDayButton")
    assert register.text("dateButton") == "2026/11/20（金）"
    assert [(r["時刻"], r["伝票番号"], r["合計"]) for r in register.slip_list_rows()] == [("18:05", "000001", "¥950")]
    register.tap("nextDayButton")
    assert numbers(register) == ["000002"]
    register.tap("dateButton")
    picker = register.wait_dialog("DatePickerDialog")
    assert picker.findChild(type(register.find("todayButton")), "day_21").isChecked()
    assert not register.find("day_22").isEnabled()  # the future
    assert not register.find("nextMonthButton").isEnabled()
    register.tap("day_20")
    register.wait_until(lambda: register.dialog("DatePickerDialog") is None, what="the picker to close")
    assert numbers(register) == ["000001"]
    register.tap("dateButton")
    register.wait_dialog("DatePickerDialog")
    register.tap("prevMonthButton")
    assert register.text("monthLabel") == "2026年10月"
    register.tap("day_31")
    assert register.text("dateButton") == "2026/10/31（土）"
    assert numbers(register) == [] and register.text("countLabel") == "2026/10/31（土）の伝票はありません"
    register.tap("todayButton")
    assert numbers(register) == ["000002"]
    register.tap("prevDayButton")  # the day is kept across the detail and back
    register.open_slip(1)
    register.tap("backButton")
    register.wait_screen("SlipListScreen")
    assert register.text("dateButton") == "2026/11/20（金）"
    assert numbers(register) == ["000001"]


def test_a_long_day_is_loaded_page_by_page(register, register_clock):
    register.start_checkout()
    ledger = register.ledger
    cashier = staff_id(register, "佐藤")
    for minute in range(PAGE_SIZE * 2 + 5):
        register_clock.at = datetime(2026, 11, 21, 8, 0) + (minute * (NOW - datetime(2026, 11, 21, 8, 0)) / 100)
        cart = Cart()
        cart.add_product(1, "ブレンドコーヒー", 450, TaxClass.FOOD)
        cart.add_payment(Payment(PaymentKind.CASH, "現金", 450, "cash"))
        ledger.commit_sale(cart, cashier)
    to_slip_list(register)
    assert register.text("countLabel") == f"2026/11/21（土）の伝票 {PAGE_SIZE * 2 + 5}件"
    assert len(register.slip_list_rows()) == PAGE_SIZE  # the first page only
    for _ in range(200):
        if len(register.slip_list_rows()) == PAGE_SIZE * 2 + 5:
            break
        register.tap("pageDownButton")  # scrolling to the end fetches the next page
    shown = numbers(register)
    assert shown == [f"{n:06d}" for n in range(PAGE_SIZE * 2 + 5, 0, -1)]
    register.tap("pageUpButton")


# --- detail, voids, corrections, reprints ---------------------------------------------

def test_manager_voids_a_slip(register, printer):
    register.start_checkout("山田 店長", "1234")
    register.add_products("ナポリタン", "アイスコーヒー")  # ¥1,460
    register.pay("cashMethodButton", 2000)
    register.wait_screen("CheckoutDoneScreen")
    register.wait_devices()
    register.tap("nextCheckoutButton")
    to_slip_list(register)
    register.open_slip(1)
    assert register.text("slipNumberLabel") == "伝票 000001"
    assert register.text("slipStateLabel") == "通常"
    assert register.text("lineName_0") == "ナポリタン※" and register.text("lineAmount_1") == "¥480"
    assert (register.text("totalLabel"), register.text("depositLabel"), register.text("changeLabel")) == ("¥1,460", "¥2,000", "¥540")
    assert register.text("tax8Label") == "¥108（対象 ¥1,460）" and register.text("tax10Label") == "—"
    assert register.text("tenderLabel_0") == "現金　¥2,000"
    register.tap("voidSlipButton")  # a manager: no password, straight to the reason
    dialog = register.wait_dialog("VoidReasonDialog")
    assert "現金 ¥1,460 をお客様にお返しします" in register.text("dialogMessage")
    register.tap("confirmButton")
    assert dialog.message_label.text() == "理由を選んでください。"
    assert len(register.slips()) == 1
    register.tap("reason_1")  # お客様都合
    register.tap("confirmButton")
    register.wait_until(lambda: register.dialog("VoidReasonDialog") is None, what="the dialog to close")
    assert register.message() == "伝票番号 000001 を取消しました（取消伝票 000002）。現金 ¥1,460 をお返しください。"
    assert register.find("cashBackLabel").isVisible()  # the cash to hand back, big in the side column
    assert register.text("cashBackLabel") == "現金 ¥1,460 を\nお客様にお返しください"
    assert register.text("slipStateLabel") == "取消済"
    assert not register.find("voidSlipButton").isEnabled() and not register.find("correctSlipButton").isEnabled()
    original, reversal = register.slips()
    assert (reversal.kind, reversal.voids_slip_id, reversal.total_yen) == ("void", original.id, -1460)
    assert [(l.name, l.quantity, l.amount_yen) for l in reversal.lines] == [("ナポリタン", -1, -980), ("アイスコーヒー", -1, -480)]
    assert [(t.label, t.amount_yen) for t in reversal.tenders] == [("現金", -2000)]
    with register.ledger.session() as db:
        movement = db.scalars(select(DrawerMovement).where(DrawerMovement.slip_id == reversal.id)).one()
    assert (movement.kind, movement.amount_yen) == ("void", -1460)
    [record] = audit_records(register, "slip_void")
    manager = staff_id(register, "山田 店長")
    assert (record.staff_id, record.authorized_by_id, record.reason, record.target) == (manager, manager, "お客様都合", f"slip:{original.id}")
    register.wait_until(lambda: printer.drawer_kicks == 2, what="the drawer to open for the cash back")
    register.tap("backButton")
    register.wait_screen("SlipListScreen")
    assert [(r["伝票番号"], r["合計"], r["状態"]) for r in register.slip_list_rows()] == [
        ("000002", "-¥1,460", "取消伝票（000001）"), ("000001", "¥1,460", "取消済")]
    register.open_slip(2)
    assert register.text("slipStateLabel") == "取消伝票"
    assert not register.find("voidSlipButton").isEnabled()
    assert register.text("voidNoteLabel") == "伝票番号 000001 の伝票取消で作られた取消伝票です。"


def test_cashier_needs_a_managers_password_to_void(register):
    register.start_checkout()  # 佐藤, a cashier
    sell(register, "プリン", method="otherMethodButton", tender="gift_voucher")
    to_slip_list(register)
    register.open_slip(1)
    register.tap("voidSlipButton")
    auth = register.wait_dialog("ManagerAuthDialog")
    register.type_digits("1111")  # the cashier's own password
    register.tap("okButton")
    assert auth.message_label.text() == "責任者のパスワードが違います。（あと4回でロックされます）"
    assert register.dialog("VoidReasonDialog") is None
    register.tap("cancelButton")
    assert len(register.slips()) == 1 and audit_records(register, "slip_void") == []
    assert register.text("slipStateLabel") == "通常"
    register.tap("voidSlipButton")
    register.wait_dialog("ManagerAuthDialog")
    register.type_digits("1234")
    register.tap("okButton")
    register.wait_dialog("VoidReasonDialog")
    register.tap("reason_0")
    register.tap("cancelButton")  # changed their mind: nothing written
    assert len(register.slips()) == 1
    register.tap("voidSlipButton")
    register.wait_dialog("ManagerAuthDialog")
    register.type_digits("1234")
    register.tap("okButton")
    register.wait_dialog("VoidReasonDialog")
    register.tap("reason_0")  # 打ち間違い
    register.tap("confirmButton")
    assert register.message() == "伝票番号 000001 を取消しました（取消伝票 000002）。"  # no cash: nothing to hand back
    [record] = audit_records(register, "slip_void")
    assert (record.staff_id, record.authorized_by_id, record.reason) == (
        staff_id(register, "佐藤"), staff_id(register, "山田 店長"), "打ち間違い")
    assert json.loads(record.detail)["cash_refund_yen"] == 0


def test_voiding_twice_is_refused(register):
    register.start_checkout("山田 店長", "1234")
    sell(register, "スコーン")
    to_slip_list(register)
    register.open_slip(1)
    # meanwhile the slip is voided elsewhere (another screen of the day, a stale detail)
    manager = staff_id(register, "山田 店長")
    SlipJournal(register.ledger).void(register.slips()[0].id, staff_id=manager, authorized_by_id=manager, reason="打ち間違い")
    assert register.find("voidSlipButton").isEnabled()  # the screen does not know yet
    register.tap("voidSlipButton")
    assert register.message() == "伝票番号 000001 はすでに取消されています（取消伝票 000002）。"
    assert register.dialog("VoidReasonDialog") is None
    assert len(register.slips()) == 2 and len(audit_records(register, "slip_void")) == 1
    assert register.text("slipStateLabel") == "取消済"
    assert not register.find("voidSlipButton").isEnabled()


def test_correction_voids_and_rerings_the_same_lines(register):
    register.start_checkout()
    register.add_products("パンケーキ", "紅茶")  # ¥1,330
    register.pay("cashMethodButton", 1500)
    register.wait_screen("CheckoutDoneScreen")
    register.tap("nextCheckoutButton")
    to_slip_list(register)
    register.open_slip(1)
    register.tap("correctSlipButton")
    register.wait_dialog("ManagerAuthDialog")
    register.type_digits("1234")
    register.tap("okButton")
    register.wait_dialog("VoidReasonDialog")
    register.tap("reason_1")  # 金額・数量の誤り
    register.tap("confirmButton")
    register.wait_screen("CheckoutScreen")
    assert "伝票番号 000001 を取消しました" in register.message() and "訂正後の内容で会計してください" in register.message()
    assert (register.text("lineName_0"), register.text("lineName_1")) == ("パンケーキ※", "紅茶※")
    assert register.text("totalLabel") == "¥1,330"
    original, reversal = register.slips()
    assert (reversal.kind, reversal.voids_slip_id) == ("void", original.id)
    [record] = audit_records(register, "slip_correct")
    assert record.reason == "金額・数量の誤り" and record.authorized_by_id == staff_id(register, "山田 店長")
    register.tap("linePlus_1")  # the real order: two teas
    register.pay("cashMethodButton", None)
    register.wait_screen("CheckoutDoneScreen")
    assert register.text("totalLabel") == "¥1,780"
    *_, corrected = register.slips()
    assert [(l.name, l.quantity) for l in corrected.lines] == [("パンケーキ", 1), ("紅茶", 2)]
    register.tap("topButton")
    register.open_slip_list()
    assert [(r["伝票番号"], r["合計"], r["状態"]) for r in register.slip_list_rows()] == [
        ("000003", "¥1,780", "通常"), ("000002", "-¥1,330", "取消伝票（000001）"), ("000001", "¥1,330", "訂正")]
    register.open_slip(1)
    assert register.text("slipStateLabel") == "訂正"
    assert register.text("voidNoteLabel") == "伝票訂正済みです（取消伝票 000002）。"


def test_reprint_prints_the_stored_slip_marked_reissued(register, printer):
    register.start_checkout()
    register.add_products("チーズケーキ", "カフェラテ")
    register.pay("cashMethodButton", 5000)
    register.wait_screen("CheckoutDoneScreen")
    register.tap("nextCheckoutButton")
    to_slip_list(register)
    register.open_slip(1)
    register.wait_devices()
    before = len(printer.jobs)
    register.tap("reprintReceiptButton")
    register.wait_devices()
    assert register.message() == "レシートを再発行しました。"
    assert len(printer.jobs) == before + 1
    job = printer.jobs[-1]
    assert job.reprint
    for expected in ("再発行", "000001", "チーズケーキ", "カフェラテ", "￥1,040", "お預り", "￥5,000", "お釣り", "￥3,960", "佐藤"):
        assert expected in job.text, expected


def terminal_slip(register):
    """A committed slip with a terminal tender (as the terminal flow commits them)."""
    cart = Cart()
    cart.add_product(1, "ブレンドコーヒー", 450, TaxClass.FOOD)
    cart.add_product(2, "タンブラー", 2200, TaxClass.STANDARD)
    cart.add_payment(Payment(PaymentKind.CASH, "現金", 650, "cash"))
    cart.add_payment(Payment(PaymentKind.TERMINAL, "クレジット", 2000, "credit", reference="1"))
    return register.ledger.commit_sale(cart, staff_id(register, "山田 店長"))


@pytest.mark.parametrize("terminal_profile, label", [("usenpay", "USEN PAY"), ("ct6100", "決済端末")])
def test_terminal_tenders_have_their_payment_button_and_block_the_void(register, terminal_profile, label):
    register.start_checkout("山田 店長", "1234")
    terminal_slip(register)
    to_slip_list(register)
    assert register.slip_list_rows()[0]["支払"] == "現金・クレジット"
    register.tap("terminalFilterButton")
    assert numbers(register) == ["000001"]
    register.open_slip(1)
    assert register.text("tenderLabel_1") == "クレジット　¥2,000"
    assert register.text("paymentHistoryButton_1") == label
    with pytest.raises(AssertionError, match="no visible 'paymentHistoryButton_0'"):
        register.find("paymentHistoryButton_0")  # cash has none
    register.tap("voidSlipButton")
    assert "決済端末の支払い（クレジット ¥2,000）が返金されていません" in register.message()
    assert register.dialog("VoidReasonDialog") is None and len(register.slips()) == 1
    register.tap("paymentHistoryButton_1")
    register.wait_screen("PaymentHistoryScreen")
    # reference "1" matches no terminal payment: nothing to refund, and the void stays blocked
    assert "見つかりません" in register.text("historyNoteLabel")
    assert not register.window.current_screen.void_button.isVisible()
    register.tap("backButton")
    register.wait_screen("SlipDetailScreen")
    assert "返金されていません" in register.text("voidNoteLabel")
