"""Every screen of the register by its SPEC §3 ``objectName``: the module that defines it.

Screens are imported and built on first use (``MainWindow.screen``), so start-up only
pays for the login screen (SPEC §9: start to login ≤ 1 s).
"""
from __future__ import annotations

import importlib

SCREENS = {
    "LoginScreen": "login",
    "OpenScreen": "open",
    "TopScreen": "top",
    "CheckoutScreen": "checkout",
    "CheckoutDoneScreen": "checkout_done",
    "TerminalPickerScreen": "terminal_picker",
    "PaymentConfirmScreen": "terminal_confirm",
    "ProcessingScreen": "processing",
    "PaymentDoneScreen": "terminal_done",
    "RefundConfirmScreen": "terminal_confirm",
    "RefundProcessingScreen": "processing",
    "RefundDoneScreen": "terminal_done",
    "SlipListScreen": "slip_list",
    "SlipDetailScreen": "slip_detail",
    "PaymentHistoryScreen": "payment_history",
    "PaymentInquiryScreen": "payment_inquiry",
    "SettingsScreen": "settings",
    "CloseScreen": "close",
    "InspectionScreen": "inspection",
    "CloseHistoryScreen": "close_history",
    "CashMoveScreen": "cash_move",
}


def screen_class(name: str) -> type:
    """The class of screen ``name`` (a ``KeyError`` for an unknown name)."""
    module = importlib.import_module(f"app.ui.screens.{SCREENS[name]}")
    return getattr(module, name)
