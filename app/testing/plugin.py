"""pytest plugin (entry point ``regi``): fixtures that start the real register.

- ``register``: a ``RegisterDriver`` on a fresh demo ledger in ``tmp_path``, with a capturing printer;
- ``printer``: that register's ``CapturingPrinter`` (every job's text lines, copy, reprint mark).

Qt needs ``QT_QPA_PLATFORM=offscreen`` without a display; it is set here, before Qt loads.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def register_clock():
    """Override to give the register a ``FixedClock``; the real clock by default."""
    return None


@pytest.fixture
def register(qtbot, tmp_path, register_clock):
    from app.testing.driver import RegisterDriver

    # Not qtbot.addWidget: pytest-qt would delete the window before this teardown, while
    # printer callbacks may still be queued for it. driver.close() waits for them first.
    driver = RegisterDriver.start(tmp_path, clock=register_clock)
    yield driver
    driver.close()


@pytest.fixture
def printer(register):
    return register.printer
