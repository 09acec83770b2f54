"""``ReportView``: the 点検 / 精算 figures on screen, in sections side by side, scrolling
for fingers. Every value is a label named ``fig_<section>_<label>`` (its amount; the
count is ``cnt_<section>_<label>``), and ``figures()`` returns them all as shown, which
is how tests compare the screen with hand-computed values."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QScrollArea, QScroller, QVBoxLayout, QWidget

from app.core.money import format_yen

COLUMNS = 3


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
        self.setStyleSheet("QScrollBar:vertical { width: 24px; }")
        QScroller.grabGesture(self.viewport(), QScroller.TouchGesture)
        self._holder: QWidget | None = None
        self._figures: dict[str, str] = {}

    def show_report(self, report, close=None) -> None:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(12)
        self._figures = {}
        for index, (section, rows) in enumerate(report_sections(report, close)):
            grid.addWidget(self._section(holder, section, rows), index // COLUMNS, index % COLUMNS, Qt.AlignTop)
        grid.setRowStretch(grid.rowCount(), 1)
        self.setWidget(holder)  # the old holder is deleted by the scroll area
        self._holder = holder

    def _section(self, parent: QWidget, section: str, rows) -> QFrame:
        frame = QFrame(parent)
        frame.setProperty("role", "panel")
        frame.setFrameShape(QFrame.StyledPanel)
        box = QVBoxLayout(frame)
        box.setContentsMargins(10, 8, 10, 8)
        title = QLabel(f"【{section}】", frame)
        title.setStyleSheet("font-weight: bold;")
        box.addWidget(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        if not rows:
            grid.addWidget(QLabel("なし", frame), 0, 0)
        for row, (label, count, amount) in enumerate(rows):
            caption = QLabel(label, frame)
            number = QLabel("" if count is None else f"{count}件", frame)
            number.setObjectName(f"cnt_{section}_{label}")
            number.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            value = QLabel(format_yen(amount), frame)
            value.setObjectName(f"fig_{section}_{label}")
            value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if label in ("純売上", "理論在高", "過不足"):
                for widget in (caption, value):
                    widget.setStyleSheet("font-weight: bold;")
            grid.addWidget(caption, row, 0)
            grid.addWidget(number, row, 1)
            grid.addWidget(value, row, 2)
            self._figures[f"{section}/{label}"] = value.text() if count is None else f"{count}件 {value.text()}"
        grid.setColumnStretch(0, 1)
        box.addLayout(grid)
        return frame

    def figures(self) -> dict[str, str]:
        """``{"売上/純売上": "2件 ¥5,100", "現金/理論在高": "¥37,900", …}`` as shown."""
        return dict(self._figures)
