"""Logs a support person can use: one rotating file in the per-user log dir
(``~/.local/state/regi/log/regi.log`` on Linux), native crashes included. Qt-free.

Contracts and traps:
- ``setup_logging`` adds the rotating file (1 MB × 5) and stderr to the root logger and
  quiets alembic's INFO lines at start. A log dir that cannot be written leaves stderr only
  (a warning says so): logging must never be the reason the register does not start.
- ``faulthandler`` writes a native crash's Python stacks to the same file, and every
  thread's stack on ``kill -USR1 <pid>`` (a hung register, for support). It holds a file
  descriptor, not a name, so it is re-pointed at the new file after every rollover.
- ``install_excepthooks(show)``: an exception nobody caught — on the UI thread (PySide6
  hands a slot's exception to ``sys.excepthook``) or on any other thread — is logged with a
  short reference (``new_reference``) and ``show(reference, exception)`` is called, from
  the thread where it happened; the register keeps running. ``show`` must be thread-safe.
"""
from __future__ import annotations

import faulthandler
import logging
import secrets
import signal
import sys
import threading
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Callable

log = logging.getLogger("regi")

LOG_FILE_NAME = "regi.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(process)d %(threadName)s %(name)s: %(message)s"


def default_log_dir() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("regi", appauthor=False))


class _CrashLogHandler(RotatingFileHandler):
    """A rotating file that faulthandler also writes to (see the module doc)."""

    def doRollover(self) -> None:
        super().doRollover()
        if self.stream is not None:
            _crash_log_to(self.stream)


def setup_logging(log_dir: Path | None = None, *, console: bool = True) -> Path | None:
    """Configure the root logger once; returns the log file, or None if it cannot be written."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    formatter = logging.Formatter(FORMAT)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        root.addHandler(stream)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # no migration chatter at start
    path = (log_dir or default_log_dir()) / LOG_FILE_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = _CrashLogHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as error:
        log.warning("cannot write the log file %s (%s); logging to stderr only", path, error.strerror or error)
        faulthandler.enable(sys.stderr, all_threads=True)
        return None
    handler.setFormatter(formatter)
    root.addHandler(handler)
    _crash_log_to(handler.stream)
    return path


def _crash_log_to(stream) -> None:
    faulthandler.enable(stream, all_threads=True)
    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, stream, all_threads=True)


def new_reference(now: datetime | None = None) -> str:
    """A short id to quote to support, e.g. ``1125-1623-7f3a``: when, plus 4 hex digits."""
    return f"{(now or datetime.now()):%m%d-%H%M}-{secrets.token_hex(2)}"


def report(exc_type, exc, tb, where: str) -> str:
    """Log an uncaught exception with a new reference; returns the reference."""
    reference = new_reference()
    log.error("uncaught exception [ref %s] in %s", reference, where, exc_info=(exc_type, exc, tb))
    return reference


def install_excepthooks(show: Callable[[str, BaseException], None] | None) -> None:
    """Replace ``sys.excepthook`` and ``threading.excepthook`` (see the module doc)."""

    def notify(exc_type, exc, tb, where: str) -> None:
        reference = report(exc_type, exc, tb, where)
        if show is not None:
            try:
                show(reference, exc)
            except Exception:  # the report is in the log; showing it must not raise again
                log.exception("could not show the error [ref %s]", reference)

    def main_hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        notify(exc_type, exc, tb, "the UI thread")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        notify(args.exc_type, args.exc_value, args.exc_traceback, name)

    sys.excepthook = main_hook
    threading.excepthook = thread_hook
