"""Opening the ledger database: engine with per-connection pragmas, migrations at start-up.

Traps handled here:
- SQLite pragmas are per connection, so they are set in a ``connect`` listener;
- pysqlite's own transaction handling is switched off (``isolation_level=None``) and
  SQLAlchemy emits ``BEGIN`` itself, so a slip really commits in one transaction;
- alembic batch rebuilds on SQLite silently delete cascaded rows while foreign keys are
  on: migrations run with ``PRAGMA foreign_keys=OFF`` and a ``foreign_key_check`` after.
"""
from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def create_ledger_engine(url: str) -> Engine:
    """Engine for the ledger. For SQLite: WAL, ``synchronous=FULL``, foreign keys, busy timeout."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see module doc)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection):
            connection.exec_driver_sql("BEGIN")
    return engine


HEAD_REVISION = "0003"
"""The newest migration. A ledger already there is opened without loading alembic (about
150 ms of every start); tests/core/test_ledger.py checks this matches the scripts."""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest revision (idempotent; runs at every start)."""
    if current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        # Pragmas go to the DBAPI connection directly: through SQLAlchemy they would
        # autobegin a transaction, inside which PRAGMA foreign_keys is silently ignored.
        raw = connection.connection.dbapi_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
            if sqlite:
                problems = raw.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise RuntimeError(f"foreign key violations after migration: {problems[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def open_ledger(url: str) -> sessionmaker[Session]:
    """Create the engine, migrate, and return the session factory the app uses."""
    engine = create_ledger_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
