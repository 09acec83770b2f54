"""LinkSupervisor: keeps the bridge's link to the terminal up (connect, Login, heartbeat, reconnect).

Owned by one `TerminalBridge` and used only on its loop (`@loop_only`). After the first
`login()` it keeps the link until `logout()` or `shutdown()`: a Diagnosis heartbeat every
`heartbeat_interval` (an unanswered one closes the link), and after any loss a new
connection and Login with capped exponential backoff. It reports through the bridge's
`emit` (LINK_UP / LINK_DOWN / BATTERY / BUSY events) and `update` (its `LinkState`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Callable, Iterable

from app.core.loop_thread import loop_only

from .config import TerminalConfig, demo_key_allowed
from .driver import TerminalDriver
from .events import EventKind, TerminalEvent
from .results import (DEMO_KEY_OFF_LOOPBACK, NO_ANSWER, NOT_CONNECTED, STOPPED, LoginResult, LoginStatus, Outcome,
                      SimpleResult, TerminalInfo)

log = logging.getLogger("app.core.terminal.bridge")


def new_service_id() -> str:
    return uuid.uuid4().hex


class LinkSupervisor:
    def __init__(self, config: TerminalConfig, driver: TerminalDriver, emit: Callable[[TerminalEvent], None],
                 update: Callable[..., Any], state: Callable[[], Any]) -> None:
        self.config = config
        self._t = config.timings
        self._driver = driver
        self._emit = emit
        self._update = update
        self._state = state
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._want_link = False
        self.linked = False  # logged in on a live connection
        self._wake: asyncio.Event | None = None
        self._link_lost: asyncio.Event | None = None
        self._login_waiters: list[asyncio.Future[LoginResult]] = []
        self._last_down_reason: str | None = None

    async def attach(self) -> None:
        """Bind to the running loop (the bridge's boot)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._link_lost = asyncio.Event()

    def on_closed(self, reason: str) -> None:
        """The driver's connection ended (called on the loop by the driver)."""
        if self._link_lost is not None:
            self._link_lost.set()
        self._last_down_reason = reason

    @loop_only
    async def login(self) -> LoginResult:
        """Open (or refresh) the link and keep it from now on."""
        if self.linked and self._driver.connected:
            result = await self._driver.login(new_service_id())
            if result.connected:
                self._update(linked=True, poi_id=result.poi_id, battery=result.battery, last_error=None,
                             journal_id=result.journal_id)
            return result
        self._want_link = True
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[LoginResult] = loop.create_future()
        self._login_waiters.append(waiter)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._supervise())
        assert self._wake is not None
        self._wake.set()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), self._t.connect_timeout + self._t.login_timeout + 1.0)
        except asyncio.TimeoutError:
            return LoginResult(LoginStatus.UNREACHABLE, error=NO_ANSWER)
        finally:
            if waiter in self._login_waiters and waiter.done():
                self._login_waiters.remove(waiter)

    @loop_only
    async def logout(self, service_id: str) -> SimpleResult:
        """Release the terminal (Logout) and stop reconnecting."""
        self._want_link = False
        result = SimpleResult(Outcome.SUCCESS)
        if self.linked:
            result = await self._driver.logout(service_id)
        await self._driver.close("logged out")
        if self._wake is not None:
            self._wake.set()
        return result

    @loop_only
    async def shutdown(self, requests: Iterable[asyncio.Task[Any]], timeout: float) -> None:
        """Stop for good: cancel supervision and `requests`, close the link, answer every waiter."""
        self._want_link = False
        tasks = [t for t in [self._task, self._heartbeat_task, *requests] if t is not None]
        for task in tasks:
            if not task.done():
                task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
        await self._driver.close("bridge stopped")
        if self.linked:
            self.linked = False
            self._emit(TerminalEvent(EventKind.LINK_DOWN, text="bridge stopped", code="L0005"))
        self._update(linked=False, busy=False, last_error=STOPPED)
        self._publish_login(LoginResult(LoginStatus.UNREACHABLE, error=STOPPED))

    def absorb_info(self, info: TerminalInfo) -> None:
        """Take battery and busy from a Diagnosis; emit what changed."""
        old = self._state()
        busy = info.state == "Busy"
        self._update(battery=info.battery, busy=busy, poi_id=info.poi_id)
        if old.battery != info.battery:
            self._emit(TerminalEvent(EventKind.BATTERY, battery=info.battery, poi_id=info.poi_id))
        if old.busy != busy:
            self._emit(TerminalEvent(EventKind.BUSY, busy=busy, poi_id=info.poi_id))

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
                self.linked = True
                self._update(linked=True, poi_id=result.poi_id, battery=result.battery, busy=False, last_error=None,
                             journal_id=result.journal_id)
                self._emit(TerminalEvent(EventKind.LINK_UP, text="接続中", poi_id=result.poi_id, battery=result.battery))
                self._heartbeat_task = asyncio.get_running_loop().create_task(self._heartbeat())
                await self._link_lost.wait()
                self.linked = False
                self._heartbeat_task.cancel()
                reason = self._last_down_reason or "link lost"
                self._update(linked=False, last_error=NOT_CONNECTED)
                self._emit(TerminalEvent(EventKind.LINK_DOWN, text=reason, poi_id=result.poi_id, code="L0001"))
                if not self._want_link:
                    break
            else:
                self._update(linked=False, last_error=result.error)
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
                self.absorb_info(result.info)
            elif result.outcome is Outcome.UNKNOWN:
                log.warning("terminal heartbeat unanswered: closing the link to reconnect")
                await self._driver.close("heartbeat unanswered")
                return
