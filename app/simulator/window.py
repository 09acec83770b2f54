"""The simulator's touch window (≈ 480×800): what the terminal shows, and the
customer's and clerk's buttons.

Only this module imports PySide6. It drives the same `TerminalEngine` methods
as the control API and tests. Engine events may come from any thread (the
server loop, tests); they only emit a Qt signal, so the refresh runs on the
UI thread. A button that no longer applies (the stage moved on) shows the
reason in the status line instead of raising.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget)

from .engine import CARD_BRANDS, EMONEY_BRANDS, QR_BRANDS, EngineEvent, SimulatorError, Stage, TerminalEngine

STYLE = """
QWidget { font-family: "Noto Sans JP"; }
QWidget#SimulatorWindow { background: #20242a; }
QWidget#SimulatorWindow QStackedWidget > QWidget { background: transparent; }
QFrame#screen { background: #f4f7f2; border-radius: 14px; }
QLabel { color: #e8e8e8; font-size: 15px; }
QFrame#screen QLabel { color: #1d2a1d; }
QLabel#titleLabel { font-size: 16px; }
QLabel#amountLabel { font-size: 40px; font-weight: bold; }
QLabel#promptLabel { font-size: 22px; }
QLabel#resultLabel { font-size: 16px; color: #8a1c1c; }
QPushButton { min-height: 52px; font-size: 17px; border-radius: 8px; background: #3d4652; color: white; }
QPushButton:checked { background: #2f7d4f; }
QPushButton#cancelButton, QPushButton#abortDuplicateButton, QPushButton#pinNgButton,
QPushButton#declineButton { background: #9c2f2f; }
QPushButton#continueDuplicateButton, QPushButton#pinOkButton, QPushButton#signButton { background: #2f7d4f; }
QLineEdit { min-height: 44px; font-size: 18px; }
QCheckBox { color: #e8e8e8; font-size: 15px; }
"""


class _Relay(QObject):
    changed = Signal()


def _button(text: str, name: str, slot: Callable[[], None], checkable: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setCheckable(checkable)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    button.clicked.connect(lambda _checked=False: slot())
    return button


class SimulatorWindow(QWidget):
    def __init__(self, engine: TerminalEngine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.setObjectName("SimulatorWindow")
        self.setWindowTitle(f"決済端末シミュレータ — {engine.spec.name}")
        self.resize(480, 800)
        self.setStyleSheet(STYLE)
        font = QFont("Noto Sans JP")
        font.setPointSize(11)
        self.setFont(font)
        self._relay = _Relay()
        self._relay.changed.connect(self.refresh)
        self._unsubscribe = engine.subscribe(self._on_engine_event)

        root = QVBoxLayout(self)
        root.setContentsMargins(12, 12, 12, 12)
        root.setSpacing(8)
        root.addLayout(self._header())
        root.addWidget(self._screen(), 3)
        self.pages = QStackedWidget()
        self.pages.setObjectName("actionPages")
        self._page_index: dict[Stage, int] = {}
        self._build_pages()
        root.addWidget(self.pages, 3)
        root.addWidget(self._clerk_panel(), 2)
        self.status = QLabel("")
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        root.addWidget(self.status)
        self.refresh()

    # -- layout ----------------------------------------------------------------

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.profile_label = QLabel(self.engine.spec.device_name)
        self.profile_label.setObjectName("profileLabel")
        self.battery_label = QLabel()
        self.battery_label.setObjectName("batteryLabel")
        self.link_label = QLabel()
        self.link_label.setObjectName("linkLabel")
        row.addWidget(self.profile_label)
        row.addStretch(1)
        row.addWidget(self.link_label)
        row.addWidget(self.battery_label)
        return row

    def _screen(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("screen")
        box = QVBoxLayout(frame)
        self.title_label = QLabel()
        self.title_label.setObjectName("titleLabel")
        self.amount_label = QLabel()
        self.amount_label.setObjectName("amountLabel")
        self.prompt_label = QLabel()
        self.prompt_label.setObjectName("promptLabel")
        self.prompt_label.setWordWrap(True)
        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        for label in (self.title_label, self.amount_label, self.prompt_label, self.result_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(label)
        return frame

    def _page(self, stage: Stage, widget: QWidget) -> None:
        self._page_index[stage] = self.pages.addWidget(widget)

    def _grid(self, buttons: list[QPushButton], columns: int = 2) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, button in enumerate(buttons):
            grid.addWidget(button, i // columns, i % columns)
        return page

    def _build_pages(self) -> None:
        idle = QLabel("レジからの決済連携を待っています")
        idle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._page(Stage.IDLE, idle)
        labels = self.engine.spec.terminal_method_labels
        self._page(Stage.CHOOSE_METHOD, self._grid(
            [_button(labels[m], f"method_{m}", lambda m=m: self._act(lambda: self.engine.choose_method(m)))
             for m in self.engine.methods] + [self._cancel_button("cancelMethodButton")], 1))

        card = QWidget()
        box = QVBoxLayout(card)
        box.setContentsMargins(0, 0, 0, 0)
        brands = QHBoxLayout()
        self.brand_group = QButtonGroup(self)
        for i, brand in enumerate(CARD_BRANDS[:5]):
            b = _button(brand, f"brand_{brand}", lambda: None, checkable=True)
            b.setChecked(i == 0)
            self.brand_group.addButton(b)
            brands.addWidget(b)
        box.addLayout(brands)
        row = QHBoxLayout()
        self.last4_edit = QLineEdit("1012")
        self.last4_edit.setObjectName("last4Edit")
        self.last4_edit.setMaxLength(4)
        self.chip_check = QCheckBox("ICチップ付きカード")
        self.chip_check.setObjectName("chipCheck")
        self.chip_check.setChecked(True)
        row.addWidget(QLabel("下4桁"))
        row.addWidget(self.last4_edit)
        row.addWidget(self.chip_check)
        box.addLayout(row)
        actions = QHBoxLayout()
        for text, name, mode in (("IC 挿入", "icButton", "ICC"), ("磁気 スワイプ", "swipeButton", "MagStripe"),
                                 ("タッチ", "tapButton", "Contactless")):
            actions.addWidget(_button(text, name, lambda mode=mode: self._present(mode)))
        box.addLayout(actions)
        box.addWidget(self._cancel_button("cancelCardButton"))
        self._page(Stage.WAIT_CARD, card)

        self._page(Stage.DUPLICATE, self._grid([
            _button("取引中止", "abortDuplicateButton", lambda: self._act(lambda: self.engine.duplicate_choice(False))),
            _button("続ける", "continueDuplicateButton", lambda: self._act(lambda: self.engine.duplicate_choice(True))),
        ]))
        self._page(Stage.WAIT_PIN, self._grid([
            _button("暗証番号 OK", "pinOkButton", lambda: self._act(lambda: self.engine.enter_pin(True))),
            _button("暗証番号 誤り", "pinNgButton", lambda: self._act(lambda: self.engine.enter_pin(False))),
            self._cancel_button("cancelPinButton"),
            _button("承認拒否", "declineButton", lambda: self._act(lambda: self.engine.decline("E1001"))),
        ]))
        self._page(Stage.WAIT_SIGNATURE, self._grid([
            _button("サイン", "signButton", lambda: self._act(self.engine.sign)),
            self._cancel_button("cancelSignatureButton"),
        ]))
        self._page(Stage.WAIT_EMONEY, self._grid(
            [_button(b, f"emoney_{b}", lambda b=b: self._act(lambda: self.engine.tap_emoney(b))) for b in EMONEY_BRANDS]
            + [self._cancel_button("cancelEmoneyButton")], 3))
        self._page(Stage.WAIT_QR, self._grid(
            [_button(b, f"qr_{b}", lambda b=b: self._act(lambda: self.engine.scan_qr(b))) for b in QR_BRANDS[:5]]
            + [self._cancel_button("cancelQrButton")], 3))

    def _cancel_button(self, name: str) -> QPushButton:
        text = self.engine.spec.cancel_key
        button = _button(text, name, lambda: self._act(self.engine.cancel))
        button.setProperty("role", "cancel")
        button.setStyleSheet("background: #9c2f2f;")
        return button

    def _clerk_panel(self) -> QWidget:
        panel = QFrame()
        grid = QGridLayout(panel)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("充電"), 0, 0)
        for i, level in enumerate((100, 50, 24, 10, 7)):
            grid.addWidget(_button(f"{level}%", f"battery{level}", lambda level=level: self._act(
                lambda: self.engine.set_battery(level))), 0, i + 1)
        self.offline_button = _button("オフライン", "offlineButton", lambda: self._act(
            lambda: self.engine.set_offline(self.offline_button.isChecked())), checkable=True)
        self.busy_button = _button("処理中", "busyButton", lambda: self._act(
            lambda: self.engine.set_busy(self.busy_button.isChecked())), checkable=True)
        self.update_button = _button("OS更新予告", "osUpdateButton", self._toggle_update, checkable=True)
        grid.addWidget(self.offline_button, 1, 0, 1, 2)
        grid.addWidget(self.busy_button, 1, 2, 1, 2)
        grid.addWidget(self.update_button, 1, 4, 1, 2)
        grid.addWidget(_button("アプリ再起動", "restartButton", lambda: self._act(self.engine.restart_app)), 2, 0, 1, 3)
        grid.addWidget(_button("回線切断", "dropLinkButton", lambda: self._act(self.engine.drop_link)), 2, 3, 1, 3)
        return panel

    # -- actions -------------------------------------------------------------------

    def _act(self, action: Callable[[], object]) -> None:
        try:
            action()
            self.status.setText("")
        except (SimulatorError, ValueError) as exc:
            self.status.setText(str(exc))
        self.refresh()

    def _present(self, entry_mode: str) -> None:
        checked = self.brand_group.checkedButton()
        brand = checked.text() if checked else "VISA"
        self._act(lambda: self.engine.present_card(entry_mode, brand, self.last4_edit.text(),
                                                   self.chip_check.isChecked()))

    def _toggle_update(self) -> None:
        deadline = self.engine.clock() + timedelta(days=7) if self.update_button.isChecked() else None
        self._act(lambda: self.engine.set_os_update(deadline))

    # -- refresh ---------------------------------------------------------------------

    def _on_engine_event(self, event: EngineEvent) -> None:  # any thread
        if event.kind in ("changed", "display", "offline", "restart"):
            self._relay.changed.emit()

    def refresh(self) -> None:
        snap = self.engine.snapshot()
        self.battery_label.setText(f"電池 {snap.battery}%")
        if snap.offline:
            link = "オフライン"
        elif snap.linked_sale_id:
            link = f"連携中 {snap.linked_sale_id}"
        else:
            link = "未連携"
        self.link_label.setText(link + ("・処理中" if snap.busy else ""))
        method = self.engine.spec.terminal_method_labels.get(snap.method or "", "")
        self.title_label.setText(f"お支払い {method}" if snap.amount is not None else self.engine.spec.name)
        self.amount_label.setText(f"¥{snap.amount:,}" if snap.amount is not None else "")
        self.prompt_label.setText(snap.prompt)
        update = f"OS更新期限 {snap.os_update_deadline:%m/%d %H:%M}" if snap.os_update_deadline else ""
        self.result_label.setText("\n".join(t for t in (snap.last_result, update) if t))
        self.pages.setCurrentIndex(self._page_index.get(snap.stage, 0))
        self.offline_button.setChecked(snap.offline)
        self.busy_button.setChecked(snap.busy)
        self.update_button.setChecked(snap.os_update_deadline is not None)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._unsubscribe()
        super().closeEvent(event)
