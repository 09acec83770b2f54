"""Issue 8: every failure a user can meet at start is a message, never an abort or a
traceback; the simulator never outlives the register. Through ``python -m app`` as a real
process where a process is what is tested, else through its ``launch`` on the real screens."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget, QPushButton

from app.__main__ import launch, ledger_url, parse_args, show, show_notices
from app.core.demo import seed_demo
from app.core.ledger.ledger import Ledger
from app.core.ledger.settings import load_settings, save_settings
from app.testing.driver import RegisterDriver
from app.ui.startup_error import StartupErrorWindow

PROCESS_WAIT_S = 60  # how long a test waits for another process; never a pass/fail criterion


@pytest.fixture(autouse=True)
def keep_the_excepthooks():
    """``launch`` installs the register's excepthooks; later tests must not inherit them."""
    import threading

    saved = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = saved


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_ledger(data_dir: Path, **settings) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(f"sqlite:///{data_dir / 'regi.db'}")
    seed_demo(ledger)
    if settings:
        from dataclasses import replace

        with ledger.session() as db, db.begin():
            save_settings(db, replace(load_settings(db), **settings))
    ledger.dispose()
    return data_dir / "regi.db"


def regi_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(extra)
    return env


def start_regi(tmp_path: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "data"), "--log-dir",
                             str(tmp_path / "log"), "--windowed", *args],
                            env=regi_env(QT_QPA_PLATFORM="offscreen"), stdout=(tmp_path / "regi.out").open("w"),
                            stderr=subprocess.STDOUT, text=True)


def wait_for(predicate, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + PROCESS_WAIT_S
    while not (value := predicate()):
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process ended (code {process.returncode}) while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)
    return value


def lock_holder(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "regi.db.lock").read_text().strip() or 0) or None
    except (OSError, ValueError):
        return None


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def gone(pid: int) -> bool:
    """Exited (a zombie waiting for a reaper counts: it runs no code and holds no port)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


@contextlib.contextmanager
def without_root():
    """Permissions mean nothing to root: run the body as ``nobody`` (euid only, restored after)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- no display -------------------------------------------------------------------------

@pytest.mark.parametrize("display", [None, ":987"], ids=["no DISPLAY", "DISPLAY unreachable"])
def test_without_a_display_it_says_how_to_run_and_starts_nothing(tmp_path, display):
    port = free_port()
    make_ledger(tmp_path / "data", terminal_port=port)
    result = subprocess.run([sys.executable, "-m", "app", "--data-dir", str(tmp_path / "data"), "--log-dir",
                             str(tmp_path / "log"), "--simulator-headless"],
                            env=regi_env(**({"DISPLAY": display} if display else {})),
                            capture_output=True, text=True, timeout=PROCESS_WAIT_S)
    assert result.returncode == 2
    said = "画面（ディスプレイ :987）に接続できない" if display else "画面（ディスプレイ）がない"
    assert said in result.stderr and "xvfb-run" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "Traceback" not in result.stderr and "libxcb" not in result.stderr
    assert "starting the terminal simulator" not in result.stderr
    with socket.socket() as probe:  # the port is still free: no simulator child was left behind
        probe.bind(("127.0.0.1", port))


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="needs xvfb-run")
def test_a_reachable_display_passes_the_check():
    """The check must not refuse a real X server (xvfb-run's)."""
    code = "from app.startup_checks import display_problem; import sys; sys.exit(display_problem() is not None)"
    result = subprocess.run(["xvfb-run", "-a", sys.executable, "-c", code], env=regi_env(), capture_output=True,
                            text=True, timeout=PROCESS_WAIT_S)
    assert result.returncode == 0, result.stderr


# --- a ledger that cannot be written ----------------------------------------------------

