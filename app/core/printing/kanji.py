"""Encode a `PrintDocument` for Japanese-model ESC/POS printers in Kanji mode.

Byte stream: ESC @ (init), ESC t 1 (katakana table, so half-width kana print
as kana), FS C 1 (Shift_JIS code system), FS & (enter Kanji mode), then per
line ESC a n (align) + GS ! n (size) + ESC E n (bold) + cp932 text + LF, and
FS . (leave Kanji mode). The paper cut is the caller's.

Traps:
- ¥ (U+00A5) is not in cp932: it is sent as ￥ (U+FFE5, 81 8F); every other
  character goes through the same mapping as the image mode
  (`charset.printable`), so encoding never raises and what cp932 lacks prints
  as in the image (é as e, ☕ as 〓).
- A byte 0xA5 may still appear as the *second* byte of a double-byte
  character; only a lone 0xA5 would be the half-width katakana ･.
"""

from __future__ import annotations

from app.core.printing.charset import printable
from app.core.printing.document import PrintDocument

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
KATAKANA_TABLE = ESC + b"t\x01"
SHIFT_JIS = FS + b"C\x01"
KANJI_ON = FS + b"&"
KANJI_OFF = FS + b"."
_ALIGN = {"left": 0, "center": 1, "right": 2}


def to_cp932(text: str) -> bytes:
    """`text` as printed (`charset.printable`: ¥ as ￥, anything unprintable as 〓), in cp932."""
    return printable(text).encode("cp932")


def encode_kanji(doc: PrintDocument) -> bytes:
    """The whole document as Kanji-mode ESC/POS bytes (no cut)."""
    out = bytearray(INIT + KATAKANA_TABLE + SHIFT_JIS + KANJI_ON)
    for line, text in zip(doc.lines, doc.text_lines()):
        align = "left" if line.right is not None or line.kind == "rule" else line.align
        out += ESC + b"a" + bytes([_ALIGN[align]])
        out += GS + b"!" + (b"\x11" if line.double else b"\x00")
        out += ESC + b"E" + (b"\x01" if line.bold else b"\x00")
        out += to_cp932(text) + LF
    out += GS + b"!\x00" + ESC + b"E\x00" + ESC + b"a\x00" + KANJI_OFF
    return bytes(out)
