"""One Regi per ledger: an exclusive ``flock`` on a lock file beside the ledger. Qt-free.

Contracts and traps:
- ``LedgerLock(path).acquire()`` holds the lock until ``release()`` or the process ends
  (the kernel drops a flock with its last descriptor, so a crash or SIGKILL never leaves
  a stale lock); a second holder gets ``LedgerLocked`` with the first one's PID, read from
  the file (written after locking; None if it could not be read).
- The descriptor is not inheritable (Python's default), so the simulator child never holds it.
- ``lock_path``: ``regi.db`` → ``regi.db.lock``; a server database (PostgreSQL) gets a
  file in the data dir named by a hash of its URL without the password.
- POSIX only (fcntl); elsewhere the lock is skipped with a warning.
"""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class LedgerLocked(Exception):
    def __init__(self, path: Path, pid: int | None):
        super().__init__(f"{path} is locked by pid {pid}")
        self.path = path
        self.pid = pid


def lock_path(db_url: str, data_dir: Path) -> Path:
    from app.core.ledger.files import sqlite_file

    database = sqlite_file(db_url)
    if database is not None:
        return database.with_name(database.name + ".lock")
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return data_dir / f"ledger-{digest}.lock"


class LedgerLock:
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> "LedgerLock":
        if fcntl is None:
            log.warning("no file locking on this platform: a second Regi on %s is not detected", self.path)
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise LedgerLocked(self.path, pid) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # drops the lock; the file stays (removing it would race a new holder)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None
