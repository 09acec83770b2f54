"""Issue 8: logs a support person can use. An uncaught exception — in a slot on the UI
thread or on another thread — is logged with a short reference and shown on the real
register as an ErrorDialog quoting it; the register runs on. No alembic chatter at start."""
from __future__ import annotations

import faulthandler
import logging
import re
import subprocess
import sys
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import logs
from app.core.ledger.ledger import Ledger
from app.ui.error_reporter import ErrorReporter


@pytest.fixture
def log_file(tmp_path, restored_logging):
    """``setup_logging`` into tmp_path; the process's logging and hooks restored after."""
    return logs.setup_logging(tmp_path / "log", console=False)


def reference_in(register, expected: str = "予期しないエラーが発生しました") -> str:
    # Events are pumped with processEvents, as app.exec() does: QTest.qWait (the driver's
    # wait) re-raises a slot's exception into the test instead of calling sys.excepthook.
    deadline = time.monotonic() + 10
    while register.dialog("ErrorDialog") is None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)
    dialog = register.wait_dialog("ErrorDialog")
    assert expected in dialog.message
    return re.fullmatch(r"\[(\d{4}-\d{4}-[0-9a-f]{4})\] .*", dialog.message, re.S).group(1)


@pytest.mark.qt_no_exception_capture
def test_uncaught_exceptions_are_logged_and_shown_with_a_reference(register, log_file):
    logs.install_excepthooks(ErrorReporter(register.window))

    def broken_slot():
        raise ZeroDivisionError("UIスレッドの例外")

    QTimer.singleShot(0, broken_slot)
    reference = reference_in(register)
    text = log_file.read_text(encoding="utf-8")
    assert f"uncaught exception [ref {reference}] in the UI thread" in text
    assert "broken_slot" in text and "ZeroDivisionError: UIスレッドの例外" in text
    register.tap("closeButton")

    def broken_worker():
        raise KeyError("worker")

    worker = threading.Thread(target=broken_worker, name="printer-worker")
    worker.start()
    worker.join()
    second = reference_in(register)
    assert second != reference
    text = log_file.read_text(encoding="utf-8")
    assert f"uncaught exception [ref {second}] in printer-worker" in text and "broken_worker" in text
    register.tap("closeButton")
    register.login("佐藤", "1111")  # the register runs on
    assert register.screen() == "OpenScreen"


def test_no_alembic_info_lines_when_a_ledger_is_created(tmp_path, log_file):
    Ledger(f"sqlite:///{tmp_path / 'new.db'}").dispose()  # runs every migration
    logging.getLogger("regi").info("started")
    text = log_file.read_text(encoding="utf-8")
    assert "started" in text and "alembic" not in text and "Running upgrade" not in text


def test_the_log_rotates_and_a_native_crash_is_written_into_it(tmp_path):
    """A real segfault in a child process, after the log has rotated."""
    script = (
        "import faulthandler, logging, sys\n"
        "from pathlib import Path\n"
        "from app import logs\n"
        "logs.MAX_BYTES = 2000\n"
        "logs.setup_logging(Path(sys.argv[1]), console=False)\n"
        "for i in range(60): logging.getLogger('regi').info('line %d %s', i, 'x' * 60)\n"
        "faulthandler._sigsegv()\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "log")], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    current = (tmp_path / "log" / "regi.log").read_text(encoding="utf-8")
    assert (tmp_path / "log" / "regi.log.1").exists()
    assert "Fatal Python error: Segmentation fault" in current and "line 59" in current


@pytest.mark.qt_no_exception_capture
def test_a_ledger_that_stops_taking_writes_is_said_with_its_path(register, log_file):
    """SQLite itself refuses the write (``query_only``, as for a read-only file); the login
    that tried it wrote nothing, and the cashier reads what happened and where."""
    from sqlalchemy import event, func, select

    from app.core.ledger.models import AuditRecord

    logs.install_excepthooks(ErrorReporter(register.window))
    engine = register.ledger._sessions.kw["bind"]
    with register.ledger.session() as db:
        audits = db.scalar(select(func.count()).select_from(AuditRecord))
    event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA query_only=ON"))
    engine.dispose()  # every connection from now on refuses writes
    register.tap_staff("佐藤")
    register.type_digits("1111")
    QTimer.singleShot(0, register.find("loginButton").click)  # as app.exec() would run the click
    reference = reference_in(register, "台帳を保存する場所に書き込めません")
    assert str(register.data_dir / "regi.db") in register.dialog("ErrorDialog").message
    assert f"[ref {reference}]" in log_file.read_text(encoding="utf-8")
    with register.ledger.session() as db:
        assert db.scalar(select(func.count()).select_from(AuditRecord)) == audits
    assert register.screen() == "LoginScreen"
