"""Issue 15: terminal profiles are capabilities (app/core/terminal/profiles.py). A made-up
third profile, added only to the profile table, drives the real screens and the real
simulator: no screen names a profile."""
import re
from pathlib import Path

import pytest

from app.core.payment_state import PaymentState
from app.core.terminal import profiles
from app.core.terminal.profiles import CT6100, PROFILES, USEN_PAY, PaymentMethod, TerminalProfile

from tests.ui.terminal_helpers import pay_by_terminal

ROOT = Path(__file__).resolve().parents[2]

STERA = TerminalProfile(
    code="stera", name="ステラ", register_picks_method=True, register_prints_slips=False, order_codes=False,
    disconnect_needs_home_screen=True, device_name="ステラ端末", cancel_key="中止", default_poi_id="STERA-0001")


@pytest.fixture
def terminal_profile(monkeypatch):
    monkeypatch.setitem(PROFILES, STERA.code, STERA)  # the one change a new profile needs (and its simulator ids)
    return STERA.code


def test_a_third_profile_runs_through_the_screens(terminal_checkout, terminal, printer):
    assert terminal.engine.poi_id == "STERA-0001"
    terminal.approve(method="credit", brand="JCB", last4="4242")
    terminal_checkout.add_products("マフィン")
    terminal_checkout.tap("terminalMethodButton")
    terminal_checkout.wait_screen("TerminalPickerScreen")              # the register picks the method
    assert terminal_checkout.text("usenpayCreditButton") == "ステラ クレジット"
    terminal_checkout.tap("usenpayCreditButton")
    terminal_checkout.wait_screen("CheckoutScreen")
    terminal_checkout.tap("remainingButton")
    terminal_checkout.tap("payButton")
    terminal_checkout.wait_screen("PaymentConfirmScreen")
    terminal_checkout.tap("terminalLinkButton")
    terminal_checkout.wait_screen("PaymentDoneScreen")
    [row] = terminal_checkout.context.payments.all()
    assert (row.profile, row.method, row.state) == ("stera", "credit", PaymentState.APPROVED)
    assert terminal_checkout.find("referenceCaption").text() == "伝票番号"      # no 受注コード on this terminal
    with pytest.raises(AssertionError):
        terminal_checkout.find("printSlipButton")                        # it prints its own 控え
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_screen("CheckoutDoneScreen")
    assert printer.jobs == []


def test_a_third_profile_asks_for_the_home_screen_before_disconnecting(terminal_checkout, terminal):
    terminal_checkout.add_products("マフィン")
    pay_by_terminal(terminal_checkout, "usenpayQrButton")
    terminal_checkout.wait_until(lambda: terminal.engine.stage == "wait_qr", what="the QR prompt")
    terminal_checkout.tap("disconnectButton")
    dialog = terminal_checkout.wait_dialog("DisconnectConfirmDialog")
    assert "ステラをホーム画面に戻して" in dialog.message
    terminal_checkout.tap("okButton")
    terminal_checkout.wait_dialog("CancelMessageDialog")
    terminal_checkout.tap("closeButton")


def test_capabilities_of_the_shipped_profiles():
    assert (USEN_PAY.register_picks_method, CT6100.register_picks_method) == (True, False)
    assert USEN_PAY.reference_caption() == "受注コード"
    assert (CT6100.reference_caption("credit"), CT6100.reference_caption("qr")) == ("伝票番号", "注文番号")
    assert USEN_PAY.reprint_note is None and "再印字" in CT6100.reprint_note
    assert [m.label for m in PaymentMethod] == ["クレジット", "QRコード", "電子マネー"]
    assert profiles.terminal_profile(None).linked is False
    with pytest.raises(ValueError):
        profiles.terminal_profile("nosuch")


def test_no_profile_name_is_compared_outside_the_profile_table():
    compared = re.compile(r"""(==|!=|\bin\b)\s*\(?\s*["'](usenpay|ct6100)["']|["'](usenpay|ct6100)["']\s*(==|!=)"""
                          r"""|profile\w*\s*(==|!=)\s*["']none["']""")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in (ROOT / "app").rglob("*.py")
                 for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if compared.search(line)]
    assert offenders == []


def test_labels_and_limits_are_written_once():
    sources = {path: path.read_text("utf-8") for path in (ROOT / "app").rglob("*.py")}
    assert [p.name for p, text in sources.items() if "MAX_AMOUNT_YEN = " in text] == ["money.py"]
    assert [p.name for p, text in sources.items() if re.search(r'["\']クレジット["\']', text)] == ["profiles.py"]
