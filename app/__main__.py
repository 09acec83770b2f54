"""``python -m app`` / ``regi``: start the register on this machine's ledger.

The ledger is an SQLite file in the per-user data dir (created and migrated at start);
an empty ledger is filled with the demo café.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from platformdirs import user_data_dir

    parser = argparse.ArgumentParser(prog="regi", description="Regi タッチPOSレジ")
    parser.add_argument("--data-dir", type=Path, default=Path(user_data_dir("regi", appauthor=False)),
                        help="folder of the ledger database (default: the per-user data dir)")
    parser.add_argument("--db", help="SQLAlchemy URL of the ledger (default: SQLite file in --data-dir)")
    parser.add_argument("--windowed", action="store_true", help="a 1280×800 window instead of full screen (development)")
    parser.add_argument("--no-demo", action="store_true", help="do not fill an empty ledger with the demo shop")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    db_url = args.db or f"sqlite:///{args.data_dir / 'regi.db'}"

    from PySide6.QtWidgets import QApplication

    from app.ui.app import build_register

    app = QApplication(sys.argv[:1])
    window = build_register(db_url, data_dir=args.data_dir, demo=not args.no_demo)
    logging.getLogger("regi").info("ledger: %s", db_url)
    if args.windowed:
        window.resize(1280, 800)
        window.show()
    else:
        window.showFullScreen()
    code = app.exec()
    window.context.devices.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
