"""Run slow device work (printing, drawer kicks) off the UI thread, in order.

``BackgroundWorker.submit(fn, on_done, on_error)`` runs ``fn`` on the worker's single
thread (so print jobs keep their order) and calls ``on_done(result)`` or
``on_error(exception)`` back on the UI thread through a queued Qt signal.

``password_checks()`` is the register's worker for password hashing (scrypt, about 30 ms):
login and manager authorisation verify there so the UI thread never stalls on it (SPEC §9).
It is separate from the device worker so a slow printer never delays a login.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot


class _Relay(QObject):
    """Lives on the UI thread; its signals, emitted by the worker, are queued to its slots."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done, on_error, finished):
        super().__init__()
        self._on_done, self._on_error, self._finished = on_done, on_error, finished
        self.done.connect(self._done)
        self.failed.connect(self._failed)

    @Slot(object)
    def _done(self, result) -> None:
        self._finished(self)
        if self._on_done:
            self._on_done(result)

    @Slot(object)
    def _failed(self, error) -> None:
        self._finished(self)
        if self._on_error:
            self._on_error(error)


class BackgroundWorker(QObject):
    def __init__(self, name: str = "regi-device"):
        super().__init__()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._relays: set[_Relay] = set()

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> None:
        relay = _Relay(on_done, on_error, self._relays.discard)  # created on the UI thread
        self._relays.add(relay)

        def task():
            try:
                result = fn()
            except Exception as error:  # handed to the UI, which shows it
                relay.failed.emit(error)
            else:
                relay.done.emit(result)

        self._executor.submit(task)

    @property
    def busy(self) -> bool:
        return bool(self._relays)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)


_password_checks: BackgroundWorker | None = None


def password_checks() -> BackgroundWorker:
    """The one worker that verifies passwords off the UI thread (created on first use)."""
    global _password_checks
    if _password_checks is None:
        _password_checks = BackgroundWorker("regi-password")
    return _password_checks
