"""Live terminal status (R-TOP): 接続中 / 未接続 / 処理中 and the battery level.

``linkState`` property: ``connected`` / ``disconnected`` / ``busy`` / ``none`` (tests read it).
A low battery adds a second line in words at each level the terminal's manual names
(R-TERM-STATE, seed 003): ≤ 7 % it cannot print, < 25 % an update fails.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.core.terminal.bridge import LinkState
from app.ui.theme import set_style


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
        set_style(self, "linkState", key)  # the QSS colours each state (and a battery to charge)
        set_style(self, "batteryWarning", bool(warning))
        self.setText(f"{text}\n{warning}" if warning else text)
