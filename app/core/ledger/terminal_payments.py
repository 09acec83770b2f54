"""``TerminalPaymentBook``: the ledger side of every terminal request (R-DISC, R-RECON).

Contract, in the order the register uses it:
1. ``begin`` commits a ``pending`` row with a fresh, never reused ``transaction_id``
   (the SaleTransactionID) — only then may the request be sent;
2. the answer (``record_result``), a lost answer (``record_no_answer``), a status query
   (``record_status``) or a manager (``resolve_manually``) moves the row through
   ``app.core.payment_state``; each is one transaction;
3. a refund that went through marks the payment it refunds ``refunded``.

Nothing is ever resent from here: a new attempt is a new row with new ids, allowed only
once no earlier attempt of the same checkout is still ``pending`` / ``unknown``.
"""
from __future__ import annotations

import json
import logging
import uuid

from sqlalchemy import select

from app.core.errors import RegiError
from app.core.ledger import audit, sessions
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import TerminalPayment
from app.core.payment_state import OPEN_STATES, IllegalTransition, PaymentEvent, PaymentState, transition
from app.core.terminal.results import Outcome, PaymentResult, ReversalResult, TransactionStatusResult
from app.core.terminal.statuses import PosStatus

log = logging.getLogger(__name__)

_OUTCOME_EVENTS = {Outcome.SUCCESS: PaymentEvent.APPROVED, Outcome.FAILURE: PaymentEvent.FAILED, Outcome.UNKNOWN: PaymentEvent.NO_ANSWER}


