"""R-HIST / R-STATUS / R-SLIP / R-CT / R-INQ: 決済履歴 (refunds, cash refunds, reprints, the
void guard) and 決済情報照会, through the real screens against the simulator over TCP.
Both clocks move together: the register's ``FixedClock`` and the simulator's."""
import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.core.clock import FixedClock
from app.core.ledger.models import AuditRecord, DrawerMovement
from app.core.payment_state import PaymentState
from tests.ui.terminal_helpers import assert_ledger_agrees_with_terminal, open_day, pay_by_terminal

NOW = datetime(2026, 11, 21, 12, 34, 0)
MANAGER = ("山田 店長", "1234")
CASHIER = ("佐藤", "1111")


@pytest.fixture
def register_clock():
    return FixedClock(NOW)


@pytest.fixture
def shop(register, terminal):
    """The day opened by the manager, on CheckoutScreen; the ledger agrees with the terminal after."""
    open_day(register, *MANAGER)
    yield register
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)


def sell(register, terminal, method_button, *products, **approve):
    """One sale paid in full on the terminal; ends on TopScreen. Returns its payment row."""
    terminal.approve(**approve)
    register.add_products(*products)
    pay_by_terminal(register, method_button)
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutDoneScreen")
    register.tap("topButton")
    register.wait_screen("TopScreen")
    return register.context.payments.all()[-1]


def later(register_clock, terminal, days, *, terminal_seconds=None):
    register_clock.advance(days=days)
    terminal.advance_clock(days * 86400 if terminal_seconds is None else terminal_seconds)


def pick_day(register, day: date):
    """On SlipListScreen: choose ``day`` in the date picker."""
    today = register.ledger.clock.now().date()
    register.tap("dateButton")
    register.wait_dialog("DatePickerDialog")
    for _ in range((today.year * 12 + today.month) - (day.year * 12 + day.month)):
        register.tap("prevMonthButton")
    register.tap(f"day_{day.day}")


def to_history(register, slip_number=1, day: date | None = None):
    """From TopScreen: 伝票明細 → 詳細 → 「USEN PAY」 (or 「決済端末」); ends on PaymentHistoryScreen."""
    register.open_slip_list()
    if day is not None:
        pick_day(register, day)
    register.open_slip(slip_number)
    register.tap("paymentHistoryButton_0")
    register.wait_screen("PaymentHistoryScreen")


def choose(register, operation, index=0):
    register.tap(f"payment_{index}")
    register.wait_dialog("OperationChoiceDialog")
    register.tap(operation)


def refund_through_terminal(register):
    """On RefundConfirmScreen: 「決済端末連携」; ends on RefundDoneScreen."""
    register.wait_screen("RefundConfirmScreen")
    register.tap("terminalLinkButton")
    register.wait_screen("RefundDoneScreen")


