"""The terminal payment state machine: one transition table, every state change goes
through ``transition`` (SPEC §10, R-DISC, R-RECON).

States of a ``TerminalPayment`` row (a payment or a refund request):

- ``pending``: committed, sent (or about to be); no answer yet;
- ``approved``: the terminal did it (決済完了 / the refund went through);
- ``failed``: definitely not done — refused, cancelled, busy, or never reached the terminal;
- ``unknown``: 要確認 — it may have been done: ask the terminal (TransactionStatus), never resend;
- ``refunded``: a payment that was later refunded (返金済み);
- ``manual_paid`` / ``manual_unpaid``: a manager decided a 要確認 (「決済済み」 / 「未決済」);
  the register keeps asking the terminal until it confirms or contradicts that decision;
- ``disputed_paid``: the terminal approved a payment a manager had marked 未決済 — money
  taken with no sale: 要対応, refund it on the terminal (issue 9);
- ``disputed_unpaid``: the terminal says a payment marked 決済済み was never made — the sale
  is not paid: 要対応, collect the money from the customer.

The table is the whole truth: an event not listed for a state is a bug (``IllegalTransition``),
so a late or duplicate answer can never turn a known result into another one.
"""
from __future__ import annotations

from enum import StrEnum


class PaymentState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REFUNDED = "refunded"
    MANUAL_PAID = "manual_paid"
    MANUAL_UNPAID = "manual_unpaid"
    DISPUTED_PAID = "disputed_paid"
    DISPUTED_UNPAID = "disputed_unpaid"

    @property
    def label(self) -> str:
        """The POS status word shown to staff (R-STATUS)."""
        return {
            "pending": "処理中", "approved": "決済完了", "failed": "失敗", "unknown": "要確認", "refunded": "返金済み",
            "manual_paid": "決済済み(責任者確認)", "manual_unpaid": "未決済(責任者確認)",
            "disputed_paid": "要対応(端末で決済済み)", "disputed_unpaid": "要対応(端末で未決済)",
        }[self.value]


class PaymentEvent(StrEnum):
    APPROVED = "approved"            # the terminal's answer: done
    FAILED = "failed"                # the terminal's answer: not done (declined, cancelled, busy, not sent)
    NO_ANSWER = "no_answer"          # timeout, link lost, 切断する, terminal restart, register restart
    STATUS_DONE = "status_done"      # TransactionStatus: done
    STATUS_NOT_DONE = "status_not_done"  # TransactionStatus: failed or not found
    STATUS_UNKNOWN = "status_unknown"    # TransactionStatus: still in progress / 処理未了 / no answer
    STATUS_REFUNDED = "status_refunded"  # TransactionStatus: the payment has been refunded
    MANUAL_DONE = "manual_done"      # a manager confirmed it on the terminal (reason recorded)
    MANUAL_NOT_DONE = "manual_not_done"
    REFUNDED = "refunded"            # a refund of this payment went through (or a manager marked it so)
    COLLECTED = "collected"          # disputed_unpaid: a manager recorded the money collected another way


S, E = PaymentState, PaymentEvent

