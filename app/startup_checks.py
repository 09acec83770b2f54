"""What can stop Regi from starting, said in words a shop can act on. Qt-free.

Each check returns None when all is well, or the message to show. The display check is
for the command line (without a display there is no screen to show anything on; Qt would
abort with a misleading hint about libxcb-cursor0); the others are shown full-screen by
the app (``app.ui.startup_error``) and printed to stderr. ``StartupError`` carries one.
"""
from __future__ import annotations

import errno
import os
import shutil
import socket
import sys
from pathlib import Path

MIN_FREE_BYTES = 20 * 1024 * 1024
"""Below this the day's slips might not fit: refuse to start rather than fail mid-sale."""


class StartupError(Exception):
    """Why the register cannot start. ``exit_code`` 2 means "do not restart me" (a newer ledger:
    the kiosk's systemd unit does not restart on 2); 1 is a problem that may go away."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def display_problem(environ=os.environ, platform: str = sys.platform) -> str | None:
    """On Linux and the BSDs Qt needs an X11 or Wayland display it can reach, unless a
    platform plugin is named (``QT_QPA_PLATFORM``); Qt itself would abort."""
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) or environ.get("QT_QPA_PLATFORM"):
        return None
    x11, wayland = environ.get("DISPLAY"), environ.get("WAYLAND_DISPLAY")
    if (x11 and _x11_reachable(x11)) or (wayland and _wayland_reachable(wayland, environ)):
        return None
    if x11 or wayland:
        first = f"画面（ディスプレイ {x11 or wayland}）に接続できないため Regi を起動できません。\n" \
                f"Cannot reach the display {x11 or wayland}: is the desktop session running?\n"
    else:
        first = "画面（ディスプレイ）がないため Regi を起動できません。\nNo display: DISPLAY / WAYLAND_DISPLAY is not set.\n"
    return (first + "  - on the shop tablet: start Regi from its desktop session;\n"
            "  - over SSH / without a screen: xvfb-run ./scripts/run --windowed\n"
            "  - a quick start-up check with no window: QT_QPA_PLATFORM=offscreen ./scripts/run")


def _connects(family: int, address) -> bool:
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(2.0)
            probe.connect(address)
        return True
    except OSError:
        return False


def _x11_reachable(display: str) -> bool:
    """``:N`` / ``unix:N`` (the local socket, abstract or a file) or ``host:N`` (TCP 6000+N);
    a form not understood here is left for Qt to try."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit() or host.startswith("/"):
        return True
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        return _connects(socket.AF_UNIX, "\0" + path) or _connects(socket.AF_UNIX, path)
    return _connects(socket.AF_INET, (host, 6000 + int(number)))


def _wayland_reachable(name: str, environ) -> bool:
    path = Path(name) if name.startswith("/") else Path(environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / name
    return _connects(socket.AF_UNIX, str(path))


def driver_problem(db_url: str) -> str | None:
    """A database URL that is malformed, of an unknown kind, or whose driver is not installed.
    A plain SQLite file (the shop's case) needs only the standard library: it is not handed to
    SQLAlchemy here, whose import (about 0.45 s) would otherwise come before the first paint."""
    from app.core.ledger.files import sqlite_path

    if sqlite_path(db_url) is not None:
        return None  # sqlite3 is part of Python
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        url = make_url(db_url)
    except ArgumentError:
        return f"データベースの指定（--db）が正しくありません：{db_url}\nExpected an SQLAlchemy URL, e.g. postgresql+psycopg://user:password@host/dbname"
    shown = url.render_as_string(hide_password=True)
    try:
        url.get_dialect().import_dbapi()
    except NoSuchModuleError:
        return f"この種類のデータベースには対応していません：{shown}\nUnknown database kind: use sqlite:/// or postgresql+psycopg://"
    except ImportError as error:
        hint = "  .venv/bin/pip install -e '.[postgres]'" if url.get_backend_name() == "postgresql" else \
            f"  install the Python package {error.name}"
        return (f"データベースのドライバ（{error.name}）がインストールされていないため、{shown} を開けません。\n"
                f"Missing database driver {error.name}; install it:\n{hint}")
    return None


def storage_problem(data_dir: Path, ledger_file: Path | None) -> str | None:
    """The data dir must exist (it is created) and take a new file, the ledger file (and
    SQLite's -wal / -shm beside it) must be writable, and the disk must have room."""
    from app.core.ledger.files import secure_data_dir

    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = data_dir / f".regi-write-test-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        return unwritable_message(data_dir, error)
    try:
        secure_data_dir(data_dir)  # 0700: the ledger holds staff hashes and the pairing key
    except OSError:
        pass  # not ours to tighten (another owner): the ledger files themselves are still 0600
    for path in _ledger_files(ledger_file):
        try:
            with open(path, "r+b"):
                pass
        except OSError as error:
            return unwritable_message(path, error)
    free = shutil.disk_usage(data_dir).free
    if free < MIN_FREE_BYTES:
        return disk_full_message(data_dir, free)
    return None


def _ledger_files(ledger_file: Path | None) -> list[Path]:
    if ledger_file is None:
        return []
    candidates = (ledger_file, ledger_file.with_name(ledger_file.name + "-wal"), ledger_file.with_name(ledger_file.name + "-shm"))
    return [path for path in candidates if path.exists()]


def unwritable_message(path: Path, error: OSError | None = None) -> str:
    if error is not None and error.errno == errno.ENOSPC:
        return disk_full_message(path, None)
    reason = "読み取り専用か、書き込む権限がありません" if error is None or error.errno in (
        errno.EACCES, errno.EPERM, errno.EROFS) else (error.strerror or str(error))
    return (f"台帳を保存する場所に書き込めません（{reason}）。\n{path}\n"
            "書き込めるフォルダを --data-dir で指定するか、このフォルダの権限を直してから起動し直してください。")


def disk_full_message(path: Path, free: int | None) -> str:
    left = f"（空き {free // (1024 * 1024)} MB）" if free is not None else ""
    return (f"ディスクの空き容量が足りないため、台帳に書き込めません{left}。\n{path}\n"
            "不要なファイルを削除して空き容量を作ってから起動し直してください。")


def storage_error_message(error: BaseException, where: Path | str) -> str | None:
    """The message for a disk-full or cannot-write error from the database or the file
    system (at start or during the day); None for any other error."""
    text = str(getattr(error, "orig", None) or error).lower()
    if "disk is full" in text or getattr(error, "errno", None) == errno.ENOSPC:
        return disk_full_message(Path(str(where)), None)
    if "readonly" in text or "read-only" in text or "unable to open" in text or isinstance(error, PermissionError):
        return unwritable_message(Path(str(where)))
    return None


def ledger_open_problem(error: Exception, where: Path | str) -> str:
    """The message for an error raised while opening, migrating or seeding the ledger."""
    storage = storage_error_message(error, where)
    if storage:
        return storage
    return (f"台帳を開けませんでした。\n{where}\n{type(error).__name__}: {error}\n"
            "この画面の内容をサポートにお伝えください。")
