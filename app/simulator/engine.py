"""The simulated payment terminal, without Qt and without sockets.

`TerminalEngine` models one terminal of profile "usenpay" (the register picks
the method) or "ct6100" (the clerk picks it on the terminal): its link session
(one SaleID at a time, R-SUBPOS), battery, busy and update states
(R-TERM-STATE), the running transaction as a small state machine, and its own
history with terminal statuses (R-STATUS) that TransactionStatus answers from.

Inputs come from three places that all use the same methods: the server
(protocol requests, as validated bodies), the window (a human's buttons) and
tests (scripted outcomes from `outcomes.py`, faults). A payment with nothing
queued simply waits in its stage until a human acts — nothing blocks: every
method returns at once and answers are published as `EngineEvent`s.

Threading contract: all public methods are thread-safe (one re-entrant lock).
Subscribers are called *after* the lock is released, in event order, on the
thread that caused the event; they must not block (the server hops onto its
loop with call_soon_threadsafe, the window through a queued Qt signal).

Response bodies produced here are the protocol bodies of
docs/terminal-protocol.md; the server wraps, signs and sends them.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from app.core.terminal import statuses as st
from app.core.terminal.config import METHODS
from app.core.terminal.profiles import linked_profiles, terminal_profile
from app.core.terminal.errors import ErrorCondition, describe
from app.core.terminal.messages import response_part

from . import outcomes as oc
from .clock import JST, SimClock
from .model import (BATTERY_LINK_MAX_REFUSED, BATTERY_PRINT_MAX_REFUSED, BATTERY_UPDATE_MIN, BEFORE_CARD_READ,
                    CARD_BRANDS, EMONEY_BRANDS, EMONEY_REFUNDABLE, ENTRY_MODES, NFC_SIGNATURE_FROM_YEN,
                    PROMPTS, QR_BRANDS, QR_REFUND_DAYS, Attempt, EngineEvent, EngineSnapshot, SimulatorError, Stage,
                    TxRecord, duplicate_alert_due)
from . import journal
from .slips import SlipContext, card_slip, emoney_slip

HOLD_PROMPT = "決済端末で払い戻しの操作を行ってください"  # a held refund (oc.Hold) waits on this screen

__all__ = [  # re-exported: callers import the simulator's vocabulary from here
    "CARD_BRANDS", "EMONEY_BRANDS", "QR_BRANDS", "EngineEvent", "EngineSnapshot", "SimulatorError",
    "Stage", "TerminalEngine", "TxRecord", "duplicate_alert_due",
]

log = logging.getLogger("app.simulator.engine")

def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class TerminalEngine:
    def __init__(self, profile: str = "usenpay", *, poi_id: str | None = None,
                 clock: Callable[[], datetime] | None = None, battery: int = 100,
                 methods: Sequence[str] = METHODS, merchant_name: str = "Regi デモ店",
                 phone: str = "03-1234-5678", order_prefix: str = "TSU3", seed: int | None = None,
                 journal_path: str | Path | None = None) -> None:
        if profile not in linked_profiles():
            raise ValueError(f"profile must be one of {linked_profiles()}")
        unknown = [m for m in methods if m not in METHODS]
        if unknown:
            raise ValueError(f"unknown methods {unknown}")
        self.profile = profile
        self.spec = terminal_profile(profile)  # what this kind of terminal does
        self.poi_id = poi_id or self.spec.default_poi_id
        self.methods = tuple(methods)
        self.clock = clock or SimClock()
        self._rng = random.Random(seed)
        self._slip_ctx = SlipContext(merchant_name, phone, profile, "4976151008355")
        self._order_prefix = order_prefix
        self._lock = threading.RLock()
        self._depth = 0
        self._outbox: list[EngineEvent] = []
        self._subscribers: list[Callable[[EngineEvent], None]] = []
        self._battery = self._check_battery(battery)
        self._busy = False
        self._offline = False
        self._link_up = False
        self._linked_sale_id: str | None = None
        self._os_update_deadline: datetime | None = None
        self._restart_notice = False
        self._queue: deque[oc.Outcome] = deque()
        self._attempt: Attempt | None = None
        self._held: tuple[str, Callable[[bool], None]] | None = None  # a refund held at the terminal (oc.Hold)
        self._records: dict[str, TxRecord] = {}
        self._history: list[TxRecord] = []
        self._used_transaction_ids: set[str] = set()
        self._order_seq = 3376
        self._slip_seq = 249 if self.spec.order_codes else 118
        self._emoney_slip_seq = 226
        self._recon_seq = 0
        self._last_reconciliation: datetime | None = None
        self._recon_dropped: set[tuple[str, str]] = set()  # (POITransactionID, kind) left out of the totals
        self._recon_extra: list[tuple[str, str, str, int]] = []  # (POITransactionID, method, kind, amount) added
        self._prompt = PROMPTS[Stage.IDLE]
        self._last_result = ""
        # The journal (history, used ids, numbering): kept in a file when journal_path is set.
        self.journal_id = journal.new_journal_id()
        self._journal_path = Path(journal_path) if journal_path else None
        self._initial_sequences = {name: getattr(self, name) for name in journal.SEQUENCES}
        if self._journal_path is not None and not journal.load(self, self._journal_path):
            journal.save(self, self._journal_path)

    # -- plumbing ----------------------------------------------------------------

    def subscribe(self, callback: Callable[[EngineEvent], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    @contextmanager
    def _op(self) -> Iterator[None]:
        self._lock.acquire()
        self._depth += 1
        events: list[EngineEvent] = []
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                events, self._outbox = self._outbox, []
                if events:
                    events.append(EngineEvent("changed"))
            subscribers = list(self._subscribers)
            if events and self._journal_path is not None:
                journal.save(self, self._journal_path)
            self._lock.release()
            for event in events:
                for callback in subscribers:
                    try:
                        callback(event)
                    except Exception:
                        log.exception("engine subscriber failed on %s", event.kind)

    def _emit(self, kind: str, **fields: Any) -> None:
        self._outbox.append(EngineEvent(kind, **fields))

    def _notify(self, event: str, *, details: str = "", service_id: str | None = None, **extra: Any) -> None:
        """An EventNotification for the linked register (dropped when none)."""
        if self._linked_sale_id is None:
            return
        body: dict[str, Any] = {"EventToNotify": event, "TimeStamp": _iso(self.clock())}
        if details:
            body["EventDetails"] = details
        body.update(extra)
        self._emit("notify", sale_id=self._linked_sale_id, service_id=service_id, category="Event", body=body)

    def _display(self, attempt: Attempt, text: str, qualify: str = "Display") -> None:
        self._prompt = text
        body = {"OutputText": text, "InfoQualify": qualify, "TimeStamp": _iso(self.clock())}
        self._emit("display", sale_id=attempt.sale_id, service_id=attempt.service_id, category="Display",
                   body=body, text=text)

    @staticmethod
    def _check_battery(level: Any) -> int:
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 100:
            raise ValueError("battery level must be an int 0..100")
        return level

    # -- inspection ----------------------------------------------------------------

    @property
    def battery(self) -> int:
        return self._battery

    @property
    def linked_sale_id(self) -> str | None:
        return self._linked_sale_id

    @property
    def offline(self) -> bool:
        return self._offline

    @property
    def stage(self) -> Stage:
        with self._lock:
            return self._attempt.stage if self._attempt else Stage.IDLE

    def terminal_state(self) -> str:
        if self._busy:
            return "Busy"
        return "InTransaction" if self._attempt is not None or self._held is not None else "Idle"

    def snapshot(self) -> EngineSnapshot:
        with self._lock:
            a = self._attempt
            return EngineSnapshot(
                profile=self.profile, poi_id=self.poi_id, battery=self._battery, busy=self._busy,
                offline=self._offline, link_up=self._link_up, linked_sale_id=self._linked_sale_id,
                stage=a.stage if a else Stage.IDLE, amount=a.amount if a else None, method=a.method if a else None,
                brand=a.brand if a else None, prompt=self._prompt if a or self._held else PROMPTS[Stage.IDLE],
                last_result=self._last_result, os_update_deadline=self._os_update_deadline,
                queued=len(self._queue), history_count=len(self._history))

    def history(self) -> list[TxRecord]:
        """Copies of the history, oldest first."""
        with self._lock:
            return [replace(r) for r in self._history]

    def find(self, transaction_id: str) -> TxRecord | None:
        with self._lock:
            record = self._records.get(transaction_id)
            return replace(record) if record else None

    def poi_system_data(self) -> dict[str, Any]:
        with self._lock:
            data: dict[str, Any] = {
                "POIID": self.poi_id, "Profile": self.profile, "BatteryLevel": self._battery,
                "TerminalState": self.terminal_state(), "SupportedMethods": list(self.methods),
                "PrinterAvailable": self._battery > BATTERY_PRINT_MAX_REFUSED,
                "JournalID": self.journal_id,
            }
            if self._linked_sale_id is not None:
                data["LinkedSaleID"] = self._linked_sale_id
            if self._os_update_deadline is not None:
                data["OSUpdate"] = {"Deadline": _iso(self._os_update_deadline),
                                    "Blocking": self.clock() >= self._os_update_deadline}
            return data

    # -- session (server side) ------------------------------------------------------------

    def login(self, sale_id: str) -> dict[str, Any]:
        """LoginResponse body. One register per terminal (R-SUBPOS)."""
        with self._op():
            data = self.poi_system_data()
            if self._busy:
                return self._refusal("E2001", POISystemData=data)
            if self._battery <= BATTERY_LINK_MAX_REFUSED:
                return self._refusal("E2003", POISystemData=data)
            if self._linked_sale_id is not None and self._linked_sale_id != sale_id:
                return self._refusal("E2002", POISystemData=data,
                                     message=f"決済端末はレジ {self._linked_sale_id} と連携中です。"
                                             "1台の決済端末に接続できるレジは1台です。")
            self._linked_sale_id = sale_id
            self._link_up = True
            if self._restart_notice:
                self._restart_notice = False
                self._notify("Restarted", details="決済端末のアプリが再起動しました。決済履歴を確認してください。")
            self._emit("changed")
            return {"Response": response_part(), "POISystemData": self.poi_system_data()}

    def logout(self, sale_id: str) -> dict[str, Any]:
        with self._op():
            if self._linked_sale_id == sale_id:
                self._linked_sale_id = None
                self._link_up = False
                self._emit("changed")
            return {"Response": response_part()}

    def release(self, sale_id: str) -> None:
        """The linked register's connection closed: the terminal is free again."""
        with self._op():
            if self._linked_sale_id == sale_id:
                self._linked_sale_id = None
                self._link_up = False
                self._emit("changed")

    def is_linked(self, sale_id: str) -> bool:
        with self._lock:
            return self._linked_sale_id == sale_id

    def diagnosis(self) -> dict[str, Any]:
        return {"Response": response_part(), "POIStatus": self.poi_system_data()}

    @staticmethod
    def _refusal(code: str, message: str | None = None, **extra: Any) -> dict[str, Any]:
        entry = describe(code)
        return {"Response": response_part("Failure", entry.condition, code, message or entry.message), **extra}

    # -- payments ---------------------------------------------------------------

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

    # -- abort / status ------------------------------------------------------------

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

    # -- reversals -----------------------------------------------------------------

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

    def release_reversal(self, approved: bool = True) -> None:
        """The held refund (``oc.Hold``) goes on: done (``approved``) or cancelled on the terminal (E4006)."""
        with self._op():
            if self._held is None:
                raise SimulatorError("保留中の払い戻しがありません")
            (_, finish), self._held = self._held, None
            self._prompt = PROMPTS[Stage.IDLE]
            finish(approved)

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

    # -- conditions and faults (control API / window) ----------------------------------------

    def queue(self, *items: oc.Outcome) -> None:
        for item in items:
            oc.validate(item)
        with self._op():
            self._queue.extend(items)
            self._emit("changed")

    def clear_queue(self) -> None:
        with self._op():
            self._queue.clear()
            self._emit("changed")

    def queued(self) -> list[oc.Outcome]:
        with self._lock:
            return list(self._queue)

    def _pop(self, target: str) -> oc.Outcome | None:
        for item in self._queue:
            if item.target == target:
                self._queue.remove(item)
                return item
        return None

    def set_battery(self, level: int) -> None:
        level = self._check_battery(level)
        with self._op():
            if level != self._battery:
                self._battery = level
                self._notify("BatteryLevel", BatteryLevel=level, details=f"充電残量 {level}%")
            self._emit("changed")

    def set_busy(self, busy: bool) -> None:
        """The clerk is (not) running another transaction directly on the terminal."""
        with self._op():
            if bool(busy) != self._busy:
                self._busy = bool(busy)
                self._notify("Busy" if self._busy else "Idle",
                             details="決済端末が別の取引を処理中です" if self._busy else "待機中")
            self._emit("changed")

    def set_offline(self, offline: bool) -> None:
        """Wi-Fi off: the server drops and refuses connections; a running payment continues."""
        with self._op():
            self._offline = bool(offline)
            if self._offline:
                self._link_up = False
            self._emit("offline", text="offline" if self._offline else "online")

    def drop_link(self) -> None:
        """Drop every connection now (the register reconnects)."""
        with self._op():
            self._emit("drop_link", text="link dropped")

    def set_os_update(self, deadline: datetime | None) -> None:
        """An OS update pending until `deadline` (notice on each payment), blocking after it."""
        if deadline is not None and deadline.tzinfo is None:
            raise ValueError("deadline must be timezone-aware")
        with self._op():
            self._os_update_deadline = deadline
            self._emit("changed")

    def update_firmware(self) -> dict[str, Any]:
        """Run the pending update: fails below 25 % battery (seed 003)."""
        with self._op():
            if self._battery < BATTERY_UPDATE_MIN:
                return {"ok": False, "code": "E2006", "message": describe("E2006").message}
            self._os_update_deadline = None
            self._emit("changed")
            return {"ok": True}

    def restart_app(self, approved: bool | None = None, status: str | None = None) -> None:
        """The terminal app restarts now. A running payment's fate is decided, its answer lost.

        approved=None: approved if the card was already read, else not.
        """
        with self._op():
            self._restart(approved, status)

    def _restart(self, approved: bool | None, status: str | None, *, forget: bool = False) -> None:
        # First, so the server drops every connection before anything about
        # the interrupted transaction (even a Display) could be sent.
        self._emit("restart", text="terminal app restarted")
        a = self._attempt
        if a is not None:
            ok = a.card_read if approved is None else approved
            if ok:
                self._complete_silently(a)
            else:
                default = {"credit": st.CARD_FAILED_AUTHORIZED, "emoney": st.EMONEY_UNCONFIRMED,
                           "qr": st.QR_FAILED}.get(a.method or "")
                self._fail(a, "E2007", deliver=False, status=status or default)
        self._held = None  # a held refund never ran: its status query answers "not found"
        self._linked_sale_id = None
        self._link_up = False
        self._restart_notice = True
        if forget:
            self.lose_journal()

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
