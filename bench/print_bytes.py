"""How many bytes one receipt sends, per printer model and mode, and how long a serial line
needs for them (bytes × 10 bits / rate: start, 8 data, stop). Not a timing: the line time is
arithmetic, the pieces are what PrintService writes (issue 12, SPEC §7).

    .venv/bin/python bench/print_bytes.py
"""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.printing.printers import PrinterConfig, TimedSerial  # noqa: E402
from app.core.printing.receipt import ReceiptData, ReceiptLine, TaxBreakdown, layout_receipt  # noqa: E402
from app.core.printing.service import PrintService  # noqa: E402

LINES = [ReceiptLine(name, 1, price, price, reduced_rate=True) for name, price in (
    ("ブレンドコーヒー", 450), ("カフェラテ", 520), ("ミックスサンド", 680), ("チーズケーキ", 520), ("スコーン", 350))]


def receipt() -> ReceiptData:
    total = sum(line.amount_yen for line in LINES)
    return ReceiptData(shop_name="カフェ・レギ 渋谷店", shop_address="東京都渋谷区道玄坂1-2-3", shop_phone="03-1234-5678",
                       registration_number="T1234567890123", register_name="レジ1", slip_number="000001",
                       issued_at=datetime(2026, 11, 21, 12, 0), staff_name="佐藤", lines=LINES, subtotal_yen=total,
                       taxes=[TaxBreakdown(8, total, total * 8 // 108)], total_yen=total, deposit_yen=3000,
                       change_yen=3000 - total)


def main() -> None:
    print(f"{'model':<16}{'mode':<7}{'bytes':>8}{'9600 bps':>11}{'115200 bps':>12}{'piece@9600':>12}")
    for model in ("generic-80", "TM-T88V", "generic-58"):
        for mode in ("image", "kanji"):
            service = PrintService(PrinterConfig(kind="capture", mode=mode, model=model))
            service.print_document(layout_receipt(receipt(), service.columns))
            size = len(service.capture.jobs[0].raw)
            piece = TimedSerial("/dev/null", 9600, timeout=3.0).piece_bytes
            print(f"{model:<16}{mode:<7}{size:>8}{size * 10 / 9600:>10.1f}s{size * 10 / 115200:>11.1f}s{piece:>12}")


if __name__ == "__main__":
    main()
