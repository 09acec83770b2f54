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
- A document is written in pieces of `piece_bytes(printer)` (sized for a
  serial line's rate), each under the timeout; its image goes as raster bands
  no bigger than a piece. A failure after the first byte is reported like any
  other — never resumed — and the printer may be left inside a raster band,
  where it would read the retry's ESC @ as dots. So the service remembers how
  many bytes that band still expects and the next job on it first sends as many
  NULs (white dots, and ignored outside an image), ending the band, then ESC @.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from app.core.printing.config import PrinterConfig
from app.core.printing.document import PrintDocument
from app.core.printing.errors import PrinterError
from app.core.printing.kanji import encode_kanji

if TYPE_CHECKING:
    from escpos.escpos import Escpos
    from PIL import Image

    from app.core.printing.printers import CapturingPrinter

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
    `open_printer(config)`. Building the service loads neither python-escpos nor Pillow
    (`printers`, `render`): the first job does, on the caller's (worker) thread.
    """

    def __init__(self, config: PrinterConfig, printer_factory: Callable[[], Escpos] | None = None) -> None:
        self.config = config
        self._shared: Escpos | None = None
        self._in_process = printer_factory is None and config.kind in ("none", "capture")
        self._shared_lock = threading.Lock()
        if self._in_process:
            printer_factory = self._shared_printer
        self._factory = printer_factory or partial(_open_printer, config)
        self._lock = threading.Lock()
        self._owed = 0  # bytes a raster band left unfinished by a failure still expects

    @property
    def columns(self) -> int:
        """Columns to lay documents out at for this printer (48 / 42 / 32)."""
        return self.config.columns

    @property
    def capture(self) -> CapturingPrinter | None:
        """The capturing printer of a "capture" config built without a factory."""
        return self._shared_printer() if self._in_process and self.config.kind == "capture" else None

    def _shared_printer(self) -> Escpos:
        """The one in-process printer ("none", "capture"), made on first use."""
        with self._shared_lock:
            if self._shared is None:
                self._shared = _open_printer(self.config)
            return self._shared

    def print_document(self, doc: PrintDocument) -> None:
        """Print `doc` and cut. Raises PrinterError."""
        try:
            if self.config.mode == "kanji":
                payload = encode_kanji(doc)
            else:
                from app.core.printing import render

                payload = render.render_image(doc, self.config.dots)
        except Exception as exc:  # a bug, but the cashier still needs a message, and a log
            log.exception("cannot render %s", doc.kind)
            raise PrinterError(MSG_RENDER, detail=str(exc)) from exc
        self._run(partial(self._send_document, doc=doc, payload=payload))

    def kick_drawer(self) -> None:
        """Open the cash drawer (pulse on pin 2). Raises PrinterError."""
        self._run(lambda printer: printer.cashdraw(DRAWER_PIN))

    def _run(self, action: Callable[[Escpos], None]) -> None:
        from app.core.printing.printers import piece_bytes, set_paper

        with self._lock:
            printer = self._factory()  # open_printer raises PrinterError itself
            try:
                set_paper(printer, self.config.printer_model)
                printer.device  # connect now: CUPS only submits jobs of an opened connection
                if self._owed:
                    log.warning("ending a raster band left unfinished with %d NULs", self._owed)
                    self._write(printer, b"\0" * self._owed, [(0, self._owed)])
                action(printer)
                try:
                    printer.close()
                except Exception:  # the end of the output may not have reached the printer
                    self._owed = max(self._owed, 2 * piece_bytes(printer))
                    raise
            except Exception as exc:
                _close_quietly(printer)
                log.warning("printing failed (%s): %s", self.config.kind, exc, exc_info=True)
                raise PrinterError(_message_for(exc), detail=str(exc)) from exc

    def _send_document(self, printer: Escpos, doc: PrintDocument, payload: bytes | Image.Image) -> None:
        from app.core.printing.printers import piece_bytes, raster_stream

        sink = printer if isinstance(printer, JobSink) else None
        if sink:
            sink.begin_job(doc)
        if isinstance(payload, bytes):
            self._write(printer, payload, [])
        else:
            self._write(printer, *raster_stream(payload, self.config.printer_model, piece_bytes(printer)))
        printer.cut()
        if sink:
            sink.end_job()

    def _write(self, printer: Escpos, data: bytes, bands: list[tuple[int, int]]) -> None:
        """`data` in pieces; on a failure, remember what an interrupted band (offsets in `bands`) still expects."""
        from app.core.printing.printers import piece_bytes

        piece = piece_bytes(printer)
        partial_writes = getattr(printer, "partial_writes", True)
        for start in range(0, len(data), piece):
            end = min(start + piece, len(data))
            try:
                printer._raw(data[start:end])
            except Exception:
                # Bytes of the failed piece may have gone out (a serial write that timed out) unless
                # the printer says a failed write sends nothing; NULs past a band's end are ignored.
                sent_up_to = end if partial_writes else start
                self._owed = max((b_end - start for b_start, b_end in bands if b_start < sent_up_to and b_end > start),
                                 default=0)
                raise
        self._owed = 0


def _open_printer(config: PrinterConfig) -> Escpos:
    from app.core.printing.printers import open_printer  # python-escpos: on the first job

    return open_printer(config)


def _message_for(exc: Exception) -> str:
    from escpos.exceptions import DeviceNotFoundError

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
