"""Printing (SPEC §7, R-RECEIPT): layout -> PrintDocument -> image or Kanji bytes -> ESC/POS printer.

Modules: `document` (lines, column measuring), `charset` (what prints, in both modes, and its
widths; `unprintable_chars`), `models` (printer models from python-escpos's profiles: dots,
columns), `formatting` (￥, dates), `receipt` (レシート / 領収書 layouts), `render` (1-bit
image), `kanji` (Kanji-mode bytes), `printers` (config, python-escpos printers,
CapturingPrinter), `service` (PrintService), `errors` (PrinterError), `terminal_slip`
(card / e-money 控え, R-SLIP). No Qt here. See docs/printing.md.
"""

import os as _os

from platformdirs import user_cache_dir as _user_cache_dir

# python-escpos caches its parsed printer database in a fresh mkdtemp() on every import
# unless told where: ~150 ms of start-up each time and a folder left in /tmp per start.
_os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", _user_cache_dir("regi", appauthor=False))
_os.makedirs(_os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)

from app.core.printing.charset import unprintable_chars  # noqa: E402  (for the back office: warn at product entry)

__all__ = ["unprintable_chars"]
