"""Printers and the print service: file, network, capture, none; failures become PrinterError (SPEC §7, §11)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from escpos.printer import CupsPrinter, Dummy, Network, Serial, Usb

from app.core.printing import render as render_module
from app.core.printing import service as service_module
from app.core.printing.document import PrintDocument, PrintLine
from app.core.printing.errors import PrinterError
from app.core.printing.printers import CapturingPrinter, NullPrinter, PrinterConfig, open_printer
from app.core.printing.service import PrintService

JAPANESE = re.compile("[ぁ-んァ-ン一-龥]")
RASTER = b"\x1dv0"  # GS v 0: raster bit image
CUT = b"\x1dV"  # GS V
DRAWER = b"\x1bp"  # ESC p
KANJI_TOTAL = "合計".encode("cp932")


def slip(copy_label: str | None = None, reprint: bool = False) -> PrintDocument:
    doc = PrintDocument("card_slip", 48, copy_label=copy_label, reprint=reprint)
    if reprint:
        doc.add("(再)", align="center")
    doc.add("クレジットカード売上票", align="center", double=True, bold=True)
    doc.add("受注コード", right="TSU3-0003377")
    doc.add("合計", right="￥880")
    doc.lines.append(PrintLine.rule())
    if copy_label:
        doc.add(copy_label, align="right")
    return doc


class LoopbackPrinter:
    """A TCP server on 127.0.0.1 that stores every connection's bytes, like a port-9100 printer."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(10)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> LoopbackPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.close()

    def _serve(self) -> None:
        try:
            while True:
                conn, _ = self.server.accept()
                with conn:
                    chunks = []
                    while data := conn.recv(65536):
                        chunks.append(data)
                    self.received.append(b"".join(chunks))
        except OSError:
            return  # closed

    def wait_for(self, count: int) -> list[bytes]:
        deadline = time.monotonic() + 5
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]  # closed on exit: connecting is refused


# --- file and network printers ----------------------------------------------------------


def test_file_printer_writes_escpos_and_keeps_every_job(tmp_path):
    out = tmp_path / "printer.bin"
    service = PrintService(PrinterConfig(kind="file", target=str(out)))
    service.print_document(slip())
    service.kick_drawer()
    data = out.read_bytes()
    assert data.startswith(b"\x1b@")
    assert data.index(RASTER) < data.index(CUT) < data.index(DRAWER)  # the kick did not wipe the receipt


def test_file_printer_in_kanji_mode(tmp_path):
    out = tmp_path / "printer.bin"
    PrintService(PrinterConfig(kind="file", target=str(out), mode="kanji")).print_document(slip())
    data = out.read_bytes()
    assert b"\x1c\x26" in data and KANJI_TOTAL in data and CUT in data
    assert RASTER not in data


def test_file_printer_in_missing_directory_raises_printer_error(tmp_path):
    service = PrintService(PrinterConfig(kind="file", target=str(tmp_path / "no" / "such" / "dir")))
    with pytest.raises(PrinterError) as err:
        service.print_document(slip())
    assert JAPANESE.search(str(err.value))


def test_network_printer_sends_to_a_tcp_printer():
    with LoopbackPrinter() as printer:
        config = PrinterConfig(kind="network", target=f"127.0.0.1:{printer.port}", mode="kanji")
        service = PrintService(config)
        service.print_document(slip())
        service.kick_drawer()
        receipt, kick = printer.wait_for(2)
    assert receipt.startswith(b"\x1b@") and receipt.index(KANJI_TOTAL) < receipt.rindex(CUT)
    assert DRAWER in kick


@pytest.mark.filterwarnings("error")  # e.g. a leaked socket (ResourceWarning)
def test_network_printer_that_is_off_raises_japanese_printer_error_quickly():
    service = PrintService(PrinterConfig(kind="network", target=f"127.0.0.1:{free_port()}"))
    started = time.monotonic()
    with pytest.raises(PrinterError) as err:
        service.print_document(slip())
    assert time.monotonic() - started < 5
    assert JAPANESE.search(err.value.message)
    assert err.value.detail
    with pytest.raises(PrinterError):
        service.kick_drawer()


def test_network_target_parsing():
    printer = open_printer(PrinterConfig(kind="network", target="192.168.1.50"))
    assert isinstance(printer, Network)
    assert (printer.host, printer.port, printer.timeout) == ("192.168.1.50", 9100, 3.0)
    assert open_printer(PrinterConfig(kind="network", target="printer.local:9101")).port == 9101
    with pytest.raises(PrinterError):
        open_printer(PrinterConfig(kind="network", target="printer.local:abc"))


@pytest.mark.parametrize(
    "cls,config",
    [
        (Usb, PrinterConfig(kind="usb", target="04b8:0e15")),
        (Serial, PrinterConfig(kind="serial", target="/dev/ttyUSB0:38400")),
        (CupsPrinter, PrinterConfig(kind="cups", target="TM-T88")),
    ],
)
def test_missing_backend_library_is_a_japanese_printer_error(monkeypatch, cls, config):
    monkeypatch.setattr(cls, "is_usable", staticmethod(lambda: False))
    with pytest.raises(PrinterError) as err:
        open_printer(config)
    assert JAPANESE.search(str(err.value))
    with pytest.raises(PrinterError):
        PrintService(config).print_document(slip())


