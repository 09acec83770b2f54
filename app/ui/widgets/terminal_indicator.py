"""Live terminal status (R-TOP): 接続中 / 未接続 / 処理中 and the battery level.

``linkState`` property: ``connected`` / ``disconnected`` / ``busy`` / ``none`` (tests read it).
A low battery adds a second line in words at each level the terminal's manual names
(R-TERM-STATE, seed 003): ≤ 7 % it cannot print, < 25 % an update fails.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.core.terminal.bridge import LinkState

STYLES = {
    "connected": "background: #e3f6ea; color: #136c34; border: 1px solid #7cc596;",
    "busy": "background: #fff4d6; color: #8a5a00; border: 1px solid #e6b84c;",
    "disconnected": "background: #fde8e7; color: #b42318; border: 1px solid #ef9a94;",
    "none": "background: #eceff3; color: #445; border: 1px solid #c7cdd6;",
}


PRINT_FAILS_AT_PERCENT = 7  # ≤ 7 %: the terminal cannot print slips
UPDATE_FAILS_BELOW_PERCENT = 25  # < 25 %: a pending OS update will fail


def battery_warning(battery: int | None) -> str:
    """What a cashier must know about this battery level ('' when nothing)."""
    if battery is None:
        return ""
    if battery <= PRINT_FAILS_AT_PERCENT:
        return "充電してください：決済端末で控えを印刷できません"
    if battery < UPDATE_FAILS_BELOW_PERCENT:
        return "充電してください：決済端末の更新ができません"
    return ""


class TerminalIndicator(QLabel):
    def __init__(self, link, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("terminalStatus")
        self.setMinimumHeight(48)
        self.link = link
        link.state_changed.connect(self.show_state)
        self.show_state(link.state)

    def show_state(self, state: LinkState) -> None:
        if not self.link.configured:
            key, text = "none", "決済端末：未設定"
        elif state.busy:
            key, text = "busy", "決済端末：処理中"
        elif state.linked:
            key, text = "connected", "決済端末：接続中"
        else:
            key, text = "disconnected", "決済端末：未接続"
        warning = ""
        if state.battery is not None and state.linked:  # a battery level from a lost link is stale
            text += f"　バッテリー {state.battery}%"
            warning = battery_warning(state.battery)
        self.setProperty("linkState", key)
        self.setProperty("batteryWarning", bool(warning))
        self.setText(f"{text}\n{warning}" if warning else text)
        style = STYLES["busy"] if warning and key == "connected" else STYLES[key]
        self.setStyleSheet(f"QLabel {{ {style} border-radius: 8px; padding: 4px 14px; font-size: 17px; font-weight: bold; }}")
