"""Printer-independent laid-out document, and fixed-pitch text measuring.

A layout function (receipt, 領収書, later terminal slips and reports) produces a
`PrintDocument`; the renderers turn it into a 1-bit image (`render.py`) or
Kanji-mode bytes (`kanji.py`). The document is measured in *columns* of a
fixed-pitch printer: a half-width character is 1 column, a full-width one 2.

Traps:
- East Asian *ambiguous* characters (※ × … ─ ○) are counted as 2 columns:
  Japanese printers and cp932 print them full-width.
- A `double` line prints at twice the width, so it only has `width // 2` columns.
- The layout puts the reprint mark and the copy label into `lines` itself;
  `reprint` / `copy_label` repeat them as metadata for the capture printer.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right"]
LineKind = Literal["text", "rule", "blank"]

#: paper width in mm -> (columns of a 12-dot half-width character, printable dots)
PAPER: dict[int, tuple[int, int]] = {80: (48, 576), 58: (32, 384)}


def paper_columns(paper_mm: int) -> int:
    """Columns of text on `paper_mm` paper (80 -> 48, 58 -> 32)."""
    return PAPER[paper_mm][0]


def paper_dots(paper_mm: int) -> int:
    """Printable dots across `paper_mm` paper (80 -> 576, 58 -> 384)."""
    return PAPER[paper_mm][1]


def char_width(ch: str) -> int:
    """Columns one character takes: 2 for full-width/wide/ambiguous, 0 for combining marks, else 1."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("F", "W", "A") else 1


def display_width(text: str) -> int:
    """Columns `text` takes on a fixed-pitch Japanese printer."""
    return sum(char_width(ch) for ch in text)


def clip(text: str, width: int) -> str:
    """The longest prefix of `text` that fits in `width` columns."""
    used = 0
    for i, ch in enumerate(text):
        used += char_width(ch)
        if used > width:
            return text[:i]
    return text


def wrap(text: str, width: int) -> list[str]:
    """Split `text` into pieces of at most `width` columns (character wrap; never drops text)."""
    pieces: list[str] = []
    rest = text
    while display_width(rest) > width:
        head = clip(rest, width) or rest[0]  # a 2-column char in a 1-column width still advances
        pieces.append(head)
        rest = rest[len(head):]
    pieces.append(rest)
    return pieces


def columns(left: str, right: str, width: int) -> str:
    """`left` and `right` on one line of `width` columns, `right` flush right.

    At least one space separates them; if both don't fit, `left` is clipped so
    that `right` (usually an amount) is always printed whole.
    """
    room = width - display_width(right) - 1
    left = clip(left, max(room, 0))
    gap = width - display_width(left) - display_width(right)
    return left + " " * max(gap, 1 if left else 0) + right


@dataclass(frozen=True)
class PrintLine:
    """One printed line.

    `text` is aligned by `align`; if `right` is set the line has two parts,
    `text` flush left and `right` flush right (amounts), and `align` is ignored.
    `kind` "rule" is a separator across the paper, "blank" an empty feed line.
    """

    text: str = ""
    align: Align = "left"
    double: bool = False
    bold: bool = False
    right: str | None = None
    kind: LineKind = "text"

    @classmethod
    def rule(cls) -> PrintLine:
        return cls(kind="rule")

    @classmethod
    def blank(cls) -> PrintLine:
        return cls(kind="blank")

    def plain(self, width: int) -> str:
        """The line as text on a `width`-column printer (alignment padding is not added)."""
        if self.kind == "blank":
            return ""
        line_width = width // 2 if self.double else width
        if self.kind == "rule":
            return "-" * line_width
        if self.right is not None:
            return columns(self.text, self.right, line_width)
        return self.text


@dataclass
class PrintDocument:
    """A laid-out document: `kind` ("receipt", "formal_receipt", "card_slip", "report"…), `width` in columns."""

    kind: str
    width: int
    lines: list[PrintLine] = field(default_factory=list)
    copy_label: str | None = None  # 「お客様控」 / 「加盟店控」
    reprint: bool = False

    def add(self, text: str = "", **style) -> None:
        """Append a text line (keyword arguments as `PrintLine`)."""
        self.lines.append(PrintLine(text, **style))

    def text_lines(self) -> list[str]:
        """Plain text of every line, as a fixed-pitch printer prints it."""
        return [line.plain(self.width) for line in self.lines]
