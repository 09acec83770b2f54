"""python-escpos printer objects (SPEC §7, §11 `printer`); their configuration is `config.py`.

This module imports python-escpos (with PyYAML, Pillow, python-barcode: a tenth of a
second): only the print service's worker imports it, on the first print, never the
start-up path (tests/ui/test_startup.py).

`open_printer(config)` only *constructs* a printer: python-escpos connects on
first use, so a printer that is off fails at print time, inside `PrintService`,
which turns every failure into `PrinterError`.

Traps handled here:
- USB / serial / CUPS need optional libraries (pyusb, pyserial, pycups); when
  absent, python-escpos raises RuntimeError (Serial / CUPS from `__init__`,
  USB later, and again from `__del__`). We check `is_usable()` first and raise
  `PrinterError` with a Japanese message instead.
- escpos's Network printer leaks its socket when connecting fails.
- escpos's File printer opens with "wb": every job (or drawer kick) would wipe
  the previous one. `AppendingFile` appends.
- escpos's USB printer defaults to no timeout and its serial printer sets no
  write timeout: both could block forever on a printer that is off.
- A serial line carries about baudrate / 10 bytes a second: one 69 KB raster
  takes 72 s at 9600 bps. `PrintService` writes in pieces of `piece_bytes`
  (what the line carries in half the timeout), each with its own timeout, and
  escpos's serial `close()` would wait for the output forever (tcdrain):
  `TimedSerial.close()` waits at most the timeout.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import CupsPrinter, Dummy, File, Network, Serial, Usb
from PIL import Image

from app.core.printing.config import DEFAULT_BAUDRATE, DEFAULT_PORT, PrinterConfig
from app.core.printing.document import PrintDocument
from app.core.printing.errors import PrinterError
from app.core.printing.models import PrinterModel

PIECE_BYTES = 16384  # one write to a network / USB / file printer


def open_printer(config: PrinterConfig) -> Escpos:
    """A new, not yet connected python-escpos printer for `config` (PrinterError if it cannot exist)."""
    kind, target = config.kind, config.target.strip()
    if kind == "none":
        return NullPrinter()
    if kind == "capture":
        return CapturingPrinter()
    if kind == "file":
        if not target:
            raise PrinterError("プリンターの設定が正しくありません（出力先ファイルが未設定です）。")
        return AppendingFile(target)
    if kind == "network":
        host, port = _split_number(target, DEFAULT_PORT, "IPアドレス")
        return ClosingNetwork(host, port, timeout=config.timeout_s)
    if kind == "usb":
        _require(Usb, "USB", "pyusb")
        try:
            vid, pid = (int(part, 16) for part in target.split(":"))
        except ValueError:
            raise PrinterError(f"プリンターの設定が正しくありません（USBの指定「{target}」）。") from None
        return Usb(vid, pid, timeout=int(config.timeout_s * 1000))  # pyusb timeouts are in ms
    if kind == "serial":
        _require(Serial, "シリアル", "pyserial")
        device, baudrate = _split_number(target, DEFAULT_BAUDRATE, "シリアルポート")
        return TimedSerial(device, baudrate, timeout=config.timeout_s)
    _require(CupsPrinter, "CUPS", "pycups")
    return CupsPrinter(target)


def raster_stream(image: Image.Image, model: PrinterModel, piece: int) -> tuple[bytes, list[tuple[int, int]]]:
    """ESC @ and `image` as GS v 0 bands of at most about `piece` bytes, built by python-escpos,
    with each band's (start, end) offsets."""
    recorder = _Recorder()
    set_paper(recorder, model)
    recorder.hw("INIT")
    rows = max(8, piece // max(1, (image.width + 7) // 8) // 8 * 8)
    recorder.image(image, impl="bitImageRaster", fragment_height=rows)
    data, bands, offset = bytearray(), [], 0
    for chunk in recorder.chunks:
        if chunk.startswith(b"\x1dv0"):
            bands.append((offset, offset + len(chunk)))
        data += chunk
        offset += len(chunk)
    return bytes(data), bands


class _Recorder(Dummy):
    """Keeps each command python-escpos emits as one chunk (an image band is one)."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[bytes] = []

    def _raw(self, msg: bytes) -> None:
        self.chunks.append(bytes(msg))


def set_paper(printer: Escpos, model: PrinterModel) -> None:
    """Tell the printer's profile its paper width, so `image()` can check it (and stops printing a warning).

    The profile data is shared by every printer of that profile: copy, never mutate.
    """
    data = dict(printer.profile.profile_data)
    data["media"] = {**data.get("media", {}), "width": {"mm": model.paper_mm, "pixels": model.dots}}
    printer.profile.profile_data = data


def piece_bytes(printer: Escpos) -> int:
    """The most one write to `printer` may carry (a serial line's share of its timeout)."""
    return getattr(printer, "piece_bytes", PIECE_BYTES)


def _require(cls: type[Escpos], label: str, library: str) -> None:
    if not cls.is_usable():
        raise PrinterError(f"{label}接続のプリンターを使うには {library} が必要ですが、インストールされていません。")


def _split_number(target: str, default: int, label: str) -> tuple[str, int]:
    """"name[:number]" -> (name, number)."""
    name, sep, number = target.rpartition(":")
    if not sep:
        name, number = target, str(default)
    if not name or not number.isdigit():
        raise PrinterError(f"プリンターの設定が正しくありません（{label}「{target}」）。")
    return name, int(number)


class AppendingFile(File):
    """escpos File printer that appends instead of truncating (one file keeps every job)."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            self.device = open(self.devfile, "ab")
        except OSError as exc:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"Could not open {self.devfile}: {exc}") from exc


class ClosingNetwork(Network):
    """escpos Network printer that does not leak its socket when connecting fails.

    `timeout` bounds connecting and each send; a host name's DNS lookup is not
    bounded — configure printers by IP address.
    """

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            self.device = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"Could not open socket for {self.host}:{self.port}: {exc}") from exc


class TimedSerial(Serial):
    """escpos Serial printer whose writes time out like its reads (flow control can stall forever).

    `piece_bytes`: what the line carries in half the timeout (10 bits a byte: start, 8 data, stop),
    so a piece written whole never times out on a printer that keeps reading.
    """

    @property
    def piece_bytes(self) -> int:
        return max(64, int(self.baudrate / 10 * self.timeout / 2))

    def open(self, raise_not_found: bool = True) -> None:
        super().open(raise_not_found)
        if self.device:
            self.device.write_timeout = self.timeout

    def close(self) -> None:
        """Close once the output has drained; TimeoutError if it made no progress for the timeout
        (a draining line is waited for: 4 KB of buffer take 4 s at 9600 bps)."""
        if not self._device:
            return
        device, self._device = self._device, False
        try:
            stuck, waiting, since = False, None, time.monotonic()
            while device.is_open and device.out_waiting:
                if device.out_waiting != waiting:
                    waiting, since = device.out_waiting, time.monotonic()
                elif time.monotonic() - since > self.timeout:
                    stuck = True
                    break
                time.sleep(0.01)
        finally:
            device.close()
        if stuck:
            raise TimeoutError("serial output did not drain")


class NullPrinter(Dummy):
    """The printer of a shop without one: accepts everything, prints nothing."""

    partial_writes = False

    def _raw(self, msg: bytes) -> None:
        pass


@dataclass
class PrintJob:
    """One document as the capturing printer received it."""

    kind: str
    lines: list[str]
    copy_label: str | None
    reprint: bool
    raw: bytes = b""
    cuts: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Fault:
    remaining: int = 0
    offline: bool = False
    message: str = ""


class CapturingPrinter(Dummy):
    """In-memory printer for tests and the `printer` fixture: records `PrintJob`s.

    `PrintService` brackets each document with `begin_job(doc)` / `end_job()`,
    so a job carries the document's text lines, copy label and reprint mark
    along with the bytes sent for it. `fail_next()` / `set_offline()` make
    sends raise OSError, like a printer that is off or out of paper; a failed
    job is not recorded, and a failed write sent nothing (`partial_writes`).
    """

    partial_writes = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.jobs: list[PrintJob] = []
        self.drawer_kicks = 0
        self._pending: PrintJob | None = None
        self._pending_raw: list[bytes] = []
        self._fault = _Fault()

    def begin_job(self, doc: PrintDocument) -> None:
        self._pending = PrintJob(doc.kind, doc.text_lines(), doc.copy_label, doc.reprint)
        self._pending_raw = []

    def end_job(self) -> None:
        if self._pending is not None:
            self._pending.raw = b"".join(self._pending_raw)
            self.jobs.append(self._pending)
        self._pending = None

    def fail_next(self, n: int = 1, message: str = "プリンターの用紙がありません。") -> None:
        """The next `n` print jobs / drawer kicks fail with `message`."""
        self._fault.remaining, self._fault.message = n, message

    def set_offline(self, offline: bool = True, message: str = "プリンターの電源が入っていません。") -> None:
        """While offline, every print job / drawer kick fails with `message`."""
        self._fault.offline, self._fault.message = offline, message

    def clear(self) -> None:
        """Forget recorded jobs, drawer kicks and output (faults stay)."""
        super().clear()
        self.jobs.clear()
        self.drawer_kicks = 0

    def _raw(self, msg: bytes) -> None:
        if self._fault.offline or self._fault.remaining > 0:
            self._fault.remaining = max(self._fault.remaining - 1, 0)
            self._pending = None
            raise OSError(self._fault.message)
        super()._raw(msg)
        if self._pending is not None:
            self._pending_raw.append(msg)

    def cut(self, mode: str = "FULL", feed: bool = True) -> None:
        super().cut(mode, feed)
        if self._pending is not None:
            self._pending.cuts += 1

    def cashdraw(self, pin) -> None:
        super().cashdraw(pin)
        self.drawer_kicks += 1
