"""The simulated terminal's reversals (取消 / 返品 / 返金) of its own payments.
Part of `TerminalEngine` (engine.py).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from app.core.terminal import statuses as st
from app.core.terminal.errors import describe
from app.core.terminal.messages import response_part

from . import outcomes as oc
from .clock import JST, iso as _iso
from .model import EMONEY_REFUNDABLE, PROMPTS, QR_REFUND_DAYS, SimulatorError, Stage, TxRecord
from .slips import card_slip, emoney_slip

HOLD_PROMPT = "決済端末で払い戻しの操作を行ってください"  # a held refund (oc.Hold) waits on this screen

log = logging.getLogger("app.simulator.engine")


class RefundFlow:
    """A part of TerminalEngine: its state is set up in `TerminalEngine.__init__` and used
    under the engine's lock (`_op`)."""

    def start_reversal(self, sale_id: str, service_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """Refund (取消 / 返品 / 返金). Returns an immediate refusal body or None (answer by event)."""
        txn = body["SaleData"]["SaleTransactionID"]
        transaction_id = txn["TransactionID"]
        original_id = body["OriginalPOITransaction"]["POITransactionID"]["TransactionID"]
        amount = body["ReversedAmount"]

        def answer(code: str | None, *, record: TxRecord | None = None, extra: dict[str, Any] | None = None,
                   message: str | None = None) -> dict[str, Any]:
            if code is None:
                resp = response_part()
            else:
                entry = describe(code)
                resp = response_part("Failure", entry.condition, code, message or entry.message)
            out: dict[str, Any] = {"Response": resp, "SaleData": {"SaleTransactionID": dict(txn)},
                                   "OriginalPOITransaction": {"POITransactionID": {"TransactionID": original_id}}}
            if record is not None:
                out["PaymentMethod"] = record.method
                if record.brand:
                    out["Brand"] = record.brand
                if record.status:
                    out["TerminalStatus"] = record.status
            out.update(extra or {})
            return out

        with self._op():
            if self._busy or self._attempt is not None or self._held is not None:
                return answer("E2001")
            if transaction_id in self._used_transaction_ids:
                return answer("E4003")
            original = self._payment_by_poi(original_id)
            if original is None:
                return answer("E3001")
            if original.reversed_by is not None:
                return answer("E3004", record=original)
            if amount != original.amount:
                return answer("E3005", record=original)
            now = self.clock()
            if original.method == "emoney" and original.brand not in EMONEY_REFUNDABLE:
                return answer("E3002", record=original)
            # through the end of the 90th calendar day (Japan time) after the day of payment
            if original.method == "qr" and now.astimezone(JST).date() > (
                    original.created_at.astimezone(JST).date() + timedelta(days=QR_REFUND_DAYS)):
                return answer("E3003", record=original)
            script = self._pop("reversal")
            if isinstance(script, oc.Busy):
                return answer("E2001")
            self._used_transaction_ids.add(transaction_id)

            def record_failure(code: str, deliver: bool) -> None:
                response = answer(code, record=original)
                rec = TxRecord("reversal", transaction_id, sale_id, service_id, now, amount, original.method, False,
                               None, response, brand=original.brand, original=original_id)
                self._records[transaction_id] = rec
                self._history.append(rec)
                self._last_result = describe(code).message
                if deliver:
                    self._emit("response", sale_id=sale_id, service_id=service_id, category="Reversal", body=response)

            if isinstance(script, (oc.Decline, oc.CancelOnTerminal)):
                record_failure(script.code if isinstance(script, oc.Decline) else "E4006", True)
                return None
            if isinstance(script, oc.Hold):
                def finish(approved: bool) -> None:
                    if approved:
                        self._perform_reversal(original, sale_id, service_id, txn, amount, self.clock(), True, answer)
                    else:
                        record_failure("E4006", True)

                self._held = (transaction_id, finish)
                self._prompt = HOLD_PROMPT
                self._emit("display", sale_id=sale_id, service_id=service_id, category="Display", text=HOLD_PROMPT,
                           body={"OutputText": HOLD_PROMPT, "InfoQualify": "Input", "TimeStamp": _iso(now)})
                return None
            deliver = True
            perform = True
            if isinstance(script, oc.DropLink):
                self._emit("drop_link", text="link dropped during reversal (scripted)")
                deliver, perform = False, script.after_card_read and script.approve
            elif isinstance(script, oc.RestartApp):
                deliver, perform = False, script.approved
            if not perform:
                record_failure("E4004", deliver)
            else:
                self._perform_reversal(original, sale_id, service_id, txn, amount, now, deliver, answer)
            if isinstance(script, oc.RestartApp):
                self._restart(None, None, forget=script.forget)
            return None

    def release_reversal(self, approved: bool = True) -> None:
        """The held refund (``oc.Hold``) goes on: done (``approved``) or cancelled on the terminal (E4006)."""
        with self._op():
            if self._held is None:
                raise SimulatorError("保留中の払い戻しがありません")
            (_, finish), self._held = self._held, None
            self._prompt = PROMPTS[Stage.IDLE]
            finish(approved)

    def _perform_reversal(self, original: TxRecord, sale_id: str, service_id: str, txn: dict[str, Any], amount: int,
                          now: datetime, deliver: bool, answer: Callable[..., dict[str, Any]]) -> None:
        method = original.method or "credit"
        same_day = original.created_at.astimezone(JST).date() == now.astimezone(JST).date()
        kind = "返金" if method == "qr" else ("取消" if same_day else "返品")
        if method == "credit":
            original.status = st.CARD_CANCELLED if same_day else st.CARD_RETURN_PENDING
        elif method == "emoney":
            original.status = st.EMONEY_CANCELLED
        else:
            original.status = st.QR_REFUNDED
        if self.spec.order_codes:
            poi_id = original.poi_transaction_id or ""
            slip_number = original.slip.get("SlipNumber", "") if original.slip else ""
            if method == "emoney":
                self._emoney_slip_seq += 1
                slip_number = f"{self._emoney_slip_seq:06d}"
        else:
            self._slip_seq += 1
            slip_number = f"{self._slip_seq % 100000:05d}"
            poi_id = slip_number if method != "qr" else f"{now:%Y%m%d%H%M%S}{self._slip_seq % 10000:04d}"
        order_code = original.poi_transaction_id if self.spec.order_codes else None
        slip = None
        if method == "credit":
            slip = card_slip(self._slip_ctx, moment=now, order_code=order_code, slip_number=str(slip_number),
                             brand=original.brand or "VISA", last4=original.last4 or "0000",
                             entry_mode=original.entry_mode or "ICC", approval_number=f"{self._rng.randrange(10**6):06d}",
                             processing_number=f"{self._rng.randrange(10**8):08d}", amount=amount, kind=kind)
        elif method == "emoney":
            slip = emoney_slip(self._slip_ctx, moment=now, order_code=order_code, slip_number=str(slip_number),
                               brand=original.brand or "iD", member_last4="0000",
                               inquiry_number=f"0003-{self._rng.randrange(10**10):010d}", amount=amount, kind=kind)
        extra: dict[str, Any] = {
            "POIData": {"POITransactionID": {"TransactionID": poi_id, "TimeStamp": _iso(now)}},
            "ReversedAmount": amount, "ReversalKind": kind,
        }
        if slip is not None:
            extra["SlipData"] = slip
        response = answer(None, record=original, extra=extra)
        rec = TxRecord("reversal", txn["TransactionID"], sale_id, service_id, now, amount, method, True, None,
                       response, brand=original.brand, poi_transaction_id=poi_id, slip=slip,
                       original=original.poi_transaction_id, reversal_kind=kind)
        original.reversed_by = rec.transaction_id
        self._records[rec.transaction_id] = rec
        self._history.append(rec)
        self._last_result = f"{kind}が完了しました"
        if deliver:
            self._emit("response", sale_id=sale_id, service_id=service_id, category="Reversal", body=response)
