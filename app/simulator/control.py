"""Scripting the simulator: an in-process API and a JSON-lines control port.

`SimulatorControl` is the one control surface: tests in the same process call
its methods; the control port (`ControlServer`) maps each JSON line
``{"cmd": "<method>", "args": {...}}`` onto the method of the same name and
answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``;
`ControlClient` is the matching blocking client for a simulator running as a
separate process.

Security: the control port can approve payments, so it only binds loopback
addresses (a ValueError otherwise) and should only be enabled for training
and tests (`--control-port`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from . import outcomes as oc
from .engine import EngineSnapshot, SimulatorError, Stage, TerminalEngine, TxRecord

if TYPE_CHECKING:
    from .server import SimulatorServer

log = logging.getLogger("app.simulator.control")
MAX_LINE = 64 * 1024


def _snapshot_json(snap: EngineSnapshot) -> dict[str, Any]:
    return {
        "profile": snap.profile, "poi_id": snap.poi_id, "battery": snap.battery, "busy": snap.busy,
        "offline": snap.offline, "link_up": snap.link_up, "linked_sale_id": snap.linked_sale_id,
        "stage": snap.stage.value, "amount": snap.amount, "method": snap.method, "brand": snap.brand,
        "prompt": snap.prompt, "last_result": snap.last_result,
        "os_update_deadline": snap.os_update_deadline.isoformat() if snap.os_update_deadline else None,
        "queued": snap.queued, "history_count": snap.history_count,
    }


def _record_json(r: TxRecord) -> dict[str, Any]:
    return {
        "kind": r.kind, "transaction_id": r.transaction_id, "sale_id": r.sale_id,
        "created_at": r.created_at.isoformat(), "amount": r.amount, "method": r.method, "approved": r.approved,
        "status": r.status, "brand": r.brand, "last4": r.last4, "entry_mode": r.entry_mode,
        "poi_transaction_id": r.poi_transaction_id, "approval_number": r.approval_number,
        "original": r.original, "reversal_kind": r.reversal_kind, "reversed_by": r.reversed_by,
    }


class SimulatorControl:
    """Queue outcomes, inject faults, act as the customer/clerk, inspect state."""

    def __init__(self, engine: TerminalEngine, server: "SimulatorServer | None" = None) -> None:
        self.engine = engine
        self.server = server

    # scripted outcomes
    def queue(self, outcome: dict[str, Any] | oc.Outcome) -> int:
        """Queue one outcome (object or its JSON form); returns the queue length."""
        item = oc.outcome_from_json(outcome) if isinstance(outcome, dict) else outcome
        self.engine.queue(item)
        return len(self.engine.queued())

    def approve(self, **fields: Any) -> int:
        return self.queue(oc.Approve(**fields))

    def decline(self, code: str = "E1001", **fields: Any) -> int:
        return self.queue(oc.Decline(code=code, **fields))

    def cancel_on_terminal(self, target: str = "payment") -> int:
        return self.queue(oc.CancelOnTerminal(target=target))

    def duplicate_alert(self, choice: str = "abort", **fields: Any) -> int:
        return self.queue(oc.DuplicateAlert(choice=choice, **fields))

    def hold_refund(self) -> int:
        """The next refund waits at the terminal until ``release_refund`` (the register shows 払戻中)."""
        return self.queue(oc.Hold())

    def release_refund(self, approved: bool = True) -> None:
        """The held refund goes on: done, or cancelled on the terminal (``approved=False``)."""
        self.engine.release_reversal(approved)

    def busy_once(self, target: str = "payment") -> int:
        return self.queue(oc.Busy(target=target))

    def drop_link_during(self, after_card_read: bool = True, approve: bool = True, target: str = "payment") -> int:
        return self.queue(oc.DropLink(after_card_read=after_card_read, approve=approve, target=target))

    def restart_during(self, approved: bool = True, status: str | None = None, target: str = "payment",
                       forget: bool = False) -> int:
        """The terminal app restarts mid-transaction (``forget``: and loses its journal)."""
        return self.queue(oc.RestartApp(approved=approved, status=status, target=target, forget=forget))

    def drop_from_totals(self, poi_transaction_id: str, kind: str = "payment") -> None:
        """The next Reconciliation leaves this transaction out (R-CLOSE tests)."""
        self.engine.drop_from_totals(poi_transaction_id, kind)

    def add_to_totals(self, method: str, amount: int, kind: str = "payment", poi_transaction_id: str | None = None) -> str:
        """The next Reconciliation counts a transaction the register never sent."""
        return self.engine.add_to_totals(method, amount, kind, poi_transaction_id)

    def clear_queue(self) -> None:
        self.engine.clear_queue()

    def queued(self) -> list[dict[str, Any]]:
        return [oc.outcome_to_json(o) for o in self.engine.queued()]

    # conditions and faults
    def set_battery(self, level: int) -> None:
        self.engine.set_battery(level)

    def set_busy(self, busy: bool) -> None:
        self.engine.set_busy(busy)

    def set_offline(self, offline: bool) -> None:
        self.engine.set_offline(offline)

    def drop_link(self) -> None:
        self.engine.drop_link()

    def restart_app(self, approved: bool | None = None, status: str | None = None) -> None:
        self.engine.restart_app(approved, status)

    def lose_journal(self) -> str:
        """The terminal loses its history (new JournalID, numbering restarts); returns the new id."""
        return self.engine.lose_journal()

    def journal_id(self) -> str:
        return self.engine.journal_id

    def set_os_update(self, deadline: str | datetime | None) -> None:
        """Pending OS update until `deadline` (ISO 8601 with offset), or None to clear."""
        if isinstance(deadline, str):
            deadline = datetime.fromisoformat(deadline)
        self.engine.set_os_update(deadline)

    def update_firmware(self) -> dict[str, Any]:
        return self.engine.update_firmware()

    def advance_clock(self, seconds: float) -> str:
        advance = getattr(self.engine.clock, "advance", None)
        if advance is None:
            raise SimulatorError("this simulator's clock cannot be moved")
        return advance(float(seconds)).isoformat()

    # the customer's and clerk's actions on the terminal
    def choose_method(self, method: str) -> None:
        self.engine.choose_method(method)

    def present_card(self, entry_mode: str = "ICC", brand: str = "VISA", last4: str = "1012",
                     has_chip: bool = True) -> None:
        self.engine.present_card(entry_mode, brand, last4, has_chip)

    def enter_pin(self, ok: bool = True) -> None:
        self.engine.enter_pin(ok)

    def sign(self) -> None:
        self.engine.sign()

    def tap_emoney(self, brand: str = "iD") -> None:
        self.engine.tap_emoney(brand)

    def scan_qr(self, brand: str = "PayPay") -> None:
        self.engine.scan_qr(brand)

    def cancel(self) -> None:
        self.engine.cancel()

    def duplicate_choice(self, continue_: bool) -> None:
        self.engine.duplicate_choice(continue_)

    def decline_now(self, code: str = "E1001") -> None:
        self.engine.decline(code)

    # inspection
    def state(self) -> dict[str, Any]:
        snap = _snapshot_json(self.engine.snapshot())
        if self.server is not None:
            snap["connections"] = self.server.connection_count
            snap["port"] = self.server.port
            snap["rejections"] = len(self.server.rejections)
        return snap

    def history(self) -> list[dict[str, Any]]:
        return [_record_json(r) for r in self.engine.history()]

    def wait_for_stage(self, stage: str, timeout: float = 5.0) -> bool:
        """Poll until the running transaction reaches `stage` (e.g. "wait_card")."""
        wanted = Stage(stage)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.engine.stage is wanted:
                return True
            time.sleep(0.01)
        return self.engine.stage is wanted

    def ping(self) -> str:
        return "pong"


COMMANDS: dict[str, Callable[..., Any]] = {
    name: getattr(SimulatorControl, name) for name in (
        "queue", "approve", "decline", "cancel_on_terminal", "duplicate_alert", "hold_refund", "release_refund", "busy_once", "drop_link_during",
        "restart_during", "clear_queue", "queued", "set_battery", "set_busy", "set_offline", "drop_link",
        "restart_app", "lose_journal", "journal_id", "set_os_update", "update_firmware", "advance_clock", "choose_method", "present_card",
        "enter_pin", "sign", "tap_emoney", "scan_qr", "cancel", "duplicate_choice", "decline_now", "state",
        "history", "ping",
    )
}
"""Commands of the control port (method names of SimulatorControl)."""


def _require_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"the control port only binds loopback addresses, not {host!r}")


def execute(control: SimulatorControl, line: bytes | str) -> dict[str, Any]:
    """Run one control command line and return the reply object (never raises)."""
    try:
        request = json.loads(line)
        if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
            raise ValueError('a command is {"cmd": "<name>", "args": {...}}')
        fn = COMMANDS.get(request["cmd"])
        if fn is None:
            raise ValueError(f"unknown command {request['cmd']!r}; known: {sorted(COMMANDS)}")
        args = request.get("args", {})
        if not isinstance(args, dict):
            raise ValueError("args must be an object")
        return {"ok": True, "result": fn(control, **args)}
    except (ValueError, TypeError, SimulatorError) as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # report, never kill the control port
        log.exception("control command failed")
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


class ControlServer:
    def __init__(self, server: "SimulatorServer", host: str = "127.0.0.1", port: int = 0) -> None:
        _require_loopback(host)
        self.control = SimulatorControl(server.engine, server)
        self.host = host
        self.port = port
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_client, self.host, self.port, limit=MAX_LINE)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    writer.write(b'{"ok": false, "error": "line too long"}\n')
                    break
                if not line:
                    break
                if not line.strip():
                    continue
                reply = execute(self.control, line)
                writer.write(json.dumps(reply, ensure_ascii=False, default=str).encode("utf-8") + b"\n")
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


class ControlError(RuntimeError):
    pass


class ControlClient:
    """Blocking client for the control port of a simulator in another process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 9202, timeout: float = 5.0) -> None:
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._file = self._sock.makefile("rwb")

    def call(self, cmd: str, **args: Any) -> Any:
        self._file.write(json.dumps({"cmd": cmd, "args": args}, ensure_ascii=False).encode("utf-8") + b"\n")
        self._file.flush()
        line = self._file.readline()
        if not line:
            raise ControlError("control connection closed")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise ControlError(reply.get("error", "unknown error"))
        return reply.get("result")

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._sock.close()

    def __enter__(self) -> "ControlClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
