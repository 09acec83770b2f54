"""Issue 12 (SPEC §7, R-RECEIPT, R-SLIP): the same characters and widths in both modes, printer
models from python-escpos's profiles (576 / 512 / 384 dots), readable 58 mm type, slips that say
what happened — checked on the bytes with the independent decoder of tests/escpos_decode.py."""
from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import ImageOps

from app.core.clock import Clock
from app.core.ledger.models import TerminalPayment
from app.core.ledger.settings import ShopSettings
from app.core.printing.charset import FALLBACK, printable, unprintable_chars
from app.core.printing.document import PrintDocument, display_width
from app.core.printing.models import printer_model, printer_models
from app.core.printing.printers import PrinterConfig
from app.core.printing.receipt import ReceiptData, ReceiptLine, TaxBreakdown, layout_formal_receipt, layout_receipt
from app.core.printing.render import render_image
from app.core.printing.service import PrintService
from app.core.printing.terminal_slip import terminal_slip_copies
from app.core.refund_rules import plan_refund
from app.core.terminal_slip_data import slip_data_for
from app.core.errors import RegiError
from tests.escpos_decode import decode

MODELS = [("", 576), ("TM-T88V", 512), ("generic-58", 384)]


def receipt(**changes) -> ReceiptData:
    data = ReceiptData(
        shop_name="カフェ・レギ 渋谷店", shop_address="東京都渋谷区道玄坂1-2-3", shop_phone="03-1234-5678",
        registration_number="T1234567890123", register_name="レジ1", slip_number="000001",
        issued_at=datetime(2026, 11, 21, 23, 54), staff_name="佐藤",
        lines=[ReceiptLine("Crème brûlée", 1, 1290, 1290, reduced_rate=True),
               ReceiptLine("特価¥−セット", 1, 5100, 5100)],
        subtotal_yen=6390, taxes=[TaxBreakdown(10, 5100, 463), TaxBreakdown(8, 1290, 95)], total_yen=6390,
        deposit_yen=10000, change_yen=3610)
    return replace(data, **changes)


def print_both_modes(doc_for, model: str):
    """Print the document `doc_for(columns)` in image and Kanji mode; returns both decoded pages and jobs."""
    out = {}
    for mode in ("image", "kanji"):
        service = PrintService(PrinterConfig(kind="capture", mode=mode, model=model))
        service.print_document(doc_for(service.columns))
        [job] = service.capture.jobs
        [page] = decode(job.raw)
        out[mode] = (job, page)
    return out


# --- one mapping, cp932 widths (defect 6) --------------------------------------------------

def test_widths_are_what_a_kanji_printer_prints():
    assert display_width("¥1,000") == 7  # sent as ￥ (81 8F): 2 columns
    assert display_width("−100") == 5  # U+2212 is 81 7C in cp932: 2 columns
    assert display_width("×※…") == 6
    assert display_width("ｶﾌｪ") == 3  # half-width kana: one byte each
    assert printable("Crème brûlée") == "Creme brulee"
    assert printable("☕ラテ 𠮷") == f"{FALLBACK}ラテ {FALLBACK}"
    assert printable("〜−¥") == "～－￥"


def test_unprintable_characters_for_a_warning_at_product_entry():
    assert unprintable_chars("☕ Café ¥500 −10 ラテ〜") == ["☕", "é"]
    assert unprintable_chars("カフェラテ（Ｌ）") == []


@pytest.mark.parametrize("model,dots", MODELS)
def test_both_modes_print_the_same_characters_and_no_line_wraps(model, dots):
    printed = print_both_modes(lambda columns: layout_receipt(receipt(), columns), model)
    (job, image_page), (kanji_job, kanji_page) = printed["image"], printed["kanji"]
    assert job.lines == kanji_job.lines  # the image draws what the Kanji printer prints
    assert [line.text for line in kanji_page.lines] == kanji_job.lines
    columns = dots // 12
    assert all(line.columns <= columns for line in kanji_page.lines), [(l.text, l.columns) for l in kanji_page.lines]
    lines = kanji_job.lines
    assert any(line.startswith("※Creme brulee") and line.endswith("￥1,290") for line in lines)
    assert any(line.startswith("特価￥－セット") and line.endswith("￥5,100") for line in lines)
    assert not any("〓" in line or "¥" in line for line in lines)
    assert {band.width_dots for band in image_page.bands} == {dots}
    assert kanji_page.cut and not kanji_page.kanji_open and image_page.cut


