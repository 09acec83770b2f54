"""The simulated terminal's data: rule constants, stages, records, events, and
the duplicate-payment rule (R-DUP) as a pure function.

Kept apart from `engine.py` (the behaviour) so the rules can be read, and
unit-tested with a manual clock, on their own. No Qt, no sockets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Iterable

from app.core.terminal import statuses as st
from app.core.terminal.messages import ENTRY_MODES  # noqa: F401  (the link's, written once; the engine imports it here)

from . import outcomes as oc

CARD_BRANDS = ("VISA", "Mastercard", "JCB", "AMEX", "Diners", "銀聯")
EMONEY_BRANDS = ("交通系", "iD", "QUICPay", "nanaco", "WAON", "楽天Edy")
EMONEY_REFUNDABLE = frozenset({"iD", "QUICPay"})
QR_BRANDS = ("PayPay", "d払い", "楽天ペイ", "au PAY", "メルペイ", "Alipay+", "WeChat Pay")

NFC_SIGNATURE_FROM_YEN = 15_001     # タッチ決済 from this amount asks for a signature
DUPLICATE_WINDOW = timedelta(minutes=5)
DUPLICATE_HISTORY_LIMIT = 50        # ≥ 50 transactions in the window: no alert
BATTERY_LINK_MAX_REFUSED = 10       # ≤ 10 %: Login refused
BATTERY_PRINT_MAX_REFUSED = 7       # ≤ 7 %: cannot print
BATTERY_UPDATE_MIN = 25             # < 25 %: firmware update fails
QR_REFUND_DAYS = 90



class Stage(StrEnum):
    IDLE = "idle"
    CHOOSE_METHOD = "choose_method"   # ct6100: the clerk picks the method
    WAIT_CARD = "wait_card"
    DUPLICATE = "duplicate"           # R-DUP alert: 取引中止 / 続ける
    WAIT_PIN = "wait_pin"
    WAIT_SIGNATURE = "wait_signature"
    WAIT_EMONEY = "wait_emoney"       # pick brand and touch
    WAIT_QR = "wait_qr"


BEFORE_CARD_READ = frozenset({Stage.CHOOSE_METHOD, Stage.WAIT_CARD, Stage.WAIT_EMONEY, Stage.WAIT_QR})

PROMPTS = {
    Stage.IDLE: "待機中",
    Stage.CHOOSE_METHOD: "支払方法を選択してください",
    Stage.WAIT_CARD: "カードを挿入してください",
    Stage.DUPLICATE: "重複決済の可能性があります。取引を続けますか？",
    Stage.WAIT_PIN: "暗証番号を入力してください",
    Stage.WAIT_SIGNATURE: "サインをお願いします",
    Stage.WAIT_EMONEY: "電子マネーを選択して、タッチしてください",
    Stage.WAIT_QR: "QRコードを読み取ってください",
}


class SimulatorError(Exception):
    """An action that does not apply now (e.g. PIN entry with no card read)."""


@dataclass(frozen=True)
class EngineEvent:
    """kind: response | display | notify | drop_link | restart | offline | changed."""

    kind: str
    sale_id: str | None = None
    service_id: str | None = None
    category: str | None = None
    body: dict[str, Any] | None = None
    text: str = ""


@dataclass
class TxRecord:
    """One transaction in the terminal's history."""

    kind: str                      # payment | reversal
    transaction_id: str            # the register's SaleTransactionID
    sale_id: str
    service_id: str
    created_at: datetime
    amount: int
    method: str | None
    approved: bool
    status: str | None             # terminal status (R-STATUS); None for e-money failures
    response: dict[str, Any]       # the response body as sent (or as it would have been)
    brand: str | None = None
    last4: str | None = None
    entry_mode: str | None = None
    poi_transaction_id: str | None = None
    approval_number: str | None = None
    slip: dict[str, Any] | None = None
    original: str | None = None    # reversal: POITransactionID of the payment
    reversal_kind: str | None = None
    reversed_by: str | None = None  # payment: TransactionID of its reversal
    prints: int = 0
    reconciled: bool = False


@dataclass
class Attempt:
    """The transaction currently running on the terminal (at most one)."""

    sale_id: str
    service_id: str
    transaction_id: str
    timestamp: str
    amount: int
    method: str | None
    stage: Stage = Stage.IDLE
    brand: str | None = None
    last4: str | None = None
    entry_mode: str | None = None
    card_read: bool = False
    signature: bool = False
    script: oc.Outcome | None = None
    started_at: datetime | None = None


@dataclass(frozen=True)
class EngineSnapshot:
    profile: str
    poi_id: str
    battery: int
    busy: bool
    offline: bool
    link_up: bool
    linked_sale_id: str | None
    stage: Stage
    amount: int | None
    method: str | None
    brand: str | None
    prompt: str
    last_result: str
    os_update_deadline: datetime | None
    queued: int
    history_count: int


def duplicate_alert_due(records: Iterable[TxRecord], now: datetime, amount: int, last4: str, brand: str) -> bool:
    """R-DUP (seed 000 5-3), card payments only.

    The candidate is the latest card transaction of the last 5 minutes whose
    status is 売上予定 or 売上済み; the alert is due when it has the same amount,
    last 4 digits and brand. No alert when the last 5 minutes hold 50 or more
    transactions (any kind, any status). "Last 5 minutes" is inclusive:
    now - 5 min <= created_at <= now.
    """
    window = [r for r in records if timedelta(0) <= now - r.created_at <= DUPLICATE_WINDOW]
    if len(window) >= DUPLICATE_HISTORY_LIMIT:
        return False
    candidates = [r for r in window if r.kind == "payment" and r.method == "credit"
                  and r.status in st.DUPLICATE_CHECK_STATUSES]
    if not candidates:
        return False
    latest = max(candidates, key=lambda r: r.created_at)
    return latest.amount == amount and latest.last4 == last4 and latest.brand == brand
