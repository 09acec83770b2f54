"""The simulated terminal's conditions and faults (control API / window): queued
outcomes, battery, busy, offline, OS update, app restart. Part of `TerminalEngine`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from app.core.terminal import statuses as st
from app.core.terminal.errors import describe

from . import outcomes as oc
from .model import BATTERY_UPDATE_MIN

log = logging.getLogger("app.simulator.engine")


class Conditions:
    """A part of TerminalEngine: its state is set up in `TerminalEngine.__init__` and used
    under the engine's lock (`_op`)."""

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
