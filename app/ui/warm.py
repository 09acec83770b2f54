"""What a cashier's first print would load, loaded ahead on the device worker (SPEC §9).

``warm_printing(context)`` queues, on the device worker (the thread that prints), the
imports of the printing path (python-escpos, Pillow, the receipt and slip layouts) and one
render of a one-line document, which loads the receipt font. Start-up may import these
lazily; then neither the first 会計 nor the first receipt pays them on the UI thread. Best
effort: a failure here is logged, and the real print reports its own.
"""
from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)

MODULES = ("escpos.escpos", "escpos.printer", "PIL.Image", "app.core.printing.printers", "app.core.printing.service",
           "app.core.printing.render", "app.core.printing.kanji", "app.core.printing.receipt",
           "app.core.printing.terminal_slip", "app.core.terminal_slip_data")


def _warm() -> None:
    for name in MODULES:
        importlib.import_module(name)
    from app.core.printing.document import PrintDocument
    from app.core.printing.render import render_image

    doc = PrintDocument("receipt", 48)
    doc.add("領収書 ¥0")
    render_image(doc)


def warm_printing(context) -> None:
    context.run_device(_warm, on_error=lambda error: log.warning("warming the printing path failed: %s", error))
