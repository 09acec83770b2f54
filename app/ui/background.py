"""Run slow device work (printing, drawer kicks) off the UI thread, in order.

``BackgroundWorker.submit(fn, on_done, on_error)`` runs ``fn`` on the worker's single
thread (so print jobs keep their order) and calls ``on_done(result)`` or
``on_error(exception)`` back on the UI thread (app/ui/threads.py).

``password_checks()`` is the register's worker for password hashing (scrypt, about 30 ms):
login and manager authorisation verify there so the UI thread never stalls on it (SPEC §9).
It is separate from the device worker so a slow printer never delays a login.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from app.ui.threads import install, when_done


class BackgroundWorker:
    def __init__(self, name: str = "regi-device"):
        install()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._open = 0  # jobs whose callback has not run yet

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> None:
        self._open += 1

        def finished(result, error) -> None:
            self._open -= 1
            if error is not None:
                if on_error:
                    on_error(error)
            elif on_done:
                on_done(result)

        when_done(self._executor.submit(fn), finished)

    @property
    def busy(self) -> bool:
        return self._open > 0

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)


_password_checks: BackgroundWorker | None = None


def password_checks() -> BackgroundWorker:
    """The one worker that verifies passwords off the UI thread (created on first use)."""
    global _password_checks
    if _password_checks is None:
        _password_checks = BackgroundWorker("regi-password")
    return _password_checks
