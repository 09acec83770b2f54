"""Run slow device work (printing, drawer kicks) off the UI thread, in order.

``BackgroundWorker.submit(fn, on_done, on_error)`` runs ``fn`` on the worker's single
thread (so print jobs keep their order) and calls ``on_done(result)`` or
``on_error(exception)`` back on the UI thread (app/ui/threads.py).

``password_checks()`` is the register's worker for password hashing (scrypt, about 30 ms):
login and manager authorisation verify there so the UI thread never stalls on it (SPEC §9).
It is separate from the device worker so a slow printer never delays a login.

``ledger_work()`` is the worker for the screens' ledger reads and commits that would stall a
tap (会計's commit, 開局, the top screen's 要確認 counts, the slip list's first page): the
screen holds its input meanwhile and shows the answer when it is posted back. A commit is
still committed before the screen that says so is shown: only the waiting moved.
"""
from __future__ import annotations

import time
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
_ledger_work: BackgroundWorker | None = None


def password_checks() -> BackgroundWorker:
    """The one worker that verifies passwords off the UI thread (created on first use)."""
    global _password_checks
    if _password_checks is None:
        _password_checks = BackgroundWorker("regi-password")
    return _password_checks


class LedgerWorker(BackgroundWorker):
    """``submit(fn, …)`` where ``fn`` is whole transactions (``Ledger`` methods, queries).

    SQLite answers "database is locked" at once, without waiting, when a transaction that
    has read tries to write after another connection (the UI thread, the device worker)
    committed: that transaction was rolled back whole, so ``fn`` is run again."""

    RETRIES = 5

    def submit(self, fn, on_done=None, on_error=None) -> None:
        super().submit(lambda: _retry_locked(fn, self.RETRIES), on_done, on_error)


def _retry_locked(fn, retries: int):
    from sqlalchemy.exc import OperationalError

    for attempt in range(retries + 1):
        try:
            return fn()
        except OperationalError as error:
            if "database is locked" not in str(error.orig) or attempt == retries:
                raise
            time.sleep(0.02 * (attempt + 1))


def ledger_work() -> BackgroundWorker:
    """The one worker that runs the screens' slow ledger reads and commits, in order."""
    global _ledger_work
    if _ledger_work is None:
        _ledger_work = LedgerWorker("regi-ledger")
    return _ledger_work


def reraise(error: BaseException) -> None:
    """``on_error`` for work whose failure is unexpected: to the register's excepthook, as if
    it had been raised on the UI thread (app/ui/threads.py)."""
    raise error


def workers_busy() -> bool:
    """A password check or ledger work whose answer is not on screen yet (tests wait on it)."""
    return any(worker is not None and worker.busy for worker in (_password_checks, _ledger_work))
