"""Printer models the shop can choose, from python-escpos's capability profiles (SPEC §7).

A model fixes the printable width in dots (576 and 512 on 80 mm paper — Epson's
TM-T88 series prints 512 —, 384 on 58 mm) and so the columns of a layout:
Kanji mode prints a half-width character 12 dots wide and a full-width one 24,
so a printer has `dots // 12` columns (48, 42, 32), and the image mode draws
the same 24-dot type on every model (3 mm, readable on 58 mm too).

`printer_models()` is the list a settings screen offers (generic models first,
then every escpos profile that prints raster images at one of those widths);
`printer_model(key, paper_mm)` resolves a stored setting ("" is the generic
model of that paper width). `key` is an escpos profile name ("TM-T88V") or
one of `GENERIC`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

DOTS_PER_COLUMN = 12  # Kanji mode: half-width 12 x 24 dots, full-width 24 x 24
WIDTHS = {576: 80, 512: 80, 384: 58}  # printable dots -> paper mm


@dataclass(frozen=True)
class PrinterModel:
    key: str  # escpos profile name, or a GENERIC key
    name: str  # shown to the shop: 「Epson TM-T88V」
    paper_mm: int  # 80 | 58
    dots: int  # printable width: 576 | 512 | 384
    profile: str  # the escpos profile the printer object is built with
    fonts: tuple[tuple[str, int], ...] = ()  # the profile's fonts: (name, columns)

    @property
    def columns(self) -> int:
        """Columns of a layout for this model (48 / 42 / 32)."""
        return self.dots // DOTS_PER_COLUMN

    @property
    def label(self) -> str:
        """「Epson TM-T88V（80mm・512ドット）」 for a list."""
        return f"{self.name}（{self.paper_mm}mm・{self.dots}ドット）"


GENERIC = (
    PrinterModel("generic-80", "汎用 80mm", 80, 576, "default"),
    PrinterModel("generic-80-512", "汎用 80mm（TM-T88互換）", 80, 512, "default"),
    PrinterModel("generic-58", "汎用 58mm", 58, 384, "default"),
)
_DEFAULT_FOR_PAPER = {80: GENERIC[0], 58: GENERIC[2]}


@lru_cache(maxsize=1)
def printer_models() -> tuple[PrinterModel, ...]:
    """Every selectable model: the generic ones, then escpos profiles by vendor and name.
    Loads python-escpos's profile database (on first call: not at start-up)."""
    from escpos import capabilities

    found = []
    for key, profile in capabilities.CAPABILITIES["profiles"].items():
        pixels = profile.get("media", {}).get("width", {}).get("pixels")
        if pixels not in WIDTHS or not profile.get("features", {}).get("bitImageRaster"):
            continue
        fonts = tuple((font.get("name", str(index)), int(font.get("columns", 0)))
                      for index, font in sorted(profile.get("fonts", {}).items()))
        name = f"{profile.get('vendor', '')} {profile.get('name', key)}".strip()
        found.append(PrinterModel(key, name, WIDTHS[pixels], pixels, key, fonts))
    return GENERIC + tuple(sorted(found, key=lambda m: m.name))


def printer_model(key: str = "", paper_mm: int = 80) -> PrinterModel:
    """The model stored as `key` ("" -> the generic model of `paper_mm`). ValueError if unknown."""
    if not key:
        if paper_mm not in _DEFAULT_FOR_PAPER:
            raise ValueError(f"paper_mm must be one of {sorted(_DEFAULT_FOR_PAPER)}, got {paper_mm!r}")
        return _DEFAULT_FOR_PAPER[paper_mm]
    for model in printer_models():
        if model.key == key:
            return model
    raise ValueError(f"unknown printer model {key!r}")
