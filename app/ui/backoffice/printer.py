"""プリンター (SPEC §7, §8): kind and address, paper (or the printer model), image or Kanji
mode, drawer, お客様控え 自動 / 手動, and 「テスト印刷」 with the values on screen (saved or not),
which prints a sample and tells what went wrong in words. Saved settings print the next job."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from app.core.printing.document import PrintDocument, paper_columns
from app.core.printing.models import GENERIC, printer_model, printer_models
from app.core.shop_rules import printer_target_problem
from app.ui.backoffice.page import SettingsPage, add_row, check_value, checked_value, choice_row, form_grid
from app.ui.keyboard import InputKind, text_field
from app.ui.widgets.buttons import touch_button

KINDS = (("network", "ネットワーク"), ("usb", "USB"), ("serial", "シリアル"), ("cups", "CUPS"),
         ("file", "ファイル"), ("preview", "画面表示"), ("none", "なし"))
TARGET_HINTS = {
    "network": "IPアドレス[:ポート]（例: 192.168.1.60:9100）",
    "usb": "ベンダーID:製品ID（例: 04b8:0e15）",
    "serial": "デバイス[:速度]（例: /dev/ttyUSB0:38400）",
    "cups": "CUPSのプリンター名（空欄: 既定のプリンター）",
    "file": "出力先ファイル（例: /media/usb/receipts.bin）",
    "preview": "印刷せず画面に表示します",
    "none": "印刷しません",
}
PAPERS = (("576", "80mm・576ドット"), ("512", "80mm・512ドット"), ("384", "58mm・384ドット"))
PAPER_MM = {576: 80, 512: 80, 384: 58}
GENERIC_BY_DOTS = {model.dots: model.key for model in GENERIC}  # a width chosen without a model


class PrinterPage(SettingsPage):
    title = "プリンター"

    def __init__(self, screen):
        super().__init__(screen)
        self.setObjectName("printerPage")
        grid = form_grid()
        kinds, self.kind_group = choice_row(self, KINDS, "printerKind")
        self.kind_group.buttonClicked.connect(lambda _b: self._show_hint())
        add_row(grid, "接続", kinds)
        self.target_edit = text_field(self, "printerTargetEdit", InputKind.LATIN, "", max_length=120)
        add_row(grid, "接続先", self.target_edit)
        papers, self.paper_group = choice_row(self, PAPERS, "paper")
        self.paper_group.buttonClicked.connect(lambda _b: self.model_combo.setCurrentIndex(0))
        self.model_combo = QComboBox(self)
        self.model_combo.setObjectName("printerModelCombo")
        self.model_combo.setMinimumHeight(56)
        self.model_combo.addItem("機種を選ばない", "")
        for model in printer_models():
            if model not in GENERIC:
                self.model_combo.addItem(model.label, model.key)
        self.model_combo.activated.connect(self._model_chosen)
        add_row(grid, "用紙幅", papers)
        add_row(grid, "機種", self.model_combo)
        modes, self.mode_group = choice_row(self, (("image", "画像で印刷"), ("kanji", "漢字モード")), "printMode")
        add_row(grid, "印刷方式", modes)
        drawer, self.drawer_group = choice_row(self, (("on", "あり"), ("off", "なし")), "drawer")
        slips, self.slip_group = choice_row(self, (("auto", "自動"), ("manual", "手動")), "customerSlip")
        add_row(grid, "ドロア", drawer, "お客様控え", slips)
        self.layout_.addLayout(grid)
        self.result_label = QLabel("", self)
        self.result_label.setObjectName("printerResultLabel")
        self.result_label.setProperty("role", "info")
        self.result_label.setWordWrap(True)
        self.layout_.addWidget(self.result_label)
        buttons = QHBoxLayout()
        test = touch_button("テスト印刷", "testPrintButton", "secondary", self)
        test.clicked.connect(self.test_print)
        save = touch_button("保存", "savePrinterButton", "primary", self)
        save.clicked.connect(self.save)
        buttons.addWidget(test)
        buttons.addWidget(save)
        self.layout_.addLayout(buttons)
        self.layout_.addStretch(1)

    def load(self) -> None:
        settings = self.context.settings
        check_value(self.kind_group, settings.printer_kind)
        self.target_edit.setText(settings.printer_target)
        try:
            dots = printer_model(settings.printer_model, settings.printer_paper_mm).dots
        except ValueError:  # a model this python-escpos no longer lists
            dots = 576 if settings.printer_paper_mm == 80 else 384
        check_value(self.paper_group, str(dots))
        index = self.model_combo.findData(settings.printer_model)
        self.model_combo.setCurrentIndex(max(index, 0))
        check_value(self.mode_group, settings.printer_mode)
        check_value(self.drawer_group, "on" if settings.printer_drawer else "off")
        check_value(self.slip_group, "auto" if settings.customer_slip_auto else "manual")
        self.result_label.setText("")
        self._show_hint()

    def _show_hint(self) -> None:
        self.target_edit.setPlaceholderText(TARGET_HINTS.get(checked_value(self.kind_group) or "", ""))

    def _model_chosen(self, index: int) -> None:
        key = self.model_combo.itemData(index)
        for model in printer_models():
            if model.key == key:
                check_value(self.paper_group, str(model.dots))

    def form(self) -> tuple[dict, str | None]:
        """The settings on screen, or the first problem naming the field."""
        kind = checked_value(self.kind_group)
        if kind is None:
            return {}, "プリンターの接続を選んでください。"
        target = self.target_edit.text().strip()
        problem = printer_target_problem(kind, target)
        if problem:
            return {}, problem
        dots = int(checked_value(self.paper_group) or 576)
        return {
            "printer_kind": kind, "printer_target": target, "printer_paper_mm": PAPER_MM[dots],
            "printer_model": self.model_combo.currentData() or GENERIC_BY_DOTS[dots], "printer_mode": checked_value(self.mode_group) or "image",
            "printer_drawer": checked_value(self.drawer_group) != "off",
            "customer_slip_auto": checked_value(self.slip_group) == "auto",
        }, None

    def save(self) -> None:
        values, problem = self.form()
        if problem:
            self.show_message(problem)
            return
        self.save_settings(**values)
        self.context.apply_printer_settings()
        self.show_message("")
        self.screen.show_notice("プリンターの設定を保存しました。次の印刷から使われます。")

    def test_print(self) -> None:
        """Print a sample with the settings on screen; the answer comes back in words."""
        from dataclasses import replace

        from app.ui.app import print_service

        values, problem = self.form()
        if problem:
            self.show_message(problem)
            return
        self.show_message("")
        service = print_service(replace(self.context.settings, **values), self.context.data_dir)
        doc = sample_document(self.context.settings.shop_name, paper_columns(values["printer_paper_mm"]))
        self.result_label.setText("テスト印刷中…")
        self.context.run_device(lambda: service.print_document(doc),
                                on_done=lambda _r: self.result_label.setText("テスト印刷しました。印刷を確認してください。"),
                                on_error=lambda error: self.result_label.setText(
                                    "テスト印刷できませんでした：" + getattr(error, "message", str(error))))


def sample_document(shop_name: str, width: int) -> PrintDocument:
    doc = PrintDocument("test_print", width)
    doc.add("テスト印刷", align="center", double=True, bold=True)
    doc.add(shop_name, align="center")
    doc.lines.append(doc.lines[0].rule())
    doc.add("日本語（漢字・ひらがな・カタカナ）", align="left")
    doc.add("ABCDEFGHIJ 0123456789", align="left")
    doc.add("合計", right="￥1,234")
    doc.lines.append(doc.lines[0].rule())
    return doc
