"""`python -m app.simulator` / `regi-simulator`: run the terminal simulator.

    python -m app.simulator --profile usenpay --host 127.0.0.1 --port 9201 \\
        --pairing-key KEY [--control-port N] [--headless]

Prints one line per bound endpoint ("listening on HOST:PORT", "control on
HOST:PORT") so a script using port 0 can read the ports. Without --headless it
opens the touch window (PySide6 is imported only then).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from app.core.assets import font_path
from app.core.terminal.config import DEFAULT_PORT, DEMO_PAIRING_KEY, METHODS
from app.core.terminal.profiles import linked_profiles

from .engine import TerminalEngine
from .server import SimulatorServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="regi-simulator", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                                description="Payment terminal simulator for Regi: a USEN PAY or CT-6100 terminal "
                                            "speaking the terminal link protocol (docs/terminal-protocol.md) over TCP. "
                                            "The register's 決済端末設定 must name the same profile, address, port "
                                            "and pairing key.")
    p.add_argument("--profile", choices=linked_profiles(), default="usenpay",
                   help="which terminal to behave like (usenpay: the register picks the method; "
                        "ct6100: the terminal does)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on; 0 picks a free port")
    p.add_argument("--pairing-key", default=DEMO_PAIRING_KEY, help="HMAC key shared with the register")
    p.add_argument("--poi-id", default=None, help="terminal id (POIID); none: one made from the profile")
    p.add_argument("--methods", default=",".join(METHODS), help="contracted methods, comma separated")
    p.add_argument("--battery", type=int, default=100, help="battery level at start, in percent")
    p.add_argument("--control-port", type=int, default=None,
                   help="open the JSON-lines control port for test scripts on this loopback port (none: no control port)")
    p.add_argument("--headless", action="store_true", help="no window (tests, CI, machines without a display)")
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    p.add_argument("--parent-pid", type=int, default=None,
                   help="exit when this process (the register that started it) ends (none: run on)")
    p.add_argument("--journal", default=None,
                   help="the terminal's journal file (history kept across restarts); default: "
                        "simulator-<profile>.json in the user data dir; 'none' keeps it in memory only")
    return p.parse_args(argv)


def build(args: argparse.Namespace) -> SimulatorServer:
    methods = tuple(m for m in args.methods.split(",") if m)
    journal_path = args.journal
    if journal_path is None:
        from platformdirs import user_data_dir

        folder = Path(user_data_dir("regi", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        journal_path = folder / f"simulator-{args.profile}.json"
    elif journal_path == "none":
        journal_path = None
    engine = TerminalEngine(args.profile, poi_id=args.poi_id, methods=methods, battery=args.battery,
                            journal_path=journal_path)
    return SimulatorServer(engine, pairing_key=args.pairing_key, host=args.host, port=args.port,
                           control_port=args.control_port)


def _announce(server: SimulatorServer) -> None:
    print(f"listening on {server.host}:{server.port} (profile {server.engine.profile}, POIID {server.engine.poi_id})",
          flush=True)
    if server.control_port is not None:
        print(f"control on {server.control_host}:{server.control_port}", flush=True)


async def _run_headless(server: SimulatorServer) -> None:
    await server.start()
    _announce(server)
    await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.parent_pid is not None:
        from app.parent_guard import exit_with_parent

        exit_with_parent(args.parent_pid)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        server = build(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.headless:
        try:
            asyncio.run(_run_headless(server))
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0

    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    from .window import SimulatorWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QFontDatabase.addApplicationFont(str(font_path()))
    try:
        server.start_in_thread()
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _announce(server)
    window = SimulatorWindow(server.engine)
    # At the screen's right edge: beside a 1280-wide `regi --windowed` on a wider screen, and over
    # the least of a full-screen register's login (its staff tiles stay free) on a tablet.
    area = app.primaryScreen().availableGeometry()
    window.move(max(area.left(), area.right() + 1 - window.frameGeometry().width()), area.top())
    window.show()
    try:
        return app.exec()
    finally:
        server.stop_in_thread()


if __name__ == "__main__":
    sys.exit(main())
