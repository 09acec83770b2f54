"""Injectable wall clock: the register, lockouts and slips read time only from here.

Times are the shop's wall-clock time (naive datetimes in the shop's time zone, the
``shop_timezone`` setting, default Asia/Tokyo), whatever zone the machine is set to:
slips, business days and refund windows all count in it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Tokyo"


def shop_zone(name: str) -> ZoneInfo:
    """The IANA zone `name` ("Asia/Tokyo"); ValueError with a Japanese message if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"タイムゾーン「{name}」は使えません（例：Asia/Tokyo）。") from None


class Clock:
    def __init__(self, zone: str = DEFAULT_ZONE) -> None:
        self.zone = shop_zone(zone)

    def use_zone(self, name: str) -> None:
        """Count in `name` from now on (ValueError if unknown; the zone is then unchanged)."""
        self.zone = shop_zone(name)

    def now(self) -> datetime:
        """The shop's wall-clock time, naive, to the second."""
        return datetime.now(self.zone).replace(tzinfo=None, microsecond=0)


class FixedClock(Clock):
    """A clock tests move by hand (already the shop's wall-clock time: the zone is not applied)."""

    def __init__(self, at: datetime):
        super().__init__()
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += timedelta(**kwargs)
