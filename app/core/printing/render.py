"""Render a `PrintDocument` to a 1-bit image with the bundled Japanese font.

This is the default printing path: python-escpos's `text()` cannot print
Japanese, but every ESC/POS printer prints a raster image (SPEC §7).

Contracts and traps:
- The image is mode "1", exactly `paper_dots` wide (the model's: 576, 512,
  384), black (0) on white (1) — python-escpos inverts it for the printer.
- Base size is 24 px on every width, as in Kanji mode (a full-width character
  is 2 columns of 12 dots: 3 mm at 203 dpi), so 58 mm paper gets the same
  readable type and its 32 columns fill the paper; `double` lines use twice that.
- Noto Sans JP is proportional, so two-part lines are aligned by measuring
  pixels (`font.getlength`), not by padding with spaces; a line too wide for
  the paper is drawn with a smaller font instead of being clipped.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from app.core.assets import font_path
from app.core.printing.document import PrintDocument, PrintLine
from app.core.printing.models import DOTS_PER_COLUMN

_LINE_HEIGHT = 1.3  # em
_BASELINE = 1.03  # em from the top of the line: leading above + CJK ascent (0.88 em)
_MIN_SIZE = 8


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The bundled Noto Sans JP at `size` px (cached: loading the 5 MB file is slow)."""
    return ImageFont.truetype(str(font_path(bold)), size)


def render_image(doc: PrintDocument, paper_dots: int = 576) -> Image.Image:
    """The whole document as one mode "1" image `paper_dots` wide."""
    base = 2 * DOTS_PER_COLUMN
    margin = paper_dots // 64
    avail = paper_dots - 2 * margin
    rows = [_fit(line, base, avail) for line in doc.lines]
    pad = base // 2
    height = 2 * pad + sum(_row_height(line, size, base) for line, size in zip(doc.lines, rows))
    image = Image.new("1", (paper_dots, max(height, 1)), 1)
    draw = ImageDraw.Draw(image)
    y = pad
    for line, size in zip(doc.lines, rows):
        line_height = _row_height(line, size, base)
        if line.kind == "rule":
            mid = y + line_height // 2
            draw.line([(margin, mid), (margin + avail, mid)], fill=0, width=2)
        elif line.kind == "text":
            _draw_text(draw, line, size, margin, avail, y + round(size * _BASELINE))
        y += line_height
    return image


def _row_height(line: PrintLine, size: int, base: int) -> int:
    if line.kind != "text":
        return round(base * 0.8)
    return round(size * _LINE_HEIGHT)


def _fit(line: PrintLine, base: int, avail: int) -> int:
    """Font size for `line`: its nominal size, shrunk just enough to fit `avail` dots."""
    size = base * 2 if line.double else base
    if line.kind != "text":
        return size
    needed = _width(line, font(size, line.bold), size)
    if needed > avail:
        size = max(_MIN_SIZE, int(size * avail / needed))
    return size


def _width(line: PrintLine, face: ImageFont.FreeTypeFont, size: int) -> float:
    if line.right is None:
        return face.getlength(line.text)
    return face.getlength(line.text) + size + face.getlength(line.right)  # >= 1 em between parts


def _draw_text(draw: ImageDraw.ImageDraw, line: PrintLine, size: int, margin: int, avail: int, baseline: int) -> None:
    face = font(size, line.bold)
    if line.right is not None:
        draw.text((margin, baseline), line.text, font=face, fill=0, anchor="ls")
        draw.text((margin + avail, baseline), line.right, font=face, fill=0, anchor="rs")
        return
    x = {"left": margin, "center": margin + avail / 2, "right": margin + avail}[line.align]
    anchor = {"left": "ls", "center": "ms", "right": "rs"}[line.align]
    draw.text((x, baseline), line.text, font=face, fill=0, anchor=anchor)
