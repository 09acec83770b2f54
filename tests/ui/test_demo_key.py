"""Issue 9 (locked down), R-CONN: the public demo pairing key works only towards the
simulator on this machine; a LAN terminal needs the shop's own key."""
import logging

import pytest

from app.core.terminal.bridge import TerminalBridge
from app.core.terminal.config import DEMO_PAIRING_KEY, BridgeTimings, TerminalConfig, demo_key_allowed, is_loopback
from app.core.terminal.results import LoginStatus


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("localhost", True),
    ("192.168.1.50", False), ("10.0.0.2", False), ("terminal.local", False), ("127.0.0.1.example.com", False),
])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback
    assert demo_key_allowed(host, DEMO_PAIRING_KEY) is loopback
    assert demo_key_allowed(host, "shop-own-key-123")


def test_the_bridge_refuses_the_demo_key_for_a_lan_terminal(caplog):
    timings = BridgeTimings(connect_timeout=0.5, login_timeout=0.5, backoff_initial=0.5, backoff_max=1.0)
    bridge = TerminalBridge(TerminalConfig("usenpay", host="192.168.1.50", timings=timings))
    bridge.start()
    try:
        with caplog.at_level(logging.ERROR, logger="app.core.terminal.bridge"):
            result = bridge.login().result(timeout=10)
    finally:
        bridge.stop()
    assert result.status is LoginStatus.REFUSED
    assert result.error.code == "L0006"
    assert "デモ用のペアリングキー" in result.error.message
    assert any("demo pairing key" in r.getMessage() for r in caplog.records)


def open_settings_as_manager(register):
    register.login("山田 店長", "1234")
    register.open_register(30000)
    register.tap("settingsButton")
    register.tap("terminalSettingsTab")


def test_settings_refuse_a_lan_host_with_the_demo_key(register, terminal):
    open_settings_as_manager(register)
    before = register.ledger.settings()
    assert before.terminal_pairing_key == DEMO_PAIRING_KEY
    register.find("terminalHostEdit").setText("192.168.1.50")
    register.tap("saveSettingsButton")
    assert "デモ用のペアリングキー" in register.message()
    assert register.ledger.settings() == before


def test_a_generated_key_is_saved_for_a_lan_terminal(register, terminal, monkeypatch):
    open_settings_as_manager(register)
    # Saved settings relink the terminal at once; no test may send anything off this machine.
    monkeypatch.setattr(register.context, "apply_terminal_settings", lambda: None)
    register.find("terminalHostEdit").setText("192.168.1.50")
    register.tap("generateKeyButton")
    key = register.find("pairingKeyEdit").text()
    assert key != DEMO_PAIRING_KEY and len(key) >= 16
    register.tap("saveSettingsButton")
    assert register.message() == ""
    saved = register.ledger.settings()
    assert (saved.terminal_host, saved.terminal_pairing_key) == ("192.168.1.50", key)


def test_the_demo_key_on_a_lan_host_already_stored_is_refused_at_opening(tmp_path, qtbot):
    from app.testing.driver import RegisterDriver
    register = RegisterDriver.start(tmp_path, settings={"terminal_profile": "usenpay", "terminal_host": "192.168.1.50"})
    try:
        register.login("佐藤", "1111")
        register.open_register(10000)
        dialog = register.wait_dialog("ErrorDialog")
        assert "[L0006]" in dialog.message and "デモ用のペアリングキー" in dialog.message
    finally:
        register.close()