class TerminalPaymentBook:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    # --- 1. before sending -------------------------------------------------
    def begin(self, *, amount_yen: int, method: str | None, profile: str, staff_id: int,
              refund_of: TerminalPayment | None = None, authorized_by_id: int | None = None) -> TerminalPayment:
        """Commit the request row (``pending``). Raises ``RegiError`` if the day is not open.
        ``authorized_by_id`` (a refund from history, a manager action): an audit record
        ``terminal_refund`` (who, authorised by whom, which payment) commits with the row."""
        if amount_yen <= 0:
            raise RegiError("金額を入力してください。")
        register = self.ledger.register()
        now = self.ledger.clock.now()
        with self.ledger.session() as db, db.begin():
            session = sessions.current_session(db, register.id)
            if session is None:
                raise RegiError("レジが開局していません。")
            row = TerminalPayment(
                transaction_id=f"{register.code}-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:10]}",
                kind="refund" if refund_of else "payment",
                refund_of_id=refund_of.id if refund_of else None,
                register_id=register.id,
                session_id=session.id,
                staff_id=staff_id,
                profile=profile,
                requested_method=method,
                amount_yen=amount_yen,
                state=PaymentState.PENDING,
                created_at=now,
                updated_at=now,
                slip_prints=0,
            )
            db.add(row)
            if authorized_by_id is not None and refund_of is not None:
                db.flush()
                audit.record(db, now, "terminal_refund", staff_id, authorized_by_id=authorized_by_id,
                             target=f"terminal_payment:{refund_of.id}",
                             detail={"refund_id": row.id, "transaction_id": row.transaction_id, "amount_yen": amount_yen,
                                     "poi_transaction_id": refund_of.poi_transaction_id})
        return row

    def set_service_id(self, payment_id: int, service_id: str | None) -> None:
        with self.ledger.session() as db, db.begin():
            db.get(TerminalPayment, payment_id).service_id = service_id

    # --- 2. outcomes -------------------------------------------------------
    def record_result(self, payment_id: int, result: PaymentResult | ReversalResult) -> TerminalPayment:
        """The terminal's answer to the request itself (possibly late, after 切断する)."""
        return self._apply(payment_id, _OUTCOME_EVENTS[result.outcome], result=result)

    def record_no_answer(self, payment_id: int, reason: str) -> TerminalPayment:
        """No trustworthy answer (timeout, link lost, 切断する): 要確認 until the terminal tells."""
        return self._apply(payment_id, PaymentEvent.NO_ANSWER, note=reason)

    def record_status(self, payment_id: int, status: TransactionStatusResult) -> TerminalPayment:
        """Apply a TransactionStatus answer. For a refund row, the status is that of the
        refunded payment: 返金済み means the refund went through."""
        with self.ledger.session() as db:
            kind = db.get(TerminalPayment, payment_id).kind
        pos = status.pos_status
        if kind == "refund":
            event = {PosStatus.REFUNDED: PaymentEvent.STATUS_DONE, PosStatus.PAID: PaymentEvent.STATUS_NOT_DONE,
                     PosStatus.FAILED: PaymentEvent.STATUS_NOT_DONE}.get(pos, PaymentEvent.STATUS_UNKNOWN)
            if status.outcome is Outcome.SUCCESS and not status.found:
                event = PaymentEvent.STATUS_NOT_DONE
        else:
            event = {PosStatus.PAID: PaymentEvent.STATUS_DONE, PosStatus.FAILED: PaymentEvent.STATUS_NOT_DONE,
                     PosStatus.REFUNDED: PaymentEvent.STATUS_REFUNDED}.get(pos, PaymentEvent.STATUS_UNKNOWN)
        inner = status.payment or status.reversal
        return self._apply(payment_id, event, result=inner if event in (PaymentEvent.STATUS_DONE, PaymentEvent.STATUS_REFUNDED) else None,
                           terminal_status=status.terminal_status, note=f"照会: {pos.value}")

    def resolve_manually(self, payment_id: int, *, done: bool, manager_id: int, reason: str) -> TerminalPayment:
        """A manager decides a 要確認 after checking the terminal's history (recorded and audited)."""
        if not reason.strip():
            raise RegiError("理由を入力してください。")
        event = PaymentEvent.MANUAL_DONE if done else PaymentEvent.MANUAL_NOT_DONE
        row = self._apply(payment_id, event, note=f"責任者確認: {reason}", audit_by=manager_id)
        return row

    def _apply(self, payment_id: int, event: PaymentEvent, *, result=None, terminal_status: str | None = None,
               note: str | None = None, audit_by: int | None = None) -> TerminalPayment:
        now = self.ledger.clock.now()
        with self.ledger.session() as db, db.begin():
            row = db.get(TerminalPayment, payment_id)
            before = PaymentState(row.state)
            try:
                after = transition(before, event)
            except IllegalTransition:
                log.error("terminal payment %s: %s contradicts %s; left as it was", row.transaction_id, event.value, before.value)
                raise
            row.state = after
            row.updated_at = now
            if result is not None and after in (PaymentState.APPROVED, PaymentState.FAILED, PaymentState.REFUNDED):
                _store_result(row, result)
            if terminal_status:
                row.terminal_status = terminal_status
            if note and before in OPEN_STATES and after not in OPEN_STATES:
                row.resolution = note
            if row.kind == "refund" and after is PaymentState.APPROVED and before is not PaymentState.APPROVED:
                original = db.get(TerminalPayment, row.refund_of_id)
                original.state = transition(original.state, PaymentEvent.REFUNDED)
                original.updated_at = now
            if audit_by is not None:
                audit.record(db, now, "resolve_terminal_payment", audit_by, target=f"terminal_payment:{row.id}",
                             detail={"from": before.value, "to": after.value}, reason=note)
            db.flush()
            db.expunge(row)
        return row

    def mark_refunded_elsewhere(self, payment_id: int, *, manager_id: int, reason: str,
                                cash_refund_yen: int = 0, staff_id: int | None = None) -> TerminalPayment:
        """A payment refunded outside the terminal link: directly on the terminal (seed 4-5)
        or in cash for an e-money brand the terminal cannot refund (``cash_refund_yen``:
        paid back from the drawer of the open session). Manager only; audited."""
        from app.core.ledger.models import DrawerMovement

        if not reason.strip():
            raise RegiError("理由を入力してください。")
        now = self.ledger.clock.now()
        register = self.ledger.register()
        with self.ledger.session() as db, db.begin():
            row = db.get(TerminalPayment, payment_id)
            before = PaymentState(row.state)
            try:
                row.state = transition(before, PaymentEvent.REFUNDED)
            except IllegalTransition:
                raise RegiError(f"この決済は「{before.label}」のため返金済みにできません。") from None
            row.updated_at = now
            row.resolution = reason
            if cash_refund_yen:
                session = sessions.current_session(db, register.id)
                if session is None:
                    raise RegiError("レジが開局していないため現金で返金できません。")
                db.add(DrawerMovement(session_id=session.id, kind="refund", amount_yen=-cash_refund_yen, reason=reason,
                                      staff_id=staff_id or manager_id, created_at=now))
            audit.record(db, now, "cash_refund" if cash_refund_yen else "mark_refunded", staff_id or manager_id,
                         authorized_by_id=manager_id, target=f"terminal_payment:{row.id}",
                         detail={"amount_yen": row.amount_yen, "cash_refund_yen": cash_refund_yen}, reason=reason)
            db.flush()
            db.expunge(row)
        return row

    def refunds_of(self, payment_id: int) -> list[TerminalPayment]:
        with self.ledger.session() as db:
            return list(db.scalars(select(TerminalPayment).where(TerminalPayment.refund_of_id == payment_id)
                                   .order_by(TerminalPayment.id)))

    # --- reading -----------------------------------------------------------
    def get(self, payment_id: int) -> TerminalPayment:
        with self.ledger.session() as db:
            return db.get(TerminalPayment, payment_id)

    def by_transaction_id(self, transaction_id: str) -> TerminalPayment | None:
        with self.ledger.session() as db:
            return db.scalar(select(TerminalPayment).where(TerminalPayment.transaction_id == transaction_id))

    def open_requests(self) -> list[TerminalPayment]:
        """Requests whose outcome is not known (``pending`` / ``unknown``), oldest first."""
        with self.ledger.session() as db:
            return list(db.scalars(select(TerminalPayment).where(TerminalPayment.state.in_([s.value for s in OPEN_STATES]))
                                   .order_by(TerminalPayment.id)))

    def without_slip(self, exclude: set[str] = frozenset()) -> list[TerminalPayment]:
        """Approved payments no slip records (a late approval after the sale was given up,
        or a register crash between payment and slip): money taken with no sale — to be
        refunded on the terminal. ``exclude``: transaction ids of the checkout in progress."""
        from app.core.ledger.models import Tender

        on_a_slip = select(Tender.id).where(Tender.reference == TerminalPayment.transaction_id).exists()
        with self.ledger.session() as db:
            rows = db.scalars(select(TerminalPayment).where(TerminalPayment.kind == "payment",
                                                            TerminalPayment.state == PaymentState.APPROVED.value,
                                                            ~on_a_slip).order_by(TerminalPayment.id))
            return [row for row in rows if row.transaction_id not in exclude]

    def all(self) -> list[TerminalPayment]:
        with self.ledger.session() as db:
            return list(db.scalars(select(TerminalPayment).order_by(TerminalPayment.id)))

    def mark_printed(self, payment_id: int) -> int:
        """Count a print of this payment's slip; returns how many prints before this one
        (so ≥ 1 means the print carries (再))."""
        with self.ledger.session() as db, db.begin():
            row = db.get(TerminalPayment, payment_id)
            before = row.slip_prints
            row.slip_prints = before + 1
            return before


def _store_result(row: TerminalPayment, result: PaymentResult | ReversalResult) -> None:
    """Keep what the terminal sent — and only that; the card number only as its last 4."""
    row.poi_transaction_id = result.poi_transaction_id or row.poi_transaction_id
    row.method = result.method or row.method
    row.brand = result.brand or row.brand
    if result.error is not None:
        row.error_condition = result.error.condition
        row.error_code = result.error.code
        row.error_message = result.error.message[:200]
    if isinstance(result, PaymentResult):
        pan = result.masked_pan or ""
        digits = "".join(ch for ch in pan if ch.isdigit())
        row.card_last4 = digits[-4:] if len(digits) >= 4 else row.card_last4
        row.entry_mode = result.entry_mode or row.entry_mode
        row.approval_number = result.approval_number or row.approval_number
    row.terminal_status = result.terminal_status or row.terminal_status
    if result.slip:
        row.slip_data = json.dumps(dict(result.slip), ensure_ascii=False, default=str)
