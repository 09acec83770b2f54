"""What the simulated terminal tells about its past: Abort, TransactionStatus, its
journal (prefill, loss), Reconciliation totals and slip reprints. Part of `TerminalEngine`.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from app.core.terminal import statuses as st
from app.core.terminal.errors import ErrorCondition, describe
from app.core.terminal.messages import response_part

from .clock import iso as _iso
from .model import BATTERY_PRINT_MAX_REFUSED, BEFORE_CARD_READ, SimulatorError, TxRecord
from . import journal

log = logging.getLogger("app.simulator.engine")


class StatusDesk:
    """A part of TerminalEngine: its state is set up in `TerminalEngine.__init__` and used
    under the engine's lock (`_op`)."""

    def abort(self, sale_id: str, target_service_id: str, category: str = "Payment") -> dict[str, Any]:
        """AbortResponse body for an Abort of `target_service_id` (best effort).

        Only a payment still waiting for the customer (before the card is read)
        can be stopped; reversals complete at once, so they are never found.
        """
        reference = {"MessageCategory": category, "ServiceID": target_service_id}
        with self._op():
            a = self._attempt
            if (a is None or category != "Payment" or a.service_id != target_service_id
                    or a.sale_id != sale_id):
                return {"Response": response_part("Failure", ErrorCondition.NOT_FOUND, "E4009",
                                                  describe("E4009").message), "MessageReference": reference}
            if a.stage not in BEFORE_CARD_READ:
                return {"Response": response_part("Failure", ErrorCondition.NOT_ALLOWED, "E4008",
                                                  describe("E4008").message), "MessageReference": reference}
            self._fail(a, "E4005")
            return {"Response": response_part(), "MessageReference": reference}

    def transaction_status(self, category: str, transaction_id: str) -> dict[str, Any]:
        """What happened to one payment or reversal, from this journal (its id in every answer).

        A Reversal query answers for that reversal (its own stored answer, no payment
        status word): a declined refund reads declined even if another refund went through."""
        reference = {"MessageCategory": category, "SaleTransactionID": {"TransactionID": transaction_id}}
        with self._op():
            journal_id = self.journal_id
            a = self._attempt
            held = self._held is not None and self._held[0] == transaction_id and category == "Reversal"
            if held or (a is not None and a.transaction_id == transaction_id and category == "Payment"):
                return {"Response": response_part("Failure", ErrorCondition.IN_PROGRESS, "E4007",
                                                  describe("E4007").message), "MessageReference": reference,
                        "JournalID": journal_id}
            record = self._records.get(transaction_id)
            kind = "payment" if category == "Payment" else "reversal"
            if record is None or record.kind != kind:
                return {"Response": response_part("Failure", ErrorCondition.NOT_FOUND, "E3001",
                                                  describe("E3001").message), "MessageReference": reference,
                        "JournalID": journal_id}
            body: dict[str, Any] = {"Response": response_part(), "MessageReference": reference, "JournalID": journal_id}
            if kind == "payment":
                body["RepeatedResponse"] = {"PaymentResponse": record.response}
                if record.status is not None:
                    body["TerminalStatus"] = record.status
            else:
                body["RepeatedResponse"] = {"ReversalResponse": record.response}
            return body

    def prefill(self, records: Sequence[TxRecord]) -> None:
        """Put earlier transactions in the journal (testers: a terminal with a history)."""
        with self._op():
            for record in records:
                self._records[record.transaction_id] = record
                self._history.append(record)
                self._used_transaction_ids.add(record.transaction_id)
            self._emit("changed")

    def lose_journal(self) -> str:
        """The terminal loses its journal (e.g. a reset): a new journal id, empty history,
        numbering from the start. Returns the new journal id."""
        with self._op():
            self.journal_id = journal.new_journal_id()
            self._history = []
            self._records = {}
            self._used_transaction_ids = set()
            for name, value in self._initial_sequences.items():
                setattr(self, name, value)
            self._emit("changed")
            return self.journal_id

    def _payment_by_poi(self, poi_transaction_id: str) -> TxRecord | None:
        for record in reversed(self._history):
            if record.kind == "payment" and record.approved and record.poi_transaction_id == poi_transaction_id:
                return record
        return None

    # -- reconciliation / print ------------------------------------------------------

    def drop_from_totals(self, poi_transaction_id: str, kind: str = "payment") -> None:
        """Leave this transaction out of the next reconciliation (a terminal that lost it)."""
        with self._op():
            self._recon_dropped.add((poi_transaction_id, kind))

    def add_to_totals(self, method: str, amount: int, kind: str = "payment", poi_transaction_id: str | None = None) -> str:
        """Count a transaction the register never sent in the next reconciliation (one made
        directly on the terminal). Returns its POITransactionID."""
        with self._op():
            if method not in self.methods or kind not in ("payment", "refund") or not 0 < amount <= 9_999_999:
                raise SimulatorError("add_to_totals: method, kind or amount out of range")
            if poi_transaction_id is None:
                self._order_seq += 1
                poi_transaction_id = f"EXT-{self._order_seq:07d}"
            self._recon_extra.append((poi_transaction_id, method, kind, amount))
            return poi_transaction_id

    def reconciliation(self) -> dict[str, Any]:
        """Totals since the previous reconciliation, with the period's transactions; settles
        card sales (売上予定 → 売上済み). ``drop_from_totals`` / ``add_to_totals`` (tests,
        training) make the totals disagree with the register for one reconciliation."""
        with self._op():
            now = self.clock()
            start = self._last_reconciliation
            totals = {m: [0, 0, 0, 0] for m in self.methods}
            listed: list[tuple[str, str, str, int]] = []
            for r in self._history:
                if r.reconciled or not r.approved or r.method not in totals:
                    continue
                r.reconciled = True
                if r.status == st.CARD_PENDING_SALE:
                    r.status = st.CARD_SOLD
                elif r.status == st.CARD_RETURN_PENDING:
                    r.status = st.CARD_RETURNED
                kind = "payment" if r.kind == "payment" else "refund"
                if (r.poi_transaction_id or "", kind) in self._recon_dropped:
                    continue
                listed.append((r.poi_transaction_id or "", r.method, kind, r.amount))
            listed += [t for t in self._recon_extra if t[1] in totals]
            self._recon_dropped.clear()
            self._recon_extra.clear()
            for _poi, method, kind, amount in listed:
                t = totals[method]
                offset = 0 if kind == "payment" else 2
                t[offset] += 1
                t[offset + 1] += amount
            self._recon_seq += 1
            self._last_reconciliation = now
            body: dict[str, Any] = {
                "Response": response_part(), "ReconciliationID": f"R{self._recon_seq:05d}", "PeriodEnd": _iso(now),
                "TransactionTotals": [{"PaymentMethod": m, "SaleCount": t[0], "SaleAmount": t[1], "RefundCount": t[2],
                                       "RefundAmount": t[3]} for m, t in totals.items()],
                "TransactionList": [{"POITransactionID": poi, "PaymentMethod": method,
                                     "TransactionType": "Payment" if kind == "payment" else "Refund", "Amount": amount}
                                    for poi, method, kind, amount in listed if poi],
            }
            if start is not None:
                body["PeriodStart"] = _iso(start)
            self._emit("changed")
            return body

    def print_slip(self, poi_transaction_id: str) -> dict[str, Any]:
        """Print a slip again on the terminal (usenpay 代替の控え印刷)."""
        with self._op():
            if not self.spec.register_prints_slips:  # it prints its own 控え: nothing to print on request
                return self._refusal("E3006")
            if self._battery <= BATTERY_PRINT_MAX_REFUSED:
                return self._refusal("E2004")
            record = self._payment_by_poi(poi_transaction_id)
            if record is None:
                return self._refusal("E3001")
            if record.method == "qr" or record.slip is None:
                return self._refusal("E3007")
            # Print the latest slip of the payment: its cancel slip once reversed.
            slip = dict(record.slip)
            if record.reversed_by and record.reversed_by in self._records:
                slip = dict(self._records[record.reversed_by].slip or slip)
            record.prints += 1
            slip["Reprint"] = "(再)"
            return {"Response": response_part(), "SlipData": slip}
