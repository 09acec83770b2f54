"""Terminal-side payment statuses (R-STATUS, seed 000 5-5) and their POS mapping.

The terminal reports its own status word; the register keeps four: 決済完了,
返金済み, 失敗, 要確認. A status that says the outcome is not yet known
(処理未了, 要確認) maps to 要確認 and stays there until a later query answers.
An unknown status word also maps to 要確認: guessing "paid" or "failed" could
lose a payment or charge twice.

売上済み is not in the seed's status table but is named by its duplicate-alert
rule (seed 000 5-3, R-DUP); here it is a card sale already settled by a
reconciliation (売上予定 → 売上済み).
"""

from __future__ import annotations

from enum import StrEnum


class PosStatus(StrEnum):
    PAID = "決済完了"
    REFUNDED = "返金済み"
    FAILED = "失敗"
    UNKNOWN = "要確認"


# Card (クレジット)
CARD_PENDING_SALE = "売上予定"
CARD_SOLD = "売上済み"
CARD_PAID_OUT = "支払済み"
CARD_RETURN_PENDING = "売上返品待ち"
CARD_RETURNED = "売上返品済み"
CARD_CANCELLED = "取消・返品済"
CARD_FAILED_AUTHORIZED = "決済失敗(与信済)"
CARD_DECLINED = "決済不可"

# E-money (電子マネー)
EMONEY_DONE = "決済完了"
EMONEY_CANCELLED = "取消・返品済"
EMONEY_UNCONFIRMED = "処理未了"

# QR
QR_DONE = "決済完了"
QR_REFUNDED = "取消・返金済"
QR_FAILED = "決済失敗"
QR_CHECK = "要確認"

STATUS_MAP: dict[str, dict[str, PosStatus]] = {
    "credit": {
        CARD_PENDING_SALE: PosStatus.PAID,
        CARD_SOLD: PosStatus.PAID,
        CARD_PAID_OUT: PosStatus.PAID,
        CARD_RETURN_PENDING: PosStatus.REFUNDED,
        CARD_RETURNED: PosStatus.REFUNDED,
        CARD_CANCELLED: PosStatus.REFUNDED,
        CARD_FAILED_AUTHORIZED: PosStatus.FAILED,
        CARD_DECLINED: PosStatus.FAILED,
    },
    "emoney": {
        EMONEY_DONE: PosStatus.PAID,
        EMONEY_CANCELLED: PosStatus.REFUNDED,
        EMONEY_UNCONFIRMED: PosStatus.UNKNOWN,
    },
    "qr": {
        QR_DONE: PosStatus.PAID,
        QR_REFUNDED: PosStatus.REFUNDED,
        QR_FAILED: PosStatus.FAILED,
        QR_CHECK: PosStatus.UNKNOWN,
    },
}

ALL_STATUSES: tuple[str, ...] = tuple(dict.fromkeys(s for table in STATUS_MAP.values() for s in table))

DUPLICATE_CHECK_STATUSES = frozenset({CARD_PENDING_SALE, CARD_SOLD})
"""Card statuses the duplicate-payment rule looks at (R-DUP)."""


def pos_status(method: str | None, terminal_status: str | None) -> PosStatus:
    """The register's status for a terminal status word (unknown → 要確認)."""
    if terminal_status is None:
        return PosStatus.UNKNOWN
    if method in STATUS_MAP:
        return STATUS_MAP[method].get(terminal_status, PosStatus.UNKNOWN)
    # Method not reported: the word alone is unambiguous for every status but
    # 取消・返品済 / 決済完了, which map identically in every table.
    for table in STATUS_MAP.values():
        if terminal_status in table:
            return table[terminal_status]
    return PosStatus.UNKNOWN
