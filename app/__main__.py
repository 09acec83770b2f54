"""``python -m app`` / ``regi``: start the register on this machine's ledger.
``regi verify-ledger``: check the ledger's hash chain (``app.verify_ledger``).

The ledger is an SQLite file in the per-user data dir (created and migrated at start);
an empty ledger is filled with the demo café. Start-up order matters (issue 8):
1. logs (``app.logs``), then the checks that need no screen — a display, the database
   driver — said on stderr, exit code 2, before any child process is started;
2. the QApplication; then the data dir, the ledger lock and the ledger itself: a problem
   there is a full-screen ``StartupErrorWindow`` naming the path or the other process,
   and exit code 1 once it is closed;
3. the login screen is shown; the ledger is opened after its first paint (issue 13: the
   start-up budget, ``app.ui.app.build_register(defer=True)``) unless it must be migrated
   or refused, which happens before anything is shown;
4. the simulator child (``app.simulator_process``), once the ledger is open, started on the
   device worker: if it cannot start, the register says so on an ErrorDialog and runs on.
"""
from __future__ import annotations

import argparse
import os
import gc
import logging
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from app import logs
from app.startup_checks import StartupError, display_problem, driver_problem, ledger_open_problem, storage_problem

log = logging.getLogger("regi")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from platformdirs import user_data_dir

    parser = argparse.ArgumentParser(prog="regi", description="Regi タッチPOSレジ",
                                     epilog="regi restore FILE [--yes]: put a ledger backup back (regi restore --help). "
                                            "regi verify-ledger: check the ledger's hash chain.")
    parser.add_argument("--data-dir", type=Path, default=Path(user_data_dir("regi", appauthor=False)),
                        help="folder of the ledger database (default: the per-user data dir)")
    parser.add_argument("--db", help="SQLAlchemy URL of the ledger (default: SQLite file in --data-dir)")
    parser.add_argument("--windowed", action="store_true", help="a 1280×800 window instead of full screen (development)")
    parser.add_argument("--no-demo", action="store_true", help="do not fill an empty ledger with the demo shop")
    parser.add_argument("--no-simulator", action="store_true",
                        help="do not start the terminal simulator beside the register (it starts by default "
                             "when the terminal is configured on this machine, 127.0.0.1)")
    parser.add_argument("--simulator-headless", action="store_true", help="start the simulator without its window")
    parser.add_argument("--log-dir", type=Path, default=None, help="folder of regi.log (default: the per-user log dir)")
    return parser.parse_args(argv)


def ledger_url(args: argparse.Namespace) -> str:
    return args.db or f"sqlite:///{args.data_dir / 'regi.db'}"


@dataclass
class Started:
    """What a started register holds until it quits."""

    window: object
    lock: object
    simulator: object = None
    notices: list[str] = field(default_factory=list)

    def stop(self) -> None:
        from app.simulator_process import stop_simulator

        if self.window.context.ready:  # a quit during start-up has no terminal link yet
            self.window.context.terminal.stop()
        self.window.context.devices.shutdown()  # waits for a simulator still starting
        if self.simulator is not None:
            stop_simulator(self.simulator)
        self.lock.release()


def open_register(args: argparse.Namespace, db_url: str) -> Started:
    """Data dir, lock, ledger, simulator and main window (a QApplication must exist).
    Raises ``StartupError`` with the message for the screen; nothing is left running then."""
    import sqlite3

    from app.core.ledger.files import sqlite_file
    from app.instance_lock import LedgerLock, LedgerLocked, lock_path
    from app.ui.app import build_register

    database = sqlite_file(db_url)
    problem = storage_problem(args.data_dir, database)
    if problem:
        raise StartupError(problem)
    try:
        lock = LedgerLock(lock_path(db_url, args.data_dir)).acquire()
    except LedgerLocked as locked:
        holder = f"プロセス番号（PID）{locked.pid}" if locked.pid else "別のプロセス"
        raise StartupError(f"この台帳は別の Regi が使用中です（{holder}）。\n{database or locked.path}\n"
                           "同じ台帳で2つの Regi は起動できません。先に起動した Regi をお使いください。") from None
    except OSError as error:
        raise StartupError(ledger_open_problem(error, args.data_dir)) from None
    try:
        window = build_register(db_url, data_dir=args.data_dir, demo=not args.no_demo, defer=True)
    except Exception as error:
        lock.release()
        if _raised_by("app.core.ledger.db", "LedgerRefusedError", error):  # a newer Regi's ledger: refused untouched
            raise StartupError(error.message, exit_code=2) from None
        if not (isinstance(error, (OSError, sqlite3.Error)) or _raised_by("sqlalchemy.exc", "SQLAlchemyError", error)):
            raise
        log.exception("cannot open the ledger %s", database or db_url)
        raise StartupError(ledger_open_problem(error, database or args.data_dir)) from None
    started = Started(window=window, lock=lock)
    if not args.no_simulator:  # the link is made at 開局, seconds later
        window.context.when_ready(lambda: start_simulator_beside(started, args.simulator_headless))
    return started