def audit(register, action):
    with register.ledger.session() as db:
        return list(db.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def staff_id(register, name):
    return next(s.id for s in register.ledger.staff() if s.name == name)


def reversals(terminal):
    return [h for h in terminal.history() if h["kind"] == "reversal"]


# --- refunds through the terminal ---------------------------------------------------------

def test_card_refunded_the_same_day_is_a_取消(shop, terminal, printer):
    row = sell(shop, terminal, "usenpayCreditButton", "ナポリタン", "アイスコーヒー", brand="VISA", last4="1012")
    to_history(shop)
    assert shop.text("historyHeading") == "USEN PAY決済履歴　伝票番号 000001"
    assert shop.text("historyCaption_reference") == "受注コード"
    assert shop.text("paymentReference_0") == row.poi_transaction_id
    assert shop.text("paymentMethod_0") == "クレジット(VISA)　****1012"
    assert shop.text("paymentAmount_0") == "¥1,460" and shop.text("paymentTime_0").endswith("12:34:00")
    assert shop.text("paymentStatus_0") == "決済完了"
    assert shop.find("payment_0").property("selected")  # the tender tapped on the slip
    assert not shop.window.current_screen.void_button.isVisible()  # nothing refunded yet
    choose(shop, "refundButton")
    shop.wait_screen("RefundConfirmScreen")
    assert shop.text("amountLabel") == "¥1,460"
    assert shop.text("referenceLabel") == f"取引内容：取消　受注コード：{row.poi_transaction_id}"
    refund_through_terminal(shop)
    shop.tap("printSlipButton")
    shop.wait_devices()
    assert [job.copy_label for job in printer.jobs] == ["お客様控", "加盟店控"]
    assert "クレジットカード取消票" in printer.jobs[0].text and "************1012" in printer.jobs[0].text
    shop.tap("okButton")
    shop.wait_screen("PaymentHistoryScreen")
    shop.wait_dialog("VoidOfferDialog")  # 伝票取消 offered at once
    shop.tap("laterButton")
    assert shop.text("paymentStatus_0") == "返金済み"
    assert shop.find("voidSlipButton").isVisible()
    [reversal] = reversals(terminal)
    assert reversal["approved"] and reversal["original"] == row.poi_transaction_id and reversal["reversal_kind"] == "取消"
    payment, refund = shop.context.payments.all()
    assert (payment.state, refund.kind, refund.state) == (PaymentState.REFUNDED, "refund", PaymentState.APPROVED)
    [record] = audit(shop, "terminal_refund")
    assert record.authorized_by_id == staff_id(shop, "山田 店長") and record.target == f"terminal_payment:{payment.id}"
    # the slip list flags the refunded but unvoided slip
    shop.tap("backButton")
    shop.wait_screen("SlipDetailScreen")
    shop.tap("backButton")
    shop.wait_screen("SlipListScreen")
    assert shop.slip_list_rows()[0]["状態"] == "通常・要伝票取消"


def test_card_refunded_the_next_day_is_a_返品(shop, terminal, register_clock, printer):
    row = sell(shop, terminal, "usenpayCreditButton", "タンブラー", brand="JCB", last4="3333")
    later(register_clock, terminal, 1)
    to_history(shop, day=NOW.date())
    choose(shop, "refundButton")
    shop.wait_screen("RefundConfirmScreen")
    assert shop.text("referenceLabel").startswith("取引内容：返品")
    refund_through_terminal(shop)
    shop.tap("printSlipButton")
    shop.wait_devices()
    assert "クレジットカード取消票" in printer.jobs[0].text and "返品" in printer.jobs[0].text
    shop.tap("okButton")
    shop.wait_screen("PaymentHistoryScreen")
    assert shop.text("paymentStatus_0") == "返金済み"
    [reversal] = reversals(terminal)
    assert reversal["approved"] and reversal["original"] == row.poi_transaction_id and reversal["reversal_kind"] == "返品"


def test_id_is_refunded_through_the_terminal(shop, terminal, printer):
    sell(shop, terminal, "usenpayEmoneyButton", "プリン", brand="iD", last4="5678")
    to_history(shop)
    choose(shop, "refundButton")
    refund_through_terminal(shop)
    shop.tap("printSlipButton")
    shop.wait_devices()
    assert printer.jobs[0].text.splitlines()[0].strip() != "(再)" and "取消・返品" in printer.jobs[0].text
    shop.tap("okButton")
    shop.wait_screen("PaymentHistoryScreen")
    assert shop.text("paymentStatus_0") == "返金済み"
    assert [r["approved"] for r in reversals(terminal)] == [True]


def test_waon_is_refused_and_refunded_in_cash(shop, terminal, printer):
    row = sell(shop, terminal, "usenpayEmoneyButton", "パンケーキ", brand="WAON")
    to_history(shop)
    choose(shop, "refundButton")
    dialog = shop.wait_dialog("CashRefundDialog")
    assert "現金で返金してください" in dialog.message and "WAON" in dialog.message
    assert shop.screen() == "PaymentHistoryScreen"
    shop.tap("cashRefundButton")
    shop.wait_devices()
    shop.wait_dialog("VoidOfferDialog")
    shop.tap("laterButton")
    assert shop.text("paymentStatus_0") == "返金済み"
    assert f"現金 ¥{row.amount_yen:,}" in shop.message()
    assert printer.drawer_kicks == 1
    assert reversals(terminal) == []  # never sent to the terminal
    with shop.ledger.session() as db:
        [movement] = db.scalars(select(DrawerMovement).where(DrawerMovement.kind == "refund")).all()
    assert movement.amount_yen == -row.amount_yen
    [record] = audit(shop, "cash_refund")
    assert record.authorized_by_id == staff_id(shop, "山田 店長")
    assert json.loads(record.detail)["cash_refund_yen"] == row.amount_yen


def test_qr_is_refunded_on_day_90_with_no_slip(shop, terminal, register_clock, printer):
    sell(shop, terminal, "usenpayQrButton", "カフェラテ")
    # the register counts from its own clock; the simulator's clock keeps running, so an hour short
    later(register_clock, terminal, 90, terminal_seconds=90 * 86400 - 3600)
    to_history(shop, day=NOW.date())
    choose(shop, "refundButton")
    shop.wait_screen("RefundConfirmScreen")
    assert shop.text("referenceLabel").startswith("取引内容：返金")
    refund_through_terminal(shop)
    with pytest.raises(AssertionError):
        shop.find("printSlipButton")  # QR: 「OK」 only
    shop.tap("okButton")
    shop.wait_screen("PaymentHistoryScreen")
    assert shop.text("paymentStatus_0") == "返金済み"
    assert printer.jobs == []
    assert [r["reversal_kind"] for r in reversals(terminal)] == ["返金"]


def test_qr_is_refused_on_day_91(shop, terminal, register_clock):
    sell(shop, terminal, "usenpayQrButton", "カフェラテ")
    later(register_clock, terminal, 91)
    to_history(shop, day=NOW.date())
    choose(shop, "refundButton")
    assert shop.screen() == "PaymentHistoryScreen"
    assert "90日" in shop.message()
    assert shop.text("paymentStatus_0") == "決済完了"
    assert reversals(terminal) == [] and len(shop.context.payments.all()) == 1


def test_a_refunded_payment_cannot_be_refunded_again(shop, terminal):
    sell(shop, terminal, "usenpayCreditButton", "プリン")
    to_history(shop)
    choose(shop, "refundButton")
    refund_through_terminal(shop)
    shop.tap("okButton")
    shop.wait_dialog("VoidOfferDialog")
    shop.tap("laterButton")
    choose(shop, "refundButton")
    assert shop.screen() == "PaymentHistoryScreen"
    assert "すでに返金済み" in shop.message()
    assert len(reversals(terminal)) == 1 and len(shop.context.payments.all()) == 2


def test_void_is_refused_until_the_terminal_payment_is_refunded(shop, terminal):
    sell(shop, terminal, "usenpayCreditButton", "ナポリタン")
    shop.open_slip_list()
    shop.open_slip(1)
    shop.tap("voidSlipButton")
    assert "返金されていません" in shop.message()
    assert shop.dialog("VoidReasonDialog") is None and len(shop.slips()) == 1
    shop.tap("paymentHistoryButton_0")
    shop.wait_screen("PaymentHistoryScreen")
    assert not shop.window.current_screen.void_button.isVisible()
    choose(shop, "refundButton")
    refund_through_terminal(shop)
    shop.tap("okButton")
    shop.wait_dialog("VoidOfferDialog")
    shop.tap("voidSlipButton")  # straight into SlipDetailScreen's void flow
    shop.wait_screen("SlipDetailScreen")
    shop.wait_dialog("VoidReasonDialog")
    shop.tap("reason_0")
    shop.tap("confirmButton")
    assert "取消しました" in shop.message()
    sale, void = shop.slips()
    assert void.voids_slip_id == sale.id and [t.amount_yen for t in void.tenders] == [-sale.total_yen]
    shop.tap("backButton")
    shop.wait_screen("SlipListScreen")
    assert [row["状態"] for row in shop.slip_list_rows()] == ["取消伝票（000001）", "取消済"]


def test_a_cashier_needs_a_manager_to_refund(register, terminal):
    open_day(register, *CASHIER)
    sell(register, terminal, "usenpayCreditButton", "プリン")
    to_history(register)
    choose(register, "refundButton")
    register.wait_dialog("ManagerAuthDialog")
    register.type_digits("1111")  # a cashier's password is not a manager's
    register.tap("okButton")
    assert "責任者のパスワードが違います" in register.text("messageLabel")
    assert register.screen() == "PaymentHistoryScreen"
    register.type_digits("1234")
    register.tap("okButton")
    refund_through_terminal(register)
    register.tap("okButton")
    register.wait_screen("PaymentHistoryScreen")
    [record] = audit(register, "terminal_refund")
    assert record.staff_id == staff_id(register, "佐藤") and record.authorized_by_id == staff_id(register, "山田 店長")
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)


