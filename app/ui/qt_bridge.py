"""``QtBridge``, the Qt side of the terminal bridge: results and events come back on the UI thread.

The ``TerminalBridge`` (app/core/terminal) owns the socket on its own thread; this
adapter never waits on it. ``call(future, on_done)`` runs ``on_done(result)`` on the UI
thread when the bridge's future resolves; bridge events are re-emitted as the Qt signal
``event_received`` and the link snapshot as ``state_changed``.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from app.core.terminal.bridge import LinkState, TerminalBridge
from app.core.terminal.config import BridgeTimings, TerminalConfig
from app.core.terminal.events import TerminalEvent
from app.ui.threads import install, when_done

log = logging.getLogger(__name__)


class QtBridge(QObject):
    state_changed = Signal(object)  # LinkState
    event_received = Signal(object)  # TerminalEvent

    def __init__(self, timings: BridgeTimings | None = None):
        super().__init__()
        self.timings = timings
        self.bridge: TerminalBridge | None = None
        self.config: TerminalConfig | None = None
        self._unsubscribe: Callable[[], None] | None = None
        install()

    # --- lifecycle ---------------------------------------------------------
    def configure(self, config: TerminalConfig) -> None:
        """(Re)build the bridge for ``config`` and start its thread. Does not connect."""
        self.stop()
        self.config = config
        if not config.terminal.linked:
            self.state_changed.emit(self.state)
            return
        self.bridge = TerminalBridge(config)
        self._unsubscribe = self.bridge.subscribe(self._on_bridge_event)
        self.bridge.start()
        self.state_changed.emit(self.state)

    def stop(self) -> None:
        if self.bridge is not None:
            if self._unsubscribe:
                self._unsubscribe()
            self.bridge.stop()
            self.bridge = None

    @property
    def configured(self) -> bool:
        return self.bridge is not None

    @property
    def profile(self) -> str:
        return self.config.profile if self.config else "none"

    @property
    def state(self) -> LinkState:
        return self.bridge.state if self.bridge else LinkState()

    # --- calls -------------------------------------------------------------
    def call(self, future, on_done: Callable[[Any], None]) -> None:
        """``on_done(future.result())`` on the UI thread. Bridge futures resolve to result
        values and never raise; an unexpected exception is logged and passed on as is.
        Always queued: never inside call(), even for a future already resolved."""
        def done(result, error) -> None:
            if error is not None:  # a bug in the bridge: still answer the UI
                log.error("terminal call failed: %r", error)
            on_done(error if error is not None else result)

        when_done(future, done)

    def connect_terminal(self, on_done: Callable[[Any], None]) -> bool:
        """Log in on the link (開局, 「再接続」, 「更新」). False if no terminal is configured."""
        if self.bridge is None:
            return False
        self.call(self.bridge.login(), on_done)
        return True

    def check(self, on_done: Callable[[Any], None]) -> bool:
        """Connection check (R-CONN): a Diagnosis, logging in first if needed."""
        if self.bridge is None:
            return False
        self.call(self.bridge.diagnosis(), on_done)
        return True

    def reconcile(self, on_done: Callable[[Any], None]) -> bool:
        """The terminal's day totals (Reconciliation, R-CLOSE). False if no terminal is configured."""
        if self.bridge is None:
            return False
        self.call(self.bridge.reconciliation(), on_done)
        return True

    def _on_bridge_event(self, event: TerminalEvent) -> None:  # bridge thread
        self.event_received.emit(event)
        self.state_changed.emit(self.state)
