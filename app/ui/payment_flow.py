"""``PaymentAttempt``: one terminal payment or refund, from 「決済端末連携」 to an outcome.

Order of things (SPEC §5, R-DISC, R-RECON) — each step is one ledger transaction:
1. the request row is committed (``TerminalPaymentBook.begin``), then the request is sent;
2. the answer is recorded whenever it comes, even after the screen moved on;
3. no answer, or 「切断する」 (abort sent, row 要確認): ask ``TransactionStatus`` with the
   same ids and apply what the terminal says. The request itself is never sent again.

``finished(row)`` fires once, when the cashier can be told something: approved, failed,
or still 要確認 after the status query. ``changed(row)`` fires on every later change (a
late answer that settles a 要確認), so the checkout can pick up a payment it gave up on.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from app.core.ledger.models import TerminalPayment
from app.core.payment_state import IllegalTransition, PaymentState
from app.core.terminal.events import EventKind, TerminalEvent
from app.core.terminal.results import Outcome

log = logging.getLogger(__name__)

KNOWN = (PaymentState.APPROVED, PaymentState.FAILED, PaymentState.REFUNDED)


class PaymentAttempt(QObject):
    finished = Signal(object)  # TerminalPayment
    changed = Signal(object)  # TerminalPayment
    prompt = Signal(str)  # what the terminal shows (Display / Event notifications)

    def __init__(self, context, *, amount_yen: int, method: str | None, refund_of: TerminalPayment | None = None,
                 request_cart=None, authorized_by_id: int | None = None):
        super().__init__()
        self.request_cart = request_cart
        self.context = context
        self.amount_yen = amount_yen
        self.method = method
        self.refund_of = refund_of
        self.authorized_by_id = authorized_by_id
        self.row: TerminalPayment | None = None
        self.done = False
        self.settled = False  # the ledger knows the outcome (not pending / 要確認)
        self.disconnected = False
        self._statuses_asked = 0
        context.terminal.event_received.connect(self._on_event)

    @property
    def book(self):
        return self.context.payments

    @property
    def category(self) -> str:
        return "Reversal" if self.refund_of else "Payment"

    def start(self) -> None:
        """Commit the row, then send. Raises ``RegiError`` (nothing sent) if it cannot be recorded."""
        link = self.context.terminal
        self.row = self.book.begin(amount_yen=self.amount_yen, method=self.method, profile=link.profile,
                                   staff_id=self.context.staff.id, refund_of=self.refund_of,
                                   authorized_by_id=self.authorized_by_id)
        self.context.attempts.add(self)
        bridge = link.bridge
        if self.refund_of:
            future = bridge.reversal(self.row.transaction_id, self.refund_of.poi_transaction_id, self.amount_yen)
        else:
            future = bridge.pay(self.row.transaction_id, self.amount_yen, self.method)
        self.book.set_service_id(self.row.id, future.service_id)
        link.call(future, self._on_answer)

    def hang_up(self) -> None:
        """「切断する」: abort (best effort), record 要確認, ask the terminal what happened."""
        if self.done or self.row is None:
            return
        self.disconnected = True
        self.context.terminal.call(self.context.terminal.bridge.abort(self.row.transaction_id), lambda _result: None)
        self._record(lambda: self.book.record_no_answer(self.row.id, "切断する"))
        self.ask_status()

    def ask_status(self) -> None:
        """TransactionStatus for this request (R-RECON); safe to repeat."""
        self._statuses_asked += 1
        bridge = self.context.terminal.bridge
        if bridge is None:
            self._settle()
            return
        self.context.terminal.call(bridge.transaction_status(self.row.transaction_id, self.category), self._on_status)

    # --- answers -----------------------------------------------------------
    def _on_answer(self, result) -> None:
        if isinstance(result, Exception):
            self._record(lambda: self.book.record_no_answer(self.row.id, f"bridge error: {result}"))
        else:
            self._record(lambda: self.book.record_result(self.row.id, result))
        if self.row.state in KNOWN:
            self._settle()
        elif not self.disconnected:
            self.ask_status()  # no answer: never resend, ask what happened

    def _on_status(self, status) -> None:
        if isinstance(status, Exception):
            log.error("status query failed: %s", status)
        else:
            self._record(lambda: self.book.record_status(self.row.id, status))
            if status.outcome is not Outcome.SUCCESS or status.in_progress:
                log.info("status of %s not known yet (%s)", self.row.transaction_id, status.terminal_status)
        self._settle()

    def _record(self, apply) -> None:
        before = self.row.state if self.row else None
        try:
            self.row = apply()
        except IllegalTransition:
            log.error("contradicting answer for %s ignored; the ledger keeps %s", self.row.transaction_id, before)
            return
        if self.done and self.row.state != before:
            self.changed.emit(self.row)

    def refresh_from_ledger(self) -> None:
        """Pick up a change made outside this attempt (a manager's resolution, the
        reconciler) and report it like a late answer."""
        if self.row is None or self.settled:
            return
        self._record(lambda: self.book.get(self.row.id))
        if self.done and self.row.state in KNOWN:
            self._settle()

    def _settle(self) -> None:
        if not self.done:
            self.done = True
            self.finished.emit(self.row)
        if self.row.state in KNOWN and not self.settled:
            self.settled = True
            self.context.attempts.discard(self)
            self.context.terminal.event_received.disconnect(self._on_event)

    def _on_event(self, event: TerminalEvent) -> None:
        if self.done:
            return
        if event.kind in (EventKind.DISPLAY, EventKind.DUPLICATE_ALERT, EventKind.OS_UPDATE_NOTICE) and event.text:
            self.prompt.emit(event.text)
