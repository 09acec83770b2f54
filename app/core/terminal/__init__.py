"""Terminal link (SPEC §5): protocol, driver interface and the bridge. No Qt.

Modules, one reason each: `codec` (framing), `schema` / `messages`
(validation, envelope, bodies), `security` (MAC trailer, replays), `errors` /
`statuses` (codes, R-STATUS mapping), `results` / `events` (what callers get),
`driver` (`TerminalDriver`, `LinkDriver`), `bridge` (`TerminalBridge`),
`config` (`TerminalConfig`, `BridgeTimings`, `DEMO_PAIRING_KEY`).
The wire protocol is specified in docs/terminal-protocol.md.
"""

from .bridge import LinkState, RequestFuture, TerminalBridge
from .config import DEMO_PAIRING_KEY, BridgeTimings, TerminalConfig
from .driver import LinkDriver, TerminalDriver
from .events import EventKind, TerminalEvent
from .results import LoginStatus, Outcome
from .statuses import PosStatus

__all__ = [
    "BridgeTimings", "DEMO_PAIRING_KEY", "EventKind", "LinkDriver", "LinkState", "LoginStatus", "Outcome",
    "PosStatus", "RequestFuture", "TerminalBridge", "TerminalConfig", "TerminalDriver", "TerminalEvent",
]
