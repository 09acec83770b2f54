"""Terminal slips (控え) of card and e-money payments and refunds (R-SLIP; seed 000 3-3, seed 002 3-2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from PIL import ImageOps

from app.core.printing import terminal_slip
from app.core.printing.document import display_width
from app.core.printing.formatting import printed_yen
from app.core.printing.charset import FALLBACK as GETA
from app.core.printing.kanji import encode_kanji, to_cp932
from app.core.printing.render import render_image
from app.core.printing.terminal_slip import (
    TerminalSlipData,
    last4_of,
    layout_terminal_slip,
    refund_wording_for,
    terminal_slip_copies,
)

SHOP = "USEN PAY検証用(他社様利用)"


def card(**changes) -> TerminalSlipData:
    """The seed 000 card sample, with an amount that needs a thousands separator."""
    data = TerminalSlipData(
        shop_name=SHOP,
        shop_phone="03-1234-5678",
        used_at=datetime(2024, 12, 27, 14, 26, 55),
        method="credit",
        amount_yen=12345,
        order_code="TSU3-0003377",
        slip_number="00250",
        card_last4="1012",
        brand="JCB",
        entry_mode="IC",
        handling_division="110",
        product_division="990",
        issuer="JCBカード",
        approval_number="999999",
        processing_number="88888888",
        aid="A0000000651010",
        terminal_id="4976151008355",
    )
    return replace(data, **changes)


def emoney(**changes) -> TerminalSlipData:
    """The seed 000 e-money (iD) sample."""
    data = TerminalSlipData(
        shop_name=SHOP,
        shop_address="東京都XX区YY 1-2-3",
        shop_phone="03-1234-5678",
        used_at=datetime(2024, 12, 27, 14, 30, 2),
        method="emoney",
        amount_yen=1880,
        order_code="TSU3-0003378",
        slip_number="000227",
        card_last4="3028",
        brand="iD",
        product_division="0990",
        terminal_id="1234567899224",
        register_number="066",
        inquiry_number="0003-3000403506",
    )
    return replace(data, **changes)


def refund(data: TerminalSlipData, wording: str = "取消") -> TerminalSlipData:
    return replace(data, kind="refund", refund_wording=wording, used_at=datetime(2024, 12, 27, 17, 15, 0))


def line_with(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def pair(lines: list[str], left: str, right: str) -> None:
    """`left` and `right` are the two ends of one line."""
    line = line_with(lines, left)
    assert line.endswith(right), (line, right)


def value_under(lines: list[str], header: str, label: str) -> str:
    """In the 「伝票番号：有効期限：取引内容」 block, the value printed under `label`."""
    index = lines.index(header)
    labels = header.split("：")
    values = [value.strip() for value in lines[index + 1].split("：")]
    return values[labels.index(label)] if labels.index(label) < len(values) else ""


TRIPLET_1 = "伝票番号：有効期限：取引内容"
TRIPLET_2 = "支払区分：取扱区分：商品区分"


# --- card ---------------------------------------------------------------------------


def test_card_sale_prints_every_field():
    doc = layout_terminal_slip(card(), "お客様控")
    lines = doc.text_lines()

    assert doc.kind == "card_slip" and doc.copy_label == "お客様控" and not doc.reprint
    assert lines[0] == "クレジットカード売上票"
    pair(lines, "加盟店名", SHOP)
    pair(lines, "電話", "03-1234-5678")
    pair(lines, "ご利用日", "2024/12/27 14:26:55")
    pair(lines, "受注コード", "TSU3-0003377")
    pair(lines, "カード番号", "************1012")
    assert "JCB IC" in lines
    assert value_under(lines, TRIPLET_1, "伝票番号") == "00250"
    assert value_under(lines, TRIPLET_1, "有効期限") == "XX/XX"
    assert value_under(lines, TRIPLET_1, "取引内容") == "売上"
    assert value_under(lines, TRIPLET_2, "支払区分") == "一括"
    assert value_under(lines, TRIPLET_2, "取扱区分") == "110"
    assert value_under(lines, TRIPLET_2, "商品区分") == "990"
    pair(lines, "カード会社", "JCBカード")
    pair(lines, "承認番号", "999999")
    pair(lines, "処理番号", "88888888")
    pair(lines, "端末ID", "4976151008355")
    pair(lines, "金額", "￥12,345")
    pair(lines, "合計金額", "￥12,345")
    assert "A0000000651010 JCB" in lines  # the AID line
    assert "お買い上げありがとうございました" in lines
    assert line_with(lines, "売場：").rstrip().endswith("係員：")
    assert lines[-1] == "お客様控"


@pytest.mark.parametrize("wording", ["取消", "返品"])
def test_card_refund_is_a_cancel_slip_with_the_refund_wording(wording):
    doc = layout_terminal_slip(refund(card(), wording), "加盟店控")
    lines = doc.text_lines()

    assert doc.kind == "card_slip"
    assert lines[0] == "クレジットカード取消票"
    assert "クレジットカード売上票" not in lines
    assert value_under(lines, TRIPLET_1, "取引内容") == wording
    assert value_under(lines, TRIPLET_1, "伝票番号") == "00250"
    assert value_under(lines, TRIPLET_1, "有効期限") == "XX/XX"
    pair(lines, "ご利用日", "2024/12/27 17:15:00")
    pair(lines, "受注コード", "TSU3-0003377")
    pair(lines, "カード番号", "************1012")
    pair(lines, "承認番号", "999999")
    pair(lines, "処理番号", "88888888")
    pair(lines, "金額", "￥12,345")  # refunds print the amount positive, as the samples do
    pair(lines, "合計金額", "￥12,345")
    assert "A0000000651010 JCB" in lines
    assert lines[-1] == "加盟店控"


def test_card_entry_modes_and_protocol_codes():
    for given, printed in [("ICC", "IC"), ("MagStripe", "磁気"), ("Contactless", "タッチ"), ("タッチ", "タッチ")]:
        data = card(brand="VISA", entry_mode=given)
        assert data.entry_mode == printed
        assert f"VISA {printed}" in layout_terminal_slip(data, "お客様控").text_lines()


def test_card_without_optional_data_invents_nothing():
    data = card(order_code=None, card_last4=None, brand=None, entry_mode=None, issuer=None,
                approval_number=None, processing_number=None, aid=None, terminal_id=None)
    lines = layout_terminal_slip(data, "お客様控").text_lines()
    text = "\n".join(lines)

    for absent in ("受注コード", "カード番号", "カード会社", "端末ID", "A0000000651010", "JCB", "*"):
        assert absent not in text, absent
    # the samples keep these labels even when the terminal sends no value
    assert line_with(lines, "承認番号").strip() == "承認番号"
    assert line_with(lines, "処理番号").strip() == "処理番号"
    assert value_under(lines, TRIPLET_1, "有効期限") == "XX/XX"


def test_card_number_is_never_printed_beyond_the_last_four():
    with pytest.raises(ValueError):
        card(card_last4="4111111111111111")
    with pytest.raises(ValueError):
        card(card_last4="10a2")
    assert card().masked_number == "************1012"
    assert last4_of("****1012") == "1012"
    assert last4_of("377782****6304") == "6304"
    with pytest.raises(ValueError):
        last4_of("****")


# --- e-money ------------------------------------------------------------------------


def test_emoney_sale_prints_every_field():
    data = emoney(approval_number="123456", aid="A0000000041010")
    doc = layout_terminal_slip(data, "お客様控")
    lines = doc.text_lines()

    assert doc.kind == "emoney_slip" and doc.copy_label == "お客様控" and not doc.reprint
    assert lines[0] == "領収書"
    pair(lines, "加盟店名", SHOP)
    assert "東京都XX区YY 1-2-3" in lines
    pair(lines, "電話", "03-1234-5678")
    pair(lines, "ご利用日", "2024/12/27 14:30:02")
    pair(lines, "受注コード", "TSU3-0003378")
    pair(lines, "会員番号", "************3028")
    pair(lines, "承認番号", "123456")
    pair(lines, "上位端末ID", "1234567899224")
    pair(lines, "取引内容", "売上")
    pair(lines, "有効期限", "XX/XX")
    pair(lines, "商品区分", "0990")
    pair(lines, "iD支払", "￥1,880")
    assert "レジ#066 伝票番号#000227" in lines
    pair(lines, "問い合わせ番号", "0003-3000403506")
    assert "A0000000041010 iD" in lines
    assert "お買い上げありがとうございました" in lines
    assert lines[-1] == "お客様控"
    assert "クレジットカード売上票" not in lines


@pytest.mark.parametrize("wording", ["取消", "返品"])
def test_emoney_refund_id(wording):
    doc = layout_terminal_slip(refund(emoney(slip_number="000230"), wording), "加盟店控")
    lines = doc.text_lines()

    assert doc.kind == "emoney_slip"
    assert lines[0] == "取消・返品"
    assert "領収書" not in lines
    pair(lines, "取引内容", wording)
    pair(lines, "ご利用日", "2024/12/27 17:15:00")
    pair(lines, "受注コード", "TSU3-0003378")
    pair(lines, "会員番号", "************3028")
    pair(lines, "上位端末ID", "1234567899224")
    pair(lines, "有効期限", "XX/XX")
    pair(lines, "iD支払取消・返品", "￥1,880")
    assert not any(line.startswith("iD支払 ") for line in lines)
    assert "レジ#066 伝票番号#000230" in lines
    assert lines[-1] == "加盟店控"


def test_emoney_balances_are_printed_only_when_reported():
    with_balance = emoney(brand="交通系", balance_before_yen=3000, balance_after_yen=1120)
    lines = layout_terminal_slip(with_balance, "お客様控").text_lines()
    pair(lines, "交通系支払", "￥1,880")
    pair(lines, "利用前残高", "￥3,000")
    pair(lines, "利用後残高", "￥1,120")

    plain = layout_terminal_slip(emoney(), "お客様控").text_lines()
    assert not any("残高" in line for line in plain)


# --- reprint, copies, QR ------------------------------------------------------------

ALL_SLIPS = {
    "card sale": card(),
    "card 取消": refund(card(), "取消"),
    "card 返品": refund(card(), "返品"),
    "emoney sale": emoney(),
    "emoney refund": refund(emoney()),
}


@pytest.mark.parametrize("name", ALL_SLIPS)
def test_reprint_mark_only_on_reprints(name):
    first = terminal_slip_copies(ALL_SLIPS[name])
    again = terminal_slip_copies(replace(ALL_SLIPS[name], reprint=True))

    for doc in first:
        assert not doc.reprint
        assert not any("(再)" in line for line in doc.text_lines())
    for doc, original in zip(again, first):
        assert doc.reprint
        lines = doc.text_lines()
        assert lines[0] == "(再)"
        assert sum("(再)" in line for line in lines) == 1
        assert lines[1:] == original.text_lines()  # the reprint is the same slip, marked


@pytest.mark.parametrize("name", ALL_SLIPS)
def test_each_print_gives_both_copies(name):
    docs = terminal_slip_copies(ALL_SLIPS[name])

    assert [doc.copy_label for doc in docs] == ["お客様控", "加盟店控"]
    assert [doc.text_lines()[-1] for doc in docs] == ["お客様控", "加盟店控"]
    customer, merchant = (doc.text_lines() for doc in docs)
    assert customer[:-1] == merchant[:-1]  # same slip, only the copy label differs
    assert not any("加盟店控" in line for line in customer)
    assert not any("お客様控" in line for line in merchant)


def test_unknown_copy_label_is_refused():
    with pytest.raises(ValueError):
        layout_terminal_slip(card(), "控え")


@pytest.mark.parametrize("kind", ["sale", "refund"])
def test_qr_payments_never_produce_a_slip(kind):
    qr = TerminalSlipData(shop_name=SHOP, used_at=datetime(2024, 12, 27, 14, 0), method="qr", kind=kind,
                          amount_yen=500, slip_number="00121")
    assert terminal_slip_copies(qr) == []
    assert terminal_slip_copies(replace(qr, reprint=True)) == []
    with pytest.raises(ValueError):
        layout_terminal_slip(qr, "お客様控")


# --- money, width, rendering ----------------------------------------------------------


def test_money_is_formatted_with_format_yen(monkeypatch):
    amounts = [line for doc in terminal_slip_copies(card(amount_yen=1234567)) for line in doc.text_lines()]
    assert sum(line.endswith(printed_yen(1234567)) for line in amounts) == 4  # 金額 + 合計金額, both copies
    assert not any("\u00a5" in line for line in amounts)  # never the half-width ¥ (not in cp932)

    monkeypatch.setattr(terminal_slip, "printed_yen", lambda yen: f"<{yen}>")
    card_lines = layout_terminal_slip(card(), "お客様控").text_lines()
    pair(card_lines, "金額", "<12345>")
    emoney_lines = layout_terminal_slip(emoney(balance_after_yen=9), "お客様控").text_lines()
    pair(emoney_lines, "iD支払", "<1880>")
    pair(emoney_lines, "利用後残高", "<9>")


@pytest.mark.parametrize("width", [48, 32])
@pytest.mark.parametrize("name", ALL_SLIPS)
def test_every_line_fits_the_paper(name, width):
    long_shop = replace(ALL_SLIPS[name], shop_name="カフェ・レギ 渋谷道玄坂二丁目スクランブル交差点前店", reprint=True)
    doc = layout_terminal_slip(long_shop, "お客様控", width)
    for line, text in zip(doc.lines, doc.text_lines()):
        assert display_width(text) <= (width // 2 if line.double else width), text
    joined = "".join(doc.text_lines())
    assert long_shop.shop_name.replace(" ", "") in joined.replace(" ", "")  # wrapped, never clipped
    assert printed_yen(long_shop.amount_yen) in joined


@pytest.mark.parametrize("dots", [576, 384])
@pytest.mark.parametrize("name", ALL_SLIPS)
def test_render_image_of_a_slip_is_not_blank(name, dots):
    image = render_image(layout_terminal_slip(ALL_SLIPS[name], "お客様控", 48 if dots == 576 else 32), dots)
    assert image.mode == "1" and image.width == dots
    black = image.histogram()[0]
    assert black > 2000, black
    left, top, right, bottom = ImageOps.invert(image.convert("L")).getbbox()
    assert right - left > dots // 2 and bottom - top > image.height // 2


@pytest.mark.parametrize("brand", ["VISA", "Mastercard", "JCB", "AMEX", "Diners",
                                   "交通系", "iD", "QUICPay", "nanaco", "WAON", "楽天Edy"])
def test_kanji_mode_encodes_every_brand(brand):
    data = emoney(brand=brand) if brand in ("交通系", "iD", "QUICPay", "nanaco", "WAON", "楽天Edy") else card(brand=brand)
    payload = encode_kanji(layout_terminal_slip(replace(data, reprint=True), "加盟店控"))
    assert to_cp932(brand) in payload
    assert GETA.encode("cp932") not in payload


# --- data ---------------------------------------------------------------------------


def test_refund_wording_by_date():
    sold = datetime(2024, 12, 27, 14, 26)
    assert refund_wording_for(sold, datetime(2024, 12, 27, 23, 59)) == "取消"
    assert refund_wording_for(sold, datetime(2024, 12, 28, 0, 0)) == "返品"


@pytest.mark.parametrize("changes, error", [
    ({"method": "cash"}, ValueError),
    ({"kind": "void"}, ValueError),
    ({"refund_wording": "返金"}, ValueError),  # QR wording: QR has no slip
    ({"amount_yen": 880.0}, TypeError),
    ({"amount_yen": True}, TypeError),
    ({"amount_yen": -880}, ValueError),
    ({"balance_after_yen": 1.5}, TypeError),
    ({"slip_number": "TSU3-1"}, ValueError),
    ({"entry_mode": "NFC"}, ValueError),
])
def test_bad_data_is_refused(changes, error):
    with pytest.raises(error):
        card(**changes)


def test_slip_data_is_frozen():
    with pytest.raises(AttributeError):
        card().amount_yen = 1  # type: ignore[misc]