TRANSITIONS: dict[tuple[PaymentState, PaymentEvent], PaymentState] = {
    (S.PENDING, E.APPROVED): S.APPROVED,
    (S.PENDING, E.FAILED): S.FAILED,
    (S.PENDING, E.NO_ANSWER): S.UNKNOWN,
    # A status query may also answer for a request still marked pending (register restart).
    (S.PENDING, E.STATUS_DONE): S.APPROVED,
    (S.PENDING, E.STATUS_NOT_DONE): S.FAILED,
    (S.PENDING, E.STATUS_UNKNOWN): S.UNKNOWN,
    # 要確認: the late answer of the original request, a status query, or a manager decide it.
    (S.UNKNOWN, E.APPROVED): S.APPROVED,
    (S.UNKNOWN, E.FAILED): S.FAILED,
    (S.UNKNOWN, E.NO_ANSWER): S.UNKNOWN,
    (S.UNKNOWN, E.STATUS_DONE): S.APPROVED,
    (S.UNKNOWN, E.STATUS_NOT_DONE): S.FAILED,
    (S.UNKNOWN, E.STATUS_UNKNOWN): S.UNKNOWN,
    (S.UNKNOWN, E.STATUS_REFUNDED): S.REFUNDED,
    (S.UNKNOWN, E.MANUAL_DONE): S.MANUAL_PAID,
    (S.UNKNOWN, E.MANUAL_NOT_DONE): S.MANUAL_UNPAID,
    # A manager's decision waits for the terminal's word: confirmed, or contradicted (要対応).
    (S.MANUAL_PAID, E.APPROVED): S.APPROVED,
    (S.MANUAL_PAID, E.STATUS_DONE): S.APPROVED,
    (S.MANUAL_PAID, E.FAILED): S.DISPUTED_UNPAID,
    (S.MANUAL_PAID, E.STATUS_NOT_DONE): S.DISPUTED_UNPAID,
    (S.MANUAL_PAID, E.STATUS_REFUNDED): S.REFUNDED,
    (S.MANUAL_PAID, E.NO_ANSWER): S.MANUAL_PAID,
    (S.MANUAL_PAID, E.STATUS_UNKNOWN): S.MANUAL_PAID,
    (S.MANUAL_PAID, E.REFUNDED): S.REFUNDED,
    (S.MANUAL_UNPAID, E.FAILED): S.FAILED,
    (S.MANUAL_UNPAID, E.STATUS_NOT_DONE): S.FAILED,
    (S.MANUAL_UNPAID, E.APPROVED): S.DISPUTED_PAID,
    (S.MANUAL_UNPAID, E.STATUS_DONE): S.DISPUTED_PAID,
    (S.MANUAL_UNPAID, E.STATUS_REFUNDED): S.REFUNDED,
    (S.MANUAL_UNPAID, E.NO_ANSWER): S.MANUAL_UNPAID,
    (S.MANUAL_UNPAID, E.STATUS_UNKNOWN): S.MANUAL_UNPAID,
    (S.DISPUTED_PAID, E.APPROVED): S.DISPUTED_PAID,
    (S.DISPUTED_PAID, E.STATUS_DONE): S.DISPUTED_PAID,
    (S.DISPUTED_PAID, E.NO_ANSWER): S.DISPUTED_PAID,
    (S.DISPUTED_PAID, E.STATUS_UNKNOWN): S.DISPUTED_PAID,
    (S.DISPUTED_PAID, E.REFUNDED): S.REFUNDED,
    (S.DISPUTED_PAID, E.STATUS_REFUNDED): S.REFUNDED,
    (S.DISPUTED_UNPAID, E.FAILED): S.DISPUTED_UNPAID,
    (S.DISPUTED_UNPAID, E.STATUS_NOT_DONE): S.DISPUTED_UNPAID,
    (S.DISPUTED_UNPAID, E.NO_ANSWER): S.DISPUTED_UNPAID,
    (S.DISPUTED_UNPAID, E.STATUS_UNKNOWN): S.DISPUTED_UNPAID,
    (S.DISPUTED_UNPAID, E.COLLECTED): S.FAILED,
    # Known results only move forward: a repeated answer or query confirms them.
    (S.APPROVED, E.APPROVED): S.APPROVED,
    (S.APPROVED, E.STATUS_DONE): S.APPROVED,
    (S.APPROVED, E.NO_ANSWER): S.APPROVED,  # e.g. 切断する a moment after the approval arrived
    (S.APPROVED, E.STATUS_UNKNOWN): S.APPROVED,
    (S.APPROVED, E.REFUNDED): S.REFUNDED,
    (S.APPROVED, E.STATUS_REFUNDED): S.REFUNDED,
    (S.FAILED, E.FAILED): S.FAILED,
    (S.FAILED, E.STATUS_NOT_DONE): S.FAILED,
    (S.FAILED, E.NO_ANSWER): S.FAILED,
    (S.FAILED, E.STATUS_UNKNOWN): S.FAILED,
    # A late approval of a request recorded failed (e.g. a delayed frame) is money taken: 要対応.
    (S.FAILED, E.APPROVED): S.DISPUTED_PAID,
    (S.FAILED, E.STATUS_DONE): S.DISPUTED_PAID,
    (S.REFUNDED, E.REFUNDED): S.REFUNDED,
    (S.REFUNDED, E.STATUS_REFUNDED): S.REFUNDED,
    (S.REFUNDED, E.STATUS_DONE): S.REFUNDED,
    (S.REFUNDED, E.NO_ANSWER): S.REFUNDED,
    (S.REFUNDED, E.STATUS_UNKNOWN): S.REFUNDED,
}

OPEN_STATES = frozenset({S.PENDING, S.UNKNOWN})
"""States whose outcome is not known: no new attempt may be made for the same money."""

ASK_TERMINAL_STATES = OPEN_STATES | {S.MANUAL_PAID, S.MANUAL_UNPAID}
"""States the coordinator keeps asking the terminal about (a manager's word is not the terminal's)."""

ACTION_STATES = frozenset({S.DISPUTED_PAID, S.DISPUTED_UNPAID})
"""要対応: the terminal contradicted a manager; someone must refund or collect (shown on the top screen)."""

PAID_STATES = frozenset({S.APPROVED, S.MANUAL_PAID, S.DISPUTED_UNPAID})
"""States in which a slip may hold this payment as paid (a sale's tender)."""


class IllegalTransition(Exception):
    """An answer that contradicts a known result (e.g. 'approved' for a failed payment).
    Logged and surfaced for a manager; the row is left as it was."""


def transition(state: PaymentState | str, event: PaymentEvent) -> PaymentState:
    try:
        return TRANSITIONS[(PaymentState(state), event)]
    except KeyError:
        raise IllegalTransition(f"{event.value} is not allowed in state {state}") from None