def test_characters_neither_mode_prints_fall_back_alike():
    def doc_for(columns):
        doc = PrintDocument("receipt", columns)
        doc.add("☕ブレンド", right="￥450")
        return doc

    printed = print_both_modes(doc_for, "")
    assert printed["image"][0].lines == printed["kanji"][0].lines == [f"{FALLBACK}ブレンド" + " " * 33 + "￥450"]


@pytest.mark.parametrize("model,dots", MODELS)
def test_a_long_addressee_is_printed_whole_in_both_modes(model, dots):
    name = "株式会社カフェ・レギ・ホールディングス 総務部 御中"
    printed = print_both_modes(lambda columns: layout_formal_receipt(receipt(), name, "飲食代", columns), model)
    for mode in ("image", "kanji"):
        job, _page = printed[mode]
        assert name.replace(" ", "") in "".join(job.lines).replace(" ", ""), mode
        assert any(line.endswith("様") for line in job.lines)
    assert all(line.columns <= dots // 12 for line in printed["kanji"][1].lines)


# --- printer models (defect 8) and 58 mm type (defect 7) ------------------------------------

def test_models_come_from_escpos_profiles_with_their_dots():
    models = {model.key: model for model in printer_models()}
    assert {model.dots for model in models.values()} == {576, 512, 384}
    assert (models["TM-T88V"].dots, models["TM-T88V"].columns, models["TM-T88V"].paper_mm) == (512, 42, 80)
    assert (models["TM-T20II"].dots, models["TM-T20II"].columns) == (576, 48)
    assert models["TM-T88V"].fonts[0] == ("Font A", 42)
    assert printer_model("", 58).dots == 384 and printer_model("", 80).dots == 576
    assert "512ドット" in models["TM-T88V"].label
    with pytest.raises(ValueError):
        PrinterConfig(model="no-such-printer")


def test_a_512_dot_printer_gets_the_whole_total():
    service = PrintService(PrinterConfig(kind="capture", model="TM-T88V"))
    service.print_document(layout_receipt(receipt(), service.columns))
    [page] = decode(service.capture.jobs[0].raw)
    image = page.image()
    assert image.width == 512
    left, _, right, _ = ImageOps.invert(image.convert("L")).getbbox()
    assert right < 512  # nothing drawn past the paper


def ink_rows(image) -> list[int]:
    """Heights of the runs of rows with ink (one per printed line)."""
    inked = [any(image.getpixel((x, y)) == 0 for x in range(0, image.width, 2)) for y in range(image.height)]
    runs, run = [], 0
    for flag in inked + [False]:
        if flag:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    return runs


def test_58mm_prints_the_same_readable_type_across_the_whole_paper():
    def doc_for(columns):
        doc = PrintDocument("receipt", columns)
        doc.add("合計金額のお支払い", right="￥6,390")
        return doc

    wide = render_image(doc_for(48), 576)
    narrow = render_image(doc_for(32), 384)
    assert abs(max(ink_rows(narrow)) - max(ink_rows(wide))) <= 1  # the same 24-dot type, 3 mm high
    assert max(ink_rows(narrow)) >= 22
    left, _, right, _ = ImageOps.invert(narrow.convert("L")).getbbox()
    assert left < 12 and right > 384 - 12  # the amount reaches the right edge


# --- slips that tell the truth (defect 9) ----------------------------------------------------

def terminal_row(**fields) -> TerminalPayment:
    now = datetime(2026, 11, 21, 12, 0)
    base = dict(id=1, transaction_id="t1", kind="payment", profile="usenpay", amount_yen=6390, state="approved",
                created_at=now, updated_at=now, poi_transaction_id="TSU3-0003377", method="credit",
                brand="Mastercard", card_last4="4444", entry_mode="ICC", slip_prints=0)
    return TerminalPayment(**{**base, **fields})


@pytest.mark.parametrize("columns", [48, 42, 32])
def test_the_aid_line_names_the_brand_once(columns):
    slip = {"AIDLine": "A0000000041010 Mastercard", "SlipNumber": "00119", "DateTime": "2026/11/21 12:00:05"}
    row = terminal_row(slip_data=json.dumps(slip))
    [customer, _] = terminal_slip_copies(slip_data_for(row, ShopSettings(shop_name="カフェ・レギ")), columns)
    text = customer.text_lines()
    aid = [i for i, line in enumerate(text) if line.startswith("A0000000041010")]
    assert len(aid) == 1
    assert "Mastercard Mastercard" not in "\n".join(text)
    around = " ".join(text[aid[0]:aid[0] + 2])
    assert "A0000000041010 Mastercard" in around
    assert not any(line.strip() in ("Master", "card") for line in text)


def test_the_receipt_header_and_cash_lines():
    lines = layout_receipt(receipt(), 48).text_lines()
    assert any(line.startswith("レジ1") for line in lines) and not any("レジ レジ" in line for line in lines)
    assert not any(line.startswith("現金") for line in lines)  # お預り says it
    assert any(line.startswith("お預り") and line.endswith("￥10,000") for line in lines)
    assert any(line.startswith("レジ 01") for line in layout_receipt(receipt(register_name="01"), 48).text_lines())


# --- the shop's time zone (defects 11, 12) -----------------------------------------------------

@pytest.fixture
def machine_in_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_clock_reads_the_shops_zone_whatever_the_machine_is_set_to(machine_in_utc):
    tokyo = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None)
    assert abs(Clock().now() - tokyo) < timedelta(minutes=1)
    assert abs(Clock("Europe/Paris").now() - datetime.now(ZoneInfo("Europe/Paris")).replace(tzinfo=None)) < timedelta(minutes=1)
    with pytest.raises(ValueError, match="タイムゾーン"):
        Clock("Mars/Olympus")


