"""TerminalBridge: the register's single owner of the terminal link.

The bridge runs its own thread with its own asyncio loop (a `LoopThread`); its
driver (and so the socket) is only ever used on that loop (`@loop_only`). Everything public is callable from
any thread and returns a `concurrent.futures.Future` that always resolves to a
result object from `results.py` — it never raises into the caller and never
hangs: each operation is bounded by the `BridgeTimings` of the config.

Rules it enforces (SPEC §5, R-RECON):
- a payment or reversal is sent once; if its answer is lost the future says
  UNKNOWN and the caller asks `transaction_status` — nothing is resent;
- a request that could not be sent says FAILURE (nothing can have happened);
- after the first `login()` the bridge keeps the link (`supervisor.py`): heartbeat
  (Diagnosis) every `heartbeat_interval`, reconnect with capped exponential backoff
  and a fresh Login after any loss, until `logout()` or `stop()`.

Each operation states its result without an answer once (a `results.Settle`):
`_submit` gives it FAILURE (STOPPED) when the bridge is not running and UNKNOWN
(NO_ANSWER) past the operation's limit; `_on_link` gives it FAILURE
(NOT_CONNECTED) without a link.

Events (link up/down, battery, busy, prompts, duplicate alert, OS update
notice) go to `subscribe()`d callbacks on the bridge thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Awaitable, Callable, TypeVar

from app.core.loop_thread import LoopThread, loop_only

from .config import ID_PATTERN, METHODS, TerminalConfig
from .driver import ProtocolDriver, TerminalDriver, now_iso
from .events import EventKind, TerminalEvent
from .messages import MAX_AMOUNT_YEN, POI_TXN
from .results import (NO_ANSWER, NOT_CONFIGURED, NOT_CONNECTED, NOT_CONTRACTED, STOPPED,
                      AbortResult, DiagnosisResult, LoginResult, LoginStatus, Outcome, PaymentResult, PrintResult,
                      ReconciliationResult, ReversalResult, Settle, SimpleResult, TerminalError,
                      TransactionStatusResult, unreachable_login)
from .schema import SchemaError, Timestamp
from .supervisor import LinkSupervisor, new_service_id

log = logging.getLogger("app.core.terminal.bridge")

Subscriber = Callable[[TerminalEvent], None]
DriverFactory = Callable[[TerminalConfig], TerminalDriver]
R = TypeVar("R")


class RequestFuture(concurrent.futures.Future):
    """A Future that also tells the ServiceID of the request it stands for."""

    def __init__(self, service_id: str | None) -> None:
        super().__init__()
        self.service_id = service_id


@dataclass(frozen=True)
class LinkState:
    """Snapshot for status indicators (R-TOP: 接続中 / 未接続 / 処理中, battery %)."""

    linked: bool = False
    poi_id: str | None = None
    profile: str | None = None
    battery: int | None = None
    busy: bool = False
    last_error: TerminalError | None = None
    journal_id: str | None = None  # the terminal's journal since the last Login (issue 16)


def _check_id(name: str, value: Any) -> None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError(f"{name} must match {ID_PATTERN.pattern}, got {value!r}")


def _check_timestamp(timestamp: str | None) -> str:
    if timestamp is None:
        return now_iso()
    try:
        Timestamp().check(timestamp, "timestamp")
    except SchemaError as exc:
        raise ValueError(str(exc)) from None
    return timestamp


def _check_poi_transaction_id(value: Any) -> None:
    try:
        POI_TXN.check(value, "poi_transaction_id")
    except SchemaError as exc:
        raise ValueError(str(exc)) from None


def _check_amount(amount_yen: Any) -> None:
    if isinstance(amount_yen, bool) or not isinstance(amount_yen, int):
        raise TypeError(f"amount_yen must be an int (yen), got {type(amount_yen).__name__}")
    if not 1 <= amount_yen <= MAX_AMOUNT_YEN:
        raise ValueError(f"amount_yen must be in 1..{MAX_AMOUNT_YEN}, got {amount_yen}")


class TerminalBridge:
    def __init__(self, config: TerminalConfig, *, driver_factory: DriverFactory = ProtocolDriver) -> None:
        self.config = config
        self._t = config.timings
        self._driver = driver_factory(config)
        self._subscribers: list[Subscriber] = []
        self._sub_lock = threading.Lock()
        self._state = LinkState(profile=config.profile if config.terminal.linked else None)
        self._state_lock = threading.Lock()
        self._thread = LoopThread(f"terminal-bridge-{config.sale_id}")
        self._running = False
        # Loop-only state below (touched only on the bridge thread).
        self._link = LinkSupervisor(config, self._driver, self._emit, self._set_state, lambda: self.state)
        self._driver.bind(self._on_driver_event, self._link.on_closed)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._inflight: dict[str, tuple[str, str]] = {}  # transaction_id -> (service_id, category)

    @property
    def _loop(self) -> asyncio.AbstractEventLoop | None:
        return self._thread.loop

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Start the bridge thread (idempotent). Does not connect: call login()."""
        if self._running:
            return
        self._thread.start(self._link.attach, self._t.stop_timeout)
        self._running = True

    def stop(self) -> None:
        """Close the link, resolve every pending future, end the thread (bounded wait)."""
        if not self._running:
            return
        if self._thread.is_current():
            raise RuntimeError("stop() must not be called from the bridge thread (e.g. from a subscriber)")
        self._running = False
        try:
            self._thread.stop(lambda: self._link.shutdown(self._tasks, self._t.stop_timeout / 2), self._t.stop_timeout)
        except Exception:
            log.exception("terminal bridge shutdown did not finish cleanly")

    @property
    def running(self) -> bool:
        return self._running

    @property
    def state(self) -> LinkState:
        with self._state_lock:
            return self._state

    def _set_state(self, **changes: Any) -> LinkState:
        with self._state_lock:
            self._state = replace(self._state, **changes)
            return self._state

    # -- events ---------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Register `callback(event)`; returns a function that unsubscribes it."""
        with self._sub_lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._sub_lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, event: TerminalEvent) -> None:
        with self._sub_lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                log.exception("terminal event subscriber failed on %s", event.kind)

    def _on_driver_event(self, event: TerminalEvent) -> None:
        if event.kind is EventKind.BATTERY and event.battery is not None:
            self._set_state(battery=event.battery)
        elif event.kind is EventKind.BUSY and event.busy is not None:
            self._set_state(busy=event.busy)
        self._emit(event)

    # -- plumbing ---------------------------------------------------------------

    def _submit(self, service_id: str | None, settle: Settle[R], work: Callable[[], Awaitable[R]],
                limit: float) -> RequestFuture:
        """Run `work()` on the loop; the future always gets a result: `settle`d FAILURE (STOPPED)
        when the bridge is not running, UNKNOWN (NO_ANSWER) when `work` overran `limit`, was
        cancelled or raised — it may have reached the terminal."""
        future = RequestFuture(service_id)
        loop = self._loop
        if not self._running or loop is None:
            future.set_result(settle(outcome=Outcome.FAILURE, error=STOPPED))
            return future

        async def runner() -> None:
            try:
                result = await asyncio.wait_for(work(), limit)
            except asyncio.TimeoutError:
                log.error("terminal request %s exceeded its %g s limit", service_id, limit)
                result = settle(outcome=Outcome.UNKNOWN, error=NO_ANSWER)
            except asyncio.CancelledError:
                result = settle(outcome=Outcome.UNKNOWN, error=NO_ANSWER)
            except Exception:
                log.exception("terminal request %s failed", service_id)
                result = settle(outcome=Outcome.UNKNOWN, error=NO_ANSWER)
            if not future.done():
                future.set_result(result)

        def start() -> None:
            task = loop.create_task(runner())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        try:
            loop.call_soon_threadsafe(start)
        except RuntimeError:  # loop already closed
            future.set_result(settle(outcome=Outcome.FAILURE, error=STOPPED))
        return future

    def _on_link(self, service_id: str, settle: Settle[R], call: Callable[[], Awaitable[R]], op_timeout: float, *,
                 tracked: tuple[str, str] | None = None) -> RequestFuture:
        """A request that needs the link: FAILURE (NOT_CONNECTED) without one, else `call()`.
        `tracked` (transaction_id, category) keeps it findable by `abort` while it runs."""

        async def work() -> R:
            if not self._link.linked:
                return settle(outcome=Outcome.FAILURE, error=NOT_CONNECTED)
            if tracked is None:
                return await call()
            self._inflight[tracked[0]] = (service_id, tracked[1])
            try:
                return await call()
            finally:
                self._inflight.pop(tracked[0], None)

        return self._submit(service_id, settle, work, self._link_limit(op_timeout))

    @staticmethod
    def _done(service_id: str | None, result: Any) -> RequestFuture:
        future = RequestFuture(service_id)
        future.set_result(result)
        return future

    def _link_limit(self, op_timeout: float) -> float:
        return op_timeout + self._t.request_timeout + 1.0

    # -- the link ----------------------------------------------------------------

    def login(self) -> RequestFuture:
        """Open (or refresh) the link. Resolves to a LoginResult."""
        if not self.config.terminal.linked:
            return self._done(None, LoginResult(LoginStatus.NOT_CONFIGURED, error=NOT_CONFIGURED))
        limit = self._t.connect_timeout + self._t.login_timeout + 3.0
        return self._submit(None, unreachable_login, self._link.login, limit)

    def logout(self) -> RequestFuture:
        """Release the terminal (Logout) and stop reconnecting."""
        sid = new_service_id()
        return self._submit(sid, SimpleResult, lambda: self._link.logout(sid), self._link_limit(self._t.request_timeout))

    # -- operations -------------------------------------------------------------

    def pay(self, transaction_id: str, amount_yen: int, method: str | None = None, *,
            timestamp: str | None = None, service_id: str | None = None) -> RequestFuture:
        """Send one payment. `method` is required when the register picks it (usenpay) and must be None
        when the terminal does (ct6100).

        Persist `transaction_id` (and `service_id`, see `new_service_id`) before calling (R-RECON). Raises ValueError /
        TypeError for programming errors (bad id, float amount, wrong method).
        """
        _check_id("transaction_id", transaction_id)
        _check_amount(amount_yen)
        profile = self.config.terminal
        if method is not None and method not in METHODS:
            raise ValueError(f"method must be one of {METHODS} or None")
        if profile.linked and profile.register_picks_method and method is None:
            raise ValueError(f"the {profile.code} profile needs a method (the register picks it)")
        if profile.linked and not profile.register_picks_method and method is not None:
            raise ValueError(f"the {profile.code} profile picks the method on the terminal: pass method=None")
        ts = _check_timestamp(timestamp)
        sid = service_id or new_service_id()
        _check_id("service_id", sid)
        settle = partial(PaymentResult, service_id=sid, transaction_id=transaction_id, amount_yen=amount_yen)
        if not profile.linked:
            return self._done(sid, settle(outcome=Outcome.FAILURE, error=NOT_CONFIGURED))
        if method is not None and method not in self.config.contracted_methods:
            return self._done(sid, settle(outcome=Outcome.FAILURE, error=NOT_CONTRACTED))
        return self._on_link(sid, settle, lambda: self._driver.payment(sid, transaction_id, ts, amount_yen, method),
                             self._t.payment_timeout, tracked=(transaction_id, "Payment"))

    def abort(self, service_id_or_transaction_id: str) -> RequestFuture:
        """Ask the terminal to stop a running payment/reversal (best effort, R-DISC).

        The original request's future still resolves with the terminal's own
        answer (typically FAILURE/Aborted) or UNKNOWN on its timeout.
        """
        _check_id("service_id_or_transaction_id", service_id_or_transaction_id)
        sid = new_service_id()
        return self._submit(sid, partial(AbortResult, service_id=None),
                            lambda: self._do_abort(sid, service_id_or_transaction_id),
                            self._link_limit(self._t.request_timeout))

    @loop_only
    async def _do_abort(self, sid: str, key: str) -> AbortResult:
        target, category = key, "Payment"
        if key in self._inflight:
            target, category = self._inflight[key]
        else:
            for _txn, (service_id, cat) in self._inflight.items():
                if service_id == key:
                    category = cat
                    break
        if not self._link.linked:
            return AbortResult(Outcome.FAILURE, target, NOT_CONNECTED)
        return await self._driver.abort(sid, target, category)

    def transaction_status(self, transaction_id: str, category: str = "Payment") -> RequestFuture:
        """What happened to `transaction_id` (a payment, or a reversal with category="Reversal")."""
        _check_id("transaction_id", transaction_id)
        if category not in ("Payment", "Reversal"):
            raise ValueError("category must be 'Payment' or 'Reversal'")
        sid = new_service_id()
        return self._on_link(sid, partial(TransactionStatusResult, transaction_id=transaction_id, category=category),
                             lambda: self._driver.transaction_status(sid, transaction_id, category),
                             self._t.request_timeout)

    def reversal(self, transaction_id: str, original_poi_transaction_id: str, amount_yen: int, *,
                 timestamp: str | None = None, reason: str = "MerchantCancel",
                 service_id: str | None = None) -> RequestFuture:
        """Refund (取消 / 返品 / 返金) an earlier payment, identified by the terminal's id.

        `transaction_id` is the register's new, persisted id for this reversal.
        Like a payment, a reversal with a lost answer is resolved by
        `transaction_status(transaction_id, "Reversal")`, never resent.
        """
        _check_id("transaction_id", transaction_id)
        _check_amount(amount_yen)
        _check_poi_transaction_id(original_poi_transaction_id)
        if reason not in ("MerchantCancel", "CustomerCancel"):
            raise ValueError("reason must be MerchantCancel or CustomerCancel")
        ts = _check_timestamp(timestamp)
        sid = service_id or new_service_id()
        _check_id("service_id", sid)
        settle = partial(ReversalResult, service_id=sid, transaction_id=transaction_id,
                         original_poi_transaction_id=original_poi_transaction_id, amount_yen=amount_yen)
        if not self.config.terminal.linked:
            return self._done(sid, settle(outcome=Outcome.FAILURE, error=NOT_CONFIGURED))
        return self._on_link(sid, settle, lambda: self._driver.reversal(sid, transaction_id, ts,
                                                                         original_poi_transaction_id, amount_yen, reason),
                             self._t.reversal_timeout, tracked=(transaction_id, "Reversal"))

    def diagnosis(self) -> RequestFuture:
        """Connection check (R-CONN): terminal id, battery, state — or why not."""
        sid = new_service_id()
        limit = self._t.connect_timeout + self._t.login_timeout + self._t.request_timeout + 3.0
        return self._submit(sid, DiagnosisResult, lambda: self._do_diagnosis(sid), limit)

    @loop_only
    async def _do_diagnosis(self, sid: str) -> DiagnosisResult:
        if not self.config.terminal.linked:
            return DiagnosisResult(Outcome.FAILURE, error=NOT_CONFIGURED)
        login: LoginResult | None = None
        if not self._link.linked:
            login = await self._link.login()
            if not login.connected:
                return DiagnosisResult(Outcome.FAILURE, login=login, error=login.error)
        result = await self._driver.diagnosis(sid)
        if result.outcome is Outcome.SUCCESS and result.info is not None:
            self._link.absorb_info(result.info)
        return replace(result, login=login) if login is not None else result

    def reconciliation(self) -> RequestFuture:
        """Terminal totals since the last reconciliation (精算)."""
        sid = new_service_id()
        return self._on_link(sid, ReconciliationResult, lambda: self._driver.reconciliation(sid),
                             self._t.request_timeout)

    def reprint(self, poi_transaction_id: str, document: str = "Both") -> RequestFuture:
        """Have the terminal print a slip again (where the profile's terminal prints)."""
        _check_poi_transaction_id(poi_transaction_id)
        if document not in ("CustomerReceipt", "CashierReceipt", "Both"):
            raise ValueError("document must be CustomerReceipt, CashierReceipt or Both")
        sid = new_service_id()
        return self._on_link(sid, partial(PrintResult, poi_transaction_id=poi_transaction_id),
                             lambda: self._driver.print_slip(sid, poi_transaction_id, document),
                             self._t.request_timeout)
