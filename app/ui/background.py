"""Run slow device work (printing, drawer kicks) off the UI thread, in order.

``BackgroundWorker.submit(fn, on_done, on_error)`` runs ``fn`` on the worker's single
thread (so print jobs keep their order) and calls ``on_done(result)`` or
``on_error(exception)`` back on the UI thread through a queued Qt signal.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class BackgroundWorker(QObject):
    def __init__(self, name: str = "regi-device"):
        super().__init__()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._relays: set[_Relay] = set()

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> None:
        relay = _Relay()  # created on the UI thread, so its slots run there
        self._relays.add(relay)

        def finish(callback, value):
            self._relays.discard(relay)
            if callback:
                callback(value)

        relay.done.connect(lambda result: finish(on_done, result))
        relay.failed.connect(lambda error: finish(on_error, error))

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
