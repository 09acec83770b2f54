"""``python -m app`` / ``regi``: start the register on this machine's ledger.

The ledger is an SQLite file in the per-user data dir (created and migrated at start);
an empty ledger is filled with the demo café.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from platformdirs import user_data_dir

    parser = argparse.ArgumentParser(prog="regi", description="Regi タッチPOSレジ")
    parser.add_argument("--data-dir", type=Path, default=Path(user_data_dir("regi", appauthor=False)),
                        help="folder of the ledger database (default: the per-user data dir)")
    parser.add_argument("--db", help="SQLAlchemy URL of the ledger (default: SQLite file in --data-dir)")
    parser.add_argument("--windowed", action="store_true", help="a 1280×800 window instead of full screen (development)")
    parser.add_argument("--no-demo", action="store_true", help="do not fill an empty ledger with the demo shop")
    parser.add_argument("--no-simulator", action="store_true",
                        help="do not start the terminal simulator beside the register (it starts by default "
                             "when the terminal is configured on this machine, 127.0.0.1)")
    parser.add_argument("--simulator-headless", action="store_true", help="start the simulator without its window")
    return parser.parse_args(argv)


def start_simulator(settings, headless: bool) -> subprocess.Popen | None:
    """The terminal simulator as its own process, for the terminal configured on loopback."""
    if settings.terminal_profile == "none" or settings.terminal_host not in ("127.0.0.1", "localhost"):
        return None
    command = [sys.executable, "-m", "app.simulator", "--profile", settings.terminal_profile,
               "--host", settings.terminal_host, "--port", str(settings.terminal_port),
               "--pairing-key", settings.terminal_pairing_key]
    if headless:
        command.append("--headless")
    logging.getLogger("regi").info("starting the terminal simulator: %s", " ".join(command[:8]))
    process = subprocess.Popen(command)
    time.sleep(0.8)  # let it bind before the register's first login; the bridge retries anyway
    return process


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    db_url = args.db or f"sqlite:///{args.data_dir / 'regi.db'}"

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.app import build_register

    from app.core.demo import seed_demo
    from app.core.ledger.ledger import Ledger

    ledger = Ledger(db_url)
    if not args.no_demo:
        seed_demo(ledger)
    simulator = None if args.no_simulator else start_simulator(ledger.settings(), args.simulator_headless)
    ledger.dispose()

    from app.ui import keyboard

    keyboard.configure()  # before the QApplication: it picks its input method at birth
    app = QApplication(sys.argv[:1])
    window = build_register(db_url, data_dir=args.data_dir, demo=not args.no_demo)
    logging.getLogger("regi").info("ledger: %s", db_url)
    # What is built by now lives as long as the app: keep it out of the collector's full
    # passes, which otherwise stall the UI for ~100 ms now and then (bench/README.md).
    gc.collect()
    gc.freeze()
    if args.windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.showFullScreen()
    # Quit cleanly on SIGTERM / Ctrl+C, so the simulator and the bridge are stopped too.
    # Python runs signal handlers only when it gets control: a timer gives it that.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: app.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(300)
    try:
        code = app.exec()
    finally:
        window.context.terminal.stop()
        window.context.devices.shutdown()
        if simulator is not None:
            simulator.terminate()
            simulator.wait(5)
    # Everything is stopped and committed. Leave now: once the on-screen keyboard has been
    # shown, Qt's own teardown of its panel window aborts ("Must construct a QGuiApplication
    # before a QPixmap"), which would turn every clean quit into a crash report.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
