"""pytest plugin (entry point ``regi``): fixtures that start the real register.

- ``terminal``: the terminal simulator (a real TCP server on loopback, in a thread) as its
  ``SimulatorControl``: queue outcomes and faults, act as the customer, read its history;
  the profile comes from the ``terminal_profile`` fixture (override it: "usenpay" / "ct6100");
- ``register``: a ``RegisterDriver`` on a fresh demo ledger in ``tmp_path``, linked to that
  simulator, with a capturing printer;
- ``link_faults``: a ``FaultProxy`` (app/testing/link_faults.py) the register's link goes
  through when a test asks for it: drop, delay, duplicate, reorder, cut, half-open, or
  ``inject`` a frame of the tester's own (late, duplicated, forged);
- ``printer``: that register's ``CapturingPrinter`` (every job's text lines, copy, reprint mark);
  override ``printer_config`` for another printer model or Kanji mode.

Qt needs ``QT_QPA_PLATFORM=offscreen`` without a display; it is set here, before Qt loads,
with a 1920×1080 screen so dialogs are laid out as on a tablet (``app.ui.offscreen``).
"""
from __future__ import annotations

import os

from app.ui.offscreen import use_offscreen

use_offscreen(os.environ)

if not os.environ["QT_QPA_PLATFORM"].startswith("offscreen"):  # also "offscreen:configfile=…"
    from app.ui import keyboard

    # The on-screen keyboard, as the app has it. Not offscreen: it never shows there, yet its
    # QML would load on a thread whose log lines need pytest-qt's Python message handler,
    # i.e. the GIL the UI thread holds while it waits for that load — a deadlock (the first
    # tap on a text field hung).
    keyboard.configure()

import pytest  # noqa: E402


@pytest.fixture
def register_clock():
    """Override to give the register a ``FixedClock``; the real clock by default."""
    return None


@pytest.fixture
def printer_config():
    """Override to give the register's capturing printer another model or mode: a
    ``PrinterConfig(kind="capture", mode="kanji", model="TM-T88V")``; image, 576 dots by default."""
    return None


@pytest.fixture
def terminal_profile():
    """Override to run the simulator as a CT-6100 (``"ct6100"``)."""
    return "usenpay"


@pytest.fixture
def terminal_history():
    """Override to pre-fill the terminal's journal: a list of ``TxRecord`` (oldest first),
    e.g. for the 50-transactions-in-5-minutes rule."""
    return []


@pytest.fixture
def terminal(terminal_profile, terminal_history, tmp_path):
    from app.core.terminal.config import DEMO_PAIRING_KEY
    from app.simulator.control import SimulatorControl
    from app.simulator.engine import TerminalEngine
    from app.simulator.server import SimulatorServer

    # The journal lives in a file, as on a real terminal: see SimulatorControl.lose_journal.
    engine = TerminalEngine(profile=terminal_profile, journal_path=tmp_path / "terminal-journal.json")
    if terminal_history:
        engine.prefill(terminal_history)
    server = SimulatorServer(engine, pairing_key=DEMO_PAIRING_KEY).start_in_thread()
    yield SimulatorControl(engine, server)
    server.stop_in_thread()


@pytest.fixture
def link_faults(terminal):
    """Frame faults between the register and the simulator (requesting it routes the
    ``register`` fixture's link through it). Faults off at first: set its attributes."""
    from app.testing.link_faults import FaultProxy

    proxy = FaultProxy(terminal.server.port).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def register(qtbot, tmp_path, register_clock, terminal, printer_config, request):
    from app.testing.driver import RegisterDriver

    port = (request.getfixturevalue("link_faults").port if "link_faults" in request.fixturenames
            else terminal.server.port)
    # Not qtbot.addWidget: pytest-qt would delete the window before this teardown, while
    # printer callbacks may still be queued for it. driver.close() waits for them first.
    settings = {"terminal_profile": terminal.engine.profile, "terminal_host": "127.0.0.1", "terminal_port": port}
    driver = RegisterDriver.start(tmp_path, clock=register_clock, settings=settings, printer_config=printer_config)
    yield driver
    driver.close()


@pytest.fixture
def printer(register):
    return register.printer
