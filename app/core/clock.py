"""Injectable wall clock: the register, lockouts and slips read time only from here."""
from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    def now(self) -> datetime:
        """Local time, naive (a register lives in one shop's time zone), to the second."""
        return datetime.now().replace(microsecond=0)


class FixedClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)
