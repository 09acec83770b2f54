"""Where and how to print (SPEC §11 `printer`): `PrinterConfig`, without python-escpos,
so building a register does not load the printer library (its start-up, issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.core.printing.models import PrinterModel, printer_model

PrinterKind = Literal["none", "file", "network", "usb", "serial", "cups", "capture"]
PrintMode = Literal["image", "kanji"]
KINDS = ("none", "file", "network", "usb", "serial", "cups", "capture")
DEFAULT_PORT = 9100
DEFAULT_BAUDRATE = 9600


@dataclass(frozen=True)
class PrinterConfig:
    """Where and how to print.

    `target` by kind: file — a path (or a device node such as /dev/usb/lp0);
    network — "host[:port]" (port 9100 by default); usb — "vid:pid" in hex
    ("04b8:0e15"); serial — "device[:baudrate]" ("/dev/ttyUSB0:38400",
    9600 by default); cups — the CUPS printer name (empty: the default
    printer); none / capture — unused.
    `model` is a `models.printer_models()` key ("" — the generic model of
    `paper_mm`); a model's own paper width wins over `paper_mm`.
    `timeout_s` bounds connecting and each piece written.
    """

    kind: PrinterKind = "none"
    target: str = ""
    paper_mm: int = 80
    mode: PrintMode = "image"
    timeout_s: float = 3.0
    model: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown printer kind {self.kind!r}")
        if self.mode not in ("image", "kanji"):
            raise ValueError(f"unknown print mode {self.mode!r}")
        printer_model(self.model, self.paper_mm)  # ValueError if unknown

    @property
    def printer_model(self) -> PrinterModel:
        return printer_model(self.model, self.paper_mm)

    @property
    def dots(self) -> int:
        """Printable width in dots (576 / 512 / 384)."""
        return self.printer_model.dots

    @property
    def columns(self) -> int:
        """Columns of a layout on this printer (48 / 42 / 32)."""
        return self.printer_model.columns
