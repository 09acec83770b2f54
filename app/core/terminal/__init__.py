"""Terminal link (SPEC §5): protocol, driver interface and the bridge. No Qt.

Modules, one reason each: `codec` (framing), `schema` / `messages`
(validation, envelope, bodies), `security` (MAC trailer, replays), `errors` /
`statuses` (codes, R-STATUS mapping), `results` / `events` (what callers get),
`answers` (response bodies → results), `driver` (`TerminalDriver`, `ProtocolDriver`),
`supervisor` (`LinkSupervisor`: keeps the link), `bridge` (`TerminalBridge`),
`config` (`TerminalConfig`, `BridgeTimings`, `DEMO_PAIRING_KEY`).
The wire protocol is specified in docs/terminal-protocol.md.

Vocabulary: the *link* is the TCP connection with its Login to one terminal (``LinkState``,
``LinkSupervisor``, LINK_UP / LINK_DOWN); the driver speaks the protocol on it; the UI
reaches the bridge through ``app.ui.qt_bridge.QtBridge``.
"""

from .bridge import LinkState, RequestFuture, TerminalBridge
from .config import DEMO_PAIRING_KEY, BridgeTimings, TerminalConfig
from .driver import ProtocolDriver, TerminalDriver
from .events import EventKind, TerminalEvent
from .results import LoginStatus, Outcome
from .statuses import PosStatus

__all__ = [
    "BridgeTimings", "DEMO_PAIRING_KEY", "EventKind", "ProtocolDriver", "LinkState", "LoginStatus", "Outcome",
    "PosStatus", "RequestFuture", "TerminalBridge", "TerminalConfig", "TerminalDriver", "TerminalEvent",
]
