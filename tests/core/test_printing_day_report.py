"""X / Z reports and the 入出金票 (R-CLOSE) on paper: both printing modes, both paper widths,
every line within the paper, the reprint mark, the terminal check."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.core.ledger.day_close import CashMove
from app.core.ledger.day_report import CashFigures, DayReport, Figure, MethodTotals, TaxFigure
from app.core.ledger.terminal_totals import compare, TerminalTransaction
from app.core.printing.day_report import CloseFigures, ReportHeader, layout_cash_slip, layout_day_report
from app.core.printing.document import display_width
from app.core.printing.kanji import encode_kanji
from app.core.printing.render import render_image

AT = datetime(2026, 11, 21, 21, 5)
HEADER = ReportHeader("カフェ・レギ 渋谷店", "レジ1", AT, "山田 店長")
REPORT = DayReport(
    session_id=1, opened_at=datetime(2026, 11, 21, 8, 0), opened_by="佐藤", as_of=AT,
    sales=Figure("総売上", 120, 9_876_543), voids=Figure("伝票取消", 2, 1_040), corrections=Figure("伝票訂正", 1, 520),
    net_sales=Figure("純売上", 117, 9_874_983), discounts=Figure("値引・割引", 3, 300),
    tenders=[Figure("現金", 80, 50_000), Figure("クレジット(American Express)", 10, 20_000), Figure("商品券", 1, 500)],
    taxes=[TaxFigure(10, True, 1700, 154), TaxFigure(8, False, 2400, 177)],
    staff=[Figure("山田 店長", 60, 4080)], hours=[Figure("12時", 4, 4600)], refunds=[Figure("取消", 1, 520)],
    cash_moves=[Figure("入金", 1, 5000), Figure("出金", 1, 1200)],
    cash=CashFigures(30000, 1140, 520, 5000, 1200),
    terminal=[MethodTotals("credit", 2, 2460, 0, 0)],
)
CLOSE = CloseFigures(7, AT, "山田 店長", 34320, -100, "数え間違い", {10000: 3, 1000: 4, 100: 3, 10: 2})
CHECK = compare([MethodTotals("credit", 2, 2460, 0, 0)], [TerminalTransaction("TSU3-0003377", "credit", "payment", 1460, 2)],
                [MethodTotals("credit", 1, 1000, 0, 0)], [])


@pytest.mark.parametrize("width", [48, 32])
def test_reports_fit_the_paper_and_print_in_both_modes(width):
    documents = [
        layout_day_report(REPORT, HEADER, width),
        layout_day_report(REPORT, HEADER, width, close=CLOSE, terminal=CHECK, terminal_reason="決済端末の履歴で確認済み", reprint=True),
        layout_cash_slip(CashMove(12, "cash_out", 9_999_999, "その他：電球の交換と切手の購入", "佐藤", "山田 店長", AT), HEADER, width),
    ]
    for doc in documents:
        for line, text in zip(doc.lines, doc.text_lines()):
            limit = width // 2 if line.double else width
            assert display_width(text) <= limit, (doc.kind, text)
        assert encode_kanji(doc)
        assert render_image(doc, 576 if width == 48 else 384).width == (576 if width == 48 else 384)
    x, z, slip = documents
    assert x.kind == "x_report" and "点検レポート" in x.text_lines()[0] and not x.reprint
    assert z.kind == "z_report" and z.reprint and z.text_lines()[0] == "(再)"
    assert "精算番号 No.0007" in z.text_lines()
    assert any(t.startswith("過不足") and t.endswith("-￥100") for t in z.text_lines())
    assert "クレジット ※差異" in z.text_lines() and "※レジのみ: クレジット 売上 ￥1,460 (TSU3-0003377) 伝票番号 000002" in "".join(z.text_lines())
    assert slip.kind == "cash_slip" and slip.text_lines()[0] == "出金票" and "承認" in "\n".join(slip.text_lines())
