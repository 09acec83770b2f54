"""``TerminalPaymentBook``: the ledger side of every terminal request (R-DISC, R-RECON).

Contract, in the order the register uses it:
1. ``begin`` commits a ``pending`` row with a fresh, never reused ``transaction_id``
   (the SaleTransactionID), the ``service_id`` it will be sent with and the terminal
   journal it goes to, in one transaction — only then may the request be sent; a refund
   is refused while another refund of the same payment is still open;
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
from app.core.ledger import audit, business_day
from app.core.ledger.ledger import Ledger
from app.core.ledger.models import TerminalPayment
from app.core.payment_state import (ACTION_STATES, ASK_TERMINAL_STATES, OPEN_STATES, IllegalTransition, PaymentEvent,
                                    PaymentState, transition)
from app.core.terminal.results import Outcome, PaymentResult, ReversalResult, TransactionStatusResult
from app.core.terminal.statuses import PosStatus

log = logging.getLogger(__name__)

_OUTCOME_EVENTS = {Outcome.SUCCESS: PaymentEvent.APPROVED, Outcome.FAILURE: PaymentEvent.FAILED, Outcome.UNKNOWN: PaymentEvent.NO_ANSWER}


class TerminalPaymentBook:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    # --- 1. before sending -------------------------------------------------
    def begin(self, *, amount_yen: int, method: str | None, profile: str, staff_id: int,
              refund_of: TerminalPayment | None = None, authorized_by_id: int | None = None,
              service_id: str | None = None, journal_id: str | None = None,
              checkout_key: str | None = None) -> TerminalPayment:
        """Commit the request row (``pending``) with every id it is sent with. Raises
        ``RegiError`` if the day is not open, or (a refund) if the payment is not 決済完了 or
        another refund of it is still 処理中 / 要確認 (issue 16: never refund twice).
        ``authorized_by_id`` (a refund from history, a manager action): an audit record
        ``terminal_refund`` (who, authorised by whom, which payment) commits with the row."""
        if amount_yen <= 0:
            raise RegiError("金額を入力してください。")
        register = self.ledger.register()
        now = self.ledger.clock.now()
        with self.ledger.write() as db:
            session = business_day.current_day(db, register.id)
            if session is None:
                raise RegiError("レジが開局していません。")
            if refund_of is not None:
                _check_refundable(db, refund_of.id)
            row = TerminalPayment(
                transaction_id=f"{register.code}-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:10]}",
                service_id=service_id,
                journal_id=journal_id,
                checkout_key=checkout_key,
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

    # --- 2. outcomes -------------------------------------------------------
    def record_result(self, payment_id: int, result: PaymentResult | ReversalResult) -> TerminalPayment:
        """The terminal's answer to the request itself (possibly late, after 切断する)."""
        return self._apply(payment_id, _OUTCOME_EVENTS[result.outcome], result=result)

    def record_no_answer(self, payment_id: int, reason: str) -> TerminalPayment:
        """No trustworthy answer (timeout, link lost, 切断する): 要確認 until the terminal tells."""
        return self._apply(payment_id, PaymentEvent.NO_ANSWER, note=reason)

    def record_status(self, payment_id: int, status: TransactionStatusResult) -> TerminalPayment:
        """Apply a TransactionStatus answer (see ``status_event``)."""
        row = self.get(payment_id)
        event, why = status_event(row, status)
        inner = status.payment or status.reversal
        keep = event in (PaymentEvent.STATUS_DONE, PaymentEvent.STATUS_REFUNDED) or (
            row.kind == "refund" and event is PaymentEvent.STATUS_NOT_DONE)  # why the refund failed
        return self._apply(payment_id, event, result=inner if keep else None,
                           terminal_status=status.terminal_status if row.kind == "payment" else None,
                           note=f"照会: {why}")

    def resolve_manually(self, payment_id: int, *, done: bool, manager_id: int, reason: str) -> TerminalPayment:
        """A manager decides a 要確認 after checking the terminal's history (recorded and audited)."""
        if not reason.strip():
            raise RegiError("理由を入力してください。")
        event = PaymentEvent.MANUAL_DONE if done else PaymentEvent.MANUAL_NOT_DONE
        try:
            return self._apply(payment_id, event, note=f"責任者確認: {reason}", audit_by=manager_id)
        except IllegalTransition:
            raise RegiError("この決済はすでに結果が分かっています。画面を更新してください。") from None

    def record_collected(self, payment_id: int, *, manager_id: int, reason: str) -> TerminalPayment:
        """要対応 (端末で未決済): a manager records the money collected from the customer another way."""
        if not reason.strip():
            raise RegiError("理由を入力してください。")
        try:
            return self._apply(payment_id, PaymentEvent.COLLECTED, note=f"回収: {reason}", audit_by=manager_id,
                               force_note=True)
        except IllegalTransition:
            raise RegiError("この決済は回収の記録ができません。") from None

    def _apply(self, payment_id: int, event: PaymentEvent, *, result=None, terminal_status: str | None = None,
               note: str | None = None, audit_by: int | None = None, force_note: bool = False) -> TerminalPayment:
        now = self.ledger.clock.now()
        with self.ledger.write() as db:
            row = db.get(TerminalPayment, payment_id)
            before = PaymentState(row.state)
            try:
                after = transition(before, event)
            except IllegalTransition:
                log.error("terminal payment %s: %s contradicts %s; left as it was", row.transaction_id, event.value, before.value)
                raise
            row.state = after
            row.updated_at = now
            if result is not None and after not in ASK_TERMINAL_STATES:
                _store_result(row, result)
            if terminal_status:
                row.terminal_status = terminal_status
            if note and (force_note or after is not before and after not in OPEN_STATES):
                row.resolution = note[:200]
            if row.kind == "refund" and after in REFUND_DONE and before not in REFUND_DONE:
                original = db.get(TerminalPayment, row.refund_of_id)
                original.state = transition(original.state, PaymentEvent.REFUNDED)
                original.updated_at = now
            if after in ACTION_STATES and before not in ACTION_STATES:
                # The terminal contradicted a manager (or a recorded failure): audited, shown as 要対応.
                audit.record(db, now, "terminal_contradiction", row.staff_id, target=f"terminal_payment:{row.id}",
                             detail={"from": before.value, "to": after.value, "event": event.value,
                                     "amount_yen": row.amount_yen, "poi_transaction_id": row.poi_transaction_id})
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
        with self.ledger.write() as db:
            row = db.get(TerminalPayment, payment_id)
            before = PaymentState(row.state)
            if _open_refund(db, row.id) is not None:
                raise RegiError(REFUND_OPEN_MESSAGE)
            try:
                row.state = transition(before, PaymentEvent.REFUNDED)
            except IllegalTransition:
                raise RegiError(f"この決済は「{before.label}」のため返金済みにできません。") from None
            row.updated_at = now
            row.resolution = reason
            if cash_refund_yen:
                session = business_day.current_day(db, register.id)
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
        return self._in_states(OPEN_STATES)

    def to_ask(self) -> list[TerminalPayment]:
        """Requests the terminal has not settled yet (open, or decided only by a manager)."""
        return self._in_states(ASK_TERMINAL_STATES)

    def needing_action(self) -> list[TerminalPayment]:
        """要対応: the terminal contradicted a manager's decision (refund, or collect the money)."""
        return self._in_states(ACTION_STATES)

    def open_of_checkout(self, checkout_key: str) -> list[TerminalPayment]:
        """Requests of one checkout still 処理中 / 要確認: a new payment could charge twice."""
        with self.ledger.session() as db:
            return list(db.scalars(select(TerminalPayment).where(
                TerminalPayment.checkout_key == checkout_key,
                TerminalPayment.state.in_([s.value for s in OPEN_STATES])).order_by(TerminalPayment.id)))

    def open_refund_of(self, payment_id: int) -> TerminalPayment | None:
        """A refund of this payment still 処理中 / 要確認 (it blocks every other refund or void)."""
        with self.ledger.session() as db:
            return _open_refund(db, payment_id)

    def _in_states(self, states) -> list[TerminalPayment]:
        with self.ledger.session() as db:
            return list(db.scalars(select(TerminalPayment).where(TerminalPayment.state.in_([s.value for s in states]))
                                   .order_by(TerminalPayment.id)))

    def without_slip(self, exclude: set[str] = frozenset()) -> list[TerminalPayment]:
        """Approved payments no slip records (a late approval after the sale was given up,
        or a register crash between payment and slip): money taken with no sale — to be
        refunded on the terminal. ``exclude``: transaction ids of the checkout in progress."""
        from app.core.ledger.models import Tender

        on_a_slip = select(Tender.id).where(Tender.reference == TerminalPayment.transaction_id).exists()
        with self.ledger.session() as db:
            # A manager's 決済済み counts too: the ledger then holds it as money taken.
            taken = (PaymentState.APPROVED.value, PaymentState.MANUAL_PAID.value)
            rows = db.scalars(select(TerminalPayment).where(TerminalPayment.kind == "payment",
                                                            TerminalPayment.state.in_(taken),
                                                            ~on_a_slip).order_by(TerminalPayment.id))
            return [row for row in rows if row.transaction_id not in exclude]

    def all(self) -> list[TerminalPayment]:
        with self.ledger.session() as db:
            return list(db.scalars(select(TerminalPayment).order_by(TerminalPayment.id)))

    def mark_printed(self, payment_id: int) -> int:
        """Count a print of this payment's slip; returns how many prints before this one
        (so ≥ 1 means the print carries (再))."""
        with self.ledger.write() as db:
            row = db.get(TerminalPayment, payment_id)
            before = row.slip_prints
            row.slip_prints = before + 1
            return before


