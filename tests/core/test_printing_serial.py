"""Serial printers on a pty (issue 12 defect 1, SPEC §7): python-escpos's Serial printer writes to
a pseudo-terminal whose other end plays the printer; the bytes are read back and decoded with
tests/escpos_decode.py."""
from __future__ import annotations

import os
import threading
import time

import pytest

serial = pytest.importorskip("serial")

from app.core.printing.document import PrintDocument, PrintLine  # noqa: E402
from app.core.printing.errors import PrinterError  # noqa: E402
from app.core.printing.printers import PrinterConfig, TimedSerial  # noqa: E402
from app.core.printing.render import render_image  # noqa: E402
from app.core.printing.service import PrintService  # noqa: E402
from tests.escpos_decode import decode  # noqa: E402


class PtyPrinter:
    """The printer end of a pty: a thread reads everything written to the device, unless paused."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()  # the slave stays open: no hang-up between jobs
        self.device = os.ttyname(self.slave)
        self.received = bytearray()
        self.reading = threading.Event()
        self.reading.set()
        self._stop = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop:
            if not self.reading.wait(0.05):
                continue
            try:
                import select

                ready, _, _ = select.select([self.master], [], [], 0.05)
                if ready:
                    self.received += os.read(self.master, 65536)
            except OSError:
                return

    def drain(self) -> bytes:
        """Everything written so far (waits until the pty is empty)."""
        last, quiet = -1, 0
        while quiet < 5:
            time.sleep(0.02)
            quiet = quiet + 1 if len(self.received) == last else 0
            last = len(self.received)
        return bytes(self.received)

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_printer():
    printer = PtyPrinter()
    yield printer
    printer.close()


def slip(lines: int = 40, columns: int = 48) -> PrintDocument:
    doc = PrintDocument("receipt", columns)
    doc.add("カフェ・レギ 渋谷店", align="center", bold=True)
    for n in range(lines):
        doc.add(f"ブレンドコーヒー {n}", right="￥550")
    doc.lines.append(PrintLine.rule())
    doc.add("合計", right="￥22,000", double=True, bold=True)
    return doc


@pytest.fixture
def writes(monkeypatch):
    """The size of every write python-escpos's Serial printer makes to the port."""
    sizes: list[int] = []
    real = serial.Serial.write

    def write(self, data):
        sizes.append(len(data))
        return real(self, data)

    monkeypatch.setattr(serial.Serial, "write", write)
    return sizes


@pytest.mark.parametrize("baudrate,piece", [(9600, 1440), (115200, 17280)])
def test_an_image_goes_in_pieces_the_line_carries_within_the_timeout(pty_printer, writes, baudrate, piece):
    doc = slip()
    service = PrintService(PrinterConfig(kind="serial", target=f"{pty_printer.device}:{baudrate}", timeout_s=3.0))
    service.print_document(doc)
    assert TimedSerial(pty_printer.device, baudrate, timeout=3.0).piece_bytes == piece
    assert writes and max(writes) <= piece  # 3 s of 9600 bps carry 2,880 bytes: half of it a piece
    [page] = decode(pty_printer.drain())
    assert page.cut and page.image().size == render_image(doc, 576).size


@pytest.mark.parametrize("model,dots", [("", 576), ("TM-T88V", 512), ("generic-58", 384)])
@pytest.mark.parametrize("mode", ["image", "kanji"])
def test_every_width_and_mode_prints_over_a_serial_line(pty_printer, model, dots, mode):
    config = PrinterConfig(kind="serial", target=f"{pty_printer.device}:115200", mode=mode, model=model)
    service = PrintService(config)
    assert service.columns == dots // 12  # 48 / 42 / 32
    service.print_document(slip(5, service.columns))
    service.kick_drawer()
    [page] = decode(pty_printer.drain())
    assert page.cut and page.kicks == 1 and not page.kanji_open
    if mode == "image":
        assert {band.width_dots for band in page.bands} == {dots}
    else:
        assert "ブレンドコーヒー 4" in page.text
        assert max(line.columns for line in page.lines) <= dots // 12


def test_a_printer_that_stops_reading_mid_image_is_reported_and_the_retry_prints_whole(pty_printer):
    doc = slip()
    service = PrintService(PrinterConfig(kind="serial", target=f"{pty_printer.device}:115200", timeout_s=0.5))
    pty_printer.reading.clear()  # out of paper: the printer stops taking data, the pty fills up
    with pytest.raises(PrinterError):
        service.print_document(doc)
    pty_printer.reading.set()  # paper loaded
    service.print_document(doc)  # 「再試行」
    first, retry = decode(pty_printer.drain())  # one stream, as the printer reads it
    assert first.bands and not first.cut  # the failed job stopped inside the image...
    assert retry.cut  # ...and the retry's ESC @ was read as a command, not as dots
    assert retry.image().tobytes() == render_image(doc, 576).tobytes()
