"""What the login screen needs from an SQLite ledger, read without SQLAlchemy (issue 13).

Importing SQLAlchemy and the models takes more CPU than the whole warm-start budget
(0.7 s) on the shop's 2-core tablet, and the login screen needs only the staff tiles and
the shop's time zone. ``open_for_login(url, demo=...)`` gets them with the standard
library's ``sqlite3``; the full ``Ledger`` is opened after the first paint, on a worker
(``app.ui.app``), and must find the file exactly as its own opening would have left it:

- an empty (or missing) SQLite ledger is created from the shipped dump of the migrations
  (``fresh.py``), with the demo shop's rows from the same dump when ``demo`` — what
  ``Ledger`` + ``seed_demo`` make (tests/core/test_fresh_ledger.py compares them), in one
  transaction, the files 0600;
- a ledger at the dump's revision (the head) is only read;
- anything else returns None — not SQLite, a URL with options, an older ledger (to be
  backed up and migrated), a newer one (to be refused), a file that is no ledger: the
  caller opens it the full way before showing anything, as before.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass

from app.core.clock import DEFAULT_ZONE
from app.core.ledger.files import secure_sqlite_file, sqlite_path
from app.core.ledger.fresh import load_dump


@dataclass(frozen=True)
class LoginStaff:
    """A staff tile: what ``Staff`` has that the login screen shows."""

    id: int
    name: str
    is_manager: bool


@dataclass(frozen=True)
class LoginView:
    staff: list[LoginStaff]  # active staff in tile order (``staff.active_staff``)
    shop_timezone: str


def open_for_login(url: str, *, demo: bool) -> LoginView | None:
    """The login screen's view of the ledger at ``url``, creating a new one (see module doc);
    None when the ledger must be opened the full way. ``sqlite3.Error`` / ``OSError`` when
    the file cannot be read or written."""
    path = sqlite_path(url)
    if path is None:
        return None
    dump = load_dump()
    secure_sqlite_file(path)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute("PRAGMA busy_timeout=5000")
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            db.execute("PRAGMA journal_mode=WAL")  # as the engine sets it (app.core.ledger.db)
            db.execute("BEGIN IMMEDIATE")
            for statement in dump["statements"] + (dump["demo"] if demo else []):
                db.execute(statement)
            db.execute("COMMIT")
        elif "alembic_version" not in tables or \
                db.execute("SELECT version_num FROM alembic_version").fetchall() != [(dump["revision"],)]:
            return None
        staff = [LoginStaff(id, name, role == "manager") for id, name, role in db.execute(
            "SELECT id, name, role FROM staff WHERE active ORDER BY sort_order, id")]
        zone = db.execute("SELECT value FROM settings WHERE key = 'shop_timezone'").fetchone()
    secure_sqlite_file(path)  # the -wal and -shm SQLite just made
    return LoginView(staff, json.loads(zone[0]) if zone else DEFAULT_ZONE)
