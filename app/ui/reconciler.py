"""R-RECON by the register itself: every terminal request whose outcome is not known
(``pending`` after a crash or power cut, ``unknown`` after a lost answer or 切断する) is
asked about with TransactionStatus whenever the link is up, and the answer applied.

Requests a live ``PaymentAttempt`` is still handling are left to it. ``changed`` fires
after each applied answer so the top screen can refresh its 要確認 list.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from app.core.payment_state import IllegalTransition
from app.core.terminal.events import EventKind

log = logging.getLogger(__name__)


class Reconciler(QObject):
    changed = Signal()

    def __init__(self, context):
        super().__init__()
        self.context = context
        self._asking: set[int] = set()
        context.terminal.event_received.connect(self._on_event)
        self.changed.connect(self._refresh_attempts)

    def _refresh_attempts(self) -> None:
        # A screen waiting on an attempt learns of a resolution made here or by a manager.
        for attempt in list(self.context.attempts):
            attempt.refresh_from_ledger()

    def _on_event(self, event) -> None:
        if event.kind is EventKind.LINK_UP:
            self.run()

    def open_requests(self):
        return self.context.payments.open_requests()

    def run(self) -> int:
        """Ask about every open request not handled elsewhere; returns how many were asked."""
        bridge = self.context.terminal.bridge
        if bridge is None:
            return 0
        attempts = {attempt.row.id: attempt for attempt in self.context.attempts if attempt.row is not None}
        asked = 0
        for row in self.open_requests():
            attempt = attempts.get(row.id)
            if attempt is not None:  # its screen is waiting on it: let the attempt ask and report
                if attempt.done:
                    attempt.ask_status()
                    asked += 1
                continue
            if row.id in self._asking:
                continue
            self._asking.add(row.id)
            category = "Reversal" if row.kind == "refund" else "Payment"
            self.context.terminal.call(bridge.transaction_status(row.transaction_id, category),
                                       lambda status, row_id=row.id: self._apply(row_id, status))
            asked += 1
        return asked

    def _apply(self, row_id: int, status) -> None:
        self._asking.discard(row_id)
        if isinstance(status, Exception):
            return
        try:
            self.context.payments.record_status(row_id, status)
        except IllegalTransition:
            log.error("status of terminal payment %s contradicts the ledger; left for a manager", row_id)
        self.changed.emit()
