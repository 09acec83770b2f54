"""``ReportView``: the 点検 / 精算 figures on screen, in sections side by side (each a label
named ``section_<section>``), scrolling for fingers. ``figures()`` returns every figure as
shown, which is how tests compare the screen with hand-computed values."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QScroller, QWidget

from app.core.money import format_yen

COLUMNS = 3
SECTIONS = 7  # report_sections' sections


def report_sections(report, close=None) -> list[tuple[str, list[tuple[str, int | None, int]]]]:
    """``[(section, [(label, count or None, amount), …]), …]`` of a ``DayReport`` (and the
    counted drawer of a 精算: ``close`` with ``counted_cash_yen`` and ``difference_yen``)."""
    cash = report.cash
    cash_rows = [("釣銭準備金", None, cash.float_yen), ("現金売上", None, cash.cash_sales_yen),
                 ("現金返金", None, -cash.cash_refunds_yen)]
    cash_rows += [(f.label, f.count, -f.amount_yen if f.label == "出金" else f.amount_yen) for f in report.cash_moves]
    cash_rows.append(("理論在高", None, cash.expected_yen))
    if close is not None:
        cash_rows += [("実在高", None, close.counted_cash_yen), ("過不足", None, close.difference_yen)]
    sales = [report.sales, report.voids, report.corrections, report.net_sales, report.discounts]
    return [
        ("売上", [(f.label, f.count, f.amount_yen) for f in sales]),
        ("現金", cash_rows),  # first row on screen: the drawer is what 精算 is about
        ("支払別", [(f.label, f.count, f.amount_yen) for f in report.tenders]),
        ("税率別", [row for t in report.taxes for row in ((t.label, None, t.taxable_yen), (f"{t.label} 税", None, t.tax_yen))]),
        ("返金", [(f.label, f.count, f.amount_yen) for f in report.refunds]),
        ("担当者別", [(f.label, f.count, f.amount_yen) for f in report.staff]),
        ("時間帯別", [(f.label, f.count, f.amount_yen) for f in report.hours]),
    ]


class ReportView(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reportView")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        QScroller.grabGesture(self.viewport(), QScroller.TouchGesture)
        self._figures: dict[str, str] = {}
        # Built once and only re-texted: a new widget tree costs a QSS polish of ~100 ms.
        holder = QWidget()
        holder.setObjectName("reportRows")  # see-through (QSS): the panels on the screen, no grey block
        grid = QGridLayout(holder)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        self._sections: list[QLabel] = []
        for index in range(SECTIONS):
            label = QLabel("", holder)
            label.setTextFormat(Qt.RichText)
            label.setProperty("role", "panel")
            label.setFrameShape(QFrame.StyledPanel)
            label.setContentsMargins(10, 8, 10, 8)
            label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
            grid.addWidget(label, index // COLUMNS, index % COLUMNS, Qt.AlignTop)
            self._sections.append(label)
        grid.setRowStretch(grid.rowCount(), 1)
        self.setWidget(holder)

    def show_report(self, report, close=None) -> None:
        self._figures = {}
        for label, (section, rows) in zip(self._sections, report_sections(report, close), strict=True):
            label.setObjectName(f"section_{section}")
            label.setText(self._section_html(section, rows))

    def _section_html(self, section: str, rows) -> str:
        """One rich-text label per section: a few widgets instead of hundreds."""
        cells = []
        for label, count, amount in rows:
            value = format_yen(amount)
            number = "" if count is None else f"{count}件"
            open_, close = ("<b>", "</b>") if label in ("純売上", "理論在高", "過不足") else ("", "")
            cells.append(f"<tr><td>{open_}{escape(label)}{close}</td><td align='right'>{number}</td>"
                         f"<td align='right'>{open_}{value}{close}</td></tr>")
            self._figures[f"{section}/{label}"] = value if count is None else f"{number} {value}"
        body = "".join(cells) or "<tr><td>なし</td></tr>"
        return f"<b>【{escape(section)}】</b><table width='100%' cellspacing='0' cellpadding='3'>{body}</table>"

    def figures(self) -> dict[str, str]:
        """``{"売上/純売上": "2件 ¥5,100", "現金/理論在高": "¥37,900", …}`` as shown."""
        return dict(self._figures)
