"""Clocks for the simulator: the engine asks `clock()` for an aware datetime.

`SimClock` is wall time plus an adjustable offset (the control port can move
it, e.g. to pass an OS-update deadline or the 90-day QR refund limit);
`ManualClock` only moves when told (unit tests of time rules such as R-DUP).
All times are Japan time: 取消 vs 返品 depends on the local calendar day.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


class SimClock:
    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(JST) + self._offset

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._offset += timedelta(seconds=seconds)
        return self()


class ManualClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2025, 8, 18, 10, 0, 0, tzinfo=JST)
        if self._now.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("when must be timezone-aware")
        with self._lock:
            self._now = when


def iso(moment: datetime) -> str:
    """A protocol TimeStamp: ISO 8601 to the second, with the moment's offset."""
    return moment.isoformat(timespec="seconds")
