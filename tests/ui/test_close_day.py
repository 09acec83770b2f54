"""R-CLOSE: a whole day through the real screens — sales by every tender, a void, a refund
from history, 入金 / 出金 — then 点検 and 精算, every figure on screen and on paper checked
against values computed by hand; the terminal's own totals; what blocks or refuses 精算."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from app.core.clock import FixedClock
from app.core.ledger.models import AuditRecord, DrawerMovement, Settlement
from tests.ui.terminal_helpers import assert_ledger_agrees_with_terminal, open_day, pay_by_terminal

NOW = datetime(2026, 11, 21, 12, 34, 0)
MANAGER = ("山田 店長", "1234")
CASHIER = ("佐藤", "1111")


@pytest.fixture
def register_clock():
    return FixedClock(NOW)


# --- steps ------------------------------------------------------------------------------

def to_top(register):
    register.tap("topButton")
    register.wait_screen("TopScreen")


def terminal_sale(register, terminal, method_button, *products, **approve):
    """One sale paid in full on the terminal, from CheckoutScreen to TopScreen."""
    terminal.approve(**approve)
    register.add_products(*products)
    pay_by_terminal(register, method_button)
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutDoneScreen")
    to_top(register)


def cash_sale(register, *products, tendered=None):
    register.add_products(*products)
    register.pay("cashMethodButton", tendered)
    register.wait_screen("CheckoutDoneScreen")
    to_top(register)


def cash_move(register, kind_button, amount, reason_index):
    register.tap("cashMoveButton")
    register.wait_screen("CashMoveScreen")
    register.tap(kind_button)
    register.type_digits(str(amount))
    register.tap(f"reason_{reason_index}")
    register.tap("confirmButton")


def printed_figures(job) -> dict[str, str]:
    """The report as printed: ``{"section/label": "2件 ¥620"}`` (￥ → ¥, as on screen)."""
    figures, section, previous = {}, "", ""
    for line in job.lines:
        heading = re.fullmatch(r"【(.+)】", line.strip())
        if heading:
            section = heading.group(1)
            continue
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) < 2 or not parts[-1].lstrip("-").startswith("￥"):
            continue
        label = f"{previous} 税" if parts[0] == "内消費税" else parts[0]
        previous = parts[0] if parts[0] != "内消費税" else previous
        figures[f"{section}/{label}"] = " ".join(parts[1:]).replace("￥", "¥")
    return figures


def subset(figures: dict[str, str], expected: dict[str, str]) -> dict[str, str]:
    return {key: figures.get(key) for key in expected}


# Hand-computed: S1 プリン ¥420 cash (お預り ¥1,000); S2 ナポリタン+アイスコーヒー ¥1,460 VISA;
# S3 カフェラテ ¥520 iD (refunded from history: 取消); S4 タンブラー ¥2,200 PayPay — all 12:34 by
# 山田 店長. 13:34 by 佐藤: S5 店内 カレーライス+クラフトビール ¥1,700 = 商品券 ¥500 + JCB ¥1,000
# + cash ¥200; S6 チーズケーキ ¥520 cash, voided (S7, by 山田 店長). 入金 ¥5,000, 出金 ¥1,200.
EXPECTED = {
    "売上/総売上": "6件 ¥6,820",
    "売上/伝票取消": "1件 ¥520",
    "売上/伝票訂正": "0件 ¥0",
    "売上/純売上": "5件 ¥6,300",
    "売上/値引・割引": "0件 ¥0",
    "支払別/現金": "2件 ¥620",  # 420 + 200 + 520 − 520
    "支払別/クレジット(JCB)": "1件 ¥1,000",
    "支払別/クレジット(VISA)": "1件 ¥1,460",
    "支払別/電子マネー(iD)": "1件 ¥520",
    "支払別/QRコード(PayPay)": "1件 ¥2,200",
    "支払別/商品券": "1件 ¥500",
    "税率別/10%対象 店内": "¥1,700",
    "税率別/10%対象 店内 税": "¥154",  # 1700 × 10 / 110 = 154.5
    "税率別/10%対象 持ち帰り": "¥2,200",
    "税率別/10%対象 持ち帰り 税": "¥200",
    "税率別/8%対象 持ち帰り": "¥2,400",  # 420 + 1460 + 520 + 520 − 520
    "税率別/8%対象 持ち帰り 税": "¥177",  # 31 + 108 + 38 (+ 38 − 38)
    "返金/取消": "1件 ¥520",
    "担当者別/山田 店長": "3件 ¥4,080",  # S1–S4 and the void S7
    "担当者別/佐藤": "2件 ¥2,220",
    "時間帯別/12時": "4件 ¥4,600",
    "時間帯別/13時": "1件 ¥1,700",  # S5, S6 and its void
    "現金/釣銭準備金": "¥30,000",
    "現金/現金売上": "¥1,140",  # 420 + 200 + 520
    "現金/現金返金": "-¥520",
    "現金/入金": "1件 ¥5,000",
    "現金/出金": "1件 -¥1,200",
    "現金/理論在高": "¥34,420",  # 30000 + 1140 − 520 + 5000 − 1200
}


def run_the_day(register, terminal, register_clock):
    """The day above; ends on TopScreen, logged in as 山田 店長."""
    open_day(register, *MANAGER)
    cash_sale(register, "プリン", tendered=1000)
    register.tap("checkoutButton")
    terminal_sale(register, terminal, "usenpayCreditButton", "ナポリタン", "アイスコーヒー", brand="VISA", last4="1012")
    register.tap("checkoutButton")
    terminal_sale(register, terminal, "usenpayEmoneyButton", "カフェラテ", brand="iD")
    register.tap("checkoutButton")
    terminal_sale(register, terminal, "usenpayQrButton", "タンブラー", brand="PayPay")

    register_clock.advance(hours=1)
    terminal.advance_clock(3600)
    register.login(*CASHIER)
    register.wait_screen("TopScreen")
    register.tap("checkoutButton")
    register.tap("eatInButton")
    register.add_products("カレーライス", "クラフトビール")
    register.pay("otherMethodButton", 500, tender="gift_voucher")
    terminal.approve(brand="JCB", last4="3333")
    pay_by_terminal(register, "usenpayCreditButton", 1000)
    register.wait_screen("PaymentDoneScreen")
    register.tap("okButton")
    register.wait_screen("CheckoutScreen")
    register.pay("cashMethodButton", None)
    register.wait_screen("CheckoutDoneScreen")
    to_top(register)
    register.tap("checkoutButton")
    cash_sale(register, "チーズケーキ")
    cash_move(register, "cashInButton", 5000, 0)  # 両替
    assert register.message() == "入金 ¥5,000（両替）を記録しました。"
    register.tap("backButton")
    cash_move(register, "cashOutButton", 1200, 1)  # 仕入れ
    register.tap("backButton")

    register.login(*MANAGER)
    register.wait_screen("TopScreen")
    register.open_slip_list()
    register.open_slip(6)
    register.tap("voidSlipButton")
    register.wait_dialog("VoidReasonDialog")
    register.tap("reason_0")
    register.tap("confirmButton")
    register.wait_until(lambda: register.text("slipStateLabel") == "取消済", what="the void")
    register.tap("backButton")
    register.wait_screen("SlipListScreen")
    register.open_slip(3)
    register.tap("paymentHistoryButton_0")
    register.wait_screen("PaymentHistoryScreen")
    register.tap("payment_0")
    register.wait_dialog("OperationChoiceDialog")
    register.tap("refundButton")
    register.wait_screen("RefundConfirmScreen")
    register.tap("terminalLinkButton")
    register.wait_screen("RefundDoneScreen")
    register.tap("okButton")
    register.wait_dialog("VoidOfferDialog")
    register.tap("laterButton")
    register.reset_to_login()
    register.login(*MANAGER)
    register.wait_screen("TopScreen")


def test_a_whole_day_inspected_and_closed(register, terminal, printer, register_clock, tmp_path):
    run_the_day(register, terminal, register_clock)
    register.tap("closeDayButton")
    register.wait_screen("CloseScreen")
    assert register.text("expectedCashLabel") == "¥34,420"

    # 点検 (X): on screen, then on paper — and nothing changes
    register.tap("inspectButton")
    register.wait_screen("InspectionScreen")
    screen = register.window.current_screen.figures()
    assert subset(screen, EXPECTED) == EXPECTED
    jobs_before = len(printer.jobs)
    register.tap("printReportButton")
    register.wait_devices()
    [x_report] = printer.jobs[jobs_before:]
    assert x_report.kind == "x_report" and "点検レポート" in x_report.text
    assert subset(printed_figures(x_report), EXPECTED) == EXPECTED
    assert register.ledger.current_session().closed_at is None

    # CSV of the day: one row per slip line, UTF-8 with BOM
    register.tap("exportButton")
    path = register.message().split("：", 1)[1]
    raw = open(path, "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and len(raw.decode("utf-8-sig").splitlines()) == 1 + 9
    register.tap("backButton")
    register.wait_screen("CloseScreen")

    # 精算 (Z): ¥100 short, counted by denomination; the terminal agrees with the ledger
    for denomination, count in ((10000, 3), (1000, 4), (100, 3), (10, 2)):
        register.tap(f"denom_{denomination}")
        register.type_digits(str(count))
    assert (register.text("countedCashLabel"), register.text("differenceLabel")) == ("¥34,320", "-¥100")
    register.tap("settleButton")
    register.wait_dialog("DifferenceReasonDialog")
    register.tap("confirmButton")  # no reason yet: refused, still open
    assert register.dialog("DifferenceReasonDialog").message_label.text() == "理由を選んでください。"
    register.tap("reason_1")  # 数え間違い
    register.tap("confirmButton")
    register.wait_screen("InspectionScreen")
    register.wait_devices()
    z_report = printer.jobs[-1]
    assert z_report.kind == "z_report" and "精算番号 No.0001" in z_report.text and not z_report.reprint
    expected_z = {**EXPECTED, "現金/実在高": "¥34,320", "現金/過不足": "-¥100", "現金/10,000円 × 3": "¥30,000"}
    assert subset(printed_figures(z_report), expected_z) == expected_z
    assert subset(register.window.current_screen.figures(), EXPECTED) == EXPECTED
    assert "合計はレジの記録と一致" in register.text("terminalCheckLabel")
    with register.ledger.session() as db:
        [settlement] = db.scalars(select(Settlement))
        assert (settlement.settlement_number, settlement.expected_cash_yen, settlement.counted_cash_yen,
                settlement.difference_yen, settlement.difference_reason) == (1, 34420, 34320, -100, "数え間違い")
        [closing] = db.scalars(select(AuditRecord).where(AuditRecord.action == "close_session"))
        assert closing.authorized_by_id == settlement.authorized_by_id
    assert register.ledger.current_session() is None

    # the next login opens a new day; a second 精算 gets the next number
    register.tap("logoutButton")
    register_clock.advance(days=1)
    terminal.advance_clock(86400)
    register.login(*CASHIER)
    register.wait_screen("OpenScreen")
    register.open_register(20000)
    register.tap("closeDayButton")
    register.wait_screen("CloseScreen")
    assert register.text("expectedCashLabel") == "¥20,000"
    register.tap("historyButton")
    register.wait_screen("CloseHistoryScreen")
    register.tap("settlement_1")
    register.wait_screen("InspectionScreen")
    register.tap("printReportButton")
    register.wait_devices()
    assert printer.jobs[-1].kind == "z_report" and printer.jobs[-1].lines[0].strip() == "(再)"
    assert subset(printed_figures(printer.jobs[-1]), expected_z) == expected_z
    register.wait_devices()
    assert_ledger_agrees_with_terminal(register, terminal)
