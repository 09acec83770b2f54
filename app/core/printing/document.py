"""Printer-independent laid-out document, and fixed-pitch text measuring.

A layout function (receipt, 領収書, later terminal slips and reports) produces a
`PrintDocument`; the renderers turn it into a 1-bit image (`render.py`) or
Kanji-mode bytes (`kanji.py`). The document is measured in *columns* of a
fixed-pitch printer: a character printed as one cp932 byte is 1 column, a
double-byte one 2 (`charset.char_width`).

Traps:
- Text is mapped to what the printer prints when a `PrintLine` is made
  (`charset.printable`: ¥ -> ￥, é -> e, ☕ -> 〓): both modes print the same
  characters, and widths are measured on them (※ × … − are 2 columns).
- Columns come from the printer model (`models.PrinterModel.columns`: 48 / 42
  / 32), not from the paper alone: an 80 mm TM-T88 prints 42.
- A `double` line prints at twice the width, so it only has `width // 2` columns.
- The layout puts the reprint mark and the copy label into `lines` itself;
  `reprint` / `copy_label` repeat them as metadata for the capture printer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.core.printing.charset import char_width, printable

Align = Literal["left", "center", "right"]
LineKind = Literal["text", "rule", "blank"]

#: paper width in mm -> (columns, printable dots) of its generic printer model
PAPER: dict[int, tuple[int, int]] = {80: (48, 576), 58: (32, 384)}


def paper_columns(paper_mm: int) -> int:
    """Columns of the generic printer of `paper_mm` paper (80 -> 48, 58 -> 32); a model may have fewer
    (`PrintService.columns` is the configured printer's)."""
    return PAPER[paper_mm][0]


def paper_dots(paper_mm: int) -> int:
    """Printable dots of the generic printer of `paper_mm` paper (80 -> 576, 58 -> 384)."""
    return PAPER[paper_mm][1]


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

    def __post_init__(self) -> None:  # what the printer prints, in both modes (charset)
        object.__setattr__(self, "text", printable(self.text))
        if self.right is not None:
            object.__setattr__(self, "right", printable(self.right))

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
        """Append a text line (keyword arguments as `PrintLine`), wrapped so that nothing is clipped:
        text too wide goes on as many lines as it needs, and `right` stays on the last one (or
        on a line of its own), so both modes print every character."""
        width = self.width // 2 if style.get("double") else self.width
        right = style.get("right")
        if right is None:
            for piece in wrap(text, width):
                self.lines.append(PrintLine(piece, **style))
            return
        room = width - display_width(right) - 1
        if display_width(text) <= room or room < 1:
            self.lines.append(PrintLine(text, **style))
            return
        pieces = wrap(text, width)
        last = pieces.pop() if display_width(pieces[-1]) <= room else ""
        line_style = {key: value for key, value in style.items() if key != "right"}
        for piece in pieces:
            self.lines.append(PrintLine(piece, **line_style))
        self.lines.append(PrintLine(last, **style))

    def text_lines(self) -> list[str]:
        """Plain text of every line, as a fixed-pitch printer prints it."""
        return [line.plain(self.width) for line in self.lines]
