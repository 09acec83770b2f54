"""Opening the ledger database: engine with per-connection pragmas, migrations at start-up.

Traps handled here:
- SQLite pragmas are per connection, so they are set in a ``connect`` listener;
- pysqlite's own transaction handling is switched off (``isolation_level=None``) and
  SQLAlchemy emits ``BEGIN`` itself, so a slip really commits in one transaction;
- alembic batch rebuilds on SQLite silently delete cascaded rows while foreign keys are
  on: migrations run with ``PRAGMA foreign_keys=OFF`` and a ``foreign_key_check`` after.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from app.core.assets import migrations_dir
from app.core.errors import RegiError
from app.core.ledger.files import secure_sqlite_files

log = logging.getLogger(__name__)

def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


WRITE_LOCK = "regi_write_lock"
"""Execution option: this transaction takes SQLite's write lock at ``BEGIN`` (``BEGIN IMMEDIATE``).
For a transaction that reads, waits (a password hash) and then writes: with a deferred ``BEGIN``,
another connection committing in between makes its first write fail at once with "database is
locked" (WAL cannot move a read snapshot forward inside a transaction; the busy timeout does not
apply). Taken at ``BEGIN``, the lock is waited for (``busy_timeout``) like any other.
Not for every transaction: a read nested inside a locked one on another connection is fine,
but a write nested that way would wait for itself."""


def create_ledger_engine(url: str) -> Engine:
    """Engine for the ledger. For SQLite: WAL, ``synchronous=FULL``, foreign keys, busy timeout,
    and the files 0600 (``files.secure_sqlite_files``)."""
    secure_sqlite_files(url)
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
            immediate = connection.get_execution_options().get(WRITE_LOCK)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    return engine


HEAD_REVISION = "0006"
"""The newest migration. A ledger already there is opened without loading alembic (about
150 ms of every start); tests/core/test_ledger.py checks this matches the scripts."""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return not inspect(connection).get_table_names()


def known_revisions(scripts: Path | None = None) -> set[str]:
    """Every revision this Regi's migrations know (loads alembic: not for the start-up path)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(scripts or migrations_dir()))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


class LedgerRefusedError(RegiError):
    """The ledger is not opened, and not changed: it is newer than this Regi, or it could
    not be backed up before an upgrade. The message tells the shop what to do."""


def migrate(engine: Engine, scripts: Path | None = None) -> None:
    """Bring the schema to the latest revision (idempotent; runs at every start).

    An older ledger is backed up first (``backups/`` of its settings, else beside it);
    a ledger at a revision these scripts do not know — written by a newer Regi — is
    refused with ``LedgerRefusedError`` and left untouched. A new, empty SQLite ledger is
    created from the models and stamped (``fresh.py``) instead of running each migration.
    ``scripts``: another migrations folder (tests play a newer Regi with it)."""
    current = current_revision(engine)
    if scripts is None:
        if current == HEAD_REVISION:
            return
        if current is None and engine.dialect.name == "sqlite" and _is_empty(engine):
            from app.core.ledger.fresh import create_fresh_ledger

            with engine.begin() as connection:
                create_fresh_ledger(connection, HEAD_REVISION)
            return
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()  # programmatic: no alembic.ini needed in the working directory
    config.set_main_option("script_location", str(scripts or migrations_dir()))
    script = ScriptDirectory.from_config(config)
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except CommandError:
            known = False
        if not known:
            raise LedgerRefusedError(
                f"この台帳（版 {current}）は、このRegiより新しいRegiで更新されています。"
                "Regiを新しい版に更新してください（台帳は変更していません）。")
        if current in script.get_heads():
            return
        backup = _backup_before_upgrade(engine, current)
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
    if current is not None and backup is not None:
        _record_backup(engine, backup)


def _backup_before_upgrade(engine: Engine, revision: str):
    """A checked backup of an SQLite ledger before its upgrade: in its backup folder, or
    beside it when that is unreachable; ``LedgerRefusedError`` when neither works."""
    from datetime import datetime

    from app.core.ledger.backup import backup_file, backup_folder
    from app.core.ledger.files import sqlite_file

    db_file = sqlite_file(str(engine.url))
    if db_file is None:
        return None  # PostgreSQL: the database's own backups
    with engine.connect() as connection:
        stored = dict(connection.execute(text(
            "SELECT key, value FROM settings WHERE key IN ('backup_dir', 'backup_keep')")).all())
    setting = json.loads(stored.get("backup_dir", '""'))
    keep = json.loads(stored.get("backup_keep", "14"))
    now = datetime.now().replace(microsecond=0)
    result = None
    for folder in dict.fromkeys((backup_folder(db_file, setting), backup_folder(db_file, ""))):
        result = backup_file(db_file, folder, keep=keep, now=now, reason="upgrade")
        if result.ok:
            log.info("ledger at revision %s backed up to %s before its upgrade", revision, result.path)
            return result
    raise LedgerRefusedError(f"台帳を更新する前のバックアップができないため、更新しません。\n{result.message}")


def _record_backup(engine: Engine, result) -> None:
    from dataclasses import asdict

    from app.core.ledger import audit

    with Session(engine) as db, db.begin():
        audit.record(db, result.at, "backup", None, target=result.path, detail=asdict(result))


def open_ledger(url: str) -> sessionmaker[Session]:
    """Create the engine, migrate, and return the session factory the app uses."""
    engine = create_ledger_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
