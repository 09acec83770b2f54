"""CloseHistoryScreen (R-CLOSE): past 精算 by date, newest first; a row
(``settlement_<精算番号>``) opens its Z report on InspectionScreen, reprintable with (再)."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from app.core.money import format_yen
from app.ui.screens.base import Screen
from app.ui.screens.close import signed_yen
from app.ui.widgets.buttons import touch_button
from app.ui.widgets.touch_list import touch_list


class CloseHistoryScreen(Screen):
    title = "精算履歴"

    def __init__(self, *args):
        super().__init__(*args)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(24, 8, 24, 4)
        self.scroll, self.rows = touch_list(self.body)
        layout.addWidget(self.scroll, 1)
        buttons = QHBoxLayout()
        back = touch_button("戻る", "backButton", "secondary", self.body)
        back.setProperty("wide", True)  # the QSS's min-width: it beats setMinimumWidth
        back.clicked.connect(lambda: self.navigator.go("CloseScreen"))
        buttons.addWidget(back)
        buttons.addStretch(2)
        layout.addLayout(buttons)

    def enter(self, **kwargs) -> None:
        while self.rows.count() > 1:
            widget = self.rows.takeAt(0).widget()
            widget.hide()
            widget.deleteLater()
        settlements = self.context.day.history()
        if not settlements:
            self.rows.insertWidget(0, QLabel("精算の記録はまだありません。", self.scroll.widget()))
        for s in settlements:
            text = (f"No.{s.settlement_number:04d}　{s.closed_at:%Y/%m/%d %H:%M}　純売上 {format_yen(s.net_sales_yen)}　"
                    f"理論在高 {format_yen(s.expected_cash_yen)}　過不足 {signed_yen(s.difference_yen)}")
            button = touch_button(text, f"settlement_{s.settlement_number}", "secondary", self.scroll.widget())
            button.clicked.connect(lambda _=False, i=s.id: self.navigator.go("InspectionScreen", settlement_id=i))
            self.rows.insertWidget(self.rows.count() - 1, button)
