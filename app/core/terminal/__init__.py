"""Terminal link (SPEC §5): protocol, driver interface and the bridge. No Qt.

Modules, one reason each: `codec` (framing), `schema` / `messages`
(validation, envelope, bodies), `security` (MAC trailer, replays), `errors` /
`statuses` (codes, R-STATUS mapping), `results` / `events` (what callers get),
`driver` (`TerminalDriver`, `LinkDriver`), `bridge` (`TerminalBridge`),
`config` (`TerminalConfig`, `BridgeTimings`, `DEMO_PAIRING_KEY`).
The wire protocol is specified in docs/terminal-protocol.md.

Import the module you need (``from app.core.terminal.config import TerminalConfig``): this
package imports none of them, so reading the settings does not load the protocol stack
(a register's start-up budget, issue 13).
"""