def test_marked_refunded_on_the_terminal_by_a_manager(shop, terminal):
    """seed 4-5: refunded on the terminal itself; the manager records it, with a reason."""
    sell(shop, terminal, "usenpayCreditButton", "プリン")
    to_history(shop)
    choose(shop, "markRefundedButton")
    shop.wait_dialog("VoidReasonDialog")
    shop.tap("reason_0")
    shop.tap("confirmButton")
    shop.wait_dialog("VoidOfferDialog")
    shop.tap("laterButton")
    assert shop.text("paymentStatus_0") == "返金済み"
    [record] = audit(shop, "mark_refunded")
    assert record.reason == "決済端末で取消済み" and record.authorized_by_id == staff_id(shop, "山田 店長")
    with shop.ledger.session() as db:
        assert db.scalars(select(DrawerMovement).where(DrawerMovement.kind == "refund")).all() == []
    assert reversals(terminal) == []


# --- reprints -------------------------------------------------------------------------------

def test_reprint_prints_both_copies_marked_再(shop, terminal, printer):
    row = sell(shop, terminal, "usenpayCreditButton", "ナポリタン", brand="VISA", last4="1012")
    to_history(shop)
    choose(shop, "reprintButton")
    shop.wait_devices()
    assert [job.copy_label for job in printer.jobs] == ["お客様控", "加盟店控"]
    assert all(job.reprint and job.text.startswith("(再)") for job in printer.jobs)
    assert "クレジットカード売上票" in printer.jobs[0].text and row.poi_transaction_id in printer.jobs[0].text
    assert shop.message() == "控えを再印刷しました。"
    assert shop.context.payments.get(row.id).slip_prints == 1


