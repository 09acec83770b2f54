"""TerminalBridge: the register's single owner of the terminal link.

The bridge runs its own thread with its own asyncio loop; its driver (and so
the socket) is only ever used on that loop. Everything public is callable from
any thread and returns a `concurrent.futures.Future` that always resolves to a
result object from `results.py` — it never raises into the caller and never
hangs: each operation is bounded by the `BridgeTimings` of the config.

Rules it enforces (SPEC §5, R-RECON):
- a payment or reversal is sent once; if its answer is lost the future says
  UNKNOWN and the caller asks `transaction_status` — nothing is resent;
- a request that could not be sent says FAILURE (nothing can have happened);
- after the first `login()` the bridge keeps the link: heartbeat (Diagnosis)
  every `heartbeat_interval`, reconnect with capped exponential backoff and a
  fresh Login after any loss, until `logout()` or `stop()`.

Events (link up/down, battery, busy, prompts, duplicate alert, OS update
notice) go to `subscribe()`d callbacks on the bridge thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import uuid
from dataclasses import dataclass, replace
from typing import Any, Awaitable, Callable

from .config import ID_PATTERN, METHODS, TerminalConfig, demo_key_allowed
from .driver import NO_ANSWER, NOT_CONNECTED, LinkDriver, TerminalDriver, now_iso
from .errors import ErrorCondition
from .events import EventKind, TerminalEvent
from .messages import MAX_AMOUNT_YEN, POI_TXN
from .results import (AbortResult, DiagnosisResult, LoginResult, LoginStatus, Outcome, PaymentResult, PrintResult,
                      ReconciliationResult, ReversalResult, SimpleResult, TerminalError, TerminalInfo,
                      TransactionStatusResult)
from .schema import SchemaError, Timestamp

log = logging.getLogger("app.core.terminal.bridge")

Subscriber = Callable[[TerminalEvent], None]
DriverFactory = Callable[[TerminalConfig], TerminalDriver]

NOT_CONFIGURED = TerminalError.of(ErrorCondition.UNAVAILABLE_SERVICE, "L0004")
STOPPED = TerminalError.of(ErrorCondition.UNREACHABLE_HOST, "L0005")
NOT_CONTRACTED = TerminalError.of(ErrorCondition.NOT_ALLOWED, "L0003")
DEMO_KEY_OFF_LOOPBACK = TerminalError.of(ErrorCondition.NOT_ALLOWED, "L0006")


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


def new_service_id() -> str:
    return uuid.uuid4().hex


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
    def __init__(self, config: TerminalConfig, *, driver_factory: DriverFactory = LinkDriver) -> None:
        self.config = config
        self._t = config.timings
        self._driver = driver_factory(config)
        self._driver.bind(self._on_driver_event, self._on_driver_closed)
        self._subscribers: list[Subscriber] = []
        self._sub_lock = threading.Lock()
        self._state = LinkState(profile=config.profile if config.terminal.linked else None)
        self._state_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._running = False
        # Loop-only state below (touched only on the bridge thread).
        self._tasks: set[asyncio.Task[Any]] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._want_link = False
        self._linked = False
        self._wake: asyncio.Event | None = None
        self._link_lost: asyncio.Event | None = None
        self._login_waiters: list[asyncio.Future[LoginResult]] = []
        self._inflight: dict[str, tuple[str, str]] = {}  # transaction_id -> (service_id, category)
        self._last_down_reason: str | None = None

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Start the bridge thread (idempotent). Does not connect: call login()."""
        if self._running:
            return
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            self._wake = asyncio.Event()
            self._link_lost = asyncio.Event()
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name=f"terminal-bridge-{self.config.sale_id}", daemon=True)
        self._thread.start()
        if not ready.wait(self._t.stop_timeout):
            raise RuntimeError("terminal bridge thread did not start")
        self._running = True

    def stop(self) -> None:
        """Close the link, resolve every pending future, end the thread (bounded wait)."""
        if not self._running or self._loop is None:
            return
        if threading.current_thread() is self._thread:
            raise RuntimeError("stop() must not be called from the bridge thread (e.g. from a subscriber)")
        self._running = False
        loop = self._loop
        try:
            done = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            done.result(self._t.stop_timeout)
        except Exception:
            log.exception("terminal bridge shutdown did not finish cleanly")
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(self._t.stop_timeout)

    async def _shutdown(self) -> None:
        self._want_link = False
        for task in [self._supervisor, self._heartbeat_task, *self._tasks]:
            if task is not None and not task.done():
                task.cancel()
        pending = [t for t in [self._supervisor, self._heartbeat_task, *self._tasks] if t is not None]
        if pending:
            await asyncio.wait(pending, timeout=self._t.stop_timeout / 2)
        await self._driver.close("bridge stopped")
        if self._linked:
            self._linked = False
            self._emit(TerminalEvent(EventKind.LINK_DOWN, text="bridge stopped", code="L0005"))
        self._set_state(linked=False, busy=False, last_error=STOPPED)
        for waiter in self._login_waiters:
            if not waiter.done():
                waiter.set_result(LoginResult(LoginStatus.UNREACHABLE, error=STOPPED))
        self._login_waiters.clear()

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

    def _on_driver_closed(self, reason: str) -> None:
        if self._link_lost is not None:
            self._link_lost.set()
        self._last_down_reason = reason

    # -- plumbing ---------------------------------------------------------------

    def _submit(self, service_id: str | None, factory: Callable[[], Awaitable[Any]],
                not_sent: Callable[[TerminalError], Any], interrupted: Callable[[], Any],
                limit: float) -> RequestFuture:
        """Run `factory()` on the loop; the future always gets a result."""
        future = RequestFuture(service_id)
        loop = self._loop
        if not self._running or loop is None:
            future.set_result(not_sent(STOPPED))
            return future

        async def runner() -> None:
            try:
                result = await asyncio.wait_for(factory(), limit)
            except asyncio.TimeoutError:
                log.error("terminal request %s exceeded its %g s limit", service_id, limit)
                result = interrupted()
            except asyncio.CancelledError:
                result = interrupted()
            except Exception:
                log.exception("terminal request %s failed", service_id)
                result = interrupted()
            if not future.done():
                future.set_result(result)

        def start() -> None:
            task = loop.create_task(runner())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        try:
            loop.call_soon_threadsafe(start)
        except RuntimeError:  # loop already closed
            future.set_result(not_sent(STOPPED))
        return future

    def _link_limit(self, op_timeout: float) -> float:
        return op_timeout + self._t.request_timeout + 1.0

    # -- link supervision --------------------------------------------------------

    def login(self) -> RequestFuture:
        """Open (or refresh) the link. Resolves to a LoginResult."""
        if not self.config.terminal.linked:
            f = RequestFuture(None)
            f.set_result(LoginResult(LoginStatus.NOT_CONFIGURED, error=NOT_CONFIGURED))
            return f
        limit = self._t.connect_timeout + self._t.login_timeout + 2.0
        return self._submit(None, self._do_login,
                            lambda e: LoginResult(LoginStatus.UNREACHABLE, error=e),
                            lambda: LoginResult(LoginStatus.UNREACHABLE, error=NO_ANSWER), limit + 1.0)

    async def _do_login(self) -> LoginResult:
        if self._linked and self._driver.connected:
            result = await self._driver.login(new_service_id())
            if result.connected:
                self._set_state(linked=True, poi_id=result.poi_id, battery=result.battery, last_error=None,
                                journal_id=result.journal_id)
            return result
        self._want_link = True
        waiter: asyncio.Future[LoginResult] = asyncio.get_running_loop().create_future()
        self._login_waiters.append(waiter)
        if self._supervisor is None or self._supervisor.done():
            self._supervisor = asyncio.get_running_loop().create_task(self._supervise())
        assert self._wake is not None
        self._wake.set()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), self._t.connect_timeout + self._t.login_timeout + 1.0)
        except asyncio.TimeoutError:
            return LoginResult(LoginStatus.UNREACHABLE, error=NO_ANSWER)
        finally:
            if waiter in self._login_waiters and waiter.done():
                self._login_waiters.remove(waiter)

    async def _connect_and_login(self) -> LoginResult:
        if not demo_key_allowed(self.config.host, self.config.pairing_key):
            # The demo key is public: frames signed with it prove nothing off this machine.
            log.error("refusing to link terminal %s:%s with the public demo pairing key",
                      self.config.host, self.config.port)
            return LoginResult(LoginStatus.REFUSED, error=DEMO_KEY_OFF_LOOPBACK)
        try:
            await self._driver.connect()
        except (OSError, asyncio.TimeoutError) as exc:
            log.info("terminal %s:%s unreachable: %s", self.config.host, self.config.port, exc)
            return LoginResult(LoginStatus.UNREACHABLE, error=NOT_CONNECTED)
        assert self._link_lost is not None
        self._link_lost.clear()
        result = await self._driver.login(new_service_id())
        if not result.connected:
            await self._driver.close(f"login refused: {result.status}")
        return result

    def _publish_login(self, result: LoginResult) -> None:
        for waiter in self._login_waiters:
            if not waiter.done():
                waiter.set_result(result)
        self._login_waiters.clear()

    async def _supervise(self) -> None:
        assert self._wake is not None and self._link_lost is not None
        backoff = self._t.backoff_initial
        last_failure: LoginStatus | None = None
        while self._want_link:
            self._wake.clear()
            result = await self._connect_and_login()
            self._publish_login(result)
            if result.connected:
                backoff = self._t.backoff_initial
                last_failure = None
                self._linked = True
                self._set_state(linked=True, poi_id=result.poi_id, battery=result.battery, busy=False, last_error=None,
                                journal_id=result.journal_id)
                self._emit(TerminalEvent(EventKind.LINK_UP, text="接続中", poi_id=result.poi_id, battery=result.battery))
                self._heartbeat_task = asyncio.get_running_loop().create_task(self._heartbeat())
                await self._link_lost.wait()
                self._linked = False
                self._heartbeat_task.cancel()
                reason = self._last_down_reason or "link lost"
                self._set_state(linked=False, last_error=NOT_CONNECTED)
                self._emit(TerminalEvent(EventKind.LINK_DOWN, text=reason, poi_id=result.poi_id, code="L0001"))
                if not self._want_link:
                    break
            else:
                self._set_state(linked=False, last_error=result.error)
                if result.status is not last_failure:
                    last_failure = result.status
                    error = result.error
                    self._emit(TerminalEvent(EventKind.LINK_DOWN, text=error.message if error else str(result.status),
                                             code=error.code if error else None, battery=result.battery,
                                             poi_id=result.poi_id))
            try:
                await asyncio.wait_for(self._wake.wait(), backoff)
            except asyncio.TimeoutError:
                pass
            backoff = min(backoff * self._t.backoff_factor, self._t.backoff_max)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self._t.heartbeat_interval)
            result = await self._driver.diagnosis(new_service_id(), self._t.heartbeat_timeout)
            if result.outcome is Outcome.SUCCESS and result.info is not None:
                self._absorb_info(result.info)
            elif result.outcome is Outcome.UNKNOWN:
                log.warning("terminal heartbeat unanswered: closing the link to reconnect")
                await self._driver.close("heartbeat unanswered")
                return

    def _absorb_info(self, info: TerminalInfo) -> None:
        old = self.state
        busy = info.state == "Busy"
        self._set_state(battery=info.battery, busy=busy, poi_id=info.poi_id)
        if old.battery != info.battery:
            self._emit(TerminalEvent(EventKind.BATTERY, battery=info.battery, poi_id=info.poi_id))
        if old.busy != busy:
            self._emit(TerminalEvent(EventKind.BUSY, busy=busy, poi_id=info.poi_id))

    def logout(self) -> RequestFuture:
        """Release the terminal (Logout) and stop reconnecting."""
        sid = new_service_id()
        return self._submit(sid, lambda: self._do_logout(sid), lambda e: SimpleResult(Outcome.FAILURE, e),
                            lambda: SimpleResult(Outcome.UNKNOWN, NO_ANSWER), self._link_limit(self._t.request_timeout))

    async def _do_logout(self, sid: str) -> SimpleResult:
        self._want_link = False
        result = SimpleResult(Outcome.SUCCESS)
        if self._linked:
            result = await self._driver.logout(sid)
        await self._driver.close("logged out")
        if self._wake is not None:
            self._wake.set()
        return result

    # -- operations -------------------------------------------------------------

    def pay(self, transaction_id: str, amount_yen: int, method: str | None = None, *,
            timestamp: str | None = None, service_id: str | None = None) -> RequestFuture:
        """Send one payment. `method` is required for usenpay and must be None for ct6100.

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

        def failed(error: TerminalError) -> PaymentResult:
            return PaymentResult(Outcome.FAILURE, sid, transaction_id, amount_yen, error)

        if not profile.linked:
            return self._done(sid, failed(NOT_CONFIGURED))
        if method is not None and method not in self.config.contracted_methods:
            return self._done(sid, failed(NOT_CONTRACTED))
        return self._submit(sid, lambda: self._do_pay(sid, transaction_id, ts, amount_yen, method), failed,
                            lambda: PaymentResult(Outcome.UNKNOWN, sid, transaction_id, amount_yen, NO_ANSWER),
                            self._link_limit(self._t.payment_timeout))

    @staticmethod
    def _done(service_id: str | None, result: Any) -> RequestFuture:
        future = RequestFuture(service_id)
        future.set_result(result)
        return future

    async def _do_pay(self, sid: str, transaction_id: str, ts: str, amount: int, method: str | None) -> PaymentResult:
        if not self._linked:
            return PaymentResult(Outcome.FAILURE, sid, transaction_id, amount, NOT_CONNECTED)
        self._inflight[transaction_id] = (sid, "Payment")
        try:
            return await self._driver.payment(sid, transaction_id, ts, amount, method)
        finally:
            self._inflight.pop(transaction_id, None)

    def abort(self, service_id_or_transaction_id: str) -> RequestFuture:
        """Ask the terminal to stop a running payment/reversal (best effort, R-DISC).

        The original request's future still resolves with the terminal's own
        answer (typically FAILURE/Aborted) or UNKNOWN on its timeout.
        """
        _check_id("service_id_or_transaction_id", service_id_or_transaction_id)
        sid = new_service_id()
        return self._submit(sid, lambda: self._do_abort(sid, service_id_or_transaction_id),
                            lambda e: AbortResult(Outcome.FAILURE, None, e),
                            lambda: AbortResult(Outcome.UNKNOWN, None, NO_ANSWER),
                            self._link_limit(self._t.request_timeout))

    async def _do_abort(self, sid: str, key: str) -> AbortResult:
        target, category = key, "Payment"
        if key in self._inflight:
            target, category = self._inflight[key]
        else:
            for _txn, (service_id, cat) in self._inflight.items():
                if service_id == key:
                    category = cat
                    break
        if not self._linked:
            return AbortResult(Outcome.FAILURE, target, NOT_CONNECTED)
        return await self._driver.abort(sid, target, category)

    def transaction_status(self, transaction_id: str, category: str = "Payment") -> RequestFuture:
        """What happened to `transaction_id` (a payment, or a reversal with category="Reversal")."""
        _check_id("transaction_id", transaction_id)
        if category not in ("Payment", "Reversal"):
            raise ValueError("category must be 'Payment' or 'Reversal'")
        sid = new_service_id()
        return self._submit(sid, lambda: self._linked_call(
            lambda: self._driver.transaction_status(sid, transaction_id, category),
            lambda: TransactionStatusResult(Outcome.FAILURE, transaction_id, category, error=NOT_CONNECTED)),
            lambda e: TransactionStatusResult(Outcome.FAILURE, transaction_id, category, error=e),
            lambda: TransactionStatusResult(Outcome.UNKNOWN, transaction_id, category, error=NO_ANSWER),
            self._link_limit(self._t.request_timeout))

    async def _linked_call(self, call: Callable[[], Awaitable[Any]], not_linked: Callable[[], Any]) -> Any:
        if not self._linked:
            return not_linked()
        return await call()

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

        def failed(error: TerminalError) -> ReversalResult:
            return ReversalResult(Outcome.FAILURE, sid, transaction_id, original_poi_transaction_id, amount_yen, error)

        if not self.config.terminal.linked:
            return self._done(sid, failed(NOT_CONFIGURED))
        return self._submit(sid, lambda: self._do_reversal(sid, transaction_id, ts, original_poi_transaction_id,
                                                           amount_yen, reason), failed,
                            lambda: ReversalResult(Outcome.UNKNOWN, sid, transaction_id, original_poi_transaction_id,
                                                   amount_yen, NO_ANSWER),
                            self._link_limit(self._t.reversal_timeout))

    async def _do_reversal(self, sid: str, transaction_id: str, ts: str, original: str, amount: int,
                           reason: str) -> ReversalResult:
        if not self._linked:
            return ReversalResult(Outcome.FAILURE, sid, transaction_id, original, amount, NOT_CONNECTED)
        self._inflight[transaction_id] = (sid, "Reversal")
        try:
            return await self._driver.reversal(sid, transaction_id, ts, original, amount, reason)
        finally:
            self._inflight.pop(transaction_id, None)

    def diagnosis(self) -> RequestFuture:
        """Connection check (R-CONN): terminal id, battery, state — or why not."""
        sid = new_service_id()
        limit = self._t.connect_timeout + self._t.login_timeout + self._t.request_timeout + 3.0
        return self._submit(sid, lambda: self._do_diagnosis(sid), lambda e: DiagnosisResult(Outcome.FAILURE, error=e),
                            lambda: DiagnosisResult(Outcome.UNKNOWN, error=NO_ANSWER), limit)

    async def _do_diagnosis(self, sid: str) -> DiagnosisResult:
        if not self.config.terminal.linked:
            return DiagnosisResult(Outcome.FAILURE, error=NOT_CONFIGURED)
        login: LoginResult | None = None
        if not self._linked:
            login = await self._do_login()
            if not login.connected:
                return DiagnosisResult(Outcome.FAILURE, login=login, error=login.error)
        result = await self._driver.diagnosis(sid)
        if result.outcome is Outcome.SUCCESS and result.info is not None:
            self._absorb_info(result.info)
        return replace(result, login=login) if login is not None else result

    def reconciliation(self) -> RequestFuture:
        """Terminal totals since the last reconciliation (精算)."""
        sid = new_service_id()
        return self._submit(sid, lambda: self._linked_call(
            lambda: self._driver.reconciliation(sid),
            lambda: ReconciliationResult(Outcome.FAILURE, error=NOT_CONNECTED)),
            lambda e: ReconciliationResult(Outcome.FAILURE, error=e),
            lambda: ReconciliationResult(Outcome.UNKNOWN, error=NO_ANSWER), self._link_limit(self._t.request_timeout))

    def reprint(self, poi_transaction_id: str, document: str = "Both") -> RequestFuture:
        """Have the terminal print a slip again (usenpay; refused on ct6100)."""
        _check_poi_transaction_id(poi_transaction_id)
        if document not in ("CustomerReceipt", "CashierReceipt", "Both"):
            raise ValueError("document must be CustomerReceipt, CashierReceipt or Both")
        sid = new_service_id()
        return self._submit(sid, lambda: self._linked_call(
            lambda: self._driver.print_slip(sid, poi_transaction_id, document),
            lambda: PrintResult(Outcome.FAILURE, poi_transaction_id, error=NOT_CONNECTED)),
            lambda e: PrintResult(Outcome.FAILURE, poi_transaction_id, error=e),
            lambda: PrintResult(Outcome.UNKNOWN, poi_transaction_id, error=NO_ANSWER),
            self._link_limit(self._t.request_timeout))
