"""Send documents to the configured printer and kick the cash drawer (SPEC §7).

Contracts:
- Blocking: call it from a worker thread, never the UI thread. Jobs are
  serialised by a lock; every device wait is bounded by `config.timeout_s`.
- Every failure — printer off, out of paper, unreachable, missing driver
  library, even a document that cannot be rendered — raises `PrinterError`
  with a Japanese message; nothing is swallowed. The slip is already
  committed, so the caller shows the message and offers a retry.
- Each job gets a fresh connection from the factory and closes it (flushing;
  CUPS submits the job on close), so a retry after a failure starts clean.
  In-process printers ("none", "capture") are created once and shared.
- Printers that implement `JobSink` (the `CapturingPrinter`) are told which
  document the bytes between `begin_job` and `end_job` belong to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from PIL import Image

from app.core.printing.document import PrintDocument, paper_dots
from app.core.printing.errors import PrinterError
from app.core.printing.kanji import encode_kanji
from app.core.printing.printers import CapturingPrinter, PrinterConfig, open_printer, set_paper
from app.core.printing.render import render_image

log = logging.getLogger(__name__)

DRAWER_PIN = 2
MSG_CONNECT = "プリンターに接続できません。電源とケーブル（ネットワーク）を確認してください。"
MSG_TIMEOUT = "プリンターが応答しません。電源と用紙を確認してください。"
MSG_FAILED = "印刷できませんでした。プリンターの電源・用紙・接続を確認してください。"
MSG_RENDER = "印刷データを作成できませんでした。"


@runtime_checkable
class JobSink(Protocol):
    """A printer that wants to know which document it is printing."""

    def begin_job(self, doc: PrintDocument) -> None: ...

    def end_job(self) -> None: ...


class PrintService:
    """Prints `PrintDocument`s as an image or in Kanji mode, per `config.mode`.

    `printer_factory` (optional) returns the printer for one job; by default
    `open_printer(config)`.
    """

    def __init__(self, config: PrinterConfig, printer_factory: Callable[[], Escpos] | None = None) -> None:
        self.config = config
        self._shared: Escpos | None = None
        if printer_factory is None and config.kind in ("none", "capture"):
            self._shared = open_printer(config)
            printer_factory = lambda: self._shared  # noqa: E731
        self._factory = printer_factory or partial(open_printer, config)
        self._lock = threading.Lock()

    @property
    def capture(self) -> CapturingPrinter | None:
        """The capturing printer of a "capture" config built without a factory."""
        return self._shared if isinstance(self._shared, CapturingPrinter) else None

    def print_document(self, doc: PrintDocument) -> None:
        """Print `doc` and cut. Raises PrinterError."""
        try:
            payload = (
                encode_kanji(doc)
                if self.config.mode == "kanji"
                else render_image(doc, paper_dots(self.config.paper_mm))
            )
        except Exception as exc:  # a bug, but the cashier still needs a message, and a log
            log.exception("cannot render %s", doc.kind)
            raise PrinterError(MSG_RENDER, detail=str(exc)) from exc
        self._run(partial(_send_document, doc=doc, payload=payload))

    def kick_drawer(self) -> None:
        """Open the cash drawer (pulse on pin 2). Raises PrinterError."""
        self._run(lambda printer: printer.cashdraw(DRAWER_PIN))

    def _run(self, action: Callable[[Escpos], None]) -> None:
        with self._lock:
            printer = self._factory()  # open_printer raises PrinterError itself
            try:
                set_paper(printer, self.config.paper_mm)
                printer.device  # connect now: CUPS only submits jobs of an opened connection
                action(printer)
                printer.close()
            except Exception as exc:
                _close_quietly(printer)
                log.warning("printing failed (%s): %s", self.config.kind, exc, exc_info=True)
                raise PrinterError(_message_for(exc), detail=str(exc)) from exc


def _send_document(printer: Escpos, doc: PrintDocument, payload: bytes | Image.Image) -> None:
    sink = printer if isinstance(printer, JobSink) else None
    if sink:
        sink.begin_job(doc)
    if isinstance(payload, bytes):
        printer._raw(payload)
    else:
        printer.hw("INIT")
        printer.image(payload, impl="bitImageRaster")
    printer.cut()
    if sink:
        sink.end_job()


def _message_for(exc: Exception) -> str:
    if isinstance(exc, (DeviceNotFoundError, ConnectionError)):
        return MSG_CONNECT
    if isinstance(exc, TimeoutError):
        return MSG_TIMEOUT
    return MSG_FAILED


def _close_quietly(printer: Escpos) -> None:
    try:
        printer.close()
    except Exception:  # already failing; the first error is the one to report
        log.debug("closing a failed printer", exc_info=True)
