"""Smoke test of the simulator window: it builds, shows the terminal state and
its buttons reach the engine (QT_QPA_PLATFORM=offscreen, set in conftest)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QFontDatabase  # noqa: E402
from PySide6.QtWidgets import QLabel, QPushButton  # noqa: E402

from app.core.assets import font_path  # noqa: E402
from app.simulator.engine import Stage, TerminalEngine  # noqa: E402

FONT = font_path()


def body(amount: int, method: str | None) -> dict:
    out = {"SaleData": {"SaleTransactionID": {"TransactionID": f"W{amount}", "TimeStamp": "2025-08-19T10:00:00+09:00"}},
           "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": amount}}}
    if method:
        out["PaymentData"] = {"PaymentMethod": method}
    return out


@pytest.fixture
def window(qtbot):
    QFontDatabase.addApplicationFont(str(FONT))
    from app.simulator.window import SimulatorWindow

    engine = TerminalEngine("usenpay")
    engine.login("REGI-01")
    w = SimulatorWindow(engine)
    qtbot.addWidget(w)
    w.show()
    return w


def click(qtbot, window, name: str) -> None:
    button = window.findChild(QPushButton, name)
    assert button is not None, name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_card_payment_through_the_window(qtbot, window):
    engine = window.engine
    engine.start_payment("REGI-01", "S1", body(1360, "credit"))
    qtbot.waitUntil(lambda: window.findChild(QLabel, "amountLabel").text() == "¥1,360")
    assert window.findChild(QLabel, "promptLabel").text() == "カードを挿入してください"
    click(qtbot, window, "brand_JCB")
    click(qtbot, window, "icButton")
    assert engine.stage is Stage.WAIT_PIN
    click(qtbot, window, "pinOkButton")
    last = engine.history()[-1]
    assert last.approved and last.brand == "JCB" and last.entry_mode == "ICC"
    qtbot.waitUntil(lambda: window.findChild(QLabel, "resultLabel").text().startswith("承認されました"))


def test_clerk_buttons_reach_the_engine(qtbot, window):
    click(qtbot, window, "battery10")
    assert window.engine.battery == 10
    qtbot.waitUntil(lambda: window.findChild(QLabel, "batteryLabel").text() == "電池 10%")
    click(qtbot, window, "busyButton")
    assert window.engine.snapshot().busy
    # a button that does not apply now explains itself instead of raising
    window.engine.set_busy(False)
    window._act(window.engine.sign)
    assert window.findChild(QLabel, "statusLabel").text()


def test_cancel_button(qtbot, window):
    window.engine.start_payment("REGI-01", "S2", body(500, "qr"))
    click(qtbot, window, "cancelQrButton")
    assert window.engine.history()[-1].response["Response"]["ErrorCondition"] == "Cancel"