REFUND_DONE = frozenset({PaymentState.APPROVED, PaymentState.MANUAL_PAID, PaymentState.DISPUTED_PAID})
"""States of a refund row in which its payment counts as refunded."""

REFUND_OPEN_MESSAGE = ("この決済の払い戻しを決済端末に確認中です（要確認）。結果が分かるまで、もう一度取消・返金済みにはできません。"
                       "「再確認」で決済端末に問い合わせてください。")


def _open_refund(db, payment_id: int) -> TerminalPayment | None:
    return db.scalar(select(TerminalPayment).where(TerminalPayment.refund_of_id == payment_id,
                                                   TerminalPayment.state.in_([s.value for s in ASK_TERMINAL_STATES]))
                     .limit(1))


def _check_refundable(db, payment_id: int) -> None:
    original = db.get(TerminalPayment, payment_id)
    if _open_refund(db, payment_id) is not None:
        raise RegiError(REFUND_OPEN_MESSAGE)
    if PaymentState(original.state) is not PaymentState.APPROVED:
        raise RegiError(f"この決済は「{PaymentState(original.state).label}」のため取消できません。")


def status_event(row: TerminalPayment, status: TransactionStatusResult) -> tuple[PaymentEvent, str]:
    """The event a TransactionStatus answer means for ``row``, and why (for the record).

    - a refund row is decided by its own reversal's answer only, never by the payment's
      status word (issue 16: a declined refund must not read as 返金済み);
    - "not found" is "never reached the terminal" only from the journal that took the
      request: from another journal (the terminal lost its history) it is unknown;
    - in progress, 処理未了 / 要確認 and a failed query stay unknown.
    """
    if status.outcome is not Outcome.SUCCESS:
        return PaymentEvent.STATUS_UNKNOWN, "no_answer"
    if status.in_progress:
        return PaymentEvent.STATUS_UNKNOWN, "in_progress"
    if not status.found:
        if row.journal_id is not None and status.journal_id != row.journal_id:
            return PaymentEvent.STATUS_UNKNOWN, "journal_lost"
        return PaymentEvent.STATUS_NOT_DONE, "not_found"
    if row.kind == "refund":
        inner = status.reversal
        if inner is None:
            return PaymentEvent.STATUS_UNKNOWN, "terminal_unknown"
        return {Outcome.SUCCESS: (PaymentEvent.STATUS_DONE, "refunded"),
                Outcome.FAILURE: (PaymentEvent.STATUS_NOT_DONE, "refund_failed")}.get(
            inner.outcome, (PaymentEvent.STATUS_UNKNOWN, "terminal_unknown"))
    pos = status.pos_status
    event = {PosStatus.PAID: PaymentEvent.STATUS_DONE, PosStatus.FAILED: PaymentEvent.STATUS_NOT_DONE,
             PosStatus.REFUNDED: PaymentEvent.STATUS_REFUNDED}.get(pos, PaymentEvent.STATUS_UNKNOWN)
    return event, "terminal_unknown" if event is PaymentEvent.STATUS_UNKNOWN else pos.value


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
