"""Terminal link (SPEC §5): protocol, driver interface and the bridge. No Qt.

Modules, one reason each: `codec` (framing), `schema` / `messages`
(validation, envelope, bodies), `security` (MAC trailer, replays), `errors` /
`statuses` (codes, R-STATUS mapping), `results` / `events` (what callers get),
`answers` (response bodies → results), `driver` (`TerminalDriver`, `ProtocolDriver`),
`supervisor` (`LinkSupervisor`: keeps the link), `bridge` (`TerminalBridge`),
`config` (`TerminalConfig`, `BridgeTimings`, `DEMO_PAIRING_KEY`).
The wire protocol is specified in docs/terminal-protocol.md.

Import the module you need (``from app.core.terminal.config import TerminalConfig``): this
package imports none of them, so reading the settings does not load the protocol stack
(a register's start-up budget, issue 13).

Vocabulary: the *link* is the TCP connection with its Login to one terminal (``LinkState``,
``LinkSupervisor``, LINK_UP / LINK_DOWN); the driver speaks the protocol on it; the UI
reaches the bridge through ``app.ui.qt_bridge.QtBridge``.
"""