def _raised_by(module: str, name: str, error: BaseException) -> bool:
    """``error`` is a ``module.name``. Looked up, not imported: SQLAlchemy loads after the login
    screen's first paint (issue 13), and an error of a module never loaded cannot have happened."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(error, getattr(loaded, name))


def start_simulator_beside(started: Started, headless: bool) -> None:
    """Start the simulator child (here, on the UI thread: its parent-death signal follows this
    thread) and wait until it listens on the device worker; a failure is shown on the register."""
    from app.simulator_process import SimulatorNotStarted, spawn_simulator, wait_listening

    def failed(error: BaseException) -> None:
        if not isinstance(error, SimulatorNotStarted):
            raise error
        log.warning("%s", error.message)
        started.notices.append(error.message)
        show_notices(started)

    try:
        launch = spawn_simulator(started.window.context.settings, headless)
    except SimulatorNotStarted as error:
        failed(error)
        return
    if launch is not None:
        started.simulator = launch.process
        started.window.context.run_device(lambda: wait_listening(launch), on_error=failed)


def launch(args: argparse.Namespace, db_url: str, log_file: Path | None = None):
    """``(Started, main window)`` with the excepthooks showing errors on it, or, when the
    register cannot start, ``(None, StartupErrorWindow)``. Neither is shown yet."""
    from app.ui.error_reporter import ErrorReporter
    from app.ui.startup_error import StartupErrorWindow

    try:
        started = open_register(args, db_url)
    except StartupError as error:
        print(error.message, file=sys.stderr)
        log.error("not started: %s", error.message.replace("\n", " "))
        window = StartupErrorWindow(error.message, str(log_file) if log_file else None)
        window.exit_code = error.exit_code
        return None, window
    logs.install_excepthooks(ErrorReporter(started.window))
    return started, started.window


def show(window, windowed: bool) -> None:
    from PySide6.QtWidgets import QWidget

    if windowed:
        window.resize(1280, 800)
        window.show()
    else:
        # The screen's size first: without a window manager (a kiosk's bare X session) the
        # full-screen request is not honoured and the window would keep its own size.
        window.setGeometry(QWidget.screen(window).geometry())  # MainWindow.screen(name) is a screen of the app
        window.showFullScreen()


def show_notices(started: Started) -> None:
    from app.ui.widgets.dialogs import fit_long_message, show_error

    for notice in started.notices:
        fit_long_message(show_error(started.window, notice, title="決済端末シミュレーター"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["restore"]:  # regi restore FILE [--yes]
        from app.restore import main as restore

        return restore(argv[1:])
    if argv[:1] == ["verify-ledger"]:  # `regi verify-ledger`: no Qt, read-only
        from app.verify_ledger import main as verify_ledger

        return verify_ledger(argv[1:])
    args = parse_args(argv)
    log_file = logs.setup_logging(args.log_dir)
    db_url = ledger_url(args)
    problem = display_problem() or driver_problem(db_url)
    if problem:
        log.error("%s", problem.splitlines()[0])
        print(problem, file=sys.stderr)
        return 2

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.theme import apply_theme

    from app.ui import keyboard

    keyboard.configure()  # before the QApplication: it picks its input method at birth
    app = QApplication.instance() or QApplication(sys.argv[:1])  # one already there when main() runs in-process (tests)
    apply_theme(app)
    # Quit cleanly on SIGTERM / Ctrl+C, so the simulator and the bridge are stopped too.
    # Python runs signal handlers only when it gets control: a timer gives it that. The
    # quit is queued: a signal during start-up, before app.exec(), would otherwise be lost.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: QTimer.singleShot(0, app.quit))
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(300)
    started, window = launch(args, db_url, log_file)
    if started is None:
        if app.platformName() != "offscreen":  # offscreen nobody could read it or tap 「終了」
            show(window, args.windowed)
            app.exec()
        return window.exit_code
    log.info("ledger: %s (log: %s)", db_url, log_file)
    # What is built once the ledger is open lives as long as the app: keep it out of the
    # collector's full passes, which otherwise stall the UI for ~100 ms now and then (bench/README.md).
    window.context.when_ready(lambda: (gc.collect(), gc.freeze()))
    show(window, args.windowed)
    show_notices(started)
    QTimer.singleShot(0, lambda: log.info("register running"))  # scripts and the packaging tests wait for it
    try:
        code = app.exec()
    finally:
        started.stop()
    # Everything is stopped and committed. Leave now: once the on-screen keyboard has been
    # shown, Qt's own teardown of its panel window aborts ("Must construct a QGuiApplication
    # before a QPixmap"), which would turn every clean quit into a crash report.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
