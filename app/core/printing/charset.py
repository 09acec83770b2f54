"""What a printer can print: one character mapping for both print modes, and its widths.

Every `PrintLine` is passed through `printable()` when it is made, so the image
mode draws exactly the characters a Kanji-mode printer prints, and layouts
measure what will be printed. Per character, in this order:

1. `SUBSTITUTES`: characters cp932 lacks but has an equivalent of
   (¥ → ￥, — → ―, · → ・, a no-break space → a space);
2. a cp932 round trip, so the text is what the printer's font shows
   (− U+2212 → － U+FF0D, 〜 → ～, ‖ → ∥);
3. accents dropped (é → e, û → u) when the bare letters are printable;
4. otherwise `FALLBACK` 〓 (the JIS geta mark) — the same in both modes, although
   the image font could draw some of these (☕ has no glyph, 𠮷 has one).
Control and format characters are dropped (a line feed inside a line would break
the layout).

Width: a character printed as one byte in Kanji mode (ASCII, half-width kana)
takes 1 column, a double-byte one 2 — the printer's own rule, whatever Unicode's
East Asian width says (× ※ − are 2; ¥ becomes ￥, 2).

`unprintable_chars(name)` lists what a name would lose, for a warning at entry.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

FALLBACK = "〓"

#: characters outside cp932 printed as a cp932 equivalent (the Kanji-mode mapping)
SUBSTITUTES: dict[str, str] = {
    "\u00a5": "\uffe5",  # ¥ -> ￥
    "\u2014": "\u2015",  # — em dash -> ― (cp932's dash)
    "\u2013": "-",  # – en dash
    "\u2011": "-",  # non-breaking hyphen
    "\u00b7": "\u30fb",  # · middle dot -> ・
    "\u2022": "\u30fb",  # • bullet -> ・
    "\u00a0": " ",  # no-break space
    "\u3000": "\u3000",  # ideographic space stays (cp932 81 40)
    "\u00a6": "\uffe4",  # ¦ -> ￤
    "\u2225": "\u2225",  # ∥ stays
    "\t": " ",
}


def _encodable(text: str) -> bool:
    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def _round_trip(text: str) -> str:
    return text.encode("cp932").decode("cp932")


@lru_cache(maxsize=4096)
def printable_char(ch: str) -> str:
    """What `ch` prints as (possibly "" or several characters; see the module doc)."""
    ch = SUBSTITUTES.get(ch, ch)
    if unicodedata.category(ch) in ("Cc", "Cf") or unicodedata.combining(ch):
        return ""
    if _encodable(ch):
        return _round_trip(ch)
    bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    bare = "".join(SUBSTITUTES.get(c, c) for c in bare)
    if bare and bare != ch and _encodable(bare) and all(unicodedata.category(c)[0] != "C" for c in bare):
        return _round_trip(bare)
    return FALLBACK


def printable(text: str) -> str:
    """`text` as printed, in either mode (module doc)."""
    return "".join(printable_char(ch) for ch in text)


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Columns `ch` takes once printed: 1 per single-byte, 2 per double-byte cp932 character."""
    return len(printable_char(ch).encode("cp932"))


def unprintable_chars(name: str) -> list[str]:
    """The characters of `name` no receipt would show as typed, each once, in order.

    For the back office to warn at product entry: 「☕ は印刷できません（〓 と印刷されます）」.
    Accented letters are listed too (é prints as e); mere equivalents are not (¥ prints
    as ￥, − as －, 〜 as ～), nor is white space.
    """
    found: list[str] = []
    for ch in name:
        if ch in found or ch in SUBSTITUTES or ch.isspace():
            continue
        shown = printable_char(ch)
        if shown != ch and not _same_symbol(ch, shown):
            found.append(ch)
    return found


def _same_symbol(ch: str, shown: str) -> bool:
    """`shown` is `ch` as the printer's font draws it (a cp932 round trip such as − → －)."""
    return _encodable(ch) and _round_trip(ch) == shown
