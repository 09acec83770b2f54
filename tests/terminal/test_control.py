"""The control port (JSON lines) and the simulator as a separate process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.terminal.results import Outcome
from app.simulator.control import ControlClient, ControlError, ControlServer
from app.simulator.engine import TerminalEngine
from app.simulator.outcomes import Approve, outcome_from_json, outcome_to_json
from app.simulator.server import SimulatorServer

from .helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]
T = 5


@pytest.fixture
def sim_with_control():
    server = SimulatorServer(TerminalEngine("usenpay"), control_port=0).start_in_thread()
    yield server
    server.stop_in_thread()


def test_control_port_drives_a_payment(sim_with_control, make_bridge):
    server = sim_with_control
    assert server.control_port and server.control_port != server.port
    bridge, _ = make_bridge(server.port)
    assert bridge.login().result(T).connected
    with ControlClient("127.0.0.1", server.control_port) as control:
        assert control.call("ping") == "pong"
        assert control.call("queue", outcome={"type": "approve", "brand": "AMEX", "last4": "6304"}) == 1
        assert bridge.pay("T-ctl", 165, "credit").result(T).brand == "AMEX"
        future = bridge.pay("T-ctl2", 300, "qr")
        wait_until(lambda: control.call("state")["stage"] == "wait_qr")
        control.call("scan_qr", brand="楽天ペイ")
        assert future.result(T).brand == "楽天ペイ"
        history = control.call("history")
        assert [h["transaction_id"] for h in history] == ["T-ctl", "T-ctl2"]
        state = control.call("state")
        assert state["linked_sale_id"] == "REGI-01" and state["connections"] == 1
        with pytest.raises(ControlError, match="unknown command"):
            control.call("format_disk")
        with pytest.raises(ControlError, match="TypeError"):
            control.call("set_battery", level=5, extra=1)
        with pytest.raises(ControlError, match="battery"):
            control.call("set_battery", level=101)
        with pytest.raises(ControlError, match="unknown outcome type"):
            control.call("queue", outcome={"type": "teleport"})
        assert control.call("ping") == "pong"  # errors do not close the control connection


def test_control_port_refuses_non_loopback():
    server = SimulatorServer(TerminalEngine("usenpay"))
    with pytest.raises(ValueError, match="loopback"):
        ControlServer(server, "0.0.0.0", 0)


def test_outcome_json_round_trip():
    item = Approve(brand="JCB", last4="1012", on_duplicate="continue")
    assert outcome_from_json(outcome_to_json(item)) == item
    for bad in ({"type": "approve", "last4": "12"}, {"type": "approve", "colour": 1}, {"type": "duplicate",
                                                                                       "choice": "maybe"}, []):
        with pytest.raises(ValueError):
            outcome_from_json(bad)


def test_simulator_runs_as_its_own_process(make_bridge, tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "app.simulator", "--profile", "ct6100", "--host", "127.0.0.1",
                             "--port", "0", "--control-port", "0", "--headless", "--log-level", "WARNING",
                             "--journal", str(tmp_path / "journal.json")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        second = proc.stdout.readline()
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+)", first).group(1))
        control_port = int(re.search(r"control on 127\.0\.0\.1:(\d+)", second).group(1))
        assert "ct6100" in first
        bridge, _ = make_bridge(port, profile="ct6100")
        assert bridge.login().result(T).connected
        with ControlClient("127.0.0.1", control_port) as control:
            control.call("approve", method="credit", brand="JCB")
            result = bridge.pay("P-1", 1234, None).result(T)
        assert result.outcome is Outcome.SUCCESS and result.brand == "JCB"
    finally:
        proc.terminate()
        proc.wait(5)
