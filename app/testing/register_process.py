"""A register as a real OS process, for hard-crash tests (issues 9, 16): ``RegisterProcess``
runs the core register (ledger, ``TerminalBridge``, ``PaymentCoordinator``) in a child
process against a terminal on loopback; the test or bench asks it to pay or refund, kills
it with SIGKILL at any moment (nothing in it runs after that: no Logout, no last write),
then starts another one on the same ledger file, which must settle what the dead one left.

Children come from a ``forkserver`` that has already imported Regi, so one costs a fork,
not a Python start-up. Only one process may be linked to a terminal at a time (one SaleID):
stop the other register's bridge first. Messages are plain dicts over a pipe:
``{"row": id}`` once a request is committed and sent, ``{"settled": [...]}`` after ``settle``.
"""
from __future__ import annotations

import logging
import multiprocessing
import time
from multiprocessing.connection import Connection

_context = None


def _forkserver():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload([__name__, "app.core.payments.coordinator", "app.core.terminal.bridge",
                                         "app.core.ledger.ledger"])
    return _context


class RegisterProcess:
    """One register process. ``kill()`` is SIGKILL; ``close()`` ends it in order."""

    def __init__(self, ledger_url: str, profile: str, port: int, *, timings=None):
        self._conn, child = _forkserver().Pipe()
        level = logging.getLogger().getEffectiveLevel()  # the child logs (to stderr) as quietly as this process
        self.process = _forkserver().Process(target=_main, args=(child, ledger_url, profile, port, timings, level),
                                             daemon=True, name="regi-register")
        self.process.start()
        child.close()
        self._expect("ready", 15)

    def pay(self, amount_yen: int, method: str | None) -> None:
        """Commit and send a payment; ``sent()`` gives its row id once it is out."""
        self._conn.send({"op": "pay", "amount_yen": amount_yen, "method": method})

    def refund(self, payment_id: int) -> None:
        self._conn.send({"op": "refund", "payment_id": payment_id})

    def sent(self, timeout: float = 5.0) -> int | None:
        """The row id of the request just asked for (None if the process died first or
        the register refused to send: ``{"refused": text}``)."""
        message = self._receive(timeout)
        return None if message is None else message.get("row")

    def settle(self, timeout: float) -> list[int]:
        """Wait (at most ``timeout`` s) until the terminal has answered every open request
        this ledger holds; returns the ids still open (left for a manager, or timed out)."""
        self._conn.send({"op": "settle", "timeout": timeout})
        message = self._expect("settled", timeout + 10)
        return message["settled"]

    def kill(self) -> None:
        """SIGKILL, and wait until the process is gone."""
        self.process.kill()
        self.process.join(5)
        self._conn.close()

    def close(self) -> None:
        if self.process.is_alive():
            try:
                self._conn.send({"op": "exit"})
            except OSError:
                pass
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
        self._conn.close()

    def _receive(self, timeout: float):
        try:
            if not self._conn.poll(timeout):
                return None
            return self._conn.recv()
        except (EOFError, OSError):
            return None

    def _expect(self, key: str, timeout: float) -> dict:
        message = self._receive(timeout)
        if message is None or key not in message:
            raise RuntimeError(f"register process: expected {key!r}, got {message!r}")
        return message


def _main(conn: Connection, ledger_url: str, profile: str, port: int, timings, log_level: int) -> None:
    """The child: the register's core on one ledger, driven by ``conn``."""
    logging.getLogger().setLevel(log_level)
    from app.core.errors import RegiError
    from app.core.ledger.ledger import Ledger
    from app.core.ledger.terminal_payments import TerminalPaymentBook
    from app.core.payment_state import ASK_TERMINAL_STATES, PaymentState
    from app.core.payments.coordinator import PaymentCoordinator
    from app.core.payments.dispatch import ThreadDispatcher
    from app.core.terminal.bridge import TerminalBridge
    from app.core.terminal.config import TerminalConfig

    ledger = Ledger(ledger_url)
    book = TerminalPaymentBook(ledger)
    dispatcher = ThreadDispatcher()
    bridge = TerminalBridge(TerminalConfig(profile=profile, port=port, **({"timings": timings} if timings else {})))
    bridge.start()
    coordinator = PaymentCoordinator(book, dispatcher, first_retry=0.05, max_retry=0.4)
    coordinator.attach(bridge)
    bridge.login().result(10)
    coordinator.resume()
    conn.send({"ready": True})

    def on_dispatcher(fn):
        box: list = []
        dispatcher.post(lambda: box.append(_attempt(fn)))
        while not box:
            time.sleep(0.005)
        return box[0]

    def still_open() -> list[int]:
        return [r.id for r in book.all() if PaymentState(r.state) in ASK_TERMINAL_STATES
                and not (coordinator.why(r.id) == "journal_lost" and not coordinator.busy(r.id))]

    while True:
        try:
            message = conn.recv()
        except EOFError:
            break
        op = message["op"]
        if op == "exit":
            break
        if op == "settle":
            deadline = time.monotonic() + message["timeout"]
            while still_open() and time.monotonic() < deadline:
                if not bridge.state.linked:
                    bridge.login().result(5)
                time.sleep(0.02)
            conn.send({"settled": still_open()})
            continue
        if op == "pay":
            outcome = on_dispatcher(lambda: coordinator.pay(amount_yen=message["amount_yen"],
                                                            method=message["method"], staff_id=1))
        else:
            outcome = on_dispatcher(lambda: coordinator.refund(book.get(message["payment_id"]), staff_id=1))
        if isinstance(outcome, RegiError):
            conn.send({"refused": outcome.message})
        else:
            conn.send({"row": outcome.id})
    coordinator.halt()
    bridge.stop()
    dispatcher.stop()
    ledger.dispose()


def _attempt(fn):
    try:
        return fn()
    except Exception as error:  # handed back to the loop above
        return error
