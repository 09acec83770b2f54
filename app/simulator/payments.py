"""The simulated terminal's payments: the attempt's stages, scripted outcomes, a human's
actions and the approval or failure that ends it. Part of `TerminalEngine` (engine.py).
"""

from __future__ import annotations

import logging
from typing import Any

from app.core.terminal import statuses as st
from app.core.terminal.config import METHODS
from app.core.terminal.errors import describe
from app.core.terminal.messages import response_part

from . import outcomes as oc
from .clock import iso as _iso
from .model import (EMONEY_BRANDS, ENTRY_MODES, NFC_SIGNATURE_FROM_YEN, PROMPTS, Attempt, SimulatorError, Stage,
                    TxRecord, duplicate_alert_due)
from .slips import card_slip, emoney_slip

log = logging.getLogger("app.simulator.engine")


class PaymentFlow:
    """A part of TerminalEngine: its state is set up in `TerminalEngine.__init__` and used
    under the engine's lock (`_op`)."""

    def start_payment(self, sale_id: str, service_id: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """Begin a payment from a validated PaymentRequest body.

        Returns a PaymentResponse body for an immediate refusal, or None when
        the payment runs: its answer comes later as a "response" event (or is
        lost, for link-drop and restart faults).
        """
        txn = body["SaleData"]["SaleTransactionID"]
        transaction_id, timestamp = txn["TransactionID"], txn["TimeStamp"]
        amount = body["PaymentTransaction"]["AmountsReq"]["RequestedAmount"]
        method = body.get("PaymentData", {}).get("PaymentMethod")

        def refuse(code: str, message: str | None = None) -> dict[str, Any]:
            entry = describe(code)
            return {"Response": response_part("Failure", entry.condition, code, message or entry.message),
                    "SaleData": {"SaleTransactionID": dict(txn)}}

        with self._op():
            if self._busy or self._attempt is not None or self._held is not None:
                return refuse("E2001")
            if transaction_id in self._used_transaction_ids:
                # Never run a TransactionID twice: a resent payment must not charge again.
                return refuse("E4003")
            if self.spec.register_picks_method and method is None:
                return refuse("E4002", "USEN PAY では支払方法(PaymentMethod)が必要です。")
            if not self.spec.register_picks_method and method is not None:
                return refuse("E4002", "CT-6100 では支払方法は端末で選択します(PaymentMethod は指定できません)。")
            if method is not None and method not in self.methods:
                return refuse("E1007")
            now = self.clock()
            if self._os_update_deadline is not None and now >= self._os_update_deadline:
                return refuse("E2005")
            script = self._pop("payment")
            if isinstance(script, oc.Busy):
                return refuse("E2001")
            self._used_transaction_ids.add(transaction_id)
            attempt = Attempt(sale_id, service_id, transaction_id, timestamp, amount, method, script=script,
                              started_at=now)
            self._attempt = attempt
            self._last_result = ""
            if self._os_update_deadline is not None:
                self._notify("OSUpdatePending", service_id=service_id, Deadline=_iso(self._os_update_deadline),
                             details=f"端末(OS)のアップデートがあります。"
                                     f"{self._os_update_deadline:%Y/%m/%d %H:%M} まではスキップして決済できます。")
            self._enter(attempt, Stage.CHOOSE_METHOD if method is None else self._stage_for(method))
            if script is not None:
                self._run_script(attempt, script)
            return None

    @staticmethod
    def _stage_for(method: str) -> Stage:
        return {"credit": Stage.WAIT_CARD, "emoney": Stage.WAIT_EMONEY, "qr": Stage.WAIT_QR}[method]

    def _enter(self, attempt: Attempt, stage: Stage) -> None:
        attempt.stage = stage
        self._display(attempt, PROMPTS[stage], "Input")

    def _current(self, *stages: Stage) -> Attempt:
        a = self._attempt
        if a is None:
            raise SimulatorError("決済中の取引がありません")
        if stages and a.stage not in stages:
            raise SimulatorError(f"この操作は今はできません（現在: {a.stage.value}）")
        return a

    # scripted runs --------------------------------------------------------------

    def _run_script(self, a: Attempt, script: oc.Outcome) -> None:
        if isinstance(script, oc.Approve):
            self._drive(a, script)
        elif isinstance(script, oc.Decline):
            if a.stage is Stage.CHOOSE_METHOD:
                self._choose_method(a, script.method or "credit")
            if self._attempt is a:
                self._fail(a, script.code)
        elif isinstance(script, oc.CancelOnTerminal):
            self._cancel(a)
        elif isinstance(script, oc.DuplicateAlert):
            if a.stage is Stage.CHOOSE_METHOD:
                self._choose_method(a, "credit")
            if a.stage is not Stage.WAIT_CARD:
                self._fail(a, "E4002", message="重複アラートはクレジットカード決済のみです。")
                return
            brand, last4 = script.brand or "VISA", script.last4 or "1012"
            self._present_card(a, "ICC", brand, last4, True, force_duplicate=True)
            self._drive(a, oc.Approve(brand=brand, last4=last4, on_duplicate=script.choice))
        elif isinstance(script, oc.DropLink):
            self._emit("drop_link", text="link dropped (scripted)")
            if not script.after_card_read:
                self._fail(a, "E4004", deliver=False)
            elif script.approve:
                self._complete_silently(a)
            else:
                self._read_default_card(a)
                self._fail(a, "E4004", deliver=False)
        elif isinstance(script, oc.RestartApp):
            self._restart(script.approved, script.status, forget=script.forget)

    def _drive(self, a: Attempt, script: oc.Approve) -> None:
        """Advance `a` as far as the scripted customer goes (stops at a human-only choice)."""
        while self._attempt is a:
            stage = a.stage
            if stage is Stage.CHOOSE_METHOD:
                self._choose_method(a, script.method or "credit")
            elif stage is Stage.WAIT_CARD:
                self._present_card(a, script.entry_mode or "ICC", script.brand or "VISA", script.last4 or "1012",
                                   script.has_chip)
            elif stage is Stage.DUPLICATE:
                if script.on_duplicate is None:
                    return  # the alert waits for a human: 取引中止 / 続ける
                self._duplicate_choice(a, script.on_duplicate == "continue")
            elif stage is Stage.WAIT_PIN:
                self._enter_pin(a, script.pin_ok)
            elif stage is Stage.WAIT_SIGNATURE:
                self._sign(a)
            elif stage is Stage.WAIT_EMONEY:
                self._tap_emoney(a, script.brand if script.brand in EMONEY_BRANDS else "iD")
            elif stage is Stage.WAIT_QR:
                self._scan_qr(a, script.brand or "PayPay")
            else:
                return

    def _read_default_card(self, a: Attempt) -> None:
        if a.method is None:
            a.method = "credit"
        if not a.card_read:
            a.brand = a.brand or ({"credit": "VISA", "emoney": "iD", "qr": "PayPay"}[a.method])
            a.last4 = a.last4 or "1012"
            a.entry_mode = a.entry_mode or ("ICC" if a.method == "credit" else None)
            a.card_read = True

    def _complete_silently(self, a: Attempt) -> None:
        self._read_default_card(a)
        self._approve(a, deliver=False)

    # steps (shared by humans and scripts) ----------------------------------------------

    def _choose_method(self, a: Attempt, method: str) -> None:
        if method not in METHODS:
            raise SimulatorError(f"unknown method {method!r}")
        if method not in self.methods:
            self._fail(a, "E1007")
            return
        a.method = method
        self._enter(a, self._stage_for(method))

    def _present_card(self, a: Attempt, entry_mode: str, brand: str, last4: str, has_chip: bool,
                      *, force_duplicate: bool = False) -> None:
        if entry_mode not in ENTRY_MODES:
            raise SimulatorError(f"entry mode must be one of {ENTRY_MODES}")
        if not (isinstance(last4, str) and len(last4) == 4 and last4.isdigit()):
            raise SimulatorError("last4 must be 4 digits")
        if entry_mode == "MagStripe" and has_chip:
            self._fail(a, "E1004")  # IC cards cannot be swiped
            return
        a.brand, a.last4, a.entry_mode, a.card_read = brand, last4, entry_mode, True
        if force_duplicate or duplicate_alert_due(self._history, self.clock(), a.amount, last4, brand):
            self._enter(a, Stage.DUPLICATE)
            self._notify("DuplicateAlert", service_id=a.service_id, details=PROMPTS[Stage.DUPLICATE])
            return
        self._after_card(a)

    def _after_card(self, a: Attempt) -> None:
        if a.entry_mode == "ICC":
            self._enter(a, Stage.WAIT_PIN)
        elif a.entry_mode == "MagStripe" or a.amount >= NFC_SIGNATURE_FROM_YEN:
            self._enter(a, Stage.WAIT_SIGNATURE)
        else:
            self._approve(a)

    def _duplicate_choice(self, a: Attempt, continue_: bool) -> None:
        if continue_:
            self._after_card(a)
        else:
            self._fail(a, "E1006")

    def _enter_pin(self, a: Attempt, ok: bool) -> None:
        if ok:
            self._approve(a)
        else:
            self._fail(a, "E1003")

    def _sign(self, a: Attempt) -> None:
        a.signature = True
        self._approve(a)

    def _tap_emoney(self, a: Attempt, brand: str) -> None:
        if brand not in EMONEY_BRANDS:
            raise SimulatorError(f"e-money brand must be one of {EMONEY_BRANDS}")
        a.brand, a.last4, a.card_read = brand, f"{self._rng.randrange(10000):04d}", True
        self._approve(a)

    def _scan_qr(self, a: Attempt, brand: str) -> None:
        if not isinstance(brand, str) or not 1 <= len(brand) <= 32:
            raise SimulatorError("QR brand must be a short string")
        a.brand, a.card_read = brand, True
        self._approve(a)

    def _cancel(self, a: Attempt) -> None:
        key = self.spec.cancel_key
        message = None if key == "キャンセル" else f"決済端末で{key}されました。"
        self._fail(a, "E4006", message=message)

    # completion ------------------------------------------------------------------------

    def _next_ids(self, method: str) -> tuple[str, str]:
        """(POITransactionID, slip number) for a new approved transaction."""
        now = self.clock()
        if self.spec.order_codes:
            self._order_seq += 1
            order = f"{self._order_prefix}-{self._order_seq:07d}"
            if method == "emoney":
                self._emoney_slip_seq += 1
                return order, f"{self._emoney_slip_seq:06d}"
            if method == "credit":
                self._slip_seq += 1
                return order, f"{self._slip_seq:04d}"
            return order, ""
        self._slip_seq += 1
        if method == "qr":  # code payments are identified by their 注文番号
            return f"{now:%Y%m%d%H%M%S}{self._slip_seq % 10000:04d}", ""
        return f"{self._slip_seq % 100000:05d}", f"{self._slip_seq % 100000:05d}"

    def _approve(self, a: Attempt, *, deliver: bool = True) -> None:
        method = a.method or "credit"
        now = self.clock()
        poi_id, slip_number = self._next_ids(method)
        approval = f"{self._rng.randrange(10**6):06d}" if method != "qr" else None
        slip = None
        order_code = poi_id if self.spec.order_codes else None
        if method == "credit":
            slip = card_slip(self._slip_ctx, moment=now, order_code=order_code, slip_number=slip_number,
                             brand=a.brand or "VISA", last4=a.last4 or "0000", entry_mode=a.entry_mode or "ICC",
                             approval_number=approval or "", processing_number=f"{self._rng.randrange(10**8):08d}",
                             amount=a.amount)
        elif method == "emoney":
            slip = emoney_slip(self._slip_ctx, moment=now, order_code=order_code, slip_number=slip_number,
                               brand=a.brand or "iD", member_last4=a.last4 or "0000",
                               inquiry_number=f"0003-{self._rng.randrange(10**10):010d}", amount=a.amount)
        status = {"credit": st.CARD_PENDING_SALE, "emoney": st.EMONEY_DONE, "qr": st.QR_DONE}[method]
        result: dict[str, Any] = {"PaymentMethod": method, "AuthorizedAmount": a.amount}
        if a.brand:
            result["Brand"] = a.brand
        if method == "credit":
            result["MaskedPAN"] = f"****{a.last4}"
            result["EntryMode"] = a.entry_mode
            result["SignatureCaptured"] = a.signature
        if approval:
            result["ApprovalNumber"] = approval
        body: dict[str, Any] = {
            "Response": response_part(),
            "SaleData": {"SaleTransactionID": {"TransactionID": a.transaction_id, "TimeStamp": a.timestamp}},
            "POIData": {"POITransactionID": {"TransactionID": poi_id, "TimeStamp": _iso(now)}},
            "PaymentResult": result,
            "TerminalStatus": status,
        }
        if slip is not None:
            body["SlipData"] = slip
        record = TxRecord("payment", a.transaction_id, a.sale_id, a.service_id, now, a.amount, method, True, status,
                          body, brand=a.brand, last4=a.last4 if method == "credit" else None,
                          entry_mode=a.entry_mode if method == "credit" else None, poi_transaction_id=poi_id,
                          approval_number=approval, slip=slip)
        self._complete(a, record, deliver, "承認されました")

    def _failure_status(self, method: str | None, code: str) -> str | None:
        if code == "E2001":
            return None
        return {"credit": st.CARD_DECLINED, "qr": st.QR_FAILED}.get(method or "")

    def _fail(self, a: Attempt, code: str, *, deliver: bool = True, message: str | None = None,
              status: str | None = None) -> None:
        entry = describe(code)
        now = self.clock()
        status = status if status is not None else self._failure_status(a.method, code)
        body: dict[str, Any] = {
            "Response": response_part("Failure", entry.condition, code, message or entry.message),
            "SaleData": {"SaleTransactionID": {"TransactionID": a.transaction_id, "TimeStamp": a.timestamp}},
        }
        if status is not None:
            body["TerminalStatus"] = status
        record = TxRecord("payment", a.transaction_id, a.sale_id, a.service_id, now, a.amount, a.method, False,
                          status, body, brand=a.brand, last4=a.last4 if a.method == "credit" else None)
        self._complete(a, record, deliver, message or entry.message)

    def _complete(self, a: Attempt, record: TxRecord, deliver: bool, text: str) -> None:
        self._records[record.transaction_id] = record
        self._history.append(record)
        self._attempt = None
        self._prompt = PROMPTS[Stage.IDLE]
        self._last_result = text
        self._emit("display", sale_id=a.sale_id, service_id=a.service_id, category="Display",
                   body={"OutputText": text[:200], "InfoQualify": "Status" if record.approved else "Error",
                         "TimeStamp": _iso(self.clock())}, text=text)
        if deliver:
            self._emit("response", sale_id=a.sale_id, service_id=a.service_id, category="Payment",
                       body=record.response)
        else:
            log.info("answer to %s not delivered (fault)", a.transaction_id)

    # -- human actions (window / control API) ---------------------------------------------

    def choose_method(self, method: str) -> None:
        with self._op():
            self._choose_method(self._current(Stage.CHOOSE_METHOD), method)

    def present_card(self, entry_mode: str = "ICC", brand: str = "VISA", last4: str = "1012",
                     has_chip: bool = True) -> None:
        with self._op():
            self._present_card(self._current(Stage.WAIT_CARD), entry_mode, brand, last4, has_chip)

    def duplicate_choice(self, continue_: bool) -> None:
        """取引中止 (False) or 続ける (True) on the duplicate alert.

        A scripted payment that stopped at the alert resumes its script after
        the human's choice (PIN etc. stay scripted).
        """
        with self._op():
            a = self._current(Stage.DUPLICATE)
            self._duplicate_choice(a, continue_)
            if self._attempt is a and isinstance(a.script, oc.Approve):
                self._drive(a, a.script)

    def enter_pin(self, ok: bool = True) -> None:
        with self._op():
            self._enter_pin(self._current(Stage.WAIT_PIN), ok)

    def sign(self) -> None:
        with self._op():
            self._sign(self._current(Stage.WAIT_SIGNATURE))

    def tap_emoney(self, brand: str) -> None:
        with self._op():
            self._tap_emoney(self._current(Stage.WAIT_EMONEY), brand)

    def scan_qr(self, brand: str = "PayPay") -> None:
        with self._op():
            self._scan_qr(self._current(Stage.WAIT_QR), brand)

    def cancel(self) -> None:
        """キャンセル (usenpay) / リセット (ct6100)."""
        with self._op():
            self._cancel(self._current())

    def decline(self, code: str = "E1001") -> None:
        with self._op():
            self._fail(self._current(), code)