@pytest.mark.parametrize("read_only", ["data dir", "ledger file"])
def test_a_read_only_ledger_is_a_full_screen_error_naming_the_path(qtbot, tmp_path, read_only):
    base = Path(os.environ.get("TMPDIR", "/tmp")) / f"regi-ro-{os.getpid()}-{tmp_path.name}"
    data_dir = base / "data"
    database = make_ledger(data_dir)
    before = digest(database)
    base.chmod(0o755)  # traversable by the unprivileged user
    if read_only == "data dir":
        data_dir.chmod(0o555)
        named = data_dir
    else:
        data_dir.chmod(0o777)
        database.chmod(0o444)
        named = database
    args = parse_args(["--data-dir", str(data_dir), "--no-simulator", "--windowed"])
    try:
        with without_root():
            started, window = launch(args, ledger_url(args))
        qtbot.addWidget(window)
        assert started is None and isinstance(window, StartupErrorWindow)
        window.show()
        assert "書き込めません" in window.message and str(named) in window.message
        assert digest(database) == before  # nothing half-written
        assert sorted(p.name for p in data_dir.iterdir()) == ["regi.db"]
        qtbot.mouseClick(window.findChild(QPushButton, "quitButton"), Qt.LeftButton)
        assert not window.isVisible()
    finally:
        data_dir.chmod(0o755)
        database.chmod(0o644)
        for path in sorted(base.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        base.rmdir()


def test_a_database_url_without_its_driver_is_a_message(tmp_path):
    pytest.importorskip("sqlalchemy")
    try:
        import psycopg  # noqa: F401
        pytest.skip("psycopg is installed here")
    except ImportError:
        pass
    result = subprocess.run([sys.executable, "-m", "app", "--db", "postgresql+psycopg://regi:secret@db.example/regi",
                             "--data-dir", str(tmp_path / "data"), "--log-dir", str(tmp_path / "log")],
                            env=regi_env(QT_QPA_PLATFORM="offscreen"), capture_output=True, text=True,
                            timeout=PROCESS_WAIT_S)
    assert result.returncode == 2
    assert "ドライバ（psycopg）" in result.stderr and "pip install -e '.[postgres]'" in result.stderr
    assert "Traceback" not in result.stderr and "secret" not in result.stderr


# --- a second Regi on the same ledger ---------------------------------------------------

def test_a_second_regi_on_the_same_ledger_names_the_first_and_exits(qtbot, tmp_path):
    make_ledger(tmp_path / "data")
    first = start_regi(tmp_path, "--no-simulator")
    try:
        wait_for(lambda: lock_holder(tmp_path / "data") == first.pid, "the first Regi to hold the ledger", first)
        args = parse_args(["--data-dir", str(tmp_path / "data"), "--no-simulator", "--windowed"])
        started, window = launch(args, ledger_url(args))
        qtbot.addWidget(window)
        assert started is None
        window.show()
        assert "別の Regi が使用中" in window.message and f"PID）{first.pid}" in window.message
        assert str(tmp_path / "data" / "regi.db") in window.message
        qtbot.mouseClick(window.findChild(QPushButton, "quitButton"), Qt.LeftButton)
        assert not window.isVisible()
        assert first.poll() is None  # the first one runs on
    finally:
        first.terminate()
        first.wait(PROCESS_WAIT_S)
    assert first.returncode == 0


# --- the simulator ----------------------------------------------------------------------

@pytest.mark.parametrize("listening", [True, False], ids=["port listening", "port bound"])
def test_simulator_port_taken_the_register_says_so_and_runs_on(qtbot, tmp_path, listening):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    if listening:
        blocker.listen()
    port = blocker.getsockname()[1]
    make_ledger(tmp_path / "data", terminal_port=port)
    args = parse_args(["--data-dir", str(tmp_path / "data"), "--simulator-headless", "--windowed"])
    started = None
    try:
        started, window = launch(args, ledger_url(args))
        assert started is not None and started.simulator is None
        window.resize(1280, 800)
        window.show()
        show_notices(started)
        driver = RegisterDriver(window, tmp_path / "data")
        driver.wait_until(lambda: window.context.ready, 120, "the ledger to open")  # then the simulator starts
        dialog = driver.wait_dialog("ErrorDialog")
        assert "決済端末シミュレーターを起動できませんでした" in dialog.message and f"127.0.0.1:{port}" in dialog.message
        assert "レジはこのまま使えます" in dialog.message
        driver.tap("closeButton")
        assert driver.screen() == "LoginScreen"
        driver.login("佐藤", "1111")  # it runs on
        assert driver.screen() == "OpenScreen"
    finally:
        blocker.close()
        if started is not None:
            started.stop()
            RegisterDriver(started.window, tmp_path / "data").close()


def test_the_simulator_ends_when_the_register_is_killed(tmp_path):
    port = free_port()
    make_ledger(tmp_path / "data", terminal_port=port)
    register = start_regi(tmp_path, "--simulator-headless")
    try:
        wait_for(lambda: "ledger:" in read(tmp_path / "log" / "regi.log"), "the register to start", register)
        [simulator] = wait_for(lambda: child_pids(register.pid), "the simulator child", register)
        # Started once the ledger is open, after the first paint (issue 13); the register
        # waits on a worker until it listens, and logs it.
        wait_for(lambda: "listening on" in read(tmp_path / "log" / "regi.log"), "the simulator to listen", register)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        register.send_signal(signal.SIGKILL)
        register.wait(PROCESS_WAIT_S)
    wait_for(lambda: gone(simulator), "the simulator to exit after its register")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_full_screen_fills_the_screen_even_without_a_window_manager(register):
    """A kiosk's bare X session does not honour the full-screen request: the register takes the
    screen's size itself (found by hand: a 744×533 window on a 1280×800 Xvfb)."""
    window = register.window
    show(window, windowed=False)
    assert window.geometry() == QWidget.screen(window).geometry()
    assert window.isFullScreen()
