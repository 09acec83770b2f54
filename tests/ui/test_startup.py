"""Issue 13, the start-up budget: the login screen is built and painted before the ledger stack
(SQLAlchemy, models), the printer library (python-escpos, Pillow), alembic, SQLAlchemy's
PostgreSQL dialect and the terminal link are imported — they load after the first paint — and
it works at once: a login tapped before the ledger is open is checked once it is."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton

from app.core.printing.config import PrinterConfig
from app.core.printing.service import PrintService
from app.testing.driver import TEST_TIMINGS, RegisterDriver
from app.ui.app import build_register

ROOT = Path(__file__).resolve().parents[2]

# Imported after the first paint, never before it (each was once on the start-up path).
LATER = ("sqlalchemy", "alembic", "escpos", "PIL", "yaml", "barcode", "asyncpg", "app.core.ledger.models",
         "app.core.ledger.ledger", "app.core.terminal.bridge", "app.core.payments.coordinator",
         "app.core.ledger.day_close", "app.core.printing.printers")

CHILD = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from app.ui.app import build_register

app = QApplication(sys.argv[:1])
window = build_register(f"sqlite:///{sys.argv[1]}/regi.db", data_dir=Path(sys.argv[1]), defer=True)
seen = {}

def loaded(prefix):
    return any(m == prefix or m.startswith(prefix + ".") for m in sys.modules)

def painted():
    if "paint" not in seen:
        seen["paint"] = {name: loaded(name) for name in json.loads(sys.argv[2])}
        seen["tiles"] = [b.property("staffName") for b in window.current_screen.group.buttons()]
        window.context.when_ready(app.quit)

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint:
            QTimer.singleShot(0, painted)
        return False

watcher = FirstPaint()
window.current_screen.installEventFilter(watcher)
window.resize(1280, 800)
window.show()
QTimer.singleShot(120000, app.quit)
app.exec()
seen["after"] = {name: loaded(name) for name in ("sqlalchemy", "app.core.ledger.models", "app.core.terminal.bridge")}
seen["ready"] = window.context.ready
window.context.devices.shutdown()
print("SEEN " + json.dumps(seen), flush=True)
"""


def first_paint(data_dir: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), json.dumps(LATER)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    [line] = [line for line in result.stdout.splitlines() if line.startswith("SEEN ")] or [result.stderr]
    return json.loads(line[5:])


def test_the_login_screen_is_painted_before_the_ledger_printer_and_terminal_stacks_load(tmp_path):
    for case in ("new shop", "every other start"):
        seen = first_paint(tmp_path)
        assert [name for name, loaded in seen["paint"].items() if loaded] == [], case
        assert seen["tiles"] == ["山田 店長", "佐藤", "鈴木"], case
        assert seen["ready"] and all(seen["after"].values()), case  # then the ledger opened


def start_deferred(tmp_path: Path) -> RegisterDriver:
    window = build_register(f"sqlite:///{tmp_path / 'regi.db'}", printer=PrintService(PrinterConfig(kind="capture")),
                            data_dir=tmp_path, settings={"terminal_profile": "none"},
                            terminal_timings=TEST_TIMINGS, defer=True)
    window.resize(1280, 800)
    window.show()
    return RegisterDriver(window, tmp_path)


def log_in_at_once(register: RegisterDriver, staff_id: int, password: str) -> None:
    """Real clicks, without processing events in between (the driver's taps wait for the
    password worker, which is opening the ledger): all before the ledger is open."""
    screen = register.window.current_screen
    for name in (f"staffTile_{staff_id}", *(f"key{digit}" for digit in password), "loginButton"):
        [button] = [b for b in screen.findChildren(QAbstractButton) if b.objectName() == name]
        QTest.mouseClick(button, Qt.LeftButton)
    assert not register.context.ready


def test_a_login_tapped_before_the_ledger_is_open_is_checked_once_it_is(qtbot, tmp_path):
    register = start_deferred(tmp_path)
    try:
        assert register.screen() == "LoginScreen"
        log_in_at_once(register, 2, "1111")  # 佐藤
        register.wait_until(lambda: register.context.ready, 120, "the ledger to open")
        register.wait_screen("OpenScreen", timeout=60)
        assert register.context.staff.name == "佐藤"
        with closing(sqlite3.connect(tmp_path / "regi.db")) as db:
            assert db.execute("SELECT action FROM audit_records ORDER BY id DESC LIMIT 1").fetchone() == ("login",)
    finally:
        register.wait_until(lambda: register.context.ready, 120, "the ledger to open")
        register.close()


def test_a_wrong_password_tapped_before_the_ledger_is_open_is_refused_once_it_is(qtbot, tmp_path):
    register = start_deferred(tmp_path)
    try:
        log_in_at_once(register, 3, "9999")  # 鈴木
        register.wait_until(lambda: "パスワードが違います" in register.message(), 120, "the refusal")
        assert register.screen() == "LoginScreen" and register.context.staff is None
    finally:
        register.wait_until(lambda: register.context.ready, 120, "the ledger to open")
        register.close()


REGI_CHILD = r"""
import json, os, sys
import app.__main__ as regi

def loaded(prefix):
    return any(m == prefix or m.startswith(prefix + ".") for m in sys.modules)

shown = regi.show
def show(window, windowed):
    print("SEEN " + json.dumps({name: loaded(name) for name in json.loads(sys.argv[2])}), flush=True)
    os._exit(0)
regi.show = show
regi.main(["--data-dir", sys.argv[1], "--no-simulator"])
"""


def test_regi_itself_shows_its_window_before_the_ledger_stack_loads(tmp_path):
    """The same budget through the `regi` command's own path (its checks of the database URL, the
    data dir and the single-instance lock): found importing SQLAlchemy there, 0.5 s of every start."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    for case in ("new shop", "every other start"):
        result = subprocess.run([sys.executable, "-c", REGI_CHILD, str(tmp_path / "data"), json.dumps(LATER)], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=300)
        [line] = [line for line in result.stdout.splitlines() if line.startswith("SEEN ")] or [result.stderr]
        assert [name for name, loaded in json.loads(line[5:]).items() if loaded] == [], case