def test_qr_has_nothing_to_reprint(shop, terminal, printer):
    sell(shop, terminal, "usenpayQrButton", "プリン")
    to_history(shop)
    choose(shop, "reprintButton")
    shop.wait_devices()
    assert "控えがない" in shop.message() and printer.jobs == []


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_reprint_is_disabled_with_the_reason(register, terminal, printer, terminal_profile):
    open_day(register, *MANAGER)
    sell(register, terminal, None, "プリン", method="credit", brand="VISA")
    to_history(register)
    assert register.text("historyHeading").startswith("決済端末決済履歴")
    assert register.text("historyCaption_reference") == "伝票番号"
    register.tap("payment_0")
    register.wait_dialog("OperationChoiceDialog")
    assert not register.find("reprintButton").isEnabled()
    assert "伝票明細より控えを再印字することはできません" in register.text("reprintNoteLabel")
    with pytest.raises(AssertionError, match="disabled"):
        register.tap("reprintButton")
    register.tap("closeButton")
    assert printer.jobs == []
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)


@pytest.mark.parametrize("terminal_profile", ["ct6100"])
def test_ct6100_refund_from_history_shows_the_number_to_key_in(register, terminal, printer, terminal_profile):
    open_day(register, *MANAGER)
    row = sell(register, terminal, None, "プリン", method="credit", brand="VISA")
    to_history(register)
    choose(register, "refundButton")
    register.wait_screen("RefundConfirmScreen")
    assert register.text("referenceLabel") == f"取引内容：取消　決済端末で取消する伝票番号：{row.poi_transaction_id}"
    refund_through_terminal(register)
    with pytest.raises(AssertionError):
        register.find("printSlipButton")  # the CT-6100 prints its own
    register.tap("okButton")
    register.wait_screen("PaymentHistoryScreen")
    register.wait_dialog("VoidOfferDialog")
    register.tap("laterButton")
    assert register.text("paymentStatus_0") == "返金済み"
    assert printer.jobs == [] and [r["approved"] for r in reversals(terminal)] == [True]
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)


