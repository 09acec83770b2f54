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

from app.core.terminal.config import DEFAULT_PORT, DEMO_PAIRING_KEY, METHODS

from .engine import TerminalEngine
from .server import SimulatorServer

FONT = Path(__file__).resolve().parents[2] / "resources" / "fonts" / "NotoSansJP-Regular.ttf"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="regi-simulator", description="Payment terminal simulator for Regi")
    p.add_argument("--profile", choices=("usenpay", "ct6100"), default="usenpay")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    p.add_argument("--pairing-key", default=DEMO_PAIRING_KEY)
    p.add_argument("--poi-id", default=None, help="terminal id (POIID)")
    p.add_argument("--methods", default=",".join(METHODS), help="supported methods, comma separated")
    p.add_argument("--battery", type=int, default=100)
    p.add_argument("--journal", default=None,
                   help="the terminal's journal file (history kept across restarts); default: "
                        "simulator-<profile>.json in the user data dir; 'none' keeps it in memory only")
    p.add_argument("--control-port", type=int, default=None, help="enable the JSON-lines control port (loopback)")
    p.add_argument("--headless", action="store_true", help="no window")
    p.add_argument("--log-level", default="INFO")
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
    if FONT.exists():
        QFontDatabase.addApplicationFont(str(FONT))
    try:
        server.start_in_thread()
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _announce(server)
    window = SimulatorWindow(server.engine)
    window.show()
    try:
        return app.exec()
    finally:
        server.stop_in_thread()


if __name__ == "__main__":
    sys.exit(main())
