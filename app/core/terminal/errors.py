"""Error conditions of the link and the terminal's own error codes.

`ErrorCondition` is the nexo-style category every failure carries (SPEC §5);
the terminal code (`AdditionalResponse.ErrorCode`) says exactly what happened
and is what the cashier reads out to the support centre (seed 000 5-1: お問い
合わせの際はエラーコードをお伝えください).

The vendors' own code tables are not public (the seed's table is an image that
did not survive), so these codes are this protocol's: a driver for a real
terminal maps the vendor's codes onto the nearest `ErrorCondition` and passes
the vendor code through unchanged. `describe()` never fails: an unknown code
gets a generic message that still shows the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCondition(StrEnum):
    ABORTED = "Aborted"                      # stopped by an Abort from the register, or the link dropped mid-way
    BUSY = "Busy"                            # terminal busy with another transaction (R-BUSY)
    CANCEL = "Cancel"                        # cancelled on the terminal (キャンセル / リセット)
    DEVICE_OUT = "DeviceOut"                 # terminal unusable (restarting, updating)
    IN_PROGRESS = "InProgress"               # the referenced transaction is still running
    INVALID_CARD = "InvalidCard"             # unreadable, expired, IC card swiped
    LOGGED_OUT = "LoggedOut"                 # no Login on this link for this SaleID
    MESSAGE_FORMAT = "MessageFormat"         # the request did not validate
    NOT_ALLOWED = "NotAllowed"               # refused by a rule (other register, not refundable, ...)
    NOT_FOUND = "NotFound"                   # unknown transaction
    REFUSAL = "Refusal"                      # declined (card company, duplicate alert 取引中止)
    UNAVAILABLE_DEVICE = "UnavailableDevice"  # battery / printer condition
    UNAVAILABLE_SERVICE = "UnavailableService"  # e.g. mandatory OS update past its deadline
    UNREACHABLE_HOST = "UnreachableHost"     # the register could not reach the terminal (local)
    WRONG_PIN = "WrongPIN"


@dataclass(frozen=True)
class TerminalCode:
    code: str
    condition: ErrorCondition
    message: str  # plain Japanese for the cashier's ErrorDialog
    action: str   # what the cashier should do


_C = ErrorCondition
_TABLE = [
    # Card / authorisation
    TerminalCode("E1001", _C.REFUSAL, "カード会社により承認されませんでした。", "別のお支払い方法をご案内してください。"),
    TerminalCode("E1002", _C.INVALID_CARD, "カードを読み取れませんでした。", "カードを確認して、もう一度お試しください。"),
    TerminalCode("E1003", _C.WRONG_PIN, "暗証番号が正しくありません。", "もう一度会計をやり直してください。"),
    TerminalCode("E1004", _C.INVALID_CARD, "ICカードは磁気では読み取れません。", "カードを差し込んで、もう一度お試しください。"),
    TerminalCode("E1005", _C.INVALID_CARD, "有効期限切れのカードです。", "別のカードをご案内してください。"),
    TerminalCode("E1006", _C.REFUSAL, "重複決済の可能性があるため、決済端末で取引を中止しました。", "「閉じる」で会計画面に戻り、必要であれば再度会計してください。"),
    TerminalCode("E1007", _C.NOT_ALLOWED, "この決済手段は契約されていません。", "別のお支払い方法をご案内してください。"),
    TerminalCode("E1008", _C.REFUSAL, "残高が不足しています。", "チャージするか、別のお支払い方法をご案内してください。"),
    # Terminal conditions
    TerminalCode("E2001", _C.BUSY, "決済端末が別の取引を処理中です。", "決済端末で処理中の取引を終了してから、もう一度操作してください。"),
    TerminalCode("E2002", _C.NOT_ALLOWED, "決済端末は別のレジと連携中です。1台の決済端末に接続できるレジは1台です。", "このレジ用の決済端末を接続してください。"),
    TerminalCode("E2003", _C.UNAVAILABLE_DEVICE, "決済端末の充電が10%以下のため連携できません。", "決済端末を充電してから「再接続」してください。"),
    TerminalCode("E2004", _C.UNAVAILABLE_DEVICE, "決済端末の充電が7%以下のため印刷できません。", "決済端末を充電してから印刷してください。"),
    TerminalCode("E2005", _C.UNAVAILABLE_SERVICE, "決済端末(OS)のアップデート期限を過ぎたため決済できません。", "決済端末のアップデートを完了してください。"),
    TerminalCode("E2006", _C.UNAVAILABLE_DEVICE, "充電が25%未満のため、決済端末の更新に失敗しました。", "決済端末を充電してから更新してください。"),
    TerminalCode("E2007", _C.DEVICE_OUT, "決済端末のアプリが再起動中です。", "しばらく待ってから、決済履歴を確認してください。"),
    # Refunds, reprints
    TerminalCode("E3001", _C.NOT_FOUND, "対象の取引が決済端末に見つかりません。", "受注コード・伝票番号を確認してください。"),
    TerminalCode("E3002", _C.NOT_ALLOWED, "この電子マネーは決済端末で取消できません。現金で返金してください。", "現金で返金してください。"),
    TerminalCode("E3003", _C.NOT_ALLOWED, "返金期間(90日)を過ぎているため返金できません。", "決済事業者にお問い合わせください。"),
    TerminalCode("E3004", _C.NOT_ALLOWED, "この取引はすでに取消・返品済みです。", "決済履歴を確認してください。"),
    TerminalCode("E3005", _C.NOT_ALLOWED, "取消金額が決済金額と一致しません。", "全額で取消してください。"),
    TerminalCode("E3006", _C.NOT_ALLOWED, "伝票明細より控えを再印字することはできません。", "決済端末の再印字モードから印字してください。"),
    TerminalCode("E3007", _C.NOT_ALLOWED, "QRコード決済の控えはありません。", ""),
    # Link
    TerminalCode("E4001", _C.LOGGED_OUT, "決済端末と連携していません。", "「再接続」してください。"),
    TerminalCode("E4002", _C.MESSAGE_FORMAT, "電文の形式が正しくありません。", "サポートセンターにお問い合わせください。"),
    TerminalCode("E4003", _C.NOT_ALLOWED, "この取引番号はすでに使われています。", "決済履歴を確認してください(二重決済防止)。"),
    TerminalCode("E4004", _C.ABORTED, "通信が切断されたため、決済端末で取引を中止しました。", "もう一度会計してください。"),
    TerminalCode("E4005", _C.ABORTED, "レジから取引を中止しました。", "もう一度会計してください。"),
    TerminalCode("E4006", _C.CANCEL, "決済端末で取引がキャンセルされました。", ""),
    TerminalCode("E4007", _C.IN_PROGRESS, "取引はまだ処理中です。", "決済端末の操作が終わるまでお待ちください。"),
    TerminalCode("E4008", _C.NOT_ALLOWED, "カードの読み取り後のため中止できません。", "決済端末の結果をお待ちください。"),
    TerminalCode("E4009", _C.NOT_FOUND, "中止する取引がありません。", ""),
    # Raised by the register itself, never sent by a terminal
    TerminalCode("L0001", _C.UNREACHABLE_HOST, "決済端末に接続されていません。", "決済端末の電源とネットワークを確認して「再接続」してください。"),
    TerminalCode("L0002", _C.UNREACHABLE_HOST, "決済端末から応答がありません。結果が不明なため確認が必要です。", "決済端末の決済履歴で結果を確認してください(要確認)。"),
    TerminalCode("L0003", _C.NOT_ALLOWED, "この決済手段は契約されていません。", "設定の契約決済手段を確認してください。"),
    TerminalCode("L0004", _C.UNAVAILABLE_SERVICE, "決済端末が設定されていません。", "設定 > 機器接続 で決済端末を設定してください。"),
    TerminalCode("L0005", _C.UNREACHABLE_HOST, "決済端末との連携を停止しました。", ""),
    TerminalCode("L0006", _C.NOT_ALLOWED, "デモ用のペアリングキーは、このレジの中のシミュレーターにしか使えません。",
                 "設定 > 決済端末設定 で、お店のペアリングキーを入力するか「キーを生成」して決済端末にも設定してください。"),
]

TERMINAL_CODES: dict[str, TerminalCode] = {c.code: c for c in _TABLE}


def describe(code: str | None, condition: str | None = None) -> TerminalCode:
    """The table entry for `code`, or a generic entry that still shows the code."""
    if code and code in TERMINAL_CODES:
        return TERMINAL_CODES[code]
    try:
        cond = ErrorCondition(condition) if condition else ErrorCondition.REFUSAL
    except ValueError:
        cond = ErrorCondition.REFUSAL
    shown = f"(エラーコード {code})" if code else ""
    return TerminalCode(code or "", cond, f"決済端末でエラーが発生しました。{shown}", "決済端末の表示を確認してください。")