# --- 決済情報照会 ----------------------------------------------------------------------------

def to_inquiry(register):
    register.tap("inquiryButton")
    register.wait_screen("PaymentInquiryScreen")


def results(register):
    screen = register.window.current_screen
    return [screen.hits[i].payment.poi_transaction_id for i in range(len(screen.hits))]


def test_inquiry_by_code_and_amount_opens_the_slip(shop, terminal):
    first = sell(shop, terminal, "usenpayCreditButton", "プリン")  # ¥420
    shop.tap("checkoutButton")
    second = sell(shop, terminal, "usenpayEmoneyButton", "タンブラー", brand="iD")  # ¥2,200
    to_inquiry(shop)
    assert results(shop) == [second.poi_transaction_id, first.poi_transaction_id]
    assert "2件" in shop.text("resultCountLabel")
    shop.tap("codeField")
    shop.type_digits(str(int(first.poi_transaction_id.rsplit("-", 1)[1])))  # TSU3-0000001 → 1
    shop.tap("searchButton")
    assert results(shop) == [first.poi_transaction_id]
    shop.tap("clearFilterButton")
    shop.tap("amountField")
    shop.type_digits("2200")
    shop.tap("searchButton")
    assert results(shop) == [second.poi_transaction_id]
    assert second.poi_transaction_id in shop.text("result_0") and "伝票 000002" in shop.text("result_0")
    shop.tap("result_0")
    shop.wait_screen("SlipDetailScreen")
    assert shop.text("slipNumberLabel") == "伝票 000002"
    shop.tap("backButton")
    shop.wait_screen("PaymentInquiryScreen")
    assert results(shop) == [second.poi_transaction_id]  # the search is kept
    shop.tap("emoneyFilterButton")
    shop.tap("searchButton")
    assert results(shop) == [second.poi_transaction_id]
    shop.tap("creditFilterButton")
    shop.tap("searchButton")
    assert results(shop) == []
    assert "該当する決済はありません" in shop.text("resultCountLabel")


def test_inquiry_refuses_a_malformed_code_and_keeps_the_results(shop, terminal):
    row = sell(shop, terminal, "usenpayCreditButton", "プリン")
    to_inquiry(shop)
    assert results(shop) == [row.poi_transaction_id]
    shop.tap("codeField")
    shop.type_digits("12345678")  # 8 digits: a 受注コード number has at most 7
    shop.tap("searchButton")
    assert "受注コード" in shop.message() and "7桁" in shop.message()
    assert results(shop) == [row.poi_transaction_id]
    shop.tap("clearFilterButton")
    shop.tap("codeField")
    shop.type_digits("0000")
    shop.tap("searchButton")
    assert "受注コード" in shop.message()
    assert results(shop) == [row.poi_transaction_id]


def test_inquiry_period_and_future_dates(shop, terminal, register_clock):
    row = sell(shop, terminal, "usenpayCreditButton", "プリン")
    later(register_clock, terminal, 1)
    to_inquiry(shop)
    assert results(shop) == []  # today only by default
    shop.tap("fromPrevButton")
    shop.tap("searchButton")
    assert results(shop) == [row.poi_transaction_id]
    shop.tap("toNextButton")
    assert "未来の日付" in shop.message()
    shop.tap("toPrevButton")
    shop.tap("toPrevButton")  # 終了日 before 開始日
    shop.tap("searchButton")
    assert "期間が正しくありません" in shop.message()
    assert results(shop) == [row.poi_transaction_id]
    assert NOW.date() + timedelta(days=1) == shop.ledger.clock.now().date()


