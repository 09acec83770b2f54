"""A new SQLite ledger in one step: the statements that running every migration produces,
replayed from ``app/migrations/fresh_ledger.json`` without loading alembic (about a third of a
shop's first start).

That file is generated, never written by hand: ``python -m app.core.ledger.fresh`` runs the
migrations on a scratch database and dumps it (``sqlite3.Connection.iterdump``: tables, rows,
indexes, triggers, in creation order), then seeds the demo shop there (``app.core.demo``) and
keeps the rows that added as ``demo``: the first start replays them without SQLAlchemy
(``app.core.ledger.startup``). tests/core/test_fresh_ledger.py fails with that command
when a migration was added and the file not regenerated, so a new shop never misses a trigger.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.assets import migrations_dir

if TYPE_CHECKING:
    from sqlalchemy import Connection

DUMP_NAME = "fresh_ledger.json"


def dump_path() -> Path:
    return Path(migrations_dir()) / DUMP_NAME


def load_dump() -> dict:
    return json.loads(dump_path().read_text(encoding="utf-8"))


def create_fresh_ledger(connection: Connection, head: str) -> None:
    """Create the whole schema at revision ``head`` on an empty SQLite database (caller commits).
    Raises ``RuntimeError`` when the shipped dump is of another revision (regenerate it)."""
    dump = load_dump()
    if dump["revision"] != head:
        raise RuntimeError(f"{DUMP_NAME} is at {dump['revision']}, the migrations at {head}: "
                           "run `python -m app.core.ledger.fresh`")
    for statement in dump["statements"]:
        connection.exec_driver_sql(statement)


def migrated_statements(head: str) -> list[str]:
    """Run the real migrations on a scratch SQLite file and return its dump, statement by statement."""
    from alembic import command
    from alembic.config import Config

    from app.core.ledger.db import create_ledger_engine

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scratch.db"
        engine = create_ledger_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            config = Config()
            config.set_main_option("script_location", str(migrations_dir()))
            config.attributes["connection"] = connection
            command.upgrade(config, head)
            connection.commit()
        engine.dispose()
        with closing(sqlite3.connect(path)) as db:
            return [statement for statement in db.iterdump()
                    if statement not in ("BEGIN TRANSACTION;", "COMMIT;")]


def demo_statements(statements: list[str]) -> list[str]:
    """The rows ``seed_demo`` adds to a new ledger made of ``statements``, as INSERT statements."""
    from app.core.demo import seed_demo
    from app.core.ledger.ledger import Ledger

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        with closing(sqlite3.connect(path, isolation_level=None)) as db:
            db.execute("BEGIN")
            for statement in statements:
                db.execute(statement)
            db.execute("COMMIT")
        ledger = Ledger(f"sqlite:///{path}")
        seed_demo(ledger)
        ledger.dispose()
        with closing(sqlite3.connect(path)) as db:
            schema = set(statements)
            return [statement for statement in db.iterdump()
                    if statement not in schema and statement not in ("BEGIN TRANSACTION;", "COMMIT;")]


def main() -> int:
    from app.core.ledger.db import HEAD_REVISION

    statements = migrated_statements(HEAD_REVISION)
    dump = {"revision": HEAD_REVISION, "statements": statements, "demo": demo_statements(statements)}
    dump_path().write_text(json.dumps(dump, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {dump_path()} at revision {HEAD_REVISION} ({len(dump['statements'])} statements)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
