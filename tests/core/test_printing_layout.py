"""Receipt / 領収書 layout, text measuring, image rendering and Kanji-mode encoding (R-RECEIPT, SPEC §7)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import ImageOps

from app.core.printing.document import (
    PrintDocument,
    PrintLine,
    columns,
    display_width,
    paper_columns,
    paper_dots,
)
from app.core.printing.formatting import printed_yen
from app.core.printing.kanji import KANJI_OFF, KANJI_ON, SHIFT_JIS, encode_kanji
from app.core.printing.receipt import (
    ReceiptData,
    ReceiptLine,
    TaxBreakdown,
    layout_formal_receipt,
    layout_receipt,
)
from app.core.printing.render import render_image

# Mixed cart, figures by hand (prices tax-inclusive):
#   10%: ブレンドコーヒー 2 × 550 = 1,100 -> tax 1,100 × 10/110 = 100
#    8%: クロワッサン 380 + サンドイッチ 700 = 1,080 -> tax 1,080 × 8/108 = 80
#   total 2,180; a ￥1,000 商品券 and cash 2,000 handed over -> change 820.
CART = [
    ReceiptLine("ブレンドコーヒー", 2, 550, 1100),
    ReceiptLine("クロワッサン", 1, 380, 380, reduced_rate=True),
    ReceiptLine("サンドイッチ", 1, 700, 700, reduced_rate=True),
]


def receipt_data(**changes) -> ReceiptData:
    data = ReceiptData(
        shop_name="カフェ・レジ",
        shop_address="東京都渋谷区道玄坂1-2-3",
        shop_phone="03-1234-5678",
        registration_number="T1234567890123",
        register_name="01",
        slip_number="000227",
        issued_at=datetime(2024, 12, 27, 14, 30),
        staff_name="山田",
        lines=CART,
        subtotal_yen=2180,
        taxes=[TaxBreakdown(8, 1080, 80), TaxBreakdown(10, 1100, 100)],
        total_yen=2180,
        tenders=[("商品券", 1000)],
        deposit_yen=2000,
        change_yen=820,
    )
    return replace(data, **changes)


def line_with(lines: list[str], start: str) -> str:
    found = [line for line in lines if line.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def pair(lines: list[str], left: str, right: str) -> None:
    """`left` and `right` are the two ends of one line."""
    line = line_with(lines, left)
    assert line.endswith(right), line


# --- receipt (適格簡易請求書) ---------------------------------------------------------


def test_receipt_carries_every_qualified_invoice_field():
    doc = layout_receipt(receipt_data(), 48)
    lines = doc.text_lines()

    assert doc.kind == "receipt" and not doc.reprint
    assert "カフェ・レジ" in lines
    assert "登録番号 T1234567890123" in lines
    assert "2024年12月27日(金) 14:30" in lines
    assert "伝票番号 No.000227" in lines
    pair(lines, "レジ 01", "担当 山田")
    # items: reduced-rate ones marked ※, quantity × unit price when qty > 1
    assert "ブレンドコーヒー" in lines
    pair(lines, "  ￥550 × 2", "￥1,100")
    pair(lines, "※クロワッサン", "￥380")
    pair(lines, "※サンドイッチ", "￥700")
    assert not any(line.startswith("※ブレンド") for line in lines)
    pair(lines, "小計", "￥2,180")
    pair(lines, "合計", "￥2,180")
    tax10 = lines.index("(10%対象 ￥1,100 内消費税 ￥100)")
    tax8 = lines.index("(8%対象 ￥1,080 内消費税 ￥80)")
    assert tax10 < tax8
    assert "※は軽減税率対象商品です" in lines
    pair(lines, "商品券", "￥1,000")
    pair(lines, "お預り", "￥2,000")
    pair(lines, "お釣り", "￥820")
    assert "再発行" not in lines


def test_receipt_total_is_double_and_bold():
    doc = layout_receipt(receipt_data(), 48)
    total = next(line for line in doc.lines if line.text == "合計")
    assert total.double and total.bold and total.right == "￥2,180"


def test_receipt_discounts_and_single_rate():
    cart = [ReceiptLine("ランチセット", 1, 1200, 1200, discount_yen=100)]
    data = receipt_data(
        lines=cart,
        subtotal_yen=1100,
        slip_discount_yen=50,
        total_yen=1050,
        taxes=[TaxBreakdown(10, 1050, 95)],
        tenders=[("クレジット", 1050)],
        deposit_yen=0,
        change_yen=0,
    )
    lines = layout_receipt(data, 48).text_lines()
    pair(lines, "ランチセット", "￥1,200")
    pair(lines, "  値引", "-￥100")
    pair(lines, "値引", "-￥50")
    pair(lines, "合計", "￥1,050")
    assert "(10%対象 ￥1,050 内消費税 ￥95)" in lines
    assert not any("8%対象" in line or "軽減税率" in line or "×" in line for line in lines)
    pair(lines, "クレジット", "￥1,050")
    assert not any(line.startswith(("お預り", "お釣り")) for line in lines)


def test_reprint_is_marked_at_the_top():
    doc = layout_receipt(receipt_data(reprint=True), 48)
    assert doc.reprint
    assert doc.text_lines()[0] == "再発行"


@pytest.mark.parametrize("paper_mm", [80, 58])
def test_every_line_fits_the_paper(paper_mm):
    long_item = ReceiptLine("焼き菓子詰め合わせギフトボックス（大）季節限定", 3, 1500, 4500, reduced_rate=True)
    data = receipt_data(lines=[*CART, long_item], shop_name="カフェ・レジ 渋谷道玄坂本店", reprint=True)
    width = paper_columns(paper_mm)
    for doc in (layout_receipt(data, width), layout_formal_receipt(data, "株式会社サンプル", "", width)):
        for line, text in zip(doc.lines, doc.text_lines()):
            assert display_width(text) <= (width // 2 if line.double else width), text
    lines = layout_receipt(data, width).text_lines()
    assert "".join(lines).count("焼き菓子") == 1  # wrapped, not lost
    assert any(line.endswith("￥4,500") for line in lines)


# --- 領収書 ----------------------------------------------------------------------------


def test_formal_receipt_has_addressee_proviso_and_amount():
    doc = layout_formal_receipt(receipt_data(), "株式会社サンプル", "飲食代", 48)
    lines = doc.text_lines()
    assert doc.kind == "formal_receipt"
    assert "領収書" in lines
    pair(lines, "株式会社サンプル", "様")
    assert "￥2,180-" in lines
    assert "但し 飲食代 として" in lines
    assert "上記正に領収いたしました" in lines
    assert "(10%対象 ￥1,100 内消費税 ￥100)" in lines
    assert "(8%対象 ￥1,080 内消費税 ￥80)" in lines
    assert "カフェ・レジ" in lines
    assert "登録番号 T1234567890123" in lines
    assert "2024年12月27日(金) 14:30" in lines
    assert any(line.startswith("伝票番号 No.000227") for line in lines)
    assert "再発行" not in lines
    amount = next(line for line in doc.lines if line.text == "￥2,180-")
    assert amount.double


def test_formal_receipt_defaults_and_reprint():
    lines = layout_formal_receipt(receipt_data(reprint=True), "", "", 48).text_lines()
    assert lines[0] == "再発行"
    assert "但し お品代 として" in lines
    assert " " * 46 + "様" in lines  # a blank to write the addressee on


# --- text measuring and formatting ----------------------------------------------------


def test_display_width_counts_full_width_as_two():
    assert display_width("合計ABC") == 7
    assert display_width("￥1,360") == 7
    assert display_width("※") == 2  # ambiguous: full-width on Japanese printers
    assert display_width("ｱｲｳ") == 3  # half-width katakana


def test_columns_justifies_full_width_text():
    line = columns("合計", "￥1,360", 20)
    assert line == "合計" + " " * 9 + "￥1,360"
    assert display_width(line) == 20


def test_columns_clips_left_to_keep_the_amount():
    assert columns("あいうえおかきくけこ", "￥100", 12) == "あいう ￥100"


@given(
    left=st.text(alphabet="アイウ合計ABC12 ※ｱ", max_size=40),
    amount=st.integers(min_value=-10**7, max_value=10**9),
    width=st.integers(min_value=16, max_value=48),
)
def test_columns_always_fills_the_width_and_keeps_the_amount(left, amount, width):
    right = printed_yen(amount)
    line = columns(left, right, width)
    assert line.endswith(right)
    assert display_width(line) == width


def test_format_yen():
    assert printed_yen(1360) == "￥1,360"
    assert printed_yen(0) == "￥0"
    assert printed_yen(-100) == "-￥100"
    assert "\u00a5" not in printed_yen(5)
    with pytest.raises(TypeError):
        printed_yen(1360.0)
    with pytest.raises(TypeError):
        printed_yen(True)


def test_paper_sizes():
    assert (paper_columns(80), paper_dots(80)) == (48, 576)
    assert (paper_columns(58), paper_dots(58)) == (32, 384)


def test_text_lines_of_rules_blanks_and_double_lines():
    doc = PrintDocument("report", 32)
    doc.lines += [PrintLine.rule(), PrintLine.blank()]
    doc.add("合計", right="￥100", double=True)
    assert doc.text_lines() == ["-" * 32, "", "合計" + " " * 7 + "￥100"]


# --- image rendering ------------------------------------------------------------------


def black_pixels(image) -> int:
    return image.histogram()[0]


def ink_bbox(image) -> tuple[int, int, int, int]:
    """Bounding box of the black pixels."""
    return ImageOps.invert(image.convert("L")).getbbox()


def one_line_doc(text: str, **style) -> PrintDocument:
    doc = PrintDocument("report", 48)
    doc.add(text, **style)
    return doc


@pytest.mark.parametrize("dots,width", [(576, 48), (384, 32)])
def test_render_receipt_is_a_one_bit_image_of_the_paper_width(dots, width):
    image = render_image(layout_receipt(receipt_data(), width), dots)
    assert image.mode == "1"
    assert image.width == dots
    assert image.height > 500
    assert black_pixels(image) > 5000


def test_render_draws_japanese_glyphs():
    total = render_image(one_line_doc("合計"))
    other = render_image(one_line_doc("合算"))
    assert black_pixels(total) > 100
    assert total.tobytes() != other.tobytes()  # real glyphs, not the same missing-glyph boxes


def test_render_aligns_two_part_lines_to_the_margins():
    image = render_image(one_line_doc("小計", right="￥2,180"))
    left, _, right, _ = ink_bbox(image)
    assert left < 16
    assert right > 576 - 16


def test_render_centers_centered_lines():
    left, _, right, _ = ink_bbox(render_image(one_line_doc("領収書", align="center")))
    assert abs((left + right) / 2 - 288) < 6


def test_render_shrinks_too_wide_lines_instead_of_clipping():
    image = render_image(one_line_doc("8" * 70, right="￥1,234,567"))
    left, _, right, _ = ink_bbox(image)
    assert left > 0 and right < 576  # a clipped line would touch the paper edge


def test_render_double_lines_are_taller():
    normal = render_image(one_line_doc("合計"))
    double = render_image(one_line_doc("合計", double=True))
    assert double.height > normal.height * 1.5


# --- Kanji mode -----------------------------------------------------------------------


def test_kanji_bytes_use_shift_jis_kanji_mode():
    data = encode_kanji(layout_receipt(receipt_data(), 48))
    on, off = data.index(KANJI_ON), data.rindex(KANJI_OFF)
    assert SHIFT_JIS == b"\x1c\x43\x01" and data.index(SHIFT_JIS) < on
    assert KANJI_ON == b"\x1c\x26" and KANJI_OFF == b"\x1c\x2e"
    assert on < data.index("合計".encode("cp932")) < off
    assert b"\x81\x8f2,180" in data  # ￥ in cp932
    text = data[on:off].decode("cp932")
    assert "¥" not in text and "･" not in text  # a lone 0xA5 would print as ･
    assert "登録番号 T1234567890123" in text


def test_kanji_styles_precede_their_line():
    doc = PrintDocument("report", 48)
    doc.add("店名", align="center", double=True, bold=True)
    doc.add("本文")
    data = encode_kanji(doc)
    styled = b"\x1ba\x01" + b"\x1d!\x11" + b"\x1bE\x01" + "店名".encode("cp932") + b"\n"
    plain = b"\x1ba\x00" + b"\x1d!\x00" + b"\x1bE\x00" + "本文".encode("cp932") + b"\n"
    assert styled + plain in data


def test_kanji_replaces_half_width_yen_and_unencodable_characters():
    data = encode_kanji(one_line_doc("¥100 𠮷野家 😀"))
    assert b"\x81\x8f100" in data
    assert "〓".encode("cp932") * 1 in data
    text = data[data.index(KANJI_ON) : data.rindex(KANJI_OFF)].decode("cp932")
    assert re.search("〓野家 〓", text)
