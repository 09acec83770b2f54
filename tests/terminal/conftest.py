"""Fixtures for the terminal-link tests: a simulator server on 127.0.0.1:0 in a
thread, and bridges with small timeouts so the whole suite stays fast."""

from __future__ import annotations

import os

# Before any Qt import (window smoke test): no display on CI.
from app.ui.offscreen import use_offscreen  # noqa: E402

use_offscreen(os.environ)

import pytest

from app.core.terminal.bridge import TerminalBridge
from app.core.terminal.config import BridgeTimings, TerminalConfig
from app.simulator.control import SimulatorControl
from app.simulator.engine import TerminalEngine
from app.simulator.server import SimulatorServer

from .helpers import EventLog, FrameProxy

FAST = BridgeTimings(
    connect_timeout=1.0, login_timeout=1.0, request_timeout=2.0, payment_timeout=5.0, reversal_timeout=2.0,
    heartbeat_interval=0.2, heartbeat_timeout=0.5, backoff_initial=0.05, backoff_max=0.3, stop_timeout=2.0,
)

# For tests asserting that the link never dropped: a loaded CI machine must not
# trip the heartbeat by accident.
STEADY = BridgeTimings(
    connect_timeout=2.0, login_timeout=2.0, request_timeout=3.0, payment_timeout=8.0, reversal_timeout=3.0,
    heartbeat_interval=0.3, heartbeat_timeout=3.0, backoff_initial=0.05, backoff_max=0.3, stop_timeout=2.0,
)


class Sim:
    """A running simulator: engine, server, control API."""

    def __init__(self, profile: str = "usenpay", port: int = 0, **engine_kw: object) -> None:
        self.engine = TerminalEngine(profile, seed=7, **engine_kw)  # type: ignore[arg-type]
        self.server = SimulatorServer(self.engine, port=port).start_in_thread()
        self.control = SimulatorControl(self.engine, self.server)

    @property
    def port(self) -> int:
        return self.server.port

    def stop(self) -> None:
        self.server.stop_in_thread()


@pytest.fixture
def sim():
    s = Sim()
    yield s
    s.stop()


@pytest.fixture
def make_sim():
    made: list[Sim] = []

    def make(profile: str = "usenpay", port: int = 0, **kw: object) -> Sim:
        s = Sim(profile, port, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()


@pytest.fixture
def make_bridge():
    made: list[TerminalBridge] = []

    def make(port: int, *, profile: str = "usenpay", sale_id: str = "REGI-01", key: str | None = None,
             timings: BridgeTimings = FAST, **kw: object) -> tuple[TerminalBridge, EventLog]:
        config = TerminalConfig(profile, port=port, sale_id=sale_id, timings=timings,
                                **({"pairing_key": key} if key else {}), **kw)  # type: ignore[arg-type]
        bridge = TerminalBridge(config)
        events = EventLog()
        bridge.subscribe(events)
        bridge.start()
        made.append(bridge)
        return bridge, events

    yield make
    for b in made:
        b.stop()


@pytest.fixture
def linked(sim, make_bridge):
    """(sim, bridge, events) with the bridge logged in."""
    bridge, events = make_bridge(sim.port)
    result = bridge.login().result(5)
    assert result.connected, result
    return sim, bridge, events


@pytest.fixture
def proxy(sim):
    p = FrameProxy("127.0.0.1", sim.port).start()
    yield p
    p.stop()
