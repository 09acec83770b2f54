"""File permissions of the ledger (issue 9): the database, its ``-wal`` and ``-shm`` are
0600 in a 0700 data dir, so other accounts on the machine can neither read nor alter
sales, staff hashes or the pairing key.

Trap: SQLite creates ``-wal`` and ``-shm`` with the mode of the database file, so the
file is created 0600 (``os.open`` with that mode, not the process umask, which is global
and not thread-safe) before SQLite first opens it; existing files are chmod-ed.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")


def secure_data_dir(path: Path) -> Path:
    """Create Regi's own data dir 0700, or tighten an existing one to 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        path.chmod(DIR_MODE)
    return path


def sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL, read without SQLAlchemy; None for anything else."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url or url[len(prefix):] in ("", ":memory:"):
        return None
    return Path(url[len(prefix):])


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLite URL; None for other databases and in-memory ones.
    A plain ``sqlite:///path`` (the shop's case) does not import SQLAlchemy, which loads only
    after the login screen's first paint (issue 13)."""
    plain = sqlite_path(url)
    if plain is not None:
        return plain
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if parsed.database.startswith("file:"):
        return None  # URI filenames: the caller manages them
    return Path(parsed.database)


def secure_sqlite_files(url: str) -> None:
    """Create the database file 0600 if it is missing; make it and its side files 0600."""
    path = sqlite_file(url)
    if path is not None:
        secure_sqlite_file(path)


def secure_sqlite_file(path: Path) -> None:
    """``secure_sqlite_files`` for the database file ``path``."""
    if not path.exists():
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)):
        try:
            if stat.S_IMODE(candidate.stat().st_mode) != FILE_MODE:
                candidate.chmod(FILE_MODE)
        except FileNotFoundError:
            continue
