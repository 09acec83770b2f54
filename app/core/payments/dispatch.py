"""Where the coordinator's work runs: one thread, in order (the contract of ``Dispatcher``).

Bridge futures resolve on the bridge thread; the coordinator never runs there. It hands
every step to a ``Dispatcher``: ``post(fn)`` runs ``fn`` soon on the dispatcher's one
thread, ``call_later(seconds, fn)`` after a delay (returns a cancel function). The UI
gives a Qt dispatcher (app/ui/threads.py: the UI thread); tools and benchmarks use
``ThreadDispatcher``; unit tests use ``ManualDispatcher`` and move its clock by hand.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Callable, Protocol

log = logging.getLogger(__name__)

Task = Callable[[], None]


class Dispatcher(Protocol):
    def post(self, fn: Task) -> None: ...

    def call_later(self, seconds: float, fn: Task) -> Callable[[], None]: ...


class _Timers:
    """A heap of (due, seq, fn); cancelled entries are skipped when popped."""

    def __init__(self):
        self._heap: list[tuple[float, int, Task]] = []
        self._seq = itertools.count()
        self._cancelled: set[int] = set()

    def add(self, due: float, fn: Task) -> Callable[[], None]:
        seq = next(self._seq)
        heapq.heappush(self._heap, (due, seq, fn))
        return lambda: self._cancelled.add(seq)

    def pop_due(self, now: float) -> list[Task]:
        due = []
        while self._heap and self._heap[0][0] <= now:
            _, seq, fn = heapq.heappop(self._heap)
            if seq in self._cancelled:
                self._cancelled.discard(seq)
            else:
                due.append(fn)
        return due

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None


def _run(fn: Task) -> None:
    try:
        fn()
    except Exception:  # one failing step must not stop the others
        log.exception("coordinator task failed")


class ManualDispatcher:
    """For unit tests: nothing runs until ``run()``; ``advance(seconds)`` moves its clock."""

    def __init__(self):
        self.now = 0.0
        self._queue: list[Task] = []
        self._timers = _Timers()
        self._lock = threading.Lock()

    def post(self, fn: Task) -> None:
        with self._lock:
            self._queue.append(fn)

    def call_later(self, seconds: float, fn: Task) -> Callable[[], None]:
        with self._lock:
            return self._timers.add(self.now + seconds, fn)

    def run(self) -> int:
        """Run queued tasks (and those they queue) until none is left; returns how many ran."""
        ran = 0
        while True:
            with self._lock:
                batch, self._queue = self._queue, []
            if not batch:
                return ran
            for fn in batch:
                _run(fn)
                ran += 1

    def advance(self, seconds: float) -> int:
        self.now += seconds
        with self._lock:
            due = self._timers.pop_due(self.now)
        for fn in due:
            self.post(fn)
        return self.run()

    def pending_timers(self) -> float | None:
        return self._timers.next_due()


class ThreadDispatcher:
    """One daemon thread running posted tasks and timers in order (tools, benchmarks, tests)."""

    def __init__(self, name: str = "regi-payments"):
        self._cond = threading.Condition()
        self._queue: list[Task] = []
        self._timers = _Timers()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def post(self, fn: Task) -> None:
        with self._cond:
            self._queue.append(fn)
            self._cond.notify()

    def call_later(self, seconds: float, fn: Task) -> Callable[[], None]:
        with self._cond:
            cancel = self._timers.add(time.monotonic() + seconds, fn)
            self._cond.notify()
            return cancel

    def sync(self, timeout: float = 10.0) -> None:
        """Wait until everything posted before this call has run."""
        done = threading.Event()
        self.post(done.set)
        done.wait(timeout)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join(5)

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and not self._queue:
                    now = time.monotonic()
                    due = self._timers.pop_due(now)
                    if due:
                        self._queue.extend(due)
                        break
                    nxt = self._timers.next_due()
                    self._cond.wait(None if nxt is None else max(0.0, nxt - now))
                if self._stopped:
                    return
                batch, self._queue = self._queue, []
            for fn in batch:
                _run(fn)
