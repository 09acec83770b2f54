"""Crossing threads into the UI: the one way (issue 15).

- ``post(fn)``: run ``fn()`` on the UI thread, always queued (never inside the caller);
- ``call_later(seconds, fn)``: run ``fn()`` on the UI thread after a delay; returns a cancel;
- ``when_done(future, callback)``: ``callback(result, error)`` on the UI thread once a
  ``concurrent.futures.Future`` resolves — the one result-or-error callback shape;
- ``UI_DISPATCHER``: the two above as the ``Dispatcher`` the payment coordinator runs on.

``install()`` must run on the UI thread before any other thread posts (the relay object
lives on the thread that created it); ``UiDispatcher``, ``QtBridge`` and
``BackgroundWorker`` call it when they are built.
"""
from __future__ import annotations

import logging
import sys
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

log = logging.getLogger(__name__)

ResultCallback = Callable[[Any, BaseException | None], None]


class _Relay(QObject):
    posted = Signal(object)

    def __init__(self):
        super().__init__()
        self.posted.connect(self._run, Qt.QueuedConnection)

    @Slot(object)
    def _run(self, fn) -> None:
        try:
            fn()
        except Exception:  # a failing callback must not take the event loop down: it goes to the
            sys.excepthook(*sys.exc_info())  # register's hook (logged, ErrorDialog with a reference)


_relay: _Relay | None = None


def install() -> None:
    """Create the relay on the calling (UI) thread; idempotent."""
    global _relay
    if _relay is None:
        _relay = _Relay()


def _the_relay() -> _Relay:
    if _relay is None:
        raise RuntimeError("app.ui.threads.install() was not called on the UI thread")
    return _relay


def post(fn: Callable[[], None]) -> None:
    _the_relay().posted.emit(fn)


def call_later(seconds: float, fn: Callable[[], None]) -> Callable[[], None]:
    """Called on the UI thread (the coordinator's dispatcher thread)."""
    timer = QTimer(_the_relay())
    timer.setSingleShot(True)

    def fire() -> None:
        timer.deleteLater()
        fn()

    timer.timeout.connect(fire)
    timer.start(max(0, int(seconds * 1000)))

    def cancel() -> None:
        if timer.isActive():
            timer.stop()
            timer.deleteLater()
    return cancel


def when_done(future, callback: ResultCallback) -> None:
    def done(f) -> None:
        try:
            result, error = f.result(), None
        except Exception as exc:  # handed to the UI, which shows it
            result, error = None, exc
        post(lambda: callback(result, error))

    future.add_done_callback(done)


class UiDispatcher:
    """``app.core.payments.dispatch.Dispatcher`` on the UI thread."""

    def __init__(self):
        install()

    def post(self, fn: Callable[[], None]) -> None:
        post(fn)

    def call_later(self, seconds: float, fn: Callable[[], None]) -> Callable[[], None]:
        return call_later(seconds, fn)
