"""The 開局 / 再接続 refusals of the terminal link as ErrorDialogs (R-OPEN, R-BUSY, R-SUBPOS).

Opening never fails because of the terminal: these dialogs sit over the top screen and
offer 「再接続」 (``reconnectButton``) and 「閉じる」 (``closeButton``). The link keeps
retrying on its own; when it comes up, an open dialog closes itself, since a
「接続できません」 left over a working link would tell the cashier the opposite of the truth.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtWidgets import QWidget

from app.core.terminal.results import LoginResult, LoginStatus
from app.ui.widgets.dialogs import MessageDialog

if TYPE_CHECKING:  # the bridge loads after the first paint (tests/ui/test_startup.py)
    from app.ui.qt_bridge import QtBridge

TITLES = {
    LoginStatus.UNREACHABLE: "未接続エラー",
    LoginStatus.BUSY: "処理中エラー",
    LoginStatus.BATTERY_LOW: "決済端末の充電不足",
    LoginStatus.OTHER_REGISTER: "決済端末連携エラー",
    LoginStatus.REFUSED: "決済端末連携エラー",
}

FALLBACK = {
    LoginStatus.UNREACHABLE: "決済端末に接続できません。決済端末の電源とネットワーク(IPアドレス・ポート)を確認してください。",
    LoginStatus.BUSY: "決済端末が別の取引を処理中です。決済端末で取引を終了してから「再接続」してください。",
    LoginStatus.BATTERY_LOW: "端末の充電が10%以下の場合は開局時に連携ができません。充電してから「再接続」してください。",
    LoginStatus.OTHER_REGISTER: "この決済端末は別のレジと連携中です。1台の決済端末に接続できるレジは1台です。",
    LoginStatus.REFUSED: "決済端末が連携を拒否しました。",
}


def login_problem_text(result: LoginResult) -> str:
    """Plain Japanese: what happened and what to do, with the terminal's code if any."""
    error = result.error
    message = error.message if error and error.message else FALLBACK.get(result.status, "決済端末と連携できません。")
    action = error.action if error else ""
    text = f"{message}\n{action}" if action and action not in message else message
    return f"[{error.code}] {text}" if error and error.code else text


def show_login_problem(parent: QWidget, result: LoginResult, on_reconnect: Callable[[], None],
                       link: QtBridge) -> MessageDialog | None:
    """Open the ErrorDialog for a refused link; None when connected or no terminal is set.
    The dialog closes itself when ``link`` reports the terminal linked."""
    if result.connected or result.status is LoginStatus.NOT_CONFIGURED:
        return None
    dialog = MessageDialog(parent, "ErrorDialog", TITLES.get(result.status, "決済端末連携エラー"), login_problem_text(result),
                           [("closeButton", "閉じる", "secondary"), ("reconnectButton", "再接続", "primary")])
    dialog.setProperty("loginStatus", result.status.value)
    dialog.chosen.connect(lambda choice: on_reconnect() if choice == "reconnectButton" else None)

    def close_when_linked(state) -> None:
        if state.linked:
            dialog.reject()

    link.state_changed.connect(close_when_linked)
    dialog.finished.connect(lambda _code: link.state_changed.disconnect(close_when_linked))
    dialog.open()
    return dialog
