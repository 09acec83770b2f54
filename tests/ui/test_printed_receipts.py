"""Issue 12 through the real screens (R-RECEIPT, SPEC §7): レシート and 領収書 as the `printer` fixture
receives them, on 576-, 512- and 384-dot printers in image and Kanji mode, decoded independently
(tests/escpos_decode.py); times in the shop's zone whatever the machine's."""
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app.core.clock import FixedClock
from app.core.printing.formatting import format_datetime_ja
from app.core.printing.printers import PrinterConfig
from tests.escpos_decode import decode

PRINTERS = [(mode, model, dots) for model, dots in (("", 576), ("TM-T88V", 512), ("generic-58", 384))
            for mode in ("image", "kanji")]
ADDRESSEE = "株式会社カフェ・レギ・ホールディングス 総務部"


@pytest.fixture(params=PRINTERS, ids=[f"{mode}-{dots}" for mode, _model, dots in PRINTERS])
def printer_config(request):
    mode, model, dots = request.param
    return PrinterConfig(kind="capture", mode=mode, model=model)


def formal_receipt(register, addressee: str) -> None:
    register.tap("formalReceiptButton")
    dialog = register.wait_dialog("FormalReceiptDialog")
    dialog.addressee_edit.setText(addressee)  # typed on the on-screen keyboard
    register.tap("printButton")
    register.wait_devices()


def test_receipt_and_a_second_領収書_on_every_printer(register, printer, printer_config):
    register.start_checkout()
    register.add_products("タンブラー", "マグカップ", "コーヒー豆 200g", "ナポリタン")  # ¥6,310
    register.pay("cashMethodButton", 10000)
    register.wait_screen("CheckoutDoneScreen")
    register.tap("printReceiptButton")
    register.wait_devices()
    formal_receipt(register, ADDRESSEE)
    formal_receipt(register, ADDRESSEE)
    receipt, first, second = printer.jobs

    dots = printer_config.dots
    for job in printer.jobs:
        [page] = decode(job.raw)
        assert page.cut and not page.kanji_open
        if printer_config.mode == "kanji":
            assert [line.text for line in page.lines] == job.lines  # the document, byte for byte
            assert all(line.columns <= dots // 12 for line in page.lines)
        else:
            assert {band.width_dots for band in page.bands} == {dots}

    lines = receipt.lines
    assert any(line.startswith("お預り") and line.endswith("￥10,000") for line in lines)
    assert not any(line.startswith("現金") for line in lines)  # not the cash handed over twice
    assert any(line.startswith("レジ1") for line in lines) and "レジ レジ" not in receipt.text

    assert not first.reprint and "再発行" not in first.text
    assert second.reprint and second.lines[0] == "再発行"
    for job in (first, second):
        assert ADDRESSEE.replace(" ", "") in "".join(job.lines).replace(" ", "")  # wrapped, never cut


@pytest.fixture
def machine_in_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("printer_config", [None])
def test_a_receipt_is_stamped_in_the_shops_time_zone(machine_in_utc, register, printer, printer_config):
    register.start_checkout()
    register.add_products("プリン")
    register.pay("cashMethodButton", None)
    register.wait_screen("CheckoutDoneScreen")
    register.tap("printReceiptButton")
    register.wait_devices()
    [slip] = register.slips()
    tokyo = datetime.now(timezone.utc).astimezone(ZoneInfo("Asia/Tokyo")).replace(tzinfo=None)
    assert abs(slip.created_at - tokyo) < timedelta(minutes=5)  # not 9 hours behind
    assert format_datetime_ja(slip.created_at) in printer.jobs[0].lines


@pytest.mark.parametrize("printer_config", [None])
@pytest.mark.parametrize("register_clock", [FixedClock(datetime(2026, 11, 21, 23, 54))])
def test_the_header_clock_is_the_shops_time(register, printer_config, register_clock):
    register.login("佐藤", "1111")
    assert register.text("clockLabel") == "2026/11/21 23:54"  # what the slips say, not the machine's zone