class ConnectionCountingPrinter(Dummy):
    """Like escpos's CUPS printer: `_raw` buffers without connecting; `close()` submits only if opened."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = self.closed = 0

    def open(self) -> None:
        self.opened += 1
        self.device = object()

    def close(self) -> None:
        if self._device:
            self.closed += 1
            self._device = False


def test_each_job_opens_and_closes_its_own_connection():
    printer = ConnectionCountingPrinter()
    service = PrintService(PrinterConfig(kind="cups"), lambda: printer)
    service.print_document(slip())
    service.kick_drawer()
    assert (printer.opened, printer.closed) == (2, 2)


def test_printer_config_is_validated():
    with pytest.raises(ValueError):
        PrinterConfig(kind="bluetooth")
    with pytest.raises(ValueError):
        PrinterConfig(paper_mm=76)
    with pytest.raises(ValueError):
        PrinterConfig(mode="text")


def test_no_printer_accepts_jobs_and_does_nothing():
    service = PrintService(PrinterConfig(kind="none"))
    service.print_document(slip())
    service.kick_drawer()
    assert isinstance(open_printer(PrinterConfig(kind="none")), NullPrinter)


# --- the capturing printer --------------------------------------------------------------


def test_capturing_printer_records_jobs_copies_reprints_and_drawer_kicks():
    service = PrintService(PrinterConfig(kind="capture"))
    captured = service.capture
    assert isinstance(captured, CapturingPrinter)

    customer, merchant = slip("お客様控"), slip("加盟店控", reprint=True)
    service.print_document(customer)
    service.print_document(merchant)
    service.kick_drawer()

    first, second = captured.jobs
    assert (first.kind, first.copy_label, first.reprint) == ("card_slip", "お客様控", False)
    assert (second.copy_label, second.reprint) == ("加盟店控", True)
    assert first.lines == customer.text_lines()
    assert "合計" + " " * 39 + "￥880" in first.lines
    assert second.lines[0] == "(再)" and second.lines[-1] == "加盟店控"
    assert RASTER in first.raw and first.cuts == 1
    assert DRAWER not in first.raw + second.raw
    assert captured.drawer_kicks == 1

    captured.clear()
    assert captured.jobs == [] and captured.drawer_kicks == 0


def test_capturing_printer_from_a_factory_in_kanji_mode():
    captured = CapturingPrinter()
    service = PrintService(PrinterConfig(kind="capture", mode="kanji", paper_mm=58), lambda: captured)
    service.print_document(slip())
    (job,) = captured.jobs
    assert KANJI_TOTAL in job.raw and RASTER not in job.raw


def test_fail_next_raises_printer_error_then_retry_succeeds():
    service = PrintService(PrinterConfig(kind="capture"))
    captured = service.capture
    captured.fail_next(message="用紙切れ")
    with pytest.raises(PrinterError) as err:
        service.print_document(slip("お客様控"))
    assert JAPANESE.search(err.value.message)
    assert "用紙切れ" in err.value.detail
    assert captured.jobs == []

    service.print_document(slip("お客様控"))  # the retry
    assert [job.copy_label for job in captured.jobs] == ["お客様控"]

    captured.fail_next(2)
    for _ in range(2):
        with pytest.raises(PrinterError):
            service.kick_drawer()
    service.kick_drawer()
    assert captured.drawer_kicks == 1


def test_offline_printer_fails_until_back_online():
    service = PrintService(PrinterConfig(kind="capture"))
    service.capture.set_offline(True)
    for _ in range(3):
        with pytest.raises(PrinterError):
            service.print_document(slip())
    service.capture.set_offline(False)
    service.print_document(slip())
    assert len(service.capture.jobs) == 1


def test_render_failure_is_a_printer_error(monkeypatch):
    def broken(doc, dots):
        raise OSError("font missing")

    monkeypatch.setattr(render_module, "render_image", broken)
    with pytest.raises(PrinterError) as err:
        PrintService(PrinterConfig(kind="capture")).print_document(slip())
    assert err.value.message == service_module.MSG_RENDER


def test_printing_core_never_imports_qt():
    code = (
        "import sys, app.core.printing.service, app.core.printing.receipt;"
        "sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


@pytest.mark.parametrize("model,dots", [("", 576), ("TM-T88V", 512), ("generic-58", 384)])
@pytest.mark.parametrize("mode", ["image", "kanji"])
def test_network_printer_of_every_width_and_mode_decodes_whole(model, dots, mode):
    """Issue 12: each job decodes on its own — ESC @ first, raster exactly the model's dots or
    Kanji lines within its columns, Kanji mode closed, cut last (tests/escpos_decode.py)."""
    from tests.escpos_decode import decode

    with LoopbackPrinter() as printer:
        service = PrintService(PrinterConfig(kind="network", target=f"127.0.0.1:{printer.port}", mode=mode, model=model))
        doc = PrintDocument("receipt", service.columns)
        doc.add("カフェ・レギ", align="center", double=True, bold=True)
        doc.add("Crème brûlée ¥−", right="￥1,290")
        doc.add("合計", right="￥1,290", double=True)
        service.print_document(doc)
        [received] = printer.wait_for(1)
    assert received.startswith(b"\x1b@")
    [page] = decode(received)
    assert page.cut and not page.kanji_open
    if mode == "image":
        assert {band.width_dots for band in page.bands} == {dots}
    else:
        assert [line.text for line in page.lines][1].startswith("Creme brulee ￥－")
        assert all(line.columns <= dots // 12 for line in page.lines)
