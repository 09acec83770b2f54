"""The payment coordinator (app/core/payments) as Qt signals: ``updated(Update)`` on the UI
thread for every change of a terminal request. Screens read rows and this signal only;
they keep no payment state of their own (issue 9)."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.payments.coordinator import PaymentCoordinator


class PaymentUpdates(QObject):
    updated = Signal(object)  # app.core.payments.coordinator.Update

    def __init__(self, coordinator: PaymentCoordinator):
        super().__init__()
        # The coordinator runs on the UI dispatcher: this emit is already on the UI thread.
        coordinator.subscribe(self.updated.emit)
