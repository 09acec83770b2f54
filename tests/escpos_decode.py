"""A small ESC/POS decoder for tests, written from Epson's command reference and independent of
app/core/printing: it reads the bytes a printer would receive and says what it would print.

Commands understood (anything else is an error, so a stray byte fails a test):
NUL (ignored), LF, ESC @, ESC t n, ESC a n, ESC E n, ESC d n, ESC p m t1 t2, GS ! n,
GS V m, GS v 0 m xL xH yL yH d…, FS C n, FS &, FS .; printable text (cp932 in Kanji mode).

`decode(data)` returns the `Page`s separated by ESC @: each with its text `lines` (one per LF,
with its `columns` as the printer counts them: 1 per byte, doubled by GS ! 0x11), its raster
`bands` (width in dots, rows), whether it was cut and how many drawer kicks it had.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image


class DecodeError(AssertionError):
    pass


@dataclass
class Line:
    text: str
    columns: int
    double: bool = False
    bold: bool = False
    align: int = 0


@dataclass
class Band:
    width_dots: int
    rows: int
    data: bytes


@dataclass
class Page:
    lines: list[Line] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    cut: bool = False
    kicks: int = 0
    kanji_open: bool = False
    leading_nuls: int = 0

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def image(self) -> Image.Image:
        """The raster bands stacked, as a mode "1" image (black = 0)."""
        width = self.bands[0].width_dots
        assert all(band.width_dots == width for band in self.bands), [b.width_dots for b in self.bands]
        rows = sum(band.rows for band in self.bands)
        packed = b"".join(band.data for band in self.bands)
        inverted = bytes(255 - b for b in packed)
        return Image.frombytes("1", (width, rows), inverted)


def decode(data: bytes) -> list[Page]:
    pages: list[Page] = []
    page: Page | None = None
    kanji = False
    size = bold = align = 0
    text = bytearray()
    nuls = 0
    i = 0

    def need(n: int) -> bytes:
        if i + n > len(data):
            raise DecodeError(f"truncated command at {i}: {data[i:i + 8]!r}")
        return data[i:i + n]

    def flush() -> None:
        nonlocal text
        if page is None:
            if text:
                raise DecodeError(f"text before ESC @: {bytes(text)!r}")
            return
        raw = bytes(text)
        shown = raw.decode("cp932") if kanji else raw.decode("ascii")
        page.lines.append(Line(shown, len(raw) * (2 if size & 0xF0 else 1), bool(size & 0xF0), bool(bold), align))
        text = bytearray()

    while i < len(data):
        b = data[i]
        if b == 0x00:
            nuls += 1
            i += 1
            continue
        if b == 0x1B:  # ESC
            cmd = need(2)[1]
            if cmd == 0x40:  # @
                if text:
                    raise DecodeError("ESC @ inside a line")
                page = Page(leading_nuls=nuls)
                pages.append(page)
                nuls = 0
                kanji, size, bold, align = False, 0, 0, 0
                i += 2
            elif cmd in (0x74, 0x61, 0x45, 0x64):  # t a E d
                n = need(3)[2]
                if cmd == 0x61:
                    align = n
                elif cmd == 0x45:
                    bold = n
                i += 3
            elif cmd == 0x70:  # p: drawer
                need(5)
                _page(page).kicks += 1
                i += 5
            else:
                raise DecodeError(f"unknown ESC {cmd:#x} at {i}")
            continue
        if b == 0x1D:  # GS
            cmd = need(2)[1]
            if cmd == 0x21:  # !
                size = need(3)[2]
                i += 3
            elif cmd == 0x56:  # V
                m = need(3)[2]
                i += 3 if m in (0, 1, 0x30, 0x31) else 4
                _page(page).cut = True
            elif cmd == 0x76:  # v 0
                head = need(8)
                if head[2] != 0x30:
                    raise DecodeError("GS v not followed by 0")
                width_bytes = head[4] + 256 * head[5]
                rows = head[6] + 256 * head[7]
                body = need(8 + width_bytes * rows)[8:]
                _page(page).bands.append(Band(width_bytes * 8, rows, body))
                i += 8 + width_bytes * rows
            else:
                raise DecodeError(f"unknown GS {cmd:#x} at {i}")
            continue
        if b == 0x1C:  # FS
            cmd = need(2)[1]
            if cmd == 0x43:  # C n
                i += 3
            elif cmd == 0x26:  # &
                kanji = True
                _page(page).kanji_open = True
                i += 2
            elif cmd == 0x2E:  # .
                kanji = False
                _page(page).kanji_open = False
                i += 2
            else:
                raise DecodeError(f"unknown FS {cmd:#x} at {i}")
            continue
        if b == 0x0A:
            flush()
            i += 1
            continue
        if b < 0x20:
            raise DecodeError(f"control byte {b:#x} at {i}")
        if kanji and (0x81 <= b <= 0x9F or 0xE0 <= b <= 0xFC):
            text += need(2)
            i += 2
        else:
            text += bytes([b])
            i += 1
    if text:
        raise DecodeError(f"unterminated line {bytes(text)!r}")
    return pages


def _page(page: Page | None) -> Page:
    if page is None:
        raise DecodeError("command before ESC @")
    return page
