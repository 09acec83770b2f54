"""Copying an SQLite ledger file with SQLite's online backup API, and checking a copy.

Contracts and traps:
- ``copy_database`` takes the whole copy in one backup step, inside one read transaction:
  the copy is the ledger as of one instant (only committed transactions), while Regi keeps
  writing (WAL: readers never block the writer). A file copy (``cp``) of a live WAL
  database is not consistent; this is.
- The copy is written to a ``.partial`` file, fsynced, then renamed: a copy that exists
  under its final name is complete (a USB stick pulled mid-copy leaves only a ``.partial``).
- ``sqlite3.connect`` creates a missing file: sources are checked to exist first.
- The copy is in rollback-journal mode, one self-contained file.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path


def copy_database(source: Path, target: Path) -> None:
    """Copy the database ``source`` to the new file ``target`` (replaced if it exists)."""
    if not source.is_file():
        raise FileNotFoundError(f"no ledger at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, timeout=10)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)  # pages=-1: one step, one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")
        _fsync(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    finally:
        partial.unlink(missing_ok=True)


def restore_database(backup: Path, target: Path) -> None:
    """Overwrite the database ``target`` with ``backup``, through the backup API, so SQLite
    keeps ``target``'s WAL and locks coherent (a connection still open sees the restored data)."""
    if not backup.is_file():
        raise FileNotFoundError(f"no backup at {backup}")
    with closing(sqlite3.connect(backup, timeout=10)) as src, closing(sqlite3.connect(target, timeout=10)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def integrity_check(path: Path) -> str:
    """``"ok"``, or SQLite's first problems joined on one line (also when it is not a database)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = [row[0] for row in db.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as error:
        return str(error)
    return "ok" if rows == ["ok"] else "; ".join(rows)


def scalar(path: Path, sql: str, default=None):
    """One value read from the file ``path`` (read-only), or ``default`` when the query fails."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            row = db.execute(sql).fetchone()
    except sqlite3.DatabaseError:
        return default
    return row[0] if row else default


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        _fsync(path)
    except OSError:  # some file systems (network shares) cannot fsync a folder
        pass
