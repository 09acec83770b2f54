"""Qt must not look for a display: set the offscreen platform before anything imports Qt.
(The ``app.testing`` plugin sets it too; this keeps ``pytest -p no:regi`` working.)"""
import os

from app.ui.offscreen import use_offscreen

use_offscreen(os.environ)


def pytest_sessionfinish(session, exitstatus):
    session.config.regi_exitstatus = int(exitstatus)


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
