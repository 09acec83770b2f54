"""Events the bridge publishes to its subscribers.

Subscribers are plain callables taking one `TerminalEvent`; they run on the
bridge thread, so they must not block (the UI wraps them into Qt signals).
The event is a small frozen value: safe to hand across threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    LINK_UP = "link_up"                  # logged in (poi_id, battery)
    LINK_DOWN = "link_down"              # link lost or refused (text = reason, code)
    BATTERY = "battery"                  # battery level changed (battery)
    BUSY = "busy"                        # terminal busy state changed (busy)
    DISPLAY = "display"                  # prompt shown on the terminal (text, service_id)
    DUPLICATE_ALERT = "duplicate_alert"  # R-DUP alert shown on the terminal (text, service_id)
    OS_UPDATE_NOTICE = "os_update_notice"  # OS update pending (text, deadline)
    TERMINAL_RESTARTED = "terminal_restarted"  # the terminal app restarted (text)


@dataclass(frozen=True)
class TerminalEvent:
    kind: EventKind
    text: str = ""
    service_id: str | None = None
    poi_id: str | None = None
    battery: int | None = None
    busy: bool | None = None
    code: str | None = None
    deadline: str | None = None  # ISO 8601 with offset