# --- issue 12 -------------------------------------------------------------------------------

def used_at(job):
    [line] = [line for line in job.lines if line.startswith("ご利用日")]
    return line.split()[-2:]


def test_a_reprinted_sale_slip_after_a_refund_shows_the_sale_date(shop, terminal, register_clock, printer):
    """R-SLIP: ご利用日 is when the payment was taken, not when its row last changed (the refund)."""
    terminal.approve(brand="VISA", last4="1012")
    shop.add_products("プリン")
    pay_by_terminal(shop, "usenpayCreditButton")
    shop.wait_screen("PaymentDoneScreen")
    shop.tap("printSlipButton")
    shop.wait_devices()
    sold = used_at(printer.jobs[0])
    shop.tap("okButton")
    shop.wait_screen("CheckoutDoneScreen")
    shop.tap("topButton")
    later(register_clock, terminal, 1)
    to_history(shop, day=NOW.date())
    choose(shop, "refundButton")
    refund_through_terminal(shop)
    shop.tap("printSlipButton")
    shop.wait_devices()
    assert used_at(printer.jobs[-1]) != sold  # the 取消票 is dated the day after
    shop.tap("okButton")
    shop.wait_dialog("VoidOfferDialog")
    shop.tap("laterButton")
    printer.clear()
    choose(shop, "reprintButton")
    shop.wait_devices()
    assert printer.jobs[0].reprint and "クレジットカード売上票" in printer.jobs[0].text
    assert used_at(printer.jobs[0]) == sold


def test_qr_is_refunded_on_the_evening_of_day_90(shop, terminal, register_clock, printer):
    """R-HIST: through the end of the 90th calendar day after the day of payment (90 × 24 h is past)."""
    sell(shop, terminal, "usenpayQrButton", "カフェラテ")
    register_clock.at = datetime.combine(NOW.date() + timedelta(days=90), datetime.min.time()).replace(hour=23, minute=50)
    sim_now = terminal.engine.clock()
    sim_evening = datetime.combine(sim_now.date() + timedelta(days=90), datetime.min.time()).replace(
        hour=23, minute=50, tzinfo=sim_now.tzinfo)
    terminal.advance_clock((sim_evening - sim_now).total_seconds())
    to_history(shop, day=NOW.date())
    choose(shop, "refundButton")
    refund_through_terminal(shop)
    shop.tap("okButton")
    shop.wait_screen("PaymentHistoryScreen")
    assert shop.text("paymentStatus_0") == "返金済み"
    assert [r["approved"] for r in reversals(terminal)] == [True]


def test_the_tender_tapped_on_the_slip_is_the_row_selected(shop, terminal):
    """Issue 14 item 11: two terminal tenders; 「USEN PAY」 of the second selects the second row, in columns."""
    shop.add_products("ナポリタン", "アイスコーヒー")  # ¥1,460
    for method_button, amount, brand in (("usenpayCreditButton", 1000, "VISA"), ("usenpayEmoneyButton", None, "iD")):
        terminal.approve(brand=brand)
        pay_by_terminal(shop, method_button, amount)
        shop.wait_screen("PaymentDoneScreen")
        shop.tap("okButton")
    shop.wait_screen("CheckoutDoneScreen")
    shop.tap("topButton")
    shop.open_slip_list()
    shop.open_slip(1)
    shop.tap("paymentHistoryButton_1")
    shop.wait_screen("PaymentHistoryScreen")
    assert [shop.text(f"paymentMethod_{i}").split("　")[0] for i in (0, 1)] == ["クレジット(VISA)", "電子マネー(iD)"]
    assert [shop.text(f"paymentAmount_{i}") for i in (0, 1)] == ["¥1,000", "¥460"]
    assert [bool(shop.find(f"payment_{i}").property("selected")) for i in (0, 1)] == [False, True]
    assert [shop.find(f"paymentStatus_{i}").property("badge") for i in (0, 1)] == ["neutral", "neutral"]
