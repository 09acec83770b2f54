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

One class in rooms by concern: this module holds its state, locking, events and link
session; `payments.py` (an attempt from request to answer, a human's actions),
`refunds.py`, `status.py` (Abort, TransactionStatus, journal, Reconciliation, reprint)
and `conditions.py` (battery, busy, offline, updates, restarts) add the rest. What
differs between profiles is asked of `self.spec` (a `TerminalProfile`), never its code.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import deque
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from app.core.terminal.config import METHODS
from app.core.terminal.profiles import linked_profiles, terminal_profile
from app.core.terminal.errors import describe
from app.core.terminal.messages import response_part

from . import outcomes as oc
from .clock import SimClock, iso as _iso
from .model import (BATTERY_LINK_MAX_REFUSED, BATTERY_PRINT_MAX_REFUSED, CARD_BRANDS, EMONEY_BRANDS, PROMPTS,
                    QR_BRANDS, Attempt, EngineEvent, EngineSnapshot, SimulatorError, Stage, TxRecord,
                    duplicate_alert_due)
from . import journal
from .slips import SlipContext
from .conditions import Conditions
from .payments import PaymentFlow
from .refunds import RefundFlow
from .status import StatusDesk

__all__ = [  # re-exported: callers import the simulator's vocabulary from here
    "CARD_BRANDS", "EMONEY_BRANDS", "QR_BRANDS", "EngineEvent", "EngineSnapshot", "SimulatorError",
    "Stage", "TerminalEngine", "TxRecord", "duplicate_alert_due",
]

log = logging.getLogger("app.simulator.engine")

class TerminalEngine(PaymentFlow, RefundFlow, StatusDesk, Conditions):
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
