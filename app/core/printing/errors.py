"""The one exception printing raises to its callers."""

from __future__ import annotations


class PrinterError(Exception):
    """Printing failed. `message` is Japanese, for the cashier (show it and offer a retry);
    `detail` is the underlying cause, for logs and small print."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
