"""Qt must not look for a display: set the offscreen platform before anything imports Qt.
(The ``app.testing`` plugin sets it too; this keeps ``pytest -p no:regi`` working.)

The per-user data and state dirs (the default ledger, the simulator's journal, logs) point at a
temp dir of this run, for this process and every register or simulator it starts: a test never
reads or writes the user's own files, and two test runs on one machine never share a journal."""
import faulthandler
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading

import pytest

from app.ui.offscreen import use_offscreen

use_offscreen(os.environ)
_USER_DIRS = tempfile.mkdtemp(prefix="regi-tests-home-")
os.environ["XDG_DATA_HOME"] = os.path.join(_USER_DIRS, "data")
os.environ["XDG_STATE_HOME"] = os.path.join(_USER_DIRS, "state")


@pytest.fixture
def restored_logging():
    """For a test that runs ``setup_logging`` (directly or through ``regi``'s ``main``): the
    process's handlers, levels, excepthooks and faulthandler are put back afterwards, so later
    tests do not log to a stream pytest has closed (``ValueError: I/O operation on closed file``)."""
    root = logging.getLogger()
    saved = (sys.excepthook, threading.excepthook, list(root.handlers), root.level,
             logging.getLogger("alembic").level)
    yield
    for handler in list(root.handlers):
        if handler not in saved[2]:
            root.removeHandler(handler)
            handler.close()
    sys.excepthook, threading.excepthook = saved[0], saved[1]
    root.setLevel(saved[3])
    logging.getLogger("alembic").setLevel(saved[4])
    faulthandler.unregister(signal.SIGUSR1)
    faulthandler.enable(sys.__stderr__)


def pytest_sessionstart(session):
    """Import every module of ``app`` now, on the main thread, before a test starts a thread.
    pytest rewrites the asserts of each ``app`` module it imports (``app.testing`` is a plugin of
    the regi distribution), with ``ast.parse``; CPython 3.11.7 fails when two threads convert an
    AST at once (gh-106905: ``SystemError: AST constructor recursion depth mismatch``), and the
    register imports lazily on its worker threads (start-up, printing). The shop's register
    imports without pytest's rewriter and is not affected."""
    import importlib
    import pkgutil

    import app

    for module in pkgutil.walk_packages(app.__path__, "app."):
        if module.name.endswith("__main__") or module.name.startswith("app.migrations"):
            continue  # programs, and alembic's scripts (run by alembic only)
        importlib.import_module(module.name)


def pytest_sessionfinish(session, exitstatus):
    session.config.regi_exitstatus = int(exitstatus)
    shutil.rmtree(_USER_DIRS, ignore_errors=True)


def pytest_unconfigure(config):
    """Leave with pytest's own status once it has reported: after the Qt Virtual Keyboard's plugin was
    loaded (tests/ui/test_keyboard.py), Qt's teardown at interpreter exit aborts ("Must construct a
    QGuiApplication before a QPixmap") and would turn a green run into a crash. The app quits the same way."""
    status = getattr(config, "regi_exitstatus", None)
    if status is not None:
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