@pytest.mark.parametrize("paid,refund,allowed", [
    (datetime(2026, 1, 1, 12, 0), datetime(2026, 4, 1, 23, 59), True),  # day 90, evening: > 90 × 24 h
    (datetime(2026, 1, 1, 0, 5), datetime(2026, 4, 1, 23, 59), True),
    (datetime(2026, 1, 1, 23, 50), datetime(2026, 4, 2, 0, 10), False),  # day 91, 20 minutes past 90 × 24 h
])
def test_qr_refunds_count_calendar_days(paid, refund, allowed):
    row = terminal_row(method="qr", brand="PayPay", created_at=paid, updated_at=paid)
    if allowed:
        assert plan_refund(row, refund).wording == "返金"
    else:
        with pytest.raises(RegiError, match="90日"):
            plan_refund(row, refund)


def test_the_ledger_counts_in_the_shop_time_zone_setting(tmp_path, machine_in_utc):
    from app.core.ledger.ledger import Ledger

    url = f"sqlite:///{tmp_path / 'regi.db'}"
    ledger = Ledger(url)
    assert ledger.clock.zone.key == "Asia/Tokyo"  # the default, whatever the machine says
    ledger.save_settings(replace(ledger.settings(), shop_timezone="Pacific/Honolulu"), None)
    assert ledger.clock.zone.key == "Pacific/Honolulu"
    ledger.dispose()
    reopened = Ledger(url)
    honolulu = datetime.now(ZoneInfo("Pacific/Honolulu")).replace(tzinfo=None)
    assert abs(reopened.clock.now() - honolulu) < timedelta(minutes=1)
    reopened.dispose()


@pytest.mark.parametrize("model,dots", MODELS)
@pytest.mark.parametrize("kind", ["sale", "refund"])
@pytest.mark.parametrize("brand", ["Mastercard", "AMEX", "iD", "楽天Edy"])
def test_terminal_slips_decode_whole_in_both_modes(model, dots, kind, brand):
    from tests.core.test_printing_terminal_slip import card, emoney

    data = (emoney if brand in ("iD", "楽天Edy") else card)(brand=brand, kind=kind, aid="A0000000041010",
                                                          shop_name="カフェ・レギ 渋谷道玄坂本店（テイクアウト専門）")
    for copy in (0, 1):
        printed = print_both_modes(lambda columns: terminal_slip_copies(data, columns)[copy], model)
        (image_job, image_page), (kanji_job, kanji_page) = printed["image"], printed["kanji"]
        assert image_job.lines == kanji_job.lines == [line.text for line in kanji_page.lines]
        assert all(line.columns <= dots // 12 for line in kanji_page.lines)
        assert {band.width_dots for band in image_page.bands} == {dots}
        assert kanji_job.text.count(brand) >= 1 and f"{brand} {brand}" not in kanji_job.text
        assert "テイクアウト専門" in "".join(kanji_job.lines)
